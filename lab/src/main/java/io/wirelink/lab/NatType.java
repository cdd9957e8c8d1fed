package io.wirelink.lab;

/** How a lab NAT gateway maps its LAN hosts' UDP flows onto its WAN address. */
public enum NatType {
    /**
     * nftables {@code masquerade}: the source port is kept when free, so one LAN socket gets the same WAN port
     * towards every destination (endpoint-independent mapping). Filtering is still per remote address and port,
     * so two such NATs can be traversed by hole punching.
     */
    CONE("masquerade"),
    /**
     * nftables {@code masquerade random}: every new flow gets a random WAN port, so the port a third party observes
     * is useless to anyone else (endpoint-dependent mapping). Hole punching between two such NATs fails.
     */
    SYMMETRIC("masquerade random");

    private final String statement;

    NatType(String statement) {
        this.statement = statement;
    }

    /** The nftables statement that implements this mapping. */
    public String nftStatement() {
        return statement;
    }
}
