package io.wirelink.relay;

import io.wirelink.facts.Clock;
import io.wirelink.facts.IpEndpoint;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Relay} on one UDP socket (a non-blocking {@link DatagramChannel} with a {@link Selector}) and one
 * thread, which owns the relay: it drains the socket (up to 256 datagrams a batch, the clock read every 32), sends
 * what the relay returns, then ticks the relay's expiry and runs the commands other threads queued with
 * {@link #call}, and waits in the selector for at most 250 ms. Because a batch is handled before the commands, a
 * command sees every datagram that was queued on the socket before it was called (short of a backlog of more than
 * a batch). An IPv6 or wildcard bind address gives a dual-stack socket; an IPv4 one an IPv4 socket.
 *
 * <p>Cost: when batches are small the selector's wake-up (an empty receive and an epoll_wait per batch) makes it
 * use about 10 to 25% more CPU per packet than a bare blocking forwarder; flat out the difference vanishes.
 */
public final class UdpRelay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UdpRelay.class);
    private static final int BATCH = 256;
    private static final long SELECT_MILLIS = 250;
    private static final int SOCKET_BUFFER_BYTES = 4 << 20;

    private final Relay relay;
    private final Clock clock;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Command<?>> commands = new ConcurrentLinkedQueue<>();
    private final CountDownLatch bound = new CountDownLatch(1);
    private final AtomicReference<Throwable> startFailure = new AtomicReference<>();
    private volatile boolean running = true;
    private volatile InetSocketAddress localAddress;
    private volatile Selector selector;
    /** Written before {@link #bound} opens and used only on the relay thread. */
    private DatagramChannel channel;
    private volatile long sendFailures;
    private volatile long relayErrors;

    private UdpRelay(Relay relay, Clock clock, InetSocketAddress bind, Runnable onThreadStart) {
        this.relay = relay;
        this.clock = clock;
        this.thread = new Thread(() -> run(bind, onThreadStart), "wirelink-relay");
        this.thread.setDaemon(true);
    }

    /** Binds {@code bind} (port 0: any free port) and starts the relay thread. */
    public static UdpRelay start(Relay relay, InetSocketAddress bind, Clock clock) throws IOException {
        return start(relay, bind, clock, () -> {});
    }

    /**
     * Like {@link #start(Relay, InetSocketAddress, Clock)}, running {@code onThreadStart} on the relay thread before
     * the socket is opened (a test enters a network namespace there, so that the socket lives in it).
     *
     * @throws IOException when the socket cannot be opened or bound, or {@code onThreadStart} fails
     */
    public static UdpRelay start(Relay relay, InetSocketAddress bind, Clock clock, Runnable onThreadStart)
            throws IOException {
        UdpRelay r = new UdpRelay(Objects.requireNonNull(relay, "relay"), Objects.requireNonNull(clock, "clock"),
                Objects.requireNonNull(bind, "bind"), Objects.requireNonNull(onThreadStart, "onThreadStart"));
        r.thread.start();
        try {
            if (!r.bound.await(10, TimeUnit.SECONDS)) {
                r.close();
                throw new IOException("the relay thread did not bind " + bind + " within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            r.close();
            throw new IOException("interrupted while starting the relay", e);
        }
        Throwable failure = r.startFailure.get();
        if (failure != null) {
            r.close();
            throw failure instanceof IOException io ? io : new IOException("cannot start the relay on " + bind, failure);
        }
        return r;
    }

    /** The bound address (with the real port when port 0 was asked for). */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /**
     * Runs {@code f} on the relay thread, the only thread that may touch the relay: for {@link Relay#allow},
     * {@link Relay#stats} and the like. The future fails if the relay is closed or {@code f} throws.
     */
    public <T> CompletableFuture<T> call(Function<Relay, T> f) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (!running) {
            result.completeExceptionally(new IllegalStateException("the relay is closed"));
            return result;
        }
        commands.add(new Command<>(f, result));
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
        if (!running) { // closed while queueing: the thread may already have failed the queue
            failCommands();
        }
        return result;
    }

    /**
     * Runs {@code f} on the relay thread and sends the datagrams it returns from the relay's socket (for example
     * {@link Relay#keepalive}); completes with how many were handed to the socket.
     */
    public CompletableFuture<Integer> callAndSend(Function<Relay, List<Send>> f) {
        return call(r -> {
            int n = 0;
            for (Send s : f.apply(r)) {
                if (send(channel, s.datagram(), s.destination().toSocketAddress())) {
                    n++;
                }
            }
            return n;
        });
    }

    /** Datagrams the socket refused to send (buffer full, unreachable, unsupported family). */
    public long sendFailures() {
        return sendFailures;
    }

    /** Datagrams on which the relay threw (a bug: its packet path never should). */
    public long relayErrors() {
        return relayErrors;
    }

    private void run(InetSocketAddress bind, Runnable onThreadStart) {
        DatagramChannel ch = null;
        Selector sel = null;
        try {
            try {
                onThreadStart.run();
                ch = bind.getAddress() instanceof Inet4Address ? DatagramChannel.open(StandardProtocolFamily.INET)
                        : DatagramChannel.open();
                ch.configureBlocking(false);
                // bursts must not overflow the queue while the thread is busy: ask for 4 MiB (the kernel caps it
                // at net.core.rmem_max / wmem_max)
                ch.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
                ch.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
                ch.bind(bind);
                sel = Selector.open();
                ch.register(sel, SelectionKey.OP_READ);
                localAddress = (InetSocketAddress) ch.getLocalAddress();
                channel = ch;
                selector = sel;
            } catch (IOException | RuntimeException e) {
                startFailure.set(e);
                return;
            } finally {
                bound.countDown();
            }
            loop(ch, sel);
        } catch (IOException e) {
            if (running) {
                log.error("relay on {} stopped: {}", localAddress, e.toString());
            }
        } finally {
            running = false;
            closeQuietly(ch);
            closeQuietly(sel);
            failCommands();
        }
    }

    private void loop(DatagramChannel ch, Selector sel) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(WireFormat.MAX_LENGTH);
        IpEndpoint lastDst = null;
        InetSocketAddress lastSocketAddress = null;
        while (running) {
            long now = clock.nanoTime();
            int n = 0;
            for (; n < BATCH; n++) {
                buf.clear();
                SocketAddress sa = ch.receive(buf);
                if (sa == null) {
                    break;
                }
                buf.flip();
                byte[] data = new byte[buf.remaining()];
                buf.get(data);
                if ((n & 31) == 31) {
                    now = clock.nanoTime();
                }
                List<Send> out;
                try {
                    out = relay.onDatagram(now, IpEndpoint.of((InetSocketAddress) sa), data);
                } catch (RuntimeException e) {
                    relayErrors++;
                    log.error("the relay failed on a {}-byte datagram from {}", data.length, sa, e);
                    continue;
                }
                for (int i = 0; i < out.size(); i++) {
                    Send s = out.get(i);
                    if (s.destination() != lastDst) {
                        lastDst = s.destination();
                        lastSocketAddress = lastDst.toSocketAddress();
                    }
                    send(ch, s.datagram(), lastSocketAddress);
                }
            }
            now = clock.nanoTime();
            relay.tick(now);
            for (Command<?> c; (c = commands.poll()) != null; ) {
                c.run(relay);
            }
            if (n < BATCH) {
                sel.select(SELECT_MILLIS);
                sel.selectedKeys().clear();
            }
        }
    }

    private boolean send(DatagramChannel ch, byte[] data, InetSocketAddress dst) {
        try {
            if (ch.send(ByteBuffer.wrap(data), dst) != 0) {
                return true;
            }
            sendFailures++;
        } catch (IOException | RuntimeException e) {
            sendFailures++;
            if (log.isDebugEnabled()) {
                log.debug("send to {} failed: {}", dst, e.toString());
            }
        }
        return false;
    }

    private void failCommands() {
        for (Command<?> c; (c = commands.poll()) != null; ) {
            c.result.completeExceptionally(new IllegalStateException("the relay is closed"));
        }
    }

    private record Command<T>(Function<Relay, T> f, CompletableFuture<T> result) {
        void run(Relay relay) {
            try {
                result.complete(f.apply(relay));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // closing
            }
        }
    }

    /** Stops the thread and closes the socket; waits up to 5 s. Idempotent. */
    @Override
    public void close() {
        running = false;
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "UdpRelay[" + localAddress + ", " + relay + "]";
    }
}
