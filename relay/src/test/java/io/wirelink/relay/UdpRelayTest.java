package io.wirelink.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.Clock;
import io.wirelink.facts.PrivateKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The relay on a real UDP socket on loopback, with test WireGuard peers on their own sockets. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UdpRelayTest {
    private final Random random = new Random(21);

    /** A test WireGuard peer with its own UDP socket. */
    private final class Node implements AutoCloseable {
        final TestInitiator wg = TestInitiator.random(random);
        final NoiseResponder responder = new NoiseResponder(wg.key, 4);
        final DatagramChannel ch;
        final Selector selector;
        final InetSocketAddress relay;
        Instant clock = Instant.parse("2026-11-22T10:00:00Z");

        Node(String host, InetSocketAddress relay) throws IOException {
            this.ch = DatagramChannel.open().bind(new InetSocketAddress(host, 0));
            this.ch.configureBlocking(false);
            this.selector = Selector.open();
            this.ch.register(selector, SelectionKey.OP_READ);
            this.relay = relay;
        }

        void send(byte[] d) throws IOException {
            ch.send(ByteBuffer.wrap(d), relay);
        }

        byte[] receive() throws IOException {
            ByteBuffer b = ByteBuffer.allocate(65536);
            SocketAddress from = ch.receive(b);
            if (from == null) {
                selector.select(5000);
                selector.selectedKeys().clear();
                from = ch.receive(b);
            }
            assertNotNull(from, "a datagram within 5 s");
            assertEquals(relay, from, "everything comes from the relay's address");
            b.flip();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }

        void register() throws IOException {
            clock = clock.plusSeconds(1);
            TestInitiator.Pending p = wg.initiate(relayKey.publicKey(), clock, random.nextInt(), random);
            send(p.message);
            TestInitiator.TestSession s = wg.consumeResponse(p, receive());
            assertNotNull(s, "the relay's response over UDP");
            send(s.keepalive());
        }

        @Override
        public void close() throws IOException {
            selector.close();
            ch.close();
        }
    }

    private final PrivateKey relayKey = PrivateKey.generate(new SecureRandom());

    private void roundTrip(String host) throws Exception {
        Relay relay = new Relay(relayKey, RelaySettings.defaults(), k -> true, new SecureRandom());
        UdpRelay udp = UdpRelay.start(relay, new InetSocketAddress(host, 0), Clock.system());
        try (Node a = new Node(host, udp.localAddress());
                Node b = new Node(host, udp.localAddress())) {
            a.register();
            b.register();
            udp.call(r -> {
                r.allow(a.wg.publicKey(), b.wg.publicKey());
                r.allow(b.wg.publicKey(), a.wg.publicKey());
                return null;
            }).get(5, TimeUnit.SECONDS);
            assertEquals(2, udp.call(r -> r.clients().size()).get(5, TimeUnit.SECONDS), "both registered");

            TestInitiator.Pending p = a.wg.initiate(b.wg.publicKey(), a.clock.plusSeconds(1), 1234, random);
            a.send(p.message);
            byte[] atB = b.receive();
            assertArrayEquals(p.message, atB, "the initiation arrives byte for byte");
            NoiseResponder.Responded resp = b.responder.respond(b.responder.consume(atB, 0, k -> true), 5678, random);
            b.send(resp.message());
            byte[] atA = a.receive();
            assertArrayEquals(resp.message(), atA);
            TestInitiator.TestSession sa = a.wg.consumeResponse(p, atA);
            TestInitiator.TestSession sb = new TestInitiator.TestSession(5678, 1234, resp.sendKey(), resp.receiveKey());
            for (int i = 0; i < 100; i++) {
                byte[] plain = ("ping " + i).getBytes(StandardCharsets.US_ASCII);
                byte[] d = sa.seal(plain);
                a.send(d);
                byte[] got = b.receive();
                assertArrayEquals(d, got);
                assertArrayEquals(plain, sb.open(got));
                byte[] back = sb.seal(plain);
                b.send(back);
                assertArrayEquals(plain, sa.open(a.receive()));
            }
            RelayStats st = udp.call(Relay::stats).get(5, TimeUnit.SECONDS);
            assertEquals(202, st.forwardedTotal(), st.toString());
            assertEquals(0, udp.sendFailures());
            assertEquals(0, udp.relayErrors());
            udp.close();
            ExecutionException closed = assertThrows(ExecutionException.class,
                    () -> udp.call(Relay::stats).get(5, TimeUnit.SECONDS));
            assertTrue(closed.getCause() instanceof IllegalStateException);
        } finally {
            udp.close();
        }
    }

    @Test
    void forwardsBetweenTwoPeersOverIpv4Loopback() throws Exception {
        roundTrip("127.0.0.1");
    }

    @Test
    void forwardsBetweenTwoPeersOverIpv6Loopback() throws Exception {
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(new InetSocketAddress("::1", 0));
        } catch (IOException | RuntimeException e) {
            Assumptions.abort("no IPv6 loopback here: " + e);
        }
        roundTrip("::1");
    }

    @Test
    void startFailsCleanlyWhenTheAddressIsTaken() throws Exception {
        try (DatagramChannel taken = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            Relay relay = new Relay(relayKey, RelaySettings.defaults(), k -> true, new SecureRandom());
            assertThrows(IOException.class, () -> UdpRelay.start(relay,
                    (InetSocketAddress) taken.getLocalAddress(), Clock.system()));
            assertThrows(IOException.class, () -> UdpRelay.start(relay, new InetSocketAddress("127.0.0.1", 0),
                    Clock.system(), () -> {
                        throw new IllegalStateException("cannot enter the namespace");
                    }));
        }
    }

    @Test
    void theMainClassStartsARelay(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("relay.key");
        Files.writeString(key, relayKey.toBase64() + "\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String a = PrivateKey.generate(new SecureRandom()).publicKey().toBase64();
        String b = PrivateKey.generate(new SecureRandom()).publicKey().toBase64();
        int rc = RelayMain.run(new String[] {"--private-key", key.toString(), "--listen", "127.0.0.1:0", "--pair",
            a + "," + b}, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                    StandardCharsets.UTF_8), false);
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("relay " + relayKey.publicKey().toBase64()),
                out.toString(StandardCharsets.UTF_8));
        assertEquals(2, RelayMain.run(new String[] {"--listen"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false));
        assertEquals(2, RelayMain.run(new String[0], new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false));
    }
}
