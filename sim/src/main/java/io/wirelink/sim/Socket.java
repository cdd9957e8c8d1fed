package io.wirelink.sim;

/** Something bound to a UDP port on a host: a WireGuard device's listen socket or a {@link SimDatagramPort}. */
abstract class Socket {
    final int port;

    Socket(int port) {
        this.port = port;
    }

    /**
     * Takes {@code p}, addressed to this port. {@code inner}: it came out of the tunnel (or from this host), so its
     * source is {@code innerSrc:innerSrcPort}; otherwise it came from the underlay, source {@code srcAddr:srcPort}.
     */
    abstract void deliver(Packet p, boolean inner);
}
