package io.wirelink.agent.config;

/** Whether this node acts as a router: decided from the device ({@code AUTO}) or forced. */
public enum RouterMode {
    AUTO,
    TRUE,
    FALSE;

    static RouterMode parse(String s) {
        switch (s.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "auto":
            case "":
                return AUTO;
            case "true":
            case "yes":
            case "on":
                return TRUE;
            case "false":
            case "no":
            case "off":
                return FALSE;
            default:
                throw new IllegalArgumentException("'" + s + "' is not one of auto, true, false");
        }
    }
}
