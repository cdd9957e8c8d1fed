package io.wirelink.agent.runtime;

import io.wirelink.facts.IpEndpoint;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gossip UDP socket, bound to {@code [own link-local]:port%iface} as wirelink binds it. A daemon thread
 * receives (blocking) and hands each datagram to {@code onDatagram}, which must hop to the core's event loop.
 */
final class GossipSocket implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GossipSocket.class);
    /** wirelink's receive buffer: 2 × the largest safe payload. */
    static final int RECEIVE_BUFFER = 2424;

    private final DatagramChannel channel;
    private final NetworkInterface nif;
    private final Thread reader;

    GossipSocket(String iface, Inet6Address ownLinkLocal, int port, BiConsumer<IpEndpoint, byte[]> onDatagram)
            throws IOException {
        nif = NetworkInterface.getByName(iface);
        if (nif == null) {
            throw new SocketException("no interface " + iface);
        }
        Inet6Address scoped = Inet6Address.getByAddress(null, ownLinkLocal.getAddress(), nif);
        channel = DatagramChannel.open(StandardProtocolFamily.INET6);
        channel.bind(new InetSocketAddress(scoped, port));
        reader = new Thread(() -> receive(onDatagram), "wirelink-gossip-" + iface);
        reader.setDaemon(true);
        reader.start();
    }

    private void receive(BiConsumer<IpEndpoint, byte[]> onDatagram) {
        ByteBuffer buf = ByteBuffer.allocate(RECEIVE_BUFFER);
        while (channel.isOpen()) {
            try {
                buf.clear();
                InetSocketAddress from = (InetSocketAddress) channel.receive(buf);
                if (from == null) {
                    continue;
                }
                buf.flip();
                byte[] data = new byte[buf.remaining()];
                buf.get(data);
                onDatagram.accept(IpEndpoint.of(from), data);
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                log.debug("gossip receive failed: {}", e.toString());
            }
        }
    }

    /** Sends one datagram; errors for unreachable peers are expected and only counted by the caller. */
    void send(Inet6Address peerLinkLocal, int port, byte[] payload) throws IOException {
        Inet6Address scoped = Inet6Address.getByAddress(null, peerLinkLocal.getAddress(), nif);
        channel.send(ByteBuffer.wrap(payload), new InetSocketAddress(scoped, port));
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing gossip socket: {}", e.toString());
        }
    }
}
