package io.wirelink.agent.config;

/**
 * Whether the agent asks its default gateway to forward the WireGuard listen port (PCP, NAT-PMP, UPnP-IGD):
 * {@code AUTO} does when the host has an IPv4 default gateway, {@code OFF} never does.
 */
public enum PortMappingMode {
    AUTO,
    OFF;

    static PortMappingMode parse(String s) {
        switch (s.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "auto":
            case "":
            case "true":
            case "yes":
            case "on":
                return AUTO;
            case "off":
            case "false":
            case "no":
                return OFF;
            default:
                throw new IllegalArgumentException("'" + s + "' is not one of auto, off");
        }
    }
}
