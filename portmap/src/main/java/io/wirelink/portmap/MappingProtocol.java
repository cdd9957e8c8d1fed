package io.wirelink.portmap;

/** How a mapping was obtained. */
public enum MappingProtocol {
    /** Port Control Protocol, RFC 6887 (UDP port 5351 on the gateway, version 2). */
    PCP("PCP"),
    /** NAT Port Mapping Protocol, RFC 6886 (UDP port 5351 on the gateway, version 0). */
    NAT_PMP("NAT-PMP"),
    /** UPnP Internet Gateway Device: SSDP discovery, then SOAP AddPortMapping on WANIPConnection. */
    UPNP("UPnP-IGD");

    private final String label;

    MappingProtocol(String label) {
        this.label = label;
    }

    /** The name people use ("NAT-PMP", "UPnP-IGD"). */
    public String label() {
        return label;
    }

    /** Parses a label or an enum name, case-insensitively ("pcp", "nat-pmp", "natpmp", "upnp"). */
    public static MappingProtocol parse(String s) {
        String k = s.strip().toLowerCase(java.util.Locale.ROOT).replace("-", "").replace("_", "");
        switch (k) {
            case "pcp":
                return PCP;
            case "natpmp":
            case "pmp":
                return NAT_PMP;
            case "upnp":
            case "upnpigd":
            case "igd":
                return UPNP;
            default:
                throw new IllegalArgumentException("unknown port mapping protocol '" + s + "' (pcp, nat-pmp, upnp)");
        }
    }
}
