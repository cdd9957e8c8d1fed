package io.wirelink.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.MemberMetadata;
import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class V1PeersTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    static final GossipSettings S = GossipSettings.DEFAULTS;

    static PublicKey key(int n) {
        byte[] b = new byte[32];
        b[0] = (byte) n;
        return PublicKey.of(b);
    }

    static final PublicKey SELF = key(1);
    static final PublicKey PEER = key(2);
    static final PublicKey OTHER = key(3);

    @Test
    void theDefaultTimings() {
        assertEquals(Duration.ofSeconds(30), V1Peers.alivePeriod(S), "the Go wirelink's own Alive period");
        assertEquals(Duration.ofSeconds(75), V1Peers.lease(S));
        assertEquals(Duration.ofSeconds(45), V1Peers.window(S));
    }

    @Test
    void aV1PeerGetsOnlyV1FactsNoCapabilityHintsAndShortMembership() {
        Instant far = T0.plusSeconds(2040); // a big mesh's lifetime
        Fact name = Fact.member(OTHER, MemberMetadata.of("other", false), far);
        Fact hello = Fact.member(OTHER, MemberMetadata.EMPTY.withVersion(3), far);
        Fact ep = Fact.endpoint(OTHER, IpEndpoint.parse("198.51.100.3:51820"), far);
        Fact aip = Fact.allowedIp(OTHER, IpPrefix.parse("10.99.0.3/32"), T0.plusSeconds(10));
        Fact observed = Fact.observed(OTHER, IpEndpoint.parse("198.51.100.3:40003"), far);
        List<Fact> out = V1Peers.eligible(List.of(name, hello, ep, aip, observed), S, T0);
        assertEquals(List.of(name.withExpiry(T0.plusSeconds(75)), ep.withExpiry(T0.plusSeconds(255)), aip), out,
                "membership lives the lease, the rest at most factTtl (a shorter life stays), no v2 attribute, "
                        + "no MemberMetadata with 'v'");
    }

    /** What a v1 peer is sent over {@code seconds}, a pass every 5 s: the times each attribute went. */
    static Map<Attribute, List<Long>> sendTimes(long seconds, List<Fact> held) {
        Knowledge k = new Knowledge(100, 1000);
        Map<Attribute, List<Long>> sent = new HashMap<>();
        int datagrams = 0;
        for (long t = 0; t <= seconds; t += 5) {
            Instant now = T0.plusSeconds(t);
            List<Fact> eligible = new ArrayList<>();
            for (Fact f : held) {
                eligible.add(f.withExpiry(now.plusSeconds(255))); // the sender's own facts, kept fresh
            }
            Fact alive = V1Peers.alive(Fact.alive(SELF, new UUID(1, 1), now.plus(S.aliveTtl())), S, now);
            List<Fact> plan = SendPlanner.plan(PEER, SendPlanner.Level.FACTS, V1Peers.eligible(eligible, S, now),
                    alive, SendPlanner.AliveRule.WINDOW, V1Peers.window(S), V1Peers.window(S), k, now);
            for (Fact f : plan) {
                sent.computeIfAbsent(f.attribute(), a -> new ArrayList<>()).add(t);
            }
            datagrams += plan.isEmpty() ? 0 : 1;
        }
        sent.put(null, List.of((long) datagrams));
        return sent;
    }

    @Test
    void aliveAndMembershipGoTogetherEveryAlivePeriodAndTheRestWhenNearExpiry() {
        Fact name = Fact.member(OTHER, MemberMetadata.of("other", false), T0);
        Fact ep = Fact.endpoint(OTHER, IpEndpoint.parse("198.51.100.3:51820"), T0);
        Map<Attribute, List<Long>> sent = sendTimes(600, List.of(name, ep));
        List<Long> alive = sent.get(Attribute.ALIVE);
        List<Long> members = sent.get(Attribute.MEMBER_METADATA);
        assertTrue(alive.containsAll(members), "membership rides with Alive (which also rides with the rest)");
        for (int i = 1; i < members.size(); i++) {
            long gap = members.get(i) - members.get(i - 1);
            assertTrue(gap > 30 && gap <= 35, "every Alive period, at the first pass after: " + gap);
        }
        for (int i = 1; i < alive.size(); i++) {
            assertTrue(alive.get(i) - alive.get(i - 1) <= 35);
        }
        List<Long> eps = sent.get(Attribute.ENDPOINT_V4);
        assertEquals(0L, eps.get(0));
        for (int i = 1; i < eps.size(); i++) {
            long gap = eps.get(i) - eps.get(i - 1);
            assertTrue(gap > 210 && gap <= 215, "with 45 s of its 255 s left: " + gap);
        }
        // 600 s: membership 18 times, the endpoint 3 times (once with the first membership)
        long datagrams = sent.get(null).get(0);
        assertEquals(alive.size(), datagrams, "one datagram a pass at most, and Alive in each");
        assertEquals(members.size() + eps.size() - 1, datagrams, "the endpoint's refreshes fell between");
    }

    @Test
    void aRemovedMemberLeavesAV1PeerWithinTheLeaseWhereverItsRefreshStood() {
        // the peer's copy of a membership fact lapses at most a lease after the fact was last shared
        Knowledge k = new Knowledge(100, 1000);
        Instant lastCopy = T0;
        for (long t = 0; t <= 300; t += 5) {
            Instant now = T0.plusSeconds(t);
            Fact name = Fact.member(OTHER, MemberMetadata.of("other", false), now.plusSeconds(255));
            Fact alive = V1Peers.alive(Fact.alive(SELF, new UUID(1, 1), now.plus(S.aliveTtl())), S, now);
            for (Fact f : SendPlanner.plan(PEER, SendPlanner.Level.FACTS, V1Peers.eligible(List.of(name), S, now),
                    alive, SendPlanner.AliveRule.WINDOW, V1Peers.window(S), V1Peers.window(S), k, now)) {
                if (f.attribute() == Attribute.MEMBER_METADATA) {
                    assertEquals(now.plus(V1Peers.lease(S)), f.expires());
                    lastCopy = f.expires();
                }
            }
            // removed now: the peer holds it until lastCopy, never more than a lease away
            assertTrue(!lastCopy.isAfter(now.plus(V1Peers.lease(S))));
            assertTrue(lastCopy.isAfter(now.plusSeconds(5)), "and never lapses while shared");
        }
    }
}
