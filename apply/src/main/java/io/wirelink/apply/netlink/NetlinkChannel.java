package io.wirelink.apply.netlink;

/**
 * A datagram pipe to the kernel's netlink side: {@link NetlinkSocket} for real, fakes in tests. Not thread-safe.
 */
interface NetlinkChannel extends AutoCloseable {
    /** Sends one datagram holding one complete message. */
    void send(byte[] message) throws NetlinkException;

    /**
     * Blocks for the next datagram from the kernel and returns exactly its bytes (a fresh array). Throws with
     * {@code EAGAIN} when nothing arrives within the channel's receive timeout.
     */
    byte[] receive() throws NetlinkException;

    @Override
    void close();
}
