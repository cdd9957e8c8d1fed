package io.wirelink.sim;

/**
 * What a host sent and received. Underlay counts are UDP payload bytes at the host's network interface (WireGuard
 * messages and plain datagrams; add 28 bytes per packet for IPv4 and UDP headers); tunnel counts are the payload
 * bytes of datagrams sent and received through WireGuard, i.e. what the agent's gossip costs before encapsulation.
 */
public record TrafficStats(
        long underlayTxBytes,
        long underlayRxBytes,
        long underlayTxPackets,
        long underlayRxPackets,
        long tunnelTxBytes,
        long tunnelRxBytes,
        long tunnelTxPackets,
        long tunnelRxPackets) {
    public static final TrafficStats ZERO = new TrafficStats(0, 0, 0, 0, 0, 0, 0, 0);

    public TrafficStats plus(TrafficStats o) {
        return new TrafficStats(underlayTxBytes + o.underlayTxBytes, underlayRxBytes + o.underlayRxBytes,
                underlayTxPackets + o.underlayTxPackets, underlayRxPackets + o.underlayRxPackets,
                tunnelTxBytes + o.tunnelTxBytes, tunnelRxBytes + o.tunnelRxBytes, tunnelTxPackets + o.tunnelTxPackets,
                tunnelRxPackets + o.tunnelRxPackets);
    }
}
