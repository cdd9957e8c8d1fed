package io.wirelink.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A relay on injected time with test WireGuard peers around it: each peer can register with the relay (a real
 * handshake with it, then a keepalive) and run real handshakes and transport with other peers through it.
 */
final class RelayFixture {
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    final Random random;
    final PrivateKey relayKey;
    final Relay relay;
    final Set<PublicKey> refused = new HashSet<>();
    long now = 1_000_000_000_000L;

    RelayFixture(RelaySettings settings, long seed) {
        this.random = new Random(seed);
        byte[] k = new byte[32];
        random.nextBytes(k);
        this.relayKey = PrivateKey.of(k);
        this.relay = new Relay(relayKey, settings, key -> !refused.contains(key), random);
    }

    RelayFixture() {
        this(RelaySettings.defaults(), 42);
    }

    /** A WireGuard peer at {@code endpoint}. */
    final class Peer {
        final TestInitiator wg;
        final NoiseResponder responder;
        IpEndpoint endpoint;
        Instant clock = T0;
        TestInitiator.TestSession relaySession;

        Peer(IpEndpoint endpoint) {
            this.wg = TestInitiator.random(random);
            this.responder = new NoiseResponder(wg.key, 16);
            this.endpoint = endpoint;
        }

        PublicKey key() {
            return wg.publicKey();
        }

        Instant nextTimestamp() {
            clock = clock.plusSeconds(1);
            return clock;
        }

        List<Send> send(byte[] datagram) {
            return relay.onDatagram(now, endpoint, datagram);
        }

        /** Handshakes with the relay and returns the relay's answer, without confirming. */
        TestInitiator.Pending initiateToRelay() {
            return wg.initiate(relay.publicKey(), nextTimestamp(), random.nextInt(), random);
        }

        /** A complete registration: handshake with the relay, then the confirming keepalive. */
        Peer register() {
            TestInitiator.Pending p = initiateToRelay();
            List<Send> out = send(p.message);
            assertEquals(1, out.size(), "the relay answers the handshake: " + relay.stats());
            assertEquals(endpoint, out.get(0).destination());
            relaySession = wg.consumeResponse(p, out.get(0).datagram());
            assertNotNull(relaySession, "the relay's response authenticates");
            assertEquals(List.of(), send(relaySession.keepalive()));
            return this;
        }

        /** A keepalive to the relay under the current session (refreshes the registration). */
        List<Send> keepalive() {
            return send(relaySession.keepalive());
        }

        @Override
        public String toString() {
            return "peer " + key() + " at " + endpoint;
        }
    }

    Peer peer(String endpoint) {
        return new Peer(IpEndpoint.parse(endpoint));
    }

    void advance(Duration d) {
        now += d.toNanos();
        relay.tick(now);
    }

    void allowBoth(Peer a, Peer b) {
        relay.allow(a.key(), b.key());
        relay.allow(b.key(), a.key());
    }

    /** Both ends of a WireGuard session between two peers. */
    record Link(TestInitiator.TestSession initiator, TestInitiator.TestSession responder) {}

    /**
     * A real handshake from {@code a} to {@code b} through the relay, asserting that the relay forwards the very
     * datagrams each way.
     */
    Link handshake(Peer a, Peer b) throws NoiseResponder.Rejected {
        TestInitiator.Pending p = a.wg.initiate(b.key(), a.nextTimestamp(), random.nextInt(), random);
        List<Send> out = a.send(p.message);
        assertEquals(1, out.size(), "initiation forwarded: " + relay.stats());
        assertEquals(b.endpoint, out.get(0).destination());
        assertSame(p.message, out.get(0).datagram(), "the exact datagram, not a copy");
        NoiseResponder.Consumed c = b.responder.consume(out.get(0).datagram(), now, k -> true);
        int bIndex = random.nextInt();
        NoiseResponder.Responded r = b.responder.respond(c, bIndex, random);
        out = b.send(r.message());
        assertEquals(1, out.size(), "response forwarded: " + relay.stats());
        assertEquals(a.endpoint, out.get(0).destination());
        assertSame(r.message(), out.get(0).datagram());
        TestInitiator.TestSession sa = a.wg.consumeResponse(p, out.get(0).datagram());
        assertNotNull(sa);
        return new Link(sa, new TestInitiator.TestSession(bIndex, p.senderIndex, r.sendKey(), r.receiveKey()));
    }
}
