package io.wirelink.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.Clock;
import io.wirelink.facts.PrivateKey;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Forwarding rate of 1400-byte WireGuard data packets through the relay on loopback, as a ratio to a bare Java UDP
 * forwarder (receive, send to a fixed address, nothing else) measured in the same run, and the forwarding thread's
 * CPU time per Gb/s. Not part of the default build (JUnit tag "bench", excluded in this module's pom); run it with
 *
 * <pre>
 * mvn -B -q -ntp -pl relay -am test -Dtest=RelayForwardBench -Dgroups=bench -DexcludedGroups=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.seconds=3] [-Dbench.rounds=3] [-Dbench.pacedPps=20000]
 * </pre>
 *
 * Each round runs the bare forwarder and the relay alternately, first flat out (one sender thread sending as fast
 * as it can, one receiver counting what arrives), then at a fixed offered rate that neither saturates. The
 * forwarding thread's CPU (user + system, from {@link ThreadMXBean}) over the interval, divided by the Gb/s it
 * forwarded, is "cores per Gb/s". The machine's other load shows in the spread; medians are reported.
 */
@Tag("bench")
class RelayForwardBench {
    private static final int PAYLOAD = 1400;
    private static final String HOST = "127.0.0.1";

    private record Result(double pps, double gbps, double cpuCoresPerGbps, double loss) {
        @Override
        public String toString() {
            return String.format("%,9.0f pkt/s  %.3f Gb/s  %.2f cores/(Gb/s)  loss %.1f%%", pps, gbps, cpuCoresPerGbps,
                    100 * loss);
        }
    }

    /** Something that forwards from one loopback port to the receiver: the bare loop or the relay. */
    private interface Forwarder extends AutoCloseable {
        InetSocketAddress address();

        long threadCpuNanos();

        @Override
        void close();
    }

    @Test
    void forwardingRateAgainstABareForwarder() throws Exception {
        int seconds = Integer.getInteger("bench.seconds", 3);
        int rounds = Integer.getInteger("bench.rounds", 3);
        int paced = Integer.getInteger("bench.pacedPps", 20_000);
        List<Result> bareMax = new ArrayList<>();
        List<Result> relayMax = new ArrayList<>();
        List<Result> barePaced = new ArrayList<>();
        List<Result> relayPaced = new ArrayList<>();
        try (DatagramChannel sender = open(); DatagramChannel receiver = open()) {
            RelaySetup setup = new RelaySetup(sender, receiver);
            // warm-up, so that the JIT has compiled both paths before anything is measured
            measure(bare(receiver), sender, receiver, null, 1, 0);
            try (Forwarder r = setup.start()) {
                measure(r, sender, receiver, setup.data, 1, 0);
            }
            for (int i = 0; i < rounds; i++) {
                bareMax.add(measure(bare(receiver), sender, receiver, null, seconds, 0));
                try (Forwarder r = setup.start()) {
                    relayMax.add(measure(r, sender, receiver, setup.data, seconds, 0));
                }
                barePaced.add(measure(bare(receiver), sender, receiver, null, seconds, paced));
                try (Forwarder r = setup.start()) {
                    relayPaced.add(measure(r, sender, receiver, setup.data, seconds, paced));
                }
                System.out.printf("round %d%n  bare  max   %s%n  relay max   %s%n  bare  paced %s%n  relay paced %s%n",
                        i + 1, bareMax.get(i), relayMax.get(i), barePaced.get(i), relayPaced.get(i));
            }
        }
        double ratio = median(relayMax, Result::pps) / median(bareMax, Result::pps);
        System.out.printf("%nmedian of %d rounds, %d-byte UDP payloads on loopback, %d s each:%n", rounds, PAYLOAD,
                seconds);
        System.out.printf("  flat out: bare %,.0f pkt/s (%.3f Gb/s), relay %,.0f pkt/s (%.3f Gb/s): ratio %.2f%n",
                median(bareMax, Result::pps), median(bareMax, Result::gbps), median(relayMax, Result::pps),
                median(relayMax, Result::gbps), ratio);
        System.out.printf("  forwarding thread CPU per Gb/s flat out: bare %.2f, relay %.2f cores%n",
                median(bareMax, Result::cpuCoresPerGbps), median(relayMax, Result::cpuCoresPerGbps));
        System.out.printf("  at %,d pkt/s offered (%.3f Gb/s): bare %.2f, relay %.2f cores per Gb/s%n", paced,
                paced * PAYLOAD * 8 / 1e9, median(barePaced, Result::cpuCoresPerGbps),
                median(relayPaced, Result::cpuCoresPerGbps));
        assertTrue(ratio > 0, "the relay forwarded something");
    }

    private static double median(List<Result> rs, java.util.function.ToDoubleFunction<Result> f) {
        double[] v = rs.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static DatagramChannel open() throws IOException {
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        ch.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        ch.bind(new InetSocketAddress(HOST, 0));
        return ch;
    }

    // ------------------------------------------------------------------ the two forwarders

    /** The baseline: a thread that receives into a direct buffer and sends it to the receiver. */
    private static Forwarder bare(DatagramChannel receiver) throws IOException {
        DatagramChannel ch = open();
        InetSocketAddress to = (InetSocketAddress) receiver.getLocalAddress();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocateDirect(65536);
            try {
                while (running.get()) {
                    buf.clear();
                    if (ch.receive(buf) == null) {
                        continue;
                    }
                    buf.flip();
                    ch.send(buf, to);
                }
            } catch (ClosedChannelException e) {
                // stopped
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, "bare-forwarder");
        t.setDaemon(true);
        t.start();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        return new Forwarder() {
            @Override
            public InetSocketAddress address() {
                try {
                    return (InetSocketAddress) ch.getLocalAddress();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public long threadCpuNanos() {
                return mx.getThreadCpuTime(t.getId());
            }

            @Override
            public void close() {
                running.set(false);
                try {
                    ch.close();
                    t.join(2000);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    /**
     * A relay with the sender and the receiver registered as two mutually allowed clients (real handshakes over
     * UDP) and an established route from the sender to the receiver (a real handshake through the relay), so that
     * the benchmark's data packets take the relay's ordinary transport path.
     */
    private static final class RelaySetup {
        private final DatagramChannel sender;
        private final DatagramChannel receiver;
        private final Random random = new Random(1);
        private final TestInitiator a = TestInitiator.random(random);
        private final TestInitiator b = TestInitiator.random(random);
        private Instant clock = Instant.parse("2026-11-22T10:00:00Z");
        byte[] data;

        RelaySetup(DatagramChannel sender, DatagramChannel receiver) {
            this.sender = sender;
            this.receiver = receiver;
        }

        Forwarder start() throws Exception {
            PrivateKey key = PrivateKey.generate(new SecureRandom());
            RelaySettings settings = RelaySettings.builder().clientPacketRate(0, 0).clientByteRate(0, 0).build();
            Relay relay = new Relay(key, settings, k -> true, new SecureRandom());
            UdpRelay udp = UdpRelay.start(relay, new InetSocketAddress(HOST, 0), Clock.system());
            InetSocketAddress at = udp.localAddress();
            register(udp, a, sender, key);
            register(udp, b, receiver, key);
            udp.call(r -> {
                r.allow(a.publicKey(), b.publicKey());
                r.allow(b.publicKey(), a.publicKey());
                return null;
            }).get(5, TimeUnit.SECONDS);
            clock = clock.plusSeconds(1);
            TestInitiator.Pending p = a.initiate(b.publicKey(), clock, 1, random);
            sender.send(ByteBuffer.wrap(p.message), at);
            byte[] init = receive(receiver);
            NoiseResponder bResponder = new NoiseResponder(b.key, 4);
            NoiseResponder.Responded resp = bResponder.respond(bResponder.consume(init, 0, k -> true), 2, random);
            receiver.send(ByteBuffer.wrap(resp.message()), at);
            TestInitiator.TestSession session = a.consumeResponse(p, receive(sender));
            assertNotNull(session, "a handshake through the relay");
            data = session.seal(new byte[PAYLOAD - 32]); // header 16 + ciphertext + tag 16 = 1400 bytes
            assertEquals(PAYLOAD, data.length);
            Thread relayThread = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("wirelink-relay") && t.isAlive())
                    .reduce((x, y) -> y.getId() > x.getId() ? y : x).orElseThrow();
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            return new Forwarder() {
                @Override
                public InetSocketAddress address() {
                    return at;
                }

                @Override
                public long threadCpuNanos() {
                    return mx.getThreadCpuTime(relayThread.getId());
                }

                @Override
                public void close() {
                    udp.close();
                }
            };
        }

        private void register(UdpRelay udp, TestInitiator who, DatagramChannel ch, PrivateKey relayKey)
                throws IOException {
            clock = clock.plusSeconds(1);
            TestInitiator.Pending p = who.initiate(relayKey.publicKey(), clock, random.nextInt(), random);
            ch.send(ByteBuffer.wrap(p.message), udp.localAddress());
            TestInitiator.TestSession s = who.consumeResponse(p, receive(ch));
            assertNotNull(s, "registered");
            ch.send(ByteBuffer.wrap(s.keepalive()), udp.localAddress());
        }
    }

    private static byte[] receive(DatagramChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(65536);
        ch.configureBlocking(true);
        SocketAddress from = ch.receive(b);
        assertNotNull(from);
        b.flip();
        return Arrays.copyOf(b.array(), b.limit());
    }

    // ------------------------------------------------------------------ one measurement

    private static Result measure(Forwarder fwd, DatagramChannel sender, DatagramChannel receiver, byte[] datagram,
            int seconds, int pacedPps) throws Exception {
        byte[] payload = datagram != null ? datagram : new byte[PAYLOAD];
        InetSocketAddress to = fwd.address();
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicLong sent = new AtomicLong();
        AtomicLong received = new AtomicLong();
        receiver.configureBlocking(false);
        drain(receiver);
        receiver.configureBlocking(true);
        Thread rx = new Thread(() -> {
            ByteBuffer b = ByteBuffer.allocateDirect(65536);
            long n = 0;
            try {
                while (true) {
                    b.clear();
                    receiver.receive(b);
                    if (b.position() == 1) {
                        return; // the stop datagram
                    }
                    received.lazySet(++n);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, "bench-receiver");
        Thread tx = new Thread(() -> {
            ByteBuffer b = ByteBuffer.allocateDirect(payload.length);
            b.put(payload).flip();
            long n = 0;
            long start = System.nanoTime();
            try {
                while (sending.get()) {
                    if (pacedPps > 0) {
                        long due = (System.nanoTime() - start) * pacedPps / 1_000_000_000L;
                        if (n >= due) {
                            LockSupport.parkNanos(100_000);
                            continue;
                        }
                    }
                    b.rewind();
                    sender.send(b, to);
                    sent.lazySet(++n);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, "bench-sender");
        rx.start();
        tx.start();
        Thread.sleep(300); // reach a steady state before the interval starts
        long r0 = received.get();
        long s0 = sent.get();
        long c0 = fwd.threadCpuNanos();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long r1 = received.get();
        long s1 = sent.get();
        long c1 = fwd.threadCpuNanos();
        long t1 = System.nanoTime();
        sending.set(false);
        tx.join(2000);
        Thread.sleep(100);
        try (DatagramChannel stopper = DatagramChannel.open(StandardProtocolFamily.INET)) {
            stopper.send(ByteBuffer.wrap(new byte[1]), receiver.getLocalAddress());
        }
        rx.join(2000);
        fwd.close();
        double secs = (t1 - t0) / 1e9;
        double pps = (r1 - r0) / secs;
        double gbps = pps * PAYLOAD * 8 / 1e9;
        double cores = (c1 - c0) / 1e9 / secs;
        double loss = s1 - s0 == 0 ? 0 : Math.max(0, 1 - (double) (r1 - r0) / (s1 - s0));
        return new Result(pps, gbps, gbps == 0 ? Double.NaN : cores / gbps, loss);
    }

    private static void drain(DatagramChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(65536);
        while (true) {
            b.clear();
            if (ch.receive(b) == null) {
                return;
            }
        }
    }
}
