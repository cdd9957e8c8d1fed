package io.wirelink.dht.udp;

import io.wirelink.dht.DhtConfig;
import io.wirelink.dht.DhtIdentity;
import io.wirelink.dht.DhtNode;
import io.wirelink.dht.Outbox;
import io.wirelink.facts.Clock;
import io.wirelink.facts.IpEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The thin I/O shell around one {@link DhtNode}: a UDP socket, and one thread (the caller of {@link #run()}) that
 * owns the node. It reads the clock once per turn, feeds datagrams and ticks to the node, and sends what the node
 * emits; nothing else. Other threads hand work to the node with {@link #submit}. Sends that the socket cannot take
 * at once are dropped, as UDP may drop them anyway.
 *
 * <p>Time: {@code now} = the wall clock read once at start + monotonic time elapsed since, so it never jumps back
 * and stays close to Unix time for the packet timestamps.
 */
public final class UdpDhtRunner implements AutoCloseable {
    private static final int MAX_DATAGRAM = 2048;

    private final DatagramChannel channel;
    private final Selector selector;
    private final Clock clock;
    private final long startMillis;
    private final long startNanos;
    private final DhtNode node;
    private final ConcurrentLinkedQueue<Action> tasks = new ConcurrentLinkedQueue<>();
    private final Outbox outbox;
    private final ByteBuffer in = ByteBuffer.allocate(MAX_DATAGRAM);
    private volatile boolean closed;
    private long sendErrors;

    /** Something to do with the node on its own thread. */
    @FunctionalInterface
    public interface Action {
        void run(DhtNode node, long now, Outbox out);
    }

    private UdpDhtRunner(DatagramChannel channel, Selector selector, Clock clock, DhtConfig cfg, DhtIdentity id,
            Random random) {
        this.channel = channel;
        this.selector = selector;
        this.clock = clock;
        this.startMillis = clock.now().toEpochMilli();
        this.startNanos = clock.nanoTime();
        this.node = new DhtNode(cfg, id, random, now());
        this.outbox = this::send;
    }

    /** Binds {@code bind} (port 0 picks one) and creates the node; call {@link #run()} on the thread that owns it. */
    public static UdpDhtRunner open(InetSocketAddress bind, DhtConfig cfg, DhtIdentity id, Clock clock,
            Random random) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.bind(bind);
            ch.configureBlocking(false);
            Selector sel = Selector.open();
            ch.register(sel, SelectionKey.OP_READ);
            return new UdpDhtRunner(ch, sel, clock, cfg, id, random);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    public IpEndpoint localEndpoint() {
        try {
            return IpEndpoint.of((InetSocketAddress) channel.getLocalAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The node; touch it only from the thread in {@link #run()} (use {@link #submit} from others). */
    public DhtNode node() {
        return node;
    }

    public long sendErrors() {
        return sendErrors;
    }

    /** Runs {@code action} on the node's thread at its next turn. Thread-safe. */
    public void submit(Action action) {
        tasks.add(action);
        selector.wakeup();
    }

    private long now() {
        return startMillis + (clock.nanoTime() - startNanos) / 1_000_000;
    }

    /** The event loop; returns when {@link #close()} is called. */
    public void run() throws IOException {
        try {
            loop();
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            if (!closed) {
                throw e;
            }
        }
    }

    private void loop() throws IOException {
        while (!closed) {
            long now = now();
            Action t;
            while ((t = tasks.poll()) != null) {
                t.run(node, now, outbox);
            }
            node.tick(now, outbox);
            long wait = Math.max(1, node.nextWakeup() - now());
            selector.select(Math.min(wait, 1000));
            selector.selectedKeys().clear();
            SocketAddress from;
            in.clear();
            while (!closed && (from = channel.receive(in)) != null) {
                in.flip();
                byte[] data = new byte[in.remaining()];
                in.get(data);
                in.clear();
                node.receive(IpEndpoint.of((InetSocketAddress) from), data, now(), outbox);
            }
        }
    }

    private void send(IpEndpoint to, byte[] data) {
        try {
            channel.send(ByteBuffer.wrap(data), to.toSocketAddress());
        } catch (IOException e) {
            sendErrors++; // unreachable network, no route: the request simply times out
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        selector.wakeup();
        try {
            channel.close();
        } finally {
            selector.close();
        }
    }
}
