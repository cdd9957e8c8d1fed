package io.wirelink.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RoutingTableTest {
    static final IpEndpoint EP = IpEndpoint.parse("192.0.2.1:1000");

    static Peer peer(Random r) {
        byte[] k = new byte[32];
        r.nextBytes(k);
        PublicKey pk = PublicKey.of(k);
        return new Peer(pk, NodeId.of(pk, "t"), new byte[32]);
    }

    @Test
    void nodeIdArithmetic() {
        Random r = new Random(1);
        NodeId a = NodeId.random(r);
        assertEquals(256, a.commonPrefixLength(a));
        for (int cpl = 0; cpl < 256; cpl += 7) {
            NodeId b = a.randomWithPrefix(cpl, r);
            assertEquals(cpl, a.commonPrefixLength(b), "cpl " + cpl);
        }
        byte[] x = new byte[32];
        x[2] = 0x10;
        NodeId id = NodeId.fromBytes(x, 0);
        assertEquals(19, id.workbit());
        assertEquals(id, NodeId.fromBytes(id.toBytes(), 0));
        NodeId zero = NodeId.fromBytes(new byte[32], 0);
        assertTrue(zero.compareDistance(zero, id) < 0);
        assertEquals(0, zero.compareDistance(id, id));
        // the ID is the workbit hash
        PublicKey pk = PublicKey.of(WorkbitTest.ALICE);
        assertEquals(Workbit.of(pk, "Café-net"), NodeId.of(pk, "Café-net").workbit());
        assertNotEquals(NodeId.of(pk, "a"), NodeId.of(pk, "b"));
    }

    @Test
    void closestMatchesABruteForceSort() {
        Random r = new Random(2);
        NodeId self = NodeId.random(r);
        RoutingTable t = new RoutingTable(self, 20, 8, 0);
        List<Peer> all = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            Peer p = peer(r);
            t.seen(p, EP, i);
            if (t.get(p.key) != null) {
                all.add(p);
            }
        }
        assertEquals(all.size(), t.size());
        for (int q = 0; q < 200; q++) {
            NodeId target = q % 3 == 0 ? self.randomWithPrefix(r.nextInt(12), r) : NodeId.random(r);
            List<Peer> expect = new ArrayList<>(all);
            expect.sort(Comparator.comparing(p -> p.id, (x, y) -> target.compareDistance(x, y)));
            int n = 1 + r.nextInt(25);
            List<RoutingTable.Entry> got = t.closest(target, n, null);
            assertEquals(Math.min(n, all.size()), got.size());
            for (int i = 0; i < got.size(); i++) {
                assertSame(expect.get(i), got.get(i).peer, "rank " + i);
            }
            PublicKey ex = expect.get(0).key;
            assertFalse(t.closest(target, n, ex).stream().anyMatch(e -> e.peer.key.equals(ex)));
        }
        assertTrue(t.closest(self, 0, null).isEmpty());
    }

    /** A full bucket keeps its old contacts: the newcomer waits while the oldest is pinged. */
    @Test
    void fullBucketPingsBeforeEvicting() {
        Random r = new Random(3);
        NodeId self = NodeId.random(r);
        RoutingTable t = new RoutingTable(self, 4, 2, 0);
        List<Peer> bucket0 = new ArrayList<>();
        while (bucket0.size() < 7) {
            Peer p = peer(r);
            if (self.commonPrefixLength(p.id) == 0) {
                bucket0.add(p);
            }
        }
        for (int i = 0; i < 4; i++) {
            assertNull(t.seen(bucket0.get(i), EP, i));
        }
        RoutingTable.Entry lru = t.seen(bucket0.get(4), EP, 10);
        assertSame(bucket0.get(0), lru.peer, "ping the least recently seen");
        assertNull(t.get(bucket0.get(4).key), "the newcomer is not in yet");
        t.bucket(0).evictionPing = true;
        assertNull(t.seen(bucket0.get(5), EP, 11), "one eviction ping at a time");
        // the old contact answers: it stays, and becomes the most recently seen
        t.bucket(0).evictionPing = false;
        t.seen(bucket0.get(0), EP, 12);
        assertSame(bucket0.get(0), t.bucket(0).entries.get(3).peer);
        assertNull(t.get(bucket0.get(4).key));
        // the next oldest does not answer: evicted, and the freshest replacement takes its place
        RoutingTable.Entry next = t.seen(bucket0.get(6), EP, 13);
        assertSame(bucket0.get(1), next.peer);
        t.evict(next);
        assertNull(t.get(bucket0.get(1).key));
        assertSame(bucket0.get(6), t.get(bucket0.get(6).key).peer);
        assertEquals(4, t.bucket(0).entries.size());
        assertEquals(1, t.bucket(0).replacements.size(), "the cache holds 2, one was promoted");
    }

    @Test
    void failuresEvictOnlyWithAReplacementUntilTheLimit() {
        Random r = new Random(4);
        NodeId self = NodeId.random(r);
        RoutingTable t = new RoutingTable(self, 20, 8, 0);
        Peer p = peer(r);
        t.seen(p, EP, 0);
        for (int i = 1; i < RoutingTable.MAX_FAILURES; i++) {
            assertFalse(t.failed(p.key));
        }
        assertTrue(t.failed(p.key));
        assertNull(t.get(p.key));
    }

    @Test
    void adaptiveTimeoutFollowsTcp() {
        DhtConfig cfg = DhtConfig.builder("t", 0).rto(1000, 100, 3000).build();
        Peer p = peer(new Random(5));
        assertEquals(700, p.rto(700, cfg), "unknown contact: the population's estimate");
        p.sample(200);
        assertEquals(200 + 4 * 100, p.rto(700, cfg)); // SRTT = R, RTTVAR = R/2
        for (int i = 0; i < 50; i++) {
            p.sample(200);
        }
        assertTrue(p.rto(700, cfg) < 220, "steady RTT: the timeout approaches it, got " + p.rto(700, cfg));
        long before = p.rto(700, cfg);
        p.timedOut();
        assertEquals(Math.max(100, before * 2), p.rto(700, cfg), "back-off doubles");
        Peer fast = peer(new Random(6));
        fast.sample(5);
        assertEquals(100, fast.rto(700, cfg), "clamped below");
        RttEstimator g = new RttEstimator();
        assertEquals(1000, g.rto(cfg), "default before any sample");
        g.sample(10_000);
        assertEquals(3000, g.rto(cfg), "clamped above");
    }

    @Test
    void replayGuardRemembersWithinTheWindowAndShrinksWhenFull() {
        ReplayGuard g = new ReplayGuard(4, 30_000);
        long now = 1_000_000;
        assertTrue(g.accept(1, now, now));
        assertFalse(g.accept(1, now, now), "replay");
        assertTrue(g.accept(2, now - 1000, now));
        assertTrue(g.accept(3, now + 1000, now));
        assertTrue(g.accept(4, now, now));
        // full: the oldest entry (key 1, ts now) goes, and nothing at or below its timestamp is accepted any more
        assertTrue(g.accept(5, now + 5, now));
        assertFalse(g.accept(1, now, now), "forgotten, but refused by the watermark");
        assertFalse(g.accept(6, now - 500, now), "older than the watermark");
        // time passes: entries leave with the window
        assertTrue(g.accept(7, now + 40_000, now + 40_000));
        assertEquals(1, g.size());
    }

    @Test
    void tokenBucketsLimitEachSource() {
        TokenBuckets<String> b = new TokenBuckets<>(10, 5, 2);
        int ok = 0;
        for (int i = 0; i < 20; i++) {
            if (b.allow("a", 0)) {
                ok++;
            }
        }
        assertEquals(5, ok, "the burst");
        assertFalse(b.allow("a", 50));
        assertTrue(b.allow("a", 100), "10/s refills one token per 100 ms");
        assertTrue(b.allow("b", 0));
        assertTrue(b.allow("c", 0));
        assertEquals(2, b.size(), "bounded table");
    }
}
