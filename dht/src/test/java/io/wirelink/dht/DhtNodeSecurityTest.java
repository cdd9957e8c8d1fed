package io.wirelink.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.dht.DhtStats.Counter;
import io.wirelink.dht.sim.SimIdentities;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** One node under attack: every packet is crafted by hand with {@link Wire}. */
class DhtNodeSecurityTest {
    static final String NET = "sec";
    static final int WORKBIT = 6;
    static final long T0 = 1_800_000_000_000L;
    static final IpEndpoint SRC = IpEndpoint.parse("203.0.113.5:40000");
    static final IpEndpoint SRC2 = IpEndpoint.parse("203.0.113.6:40000");

    final Random r = new Random(99);
    final PrivateKey aKey = SimIdentities.mine(r, WORKBIT, NET);
    final PrivateKey bKey = SimIdentities.mine(r, WORKBIT, NET);
    final Wire.Capture out = new Wire.Capture();
    long nonce = 1;

    DhtNode node(DhtConfig cfg) {
        return new DhtNode(cfg, DhtIdentity.of(aKey), new Random(5), T0);
    }

    DhtNode node() {
        return node(DhtConfig.builder(NET, WORKBIT).build());
    }

    static PrivateKey weakKey(Random r) {
        while (true) {
            PrivateKey k = SimIdentities.mine(r, 0, NET);
            if (Workbit.of(k.publicKey(), NET) < WORKBIT) {
                return k;
            }
        }
    }

    byte[] ping(PrivateKey from, long ts) {
        return Wire.request(from, aKey.publicKey(), NET, new Message.Ping(), ts, nonce++, 512);
    }

    @Test
    void keysBelowTheWorkbitGetNothingAndNeverEnterTheTable() {
        DhtNode a = node();
        PrivateKey weak = weakKey(r);
        a.receive(SRC, ping(weak, T0), T0, out);
        a.receive(SRC, Wire.request(weak, aKey.publicKey(), NET, new Message.FindNode(NodeId.random(r)), T0,
                nonce++, 512), T0, out);
        assertTrue(out.sent.isEmpty(), "no reply at all");
        assertEquals(2, a.stats().get(Counter.BELOW_WORKBIT));
        assertEquals(0, a.stats().get(Counter.KEY_DERIVATIONS), "rejected before any X25519");
        assertFalse(a.inRoutingTable(weak.publicKey()));

        // a lookup that is told about a weak key never contacts it
        a.bootstrap(List.of(new Contact(bKey.publicKey(), SRC)), T0, out, null);
        Wire.Sent q = out.last();
        assertEquals(SRC, q.to());
        Packet find = Wire.open(q.data(), bKey, NET);
        PrivateKey good = SimIdentities.mine(r, WORKBIT, NET);
        IpEndpoint weakAt = IpEndpoint.parse("198.51.100.66:1");
        IpEndpoint goodAt = IpEndpoint.parse("198.51.100.67:1");
        Message.Nodes nodes = new Message.Nodes(find.nonce(), SRC, new Cookie(1, 2), List.of(
                new Contact(weak.publicKey(), weakAt), new Contact(good.publicKey(), goodAt)));
        out.clear();
        a.receive(SRC, Wire.packet(bKey, aKey.publicKey(), NET, nodes, T0 + 10, nonce++, null, 0), T0 + 10, out);
        assertTrue(out.sent.stream().anyMatch(s -> s.to().equals(goodAt)), "the good contact is queried");
        assertFalse(out.sent.stream().anyMatch(s -> s.to().equals(weakAt)), "the weak one never");
        assertEquals(3, a.stats().get(Counter.BELOW_WORKBIT));
        assertFalse(a.inRoutingTable(weak.publicKey()));
        assertFalse(a.inRoutingTable(good.publicKey()), "hearsay is not enough to enter the table");
        assertTrue(a.inRoutingTable(bKey.publicKey()), "the node that answered is in");
    }

    @Test
    void replayedAndStaleMessagesAreDropped() {
        DhtNode a = node();
        byte[] p = ping(bKey, T0);
        a.receive(SRC, p, T0, out);
        assertEquals(1, out.sent.size());
        assertInstanceOf(Message.Pong.class, Wire.open(out.last().data(), bKey, NET).message());
        a.receive(SRC, p, T0 + 5, out);
        a.receive(SRC2, p, T0 + 6, out);
        assertEquals(1, out.sent.size(), "a replay gets no reply, from any address");
        assertEquals(2, a.stats().get(Counter.REPLAYED));
        a.receive(SRC, ping(bKey, T0 - 31_000), T0, out);
        a.receive(SRC, ping(bKey, T0 + 31_000), T0, out);
        assertEquals(1, out.sent.size());
        assertEquals(2, a.stats().get(Counter.STALE));
        a.receive(SRC, ping(bKey, T0 + 29_000), T0, out);
        assertEquals(2, out.sent.size(), "inside the window is fine");
        // long after, the same bytes are outside the window
        a.receive(SRC, p, T0 + 60_000, out);
        assertEquals(2, out.sent.size());
        assertEquals(3, a.stats().get(Counter.STALE));
    }

    @Test
    void forgedMacsAreDropped() {
        DhtNode a = node();
        byte[] p = ping(bKey, T0);
        for (int i : new int[] {45, 51, p.length - 1, p.length - 16}) { // nonce and MAC bytes
            byte[] f = p.clone();
            f[i] ^= 1;
            a.receive(SRC, f, T0, out);
        }
        // a third key MACs a packet that claims to come from B
        PrivateKey c = SimIdentities.mine(r, WORKBIT, NET);
        Packet claim = new Packet(false, bKey.publicKey(), T0, nonce++, null, new Message.Ping(), 444);
        byte[] forged = DhtCodec.encode(claim, Wire.pairKey(c, aKey.publicKey(), NET), aKey.publicKey());
        a.receive(SRC, forged, T0, out);
        // and a packet for another receiver
        PrivateKey d = SimIdentities.mine(r, WORKBIT, NET);
        a.receive(SRC, Wire.request(bKey, d.publicKey(), NET, new Message.Ping(), T0, nonce++, 512), T0, out);
        // bit flips elsewhere: the key (another key, likely below the workbit), the timestamp, the padding
        for (int i : new int[] {5, 40, p.length - 20}) {
            byte[] f = p.clone();
            f[i] ^= 1;
            a.receive(SRC, f, T0, out);
        }
        assertTrue(out.sent.isEmpty());
        assertEquals(6, a.stats().get(Counter.BAD_MAC), a.stats().toString());
        assertEquals(9, a.stats().get(Counter.RECEIVED));
        assertFalse(a.inRoutingTable(bKey.publicKey()));
        a.receive(SRC, p, T0, out);
        assertEquals(1, out.sent.size(), "the genuine packet still works (forgeries did not burn its nonce)");
    }

    @Test
    void rateLimitKicksInPerSource() {
        DhtNode a = node(DhtConfig.builder(NET, WORKBIT).rateLimit(100, 200).build());
        for (int i = 0; i < 300; i++) {
            a.receive(SRC, ping(bKey, T0), T0, out);
        }
        assertEquals(200, out.sent.size(), "the burst is answered");
        assertEquals(100, a.stats().get(Counter.RATE_LIMITED));
        a.receive(SRC2, ping(bKey, T0), T0, out);
        assertEquals(201, out.sent.size(), "another source is unaffected");
        a.receive(SRC, ping(bKey, T0 + 100), T0 + 100, out);
        a.receive(SRC, ping(bKey, T0 + 100), T0 + 100, out);
        assertEquals(203, out.sent.size(), "100/s refills 10 tokens in 100 ms");
    }

    @Test
    void unknownKeysCostAtMostTheDerivationBudget() {
        DhtNode a = node(DhtConfig.builder(NET, WORKBIT).keyDerivationBudget(10, 5).build());
        for (int i = 0; i < 20; i++) {
            a.receive(SRC, ping(SimIdentities.mine(r, WORKBIT, NET), T0), T0, out);
        }
        assertEquals(5, out.sent.size());
        assertEquals(5, a.stats().get(Counter.KEY_DERIVATIONS));
        assertEquals(15, a.stats().get(Counter.KEY_BUDGET));
        for (int i = 0; i < 10; i++) {
            a.receive(SRC, ping(bKey, T0 + 1), T0 + 1, out);
        }
        assertTrue(out.sent.size() >= 5, "a key already derived costs nothing");
    }

    @Test
    void repliesNeverExceedAnUnvalidatedRequest() {
        DhtNode a = node();
        // give A some contacts to hand out
        for (int i = 0; i < 30; i++) {
            PrivateKey k = SimIdentities.mine(r, WORKBIT, NET);
            a.receive(IpEndpoint.parse("192.0.2." + (i + 1) + ":5000"), ping(k, T0), T0, out);
        }
        out.clear();
        // an unpadded PING (68 bytes) cannot be answered with a 99-byte PONG
        a.receive(SRC, Wire.packet(bKey, aKey.publicKey(), NET, new Message.Ping(), T0, nonce++, null, 0), T0, out);
        assertTrue(out.sent.isEmpty());
        assertEquals(1, a.stats().get(Counter.REPLY_TOO_LARGE));
        // FIND_NODE of every size: the reply fits in the request
        Message find = new Message.FindNode(NodeId.random(r));
        for (int size : new int[] {100, 200, 512}) {
            byte[] req = Wire.request(bKey, aKey.publicKey(), NET, find, T0, nonce++, size);
            a.receive(SRC, req, T0, out);
            assertTrue(out.last().data().length <= req.length, out.last().data().length + " > " + req.length);
        }
        Message.Nodes small = (Message.Nodes) Wire.open(out.last().data(), bKey, NET).message();
        assertTrue(small.contacts().size() > 5 && small.contacts().size() < 20, "" + small.contacts().size());
        // with the cookie from that reply, a small request gets the full answer
        Cookie cookie = small.cookie();
        byte[] withCookie = Wire.packet(bKey, aKey.publicKey(), NET, find, T0, nonce++, cookie, 0);
        a.receive(SRC, withCookie, T0, out);
        Message.Nodes full = (Message.Nodes) Wire.open(out.last().data(), bKey, NET).message();
        assertEquals(20, full.contacts().size());
        assertTrue(out.last().data().length > withCookie.length);
        // the cookie is bound to the address it was given to
        int before = out.sent.size();
        a.receive(SRC2, Wire.packet(bKey, aKey.publicKey(), NET, find, T0, nonce++, cookie, 0), T0, out);
        assertTrue(out.sent.size() == before || out.last().data().length <= 100 + 16);
    }

    @Test
    void repliesMustAnswerSomethingWeAsked() {
        DhtNode a = node();
        a.receive(SRC, Wire.packet(bKey, aKey.publicKey(), NET, new Message.Pong(12345, SRC, new Cookie(1, 1)), T0,
                nonce++, null, 0), T0, out);
        assertEquals(1, a.stats().get(Counter.UNEXPECTED_REPLY));
        // A pings B; C answers with B's nonce
        List<Boolean> result = new ArrayList<>();
        a.ping(new Contact(bKey.publicKey(), SRC), T0, out, result::add);
        Packet ping = Wire.open(out.last().data(), bKey, NET);
        PrivateKey c = SimIdentities.mine(r, WORKBIT, NET);
        a.receive(SRC, Wire.packet(c, aKey.publicKey(), NET, new Message.Pong(ping.nonce(), SRC, new Cookie(1, 1)),
                T0 + 5, nonce++, null, 0), T0 + 5, out);
        assertEquals(2, a.stats().get(Counter.UNEXPECTED_REPLY));
        assertTrue(result.isEmpty());
        a.receive(SRC, Wire.packet(bKey, aKey.publicKey(), NET, new Message.Pong(ping.nonce(), SRC,
                new Cookie(1, 1)), T0 + 6, nonce++, null, 0), T0 + 6, out);
        assertEquals(List.of(true), result);
    }

    @Test
    void onlyTheOwnerStoresItsRecordAndTheStorerAddsTheObservedAddress() {
        DhtNode a = node();
        PrivateKey c = SimIdentities.mine(r, WORKBIT, NET);
        DhtRecord cs = new DhtRecord(c.publicKey(), 1, 600, List.of(), List.of());
        a.receive(SRC, Wire.request(bKey, aKey.publicKey(), NET, new Message.Store(cs), T0, nonce++, 512), T0, out);
        assertTrue(out.sent.isEmpty());
        assertEquals(1, a.stats().get(Counter.STORE_REFUSED));
        DhtRecord bs = new DhtRecord(bKey.publicKey(), 1, 99_999 / 2, List.of(new RecordEndpoint(
                EndpointKind.WIREGUARD, IpEndpoint.parse("10.0.0.1:51820"))), List.of());
        a.receive(SRC, Wire.request(bKey, aKey.publicKey(), NET, new Message.Store(bs), T0, nonce++, 512), T0, out);
        assertInstanceOf(Message.Pong.class, Wire.open(out.last().data(), bKey, NET).message());
        assertEquals(1, a.storedRecords());
        a.receive(SRC2, Wire.request(c, aKey.publicKey(), NET, new Message.FindValue(bKey.publicKey()), T0 + 1000,
                nonce++, 512), T0 + 1000, out);
        Message.Value v = (Message.Value) Wire.open(out.last().data(), c, NET).message();
        assertEquals(new RecordEndpoint(EndpointKind.DHT, SRC), v.record().endpoints().get(0));
        assertEquals(2, v.record().endpoints().size());
        assertTrue(v.record().ttlSeconds() <= 3600, "TTL clamped to the store's maximum");
        assertEquals(SRC2, v.observed(), "replies tell the requester its address");
        // an older sequence number does not replace the record
        DhtRecord old = new DhtRecord(bKey.publicKey(), 0, 600, List.of(), List.of());
        a.receive(SRC, Wire.request(bKey, aKey.publicKey(), NET, new Message.Store(old), T0 + 2000, nonce++, 512),
                T0 + 2000, out);
        assertEquals(2, a.stats().get(Counter.STORE_REFUSED));
    }

    @Test
    void readOnlyNodesAreServedButNotRouted() {
        DhtNode a = node();
        Packet p = new Packet(true, bKey.publicKey(), T0, nonce++, null, new Message.Ping(), 444);
        a.receive(SRC, DhtCodec.encode(p, Wire.pairKey(bKey, aKey.publicKey(), NET), aKey.publicKey()), T0, out);
        assertEquals(1, out.sent.size());
        assertFalse(a.inRoutingTable(bKey.publicKey()));
        assertEquals(0, a.routingTableSize());
    }

    /** k = 2 so that a bucket fills quickly. */
    @Test
    void aFullBucketPingsItsOldestContactAndKeepsItIfItAnswers() {
        for (boolean answers : new boolean[] {true, false}) {
            DhtNode a = node(DhtConfig.builder(NET, WORKBIT).k(2).build());
            List<PrivateKey> same = new ArrayList<>();
            while (same.size() < 3) {
                PrivateKey k = SimIdentities.mine(r, WORKBIT, NET);
                if (a.id().commonPrefixLength(NodeId.of(k.publicKey(), NET)) == WORKBIT) {
                    same.add(k);
                }
            }
            IpEndpoint[] at = {SRC, SRC2, IpEndpoint.parse("203.0.113.7:40000")};
            for (int i = 0; i < 3; i++) {
                out.clear();
                a.receive(at[i], ping(same.get(i), T0 + i), T0 + i, out);
            }
            // the third newcomer triggered a PING to the least recently seen (the first)
            assertEquals(2, out.sent.size(), "PONG to the newcomer and PING to the oldest");
            Wire.Sent evictionPing = out.sent.stream().filter(s -> s.to().equals(SRC)).findFirst().orElseThrow();
            Packet pp = Wire.open(evictionPing.data(), same.get(0), NET);
            assertInstanceOf(Message.Ping.class, pp.message());
            assertFalse(a.inRoutingTable(same.get(2).publicKey()));
            long t = T0 + 10;
            if (answers) {
                a.receive(SRC, Wire.packet(same.get(0), aKey.publicKey(), NET, new Message.Pong(pp.nonce(), SRC,
                        new Cookie(3, 3)), t, nonce++, null, 0), t, out);
                a.tick(t + 60_000, out);
                assertTrue(a.inRoutingTable(same.get(0).publicKey()), "the old contact stays");
                assertFalse(a.inRoutingTable(same.get(2).publicKey()));
            } else {
                out.clear();
                for (long x = t; x < t + 10_000; x += 100) {
                    a.tick(x, out);
                }
                assertTrue(out.sent.stream().anyMatch(s -> s.to().equals(SRC)), "retried once before giving up");
                assertFalse(a.inRoutingTable(same.get(0).publicKey()), "evicted after the ping timed out");
                assertTrue(a.inRoutingTable(same.get(2).publicKey()), "the newcomer replaced it");
            }
        }
    }

    @Test
    void anEmptyTableRebootstrapsFromTheSeeds() {
        DhtNode a = node();
        a.bootstrap(List.of(new Contact(bKey.publicKey(), SRC)), T0, out, null);
        assertEquals(1, out.sent.size(), "FIND_NODE to the seed");
        for (long t = T0; t <= T0 + 31_000; t += 100) {
            a.tick(t, out);
        }
        assertEquals(0, a.routingTableSize());
        long toSeed = out.sent.stream().filter(x -> x.to().equals(SRC)).count();
        assertEquals(3, toSeed, "the first request, its retry, then a new bootstrap 30 s later");
        assertInstanceOf(Message.FindNode.class, Wire.open(out.last().data(), bKey, NET).message());
    }
}
