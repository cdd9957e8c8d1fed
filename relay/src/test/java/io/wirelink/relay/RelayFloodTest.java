package io.wirelink.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.relay.RelayFixture.Link;
import io.wirelink.relay.RelayFixture.Peer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Garbage and floods interleaved with legitimate traffic: every legitimate datagram is still forwarded (and
 * decrypts at the far end), a new client still registers, and the flood costs the relay no state beyond its bounds.
 */
class RelayFloodTest {
    private static final int LEGIT = 500;
    private static final int GARBAGE_PER_LEGIT = 200;

    @Test
    void legitimateForwardingSurvivesGarbageAndFloods() throws Exception {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("[2001:db8::b]:51820").register();
        f.allowBoth(a, b);
        Link link = f.handshake(a, b);
        Random r = new Random(77);
        List<byte[]> seen = new ArrayList<>(); // legitimate datagrams, replayed by the attacker
        byte[] forRelay = WireFormat.header(1, 148);
        Macs.writeMac1(f.relay.publicKey(), forRelay);
        byte[] forA = WireFormat.header(1, 148);
        Macs.writeMac1(a.key(), forA);
        seen.add(forRelay);

        int legitForwarded = 0;
        long garbage = 0;
        Peer late = f.peer("198.51.100.77:51820");
        for (int i = 0; i < LEGIT; i++) {
            for (int g = 0; g < GARBAGE_PER_LEGIT; g++) {
                IpEndpoint src = r.nextInt(10) == 0 ? (r.nextBoolean() ? a.endpoint : b.endpoint) : randomSource(r);
                f.relay.onDatagram(f.now, src, garbage(r, seen, forRelay, forA, link, f.relay.publicKey()));
                garbage++;
            }
            boolean ab = i % 2 == 0;
            byte[] plain = ("packet " + i).getBytes(StandardCharsets.US_ASCII);
            byte[] d = ab ? link.initiator().seal(plain) : link.responder().seal(plain);
            List<Send> out = (ab ? a : b).send(d);
            assertEquals(1, out.size(), "legitimate packet " + i + " forwarded: " + f.relay.stats());
            assertEquals((ab ? b : a).endpoint, out.get(0).destination());
            assertSame(d, out.get(0).datagram());
            assertArrayEquals(plain, ab ? link.responder().open(d) : link.initiator().open(d));
            legitForwarded++;
            seen.add(d);
            if (i == LEGIT / 2) {
                registerEvenUnderLoad(f, late);
            }
            f.now += 1_000_000; // 1 ms
        }
        RelayStats st = f.relay.stats();
        assertEquals(LEGIT, legitForwarded);
        assertTrue(f.relay.client(late.key()).isPresent(), "a client registered in the middle of the flood");
        assertTrue(st.droppedTotal() >= garbage * 8 / 10, "most garbage dropped: " + st);
        assertTrue(f.relay.sourceTableSize() <= f.relay.settings().maxSources());
        assertEquals(3, st.clients());
        // only datagrams spoofing a registered client's own address can create routes, within its quota
        assertTrue(st.routes() + st.pendingRoutes() <= 2 + 2 * f.relay.settings().maxRoutesPerClient(), st.toString());
        System.out.printf("flood: %d garbage datagrams, %d legitimate forwarded, %s%n", garbage, legitForwarded, st);
    }

    /** Registers, answering a cookie reply with a mac2 retry as WireGuard does when the relay is under load. */
    private static void registerEvenUnderLoad(RelayFixture f, Peer p) {
        TestInitiator.Pending init = p.initiateToRelay();
        List<Send> out = p.send(init.message);
        assertEquals(1, out.size());
        if (WireFormat.classify(out.get(0).datagram()) == WireFormat.TYPE_COOKIE_REPLY) {
            byte[] cookie = TestInitiator.openCookieReply(init, out.get(0).datagram());
            assertNotNull(cookie);
            init = p.wg.initiate(f.relay.publicKey(), p.nextTimestamp(), f.random.nextInt(), f.random, cookie);
            out = p.send(init.message);
        }
        p.relaySession = p.wg.consumeResponse(init, out.get(0).datagram());
        assertNotNull(p.relaySession, "registered under load");
        p.send(p.relaySession.keepalive());
    }

    private static IpEndpoint randomSource(Random r) {
        if (r.nextInt(4) == 0) {
            return IpEndpoint.parse("[2001:db8:" + Integer.toHexString(r.nextInt(65536)) + "::" + Integer.toHexString(
                    r.nextInt(65536)) + "]:" + r.nextInt(65536));
        }
        return IpEndpoint.parse("203.0.113." + r.nextInt(256) + ":" + r.nextInt(65536));
    }

    private static byte[] garbage(Random r, List<byte[]> seen, byte[] forRelay, byte[] forA, Link link,
            io.wirelink.facts.PublicKey relayKey) {
        switch (r.nextInt(8)) {
            case 0: { // random bytes
                byte[] b = new byte[r.nextInt(1500)];
                r.nextBytes(b);
                return b;
            }
            case 1: { // well-formed header, random body, any type
                int type = 1 + r.nextInt(4);
                int len = type == 1 ? 148 : type == 2 ? 92 : type == 3 ? 64 : 32 + r.nextInt(1400);
                byte[] b = new byte[len];
                r.nextBytes(b);
                b[0] = (byte) type;
                b[1] = b[2] = b[3] = 0;
                return b;
            }
            case 2: { // an initiation whose mac1 is for the relay: the expensive kind
                byte[] b = forRelay.clone();
                WireFormat.putIntLE(b, WireFormat.SENDER_OFFSET, r.nextInt());
                Macs.writeMac1(relayKey, b);
                return b;
            }
            case 3: // an initiation with a valid mac1 for a registered client
                return forA;
            case 4: { // transport to a random index
                byte[] b = new byte[32 + r.nextInt(100)];
                r.nextBytes(b);
                b[0] = 4;
                b[1] = b[2] = b[3] = 0;
                return b;
            }
            case 5: // a replay of something legitimate
                return seen.get(r.nextInt(seen.size()));
            case 6: { // transport to a live index with a forged body
                byte[] b = link.initiator().seal(new byte[r.nextInt(64)]);
                b[20] ^= 1;
                WireFormat.putIntLE(b, 4, r.nextBoolean() ? link.initiator().remoteIndex : link.responder().remoteIndex);
                return b;
            }
            default: { // a response to a random index
                byte[] b = WireFormat.header(2, 92);
                WireFormat.putIntLE(b, WireFormat.RESPONSE_RECEIVER_OFFSET, r.nextInt());
                return b;
            }
        }
    }

    @Test
    void anInitiationFloodForTheRelayPutsItUnderLoadWithoutStoppingForwarding() throws Exception {
        RelayFixture f = new RelayFixture(RelaySettings.builder().underLoadHandshakes(50).build(), 78);
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("198.51.100.3:40002").register();
        f.allowBoth(a, b);
        Link link = f.handshake(a, b);
        Random r = new Random(79);
        long cookieRepliesBefore = f.relay.stats().cookieRepliesSent();
        List<byte[]> valid = new ArrayList<>(); // genuine initiations from keys nobody admitted
        for (int i = 0; i < 100; i++) {
            TestInitiator stranger = TestInitiator.random(r);
            f.refused.add(stranger.publicKey());
            valid.add(stranger.initiate(f.relay.publicKey(), RelayFixture.T0, i, r).message);
        }
        int flood = 5000;
        for (int i = 0; i < flood; i++) {
            byte[] m = valid.get(i % valid.size()).clone();
            WireFormat.putIntLE(m, WireFormat.SENDER_OFFSET, i);
            Macs.writeMac1(f.relay.publicKey(), m);
            List<Send> out = f.relay.onDatagram(f.now, randomSource(r), m);
            assertTrue(out.isEmpty() || WireFormat.classify(out.get(0).datagram()) == WireFormat.TYPE_COOKIE_REPLY);
            if (i % 40 == 0) {
                byte[] d = link.initiator().seal(new byte[100]);
                assertEquals(1, a.send(d).size(), "forwarding goes on during the flood");
                f.now += 1_000_000;
            }
        }
        RelayStats st = f.relay.stats();
        assertTrue(st.cookieRepliesSent() > cookieRepliesBefore, "the relay went under load: " + st);
        long diffieHellmans = st.dropped(RelayStats.Drop.NOT_ADMITTED) + st.dropped(RelayStats.Drop.HANDSHAKE_REJECTED);
        assertTrue(diffieHellmans < flood / 20, "cookies spared it the DH work: " + st);
        assertEquals(2, st.clients());
    }
}
