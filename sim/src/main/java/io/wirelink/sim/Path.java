package io.wirelink.sim;

/** How two hosts' WireGuard devices reach each other right now, by the world's ground truth. */
public enum Path {
    /**
     * Both devices can send on a live session from the same handshake, and each one's endpoint for the other leads,
     * through whatever NATs lie between, to the other's WireGuard port: the peer's own address or its NAT's mapping.
     */
    DIRECT,
    /** Anything else: no live session, or an endpoint that leads elsewhere or nowhere. */
    NONE
}
