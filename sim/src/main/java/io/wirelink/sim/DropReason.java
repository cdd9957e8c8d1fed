package io.wirelink.sim;

/** Why the world dropped a packet; {@link World#dropped(DropReason)} counts each. */
public enum DropReason {
    /** Lost at random on a network or access link. */
    LOSS,
    /** The sending or receiving host is offline. */
    HOST_OFFLINE,
    /** The destination is off-subnet and the network has no gateway. */
    NO_ROUTE,
    /** Nothing on the network has the next-hop address. */
    NO_HOST,
    /** Arrived at a node that does not own the destination address (hosts do not forward). */
    NOT_LOCAL,
    /** No socket is bound to the destination port. */
    NO_SOCKET,
    /** The destination is an IPv6 underlay address; the simulated underlay is IPv4 only. */
    IPV6_UNDERLAY,
    /** A tunnel send had no address of the destination's family on the WireGuard interface to send from. */
    NO_SOURCE_ADDRESS,
    /** Arrived at a NAT's outside address on a port with no live mapping. */
    NAT_NO_MAPPING,
    /** A live mapping exists but its filter does not admit this remote endpoint. */
    NAT_FILTERED,
    /** Sent from inside a NAT to the NAT's own outside address (hairpinning is not supported). */
    NAT_HAIRPIN,
    /** The NAT had no free external port. */
    NAT_PORTS_EXHAUSTED,
    /** A non-WireGuard datagram arrived at a WireGuard port. */
    WG_NOT_WIREGUARD,
    /** The device has no private key, so it cannot take part in a handshake. */
    WG_NO_KEY,
    /** A handshake initiation meant for another public key (its mac1 does not verify). */
    WG_WRONG_KEY,
    /** A handshake initiation from a key that is not a peer. */
    WG_UNKNOWN_PEER,
    /** A handshake initiation whose timestamp is not newer than the last one accepted from that peer. */
    WG_REPLAY,
    /** A handshake response for an initiation that is no longer pending. */
    WG_STALE_RESPONSE,
    /** A data packet for a receiver index the device does not know. */
    WG_NO_SESSION,
    /** A data packet on a session older than Reject-After-Time (180 s). */
    WG_SESSION_EXPIRED,
    /** A decrypted packet whose inner source is not in the sending peer's allowed IPs. */
    WG_ALLOWED_IPS,
    /** The peer has no endpoint to send to. */
    WG_NO_ENDPOINT,
    /** The oldest packet waiting for a handshake, pushed out of the full queue (128 packets). */
    WG_QUEUE_FULL,
    /** A packet waiting for a handshake that gave up after 20 attempts. */
    WG_HANDSHAKE_GAVE_UP,
    /** Sent on a closed {@link io.wirelink.apply.DatagramPort}. */
    PORT_CLOSED
}
