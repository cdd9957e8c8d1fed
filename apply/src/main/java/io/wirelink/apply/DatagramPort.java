package io.wirelink.apply;

import io.wirelink.facts.IpEndpoint;
import java.util.function.BiConsumer;

/**
 * A bound UDP socket as the agent uses it: for gossip inside the tunnel (link-local addresses, the WireGuard listen
 * port + 1) and for control traffic on the underlay. The real runtime implements it over a Vert.x
 * {@code DatagramSocket}; the simulator over its virtual network.
 *
 * <p>Like UDP, a send returns at once and promises nothing: a datagram to an unreachable destination is dropped
 * without an error. The receive handler runs on the agent's event loop (the thread that drives its
 * {@link Scheduler}), one datagram at a time.
 */
public interface DatagramPort extends AutoCloseable {
    /** Sends a copy of {@code payload} to {@code dst}; {@code payload} may be reused as soon as this returns. */
    void send(IpEndpoint dst, byte[] payload);

    /**
     * Sets the handler for received datagrams, called with the sender's endpoint and the payload (which then belongs
     * to the handler). Replaces any earlier handler; {@code null} discards what arrives.
     */
    void onReceive(BiConsumer<IpEndpoint, byte[]> handler);

    /** Unbinds the port; later sends are dropped and nothing more is received. */
    @Override
    void close();
}
