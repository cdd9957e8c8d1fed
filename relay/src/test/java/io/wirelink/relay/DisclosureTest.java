package io.wirelink.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.MalformedInputException;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.relay.RelayFixture.Peer;
import io.wirelink.relay.RelayStats.Drop;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Endpoint disclosure ({@link Disclosure}): who gets an answer, what it says, and what gets nothing. */
class DisclosureTest {
    static final IpEndpoint PROBER = IpEndpoint.parse("198.51.100.2:33333");

    /** A query from {@code p} about {@code peer}, timestamped after everything {@code p} sent before. */
    static byte[] query(RelayFixture f, Peer p, PublicKey peer) {
        byte[] nonce = new byte[Disclosure.NONCE_LENGTH];
        f.random.nextBytes(nonce);
        return Disclosure.query(Disclosure.clientKeys(p.wg.key, f.relay.publicKey()), nonce, p.nextTimestamp(),
                p.key(), peer);
    }

    static Disclosure.Disclosed ask(RelayFixture f, Peer p, PublicKey peer) {
        byte[] q = query(f, p, peer);
        List<Send> out = f.relay.onDatagram(f.now, PROBER, q);
        assertEquals(1, out.size(), "answered: " + f.relay.stats());
        assertEquals(PROBER, out.get(0).destination(), "to the query's source");
        byte[] a = out.get(0).datagram();
        assertEquals(Disclosure.ANSWER_LENGTH, a.length);
        assertTrue(a.length <= q.length, "never larger than the query");
        assertArrayEquals(Disclosure.decodeQuery(q).nonce(), Disclosure.answerNonce(a, a.length));
        Disclosure.Disclosed d = Disclosure.open(Disclosure.clientKeys(p.wg.key, f.relay.publicKey()), peer, a,
                a.length);
        assertNotNull(d, "the answer authenticates");
        return d;
    }

    @Test
    void bothEndsLearnEachOthersMappingAndTheSameMoment() {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("[2001:db8::2]:40002").register();
        f.allowBoth(a, b);
        Disclosure.Disclosed da = ask(f, a, b.key());
        assertEquals(b.endpoint, da.endpoint());
        assertEquals(Disclosure.SWITCH_LEAD_MILLIS, da.switchMillis());
        f.advance(Duration.ofMillis(300));
        Disclosure.Disclosed db = ask(f, b, a.key());
        assertEquals(a.endpoint, db.endpoint());
        assertEquals(Disclosure.SWITCH_LEAD_MILLIS - 300, db.switchMillis(), "the same moment for both ends");
        f.advance(Duration.ofMillis(1000));
        assertEquals(-600, ask(f, a, b.key()).switchMillis(), "a moment just passed is told as passed");
        f.advance(Duration.ofMillis(1000));
        assertEquals(Disclosure.SWITCH_LEAD_MILLIS, ask(f, b, a.key()).switchMillis(), "then a new one");
        // the peer roams: the relay tells where its authenticated packets come from now
        b.endpoint = IpEndpoint.parse("203.0.113.50:41000");
        b.keepalive();
        assertEquals(b.endpoint, ask(f, a, b.key()).endpoint());
        assertEquals(5, f.relay.disclosures()[0]);
    }

    @Test
    void unknownUnlessBothRegisteredAndAllowedBothWays() {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("198.51.100.3:40002");
        f.allowBoth(a, b);
        assertNull(ask(f, a, b.key()).endpoint(), "b is not registered");
        b.register();
        assertEquals(b.endpoint, ask(f, a, b.key()).endpoint());
        f.relay.revoke(b.key(), a.key());
        assertNull(ask(f, a, b.key()).endpoint(), "b no longer allows a");
        f.relay.allow(b.key(), a.key());
        f.relay.revoke(a.key(), b.key());
        assertNull(ask(f, a, b.key()).endpoint(), "a does not ask for b");
        assertNull(ask(f, a, a.key()).endpoint(), "about itself");
        assertEquals(4, f.relay.disclosures()[1]);
    }

    @Test
    void nothingForStrangersForgeriesAndReplays() {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("198.51.100.3:40002").register();
        Peer stranger = f.peer("198.51.100.4:40003");
        f.allowBoth(a, b);
        assertEquals(List.of(), f.relay.onDatagram(f.now, PROBER, query(f, stranger, b.key())), "not registered");
        // a query in a's name under another key
        byte[] forged = Disclosure.query(Disclosure.clientKeys(stranger.wg.key, f.relay.publicKey()), new byte[16],
                a.nextTimestamp(), a.key(), b.key());
        assertEquals(List.of(), f.relay.onDatagram(f.now, PROBER, forged), "bad mac");
        byte[] q = query(f, a, b.key());
        byte[] flipped = q.clone();
        flipped[70] ^= 1;
        assertEquals(List.of(), f.relay.onDatagram(f.now, PROBER, flipped), "altered peer key");
        assertEquals(1, f.relay.onDatagram(f.now, PROBER, q).size());
        assertEquals(List.of(), f.relay.onDatagram(f.now, PROBER, q), "replayed");
        // a query made before the handshake that registered the client is refused (no replay across registrations)
        byte[] old = query(f, a, b.key());
        f.advance(Duration.ofMillis(100)); // WireGuard's flood check
        a.register();
        assertEquals(List.of(), f.relay.onDatagram(f.now, PROBER, old), "older than the registration");
        assertEquals(5L, f.relay.stats().dropped().get(Drop.DISCLOSURE_REJECTED));
        assertEquals(b.endpoint, ask(f, a, b.key()).endpoint());
    }

    @Test
    void answersOpenOnlyForTheirQueryAndKey() {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("198.51.100.3:40002").register();
        f.allowBoth(a, b);
        byte[] ans = f.relay.onDatagram(f.now, PROBER, query(f, a, b.key())).get(0).datagram();
        Disclosure.Keys ka = Disclosure.clientKeys(a.wg.key, f.relay.publicKey());
        assertNotNull(Disclosure.open(ka, b.key(), ans, ans.length));
        assertNull(Disclosure.open(ka, a.key(), ans, ans.length), "about another peer");
        assertNull(Disclosure.open(Disclosure.clientKeys(b.wg.key, f.relay.publicKey()), b.key(), ans, ans.length),
                "under another client's key");
        for (int i = 0; i < ans.length; i++) {
            byte[] x = ans.clone();
            x[i] ^= (byte) 0x40;
            assertNull(Disclosure.open(ka, b.key(), x, x.length), "byte " + i + " altered");
        }
        assertNull(Disclosure.open(ka, b.key(), ans, ans.length - 1));
        PrivateKey other = PrivateKey.generate(new java.security.SecureRandom());
        Disclosure.Keys fake = Disclosure.relayKeys(other, a.key());
        byte[] forged = Disclosure.answer(fake, Disclosure.decodeAnswer(ans, ans.length).queryNonce(), b.key(),
                IpEndpoint.parse("192.0.2.66:6666"), 0, new Random(1));
        assertNull(Disclosure.open(ka, b.key(), forged, forged.length), "from another relay key");
    }

    @Test
    void rateLimitedPerClient() {
        RelayFixture f = new RelayFixture(RelaySettings.builder().clientDisclosureRate(2, 3).build(), 7);
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("198.51.100.3:40002").register();
        f.allowBoth(a, b);
        for (int i = 0; i < 3; i++) {
            ask(f, a, b.key());
        }
        assertEquals(List.of(), f.relay.onDatagram(f.now, PROBER, query(f, a, b.key())));
        assertEquals(1L, f.relay.stats().dropped().get(Drop.RATE_LIMITED));
        ask(f, b, a.key()); // b has its own bucket
        f.advance(Duration.ofMillis(500));
        ask(f, a, b.key());
    }

    @Test
    void strictPlaintextAndCodecs() {
        byte[] p = new byte[Disclosure.PLAIN_LENGTH];
        assertNull(Disclosure.parsePlain(p).endpoint());
        p[5] = 1;
        assertThrows(MalformedInputException.class, () -> Disclosure.parsePlain(p), "data in an unknown answer");
        byte[] k = new byte[Disclosure.PLAIN_LENGTH];
        k[0] = 1;
        k[1] = 4;
        k[2] = (byte) 192;
        k[19] = 7;
        assertEquals(IpEndpoint.parse("192.0.0.0:7"), Disclosure.parsePlain(k).endpoint());
        k[10] = 1;
        assertThrows(MalformedInputException.class, () -> Disclosure.parsePlain(k), "bytes after IPv4");
        k[10] = 0;
        k[19] = 0;
        assertThrows(MalformedInputException.class, () -> Disclosure.parsePlain(k), "port 0");
        k[19] = 7;
        k[1] = 5;
        assertThrows(MalformedInputException.class, () -> Disclosure.parsePlain(k), "family");
        assertThrows(MalformedInputException.class, () -> Disclosure.decodeQuery(new byte[111]));
        assertThrows(MalformedInputException.class, () -> Disclosure.decodeAnswer(new byte[84], 84));
        byte[] q = Disclosure.query(Disclosure.clientKeys(PrivateKey.generate(new java.security.SecureRandom()),
                PrivateKey.generate(new java.security.SecureRandom()).publicKey()), new byte[16],
                Instant.parse("2026-11-22T10:00:00Z"), PublicKey.of(new byte[32]), PublicKey.of(new byte[32]));
        assertArrayEquals(q, Disclosure.decodeQuery(q).encode());
        assertTrue(q.length > Probe.LENGTH && Disclosure.ANSWER_LENGTH <= q.length);
    }
}
