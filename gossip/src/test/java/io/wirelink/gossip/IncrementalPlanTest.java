package io.wirelink.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.MemberMetadata;
import io.wirelink.facts.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SendPlanner#plan}, which looks only at what changed when it can (see {@link Knowledge#scan}), plans exactly
 * what the plain rule plans (every eligible fact, every time), through random passes: facts appearing, refreshed,
 * leaving and coming back, v1 lists, peers sending what they know, restarting and being forgotten, caps, pruning
 * and time going forward in small and large steps.
 */
class IncrementalPlanTest {
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    static final GossipSettings S = GossipSettings.DEFAULTS;

    /** The rule as it was before planning became incremental: every eligible fact, every time. */
    static List<Fact> reference(PublicKey peer, SendPlanner.Level level, List<Fact> eligible, Fact alive,
            Knowledge knowledge, GossipSettings settings, Instant now) {
        List<Fact> out = new ArrayList<>();
        if (level == SendPlanner.Level.NOTHING) {
            return out;
        }
        if (level == SendPlanner.Level.FACTS) {
            for (Fact f : eligible) {
                if (f.subject().equals(peer) && f.attribute() != Attribute.MEMBER_METADATA) {
                    continue;
                }
                if (f.attribute() == Attribute.ALIVE || !f.expires().isAfter(now)) {
                    continue;
                }
                if (knowledge.needs(peer, f.key(), f.expires(), settings.factWindow(), now)) {
                    out.add(f);
                    knowledge.learned(peer, f.key(), f.expires());
                }
            }
        }
        if (!out.isEmpty() || knowledge.needs(peer, alive.key(), alive.expires(), settings.aliveWindow(), now)) {
            out.add(alive);
            knowledge.learned(peer, alive.key(), alive.expires());
        }
        return out;
    }

    static Fact randomFact(Random r, List<PublicKey> subjects, Instant now) {
        PublicKey s = subjects.get(r.nextInt(subjects.size()));
        Instant exp = now.plusSeconds(r.nextInt(20) == 0 ? 1 + r.nextInt(20) : 100 + r.nextInt(200));
        switch (r.nextInt(4)) {
            case 0:
                return Fact.observed(s, IpEndpoint.parse("198.51.100." + r.nextInt(40) + ":51820"), exp);
            case 1:
                return Fact.endpoint(s, IpEndpoint.parse("[2001:db8::" + r.nextInt(20) + "]:51820"), exp);
            case 2:
                return Fact.member(s, MemberMetadata.EMPTY.with("n" + r.nextInt(3), false), exp);
            default:
                return Fact.alive(s, new UUID(0, r.nextInt(2)), exp);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void plansExactlyWhatThePlainRulePlans(int seed) {
        Random r = new Random(seed);
        List<PublicKey> peers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            peers.add(GossipTest.key(10 + i));
        }
        List<PublicKey> subjects = new ArrayList<>(peers);
        subjects.add(GossipTest.key(1));
        subjects.add(GossipTest.key(40));
        int perPeerCap = seed % 2 == 0 ? 40 : 10_000;
        Knowledge plain = new Knowledge(seed % 4 == 3 ? 4 : 100, perPeerCap);
        Knowledge fast = new Knowledge(seed % 4 == 3 ? 4 : 100, perPeerCap);
        Map<Object, Fact> held = new LinkedHashMap<>(); // the eligible facts, one per key
        Instant now = T0;
        int sent = 0;
        int passes = 0;
        for (int step = 0; step < 3000; step++) {
            now = now.plusMillis(r.nextInt(30) == 0 ? r.nextInt(200_000) : r.nextInt(3000));
            int changes = r.nextInt(10) < 7 ? 0 : 1 + r.nextInt(r.nextInt(5) == 0 ? 40 : 4);
            for (int c = 0; c < changes; c++) {
                if (!held.isEmpty() && r.nextInt(4) == 0) {
                    List<Object> ks = new ArrayList<>(held.keySet());
                    Object k = ks.get(r.nextInt(ks.size()));
                    if (r.nextBoolean()) {
                        held.remove(k);
                    } else {
                        Fact f = held.get(k); // refreshed
                        held.put(k, f.withExpiry(now.plusSeconds(100 + r.nextInt(200))));
                    }
                } else {
                    Fact f = randomFact(r, subjects, now);
                    held.put(f.key(), f);
                }
            }
            List<Fact> eligible = new ArrayList<>(held.values());
            eligible.sort(Comparator.comparing((Fact f) -> f.subject()).thenComparing(f -> f.attribute())
                    .thenComparing(f -> f.value().toString()));
            List<Fact> v1 = eligible.stream().filter(f -> f.attribute().isV1()).toList();
            int op = r.nextInt(20);
            PublicKey peer = peers.get(r.nextInt(peers.size()));
            if (op == 0) {
                UUID boot = new UUID(0, r.nextInt(2));
                assertEquals(plain.bootId(peer, boot), fast.bootId(peer, boot));
            } else if (op == 1 && !eligible.isEmpty()) {
                Fact f = eligible.get(r.nextInt(eligible.size()));
                plain.forget(peer, f.key());
                fast.forget(peer, f.key());
            } else if (op <= 4 && !eligible.isEmpty()) {
                // the peer sends what it holds (maybe older or newer than ours, maybe unknown to us)
                for (int n = r.nextInt(5); n >= 0; n--) {
                    Fact f = r.nextBoolean() ? eligible.get(r.nextInt(eligible.size())) : randomFact(r, subjects, now);
                    Instant exp = f.expires().plusSeconds(r.nextInt(200) - 100);
                    plain.learned(peer, f.key(), exp);
                    fast.learned(peer, f.key(), exp);
                }
            } else {
                // a pass: every peer, at a random level, the v1 list for some
                passes++;
                Fact alive = Fact.alive(GossipTest.key(1), new UUID(1, 1), now.plus(S.aliveTtl()));
                for (PublicKey p : peers) {
                    SendPlanner.Level level = SendPlanner.Level.values()[r.nextInt(8) == 0 ? r.nextInt(2) : 2];
                    List<Fact> list = p.equals(peers.get(0)) && r.nextInt(3) == 0 ? v1 : eligible;
                    List<Fact> want = reference(p, level, list, alive, plain, S, now);
                    List<Fact> got = SendPlanner.plan(p, level, list, alive, fast, S, now);
                    assertEquals(want, got, "seed " + seed + " step " + step + " peer " + p);
                    sent += got.size();
                }
                Set<PublicKey> keep = new HashSet<>(peers);
                if (r.nextInt(10) == 0) {
                    keep.remove(peers.get(r.nextInt(peers.size())));
                }
                plain.prune(now, keep);
                fast.prune(now, keep);
            }
            assertEquals(plain.entries(), fast.entries(), "seed " + seed + " step " + step + " op " + op);
        }
        assertTrue(passes > 1000 && sent > 1000, passes + " passes, " + sent + " sent");
    }

    @Test
    void aForgottenFactIsLookedAtAloneNotEveryFact() {
        // a datagram not acknowledged makes its facts needed again; the next plan looks at those, not at all 1,000
        Knowledge k = new Knowledge(10, 10_000);
        PublicKey peer = GossipTest.key(2);
        List<Fact> eligible = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            eligible.add(Fact.endpoint(GossipTest.key(3), IpEndpoint.parse("198.51.100." + (1 + i / 200) + ":"
                    + (1000 + i % 200)), T0.plusSeconds(255)));
        }
        Fact alive = Fact.alive(GossipTest.key(1), new UUID(1, 1), T0.plus(S.aliveTtl()));
        assertEquals(1001, SendPlanner.plan(peer, SendPlanner.Level.FACTS, eligible, alive, k, S, T0).size());
        k.forget(peer, eligible.get(500).key());
        k.forget(peer, eligible.get(7).key());
        Knowledge.Scan scan = k.scan(peer, eligible, S.factWindow(), T0.plusSeconds(1));
        List<Integer> looked = new ArrayList<>();
        for (int i = scan.next(); i >= 0; i = scan.next()) {
            looked.add(i);
            Fact f = eligible.get(i);
            assertTrue(scan.needs(scan.key(i), f.expires()), "forgotten: needed again");
            k.learned(peer, scan.key(i), f.expires());
        }
        scan.done();
        assertEquals(List.of(7, 500), looked);
        k.forget(peer, eligible.get(3).key());
        assertEquals(List.of(eligible.get(3), alive), SendPlanner.plan(peer, SendPlanner.Level.FACTS, eligible, alive,
                k, S, T0.plusSeconds(2)), "and sent again");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void aRepeatedKeyStillPlansEverything(int dup) {
        Knowledge plain = new Knowledge(10, 100);
        Knowledge fast = new Knowledge(10, 100);
        PublicKey peer = GossipTest.key(2);
        Fact a = Fact.endpoint(GossipTest.key(3), IpEndpoint.parse("198.51.100.3:51820"), T0.plusSeconds(255));
        Fact b = a.withExpiry(T0.plusSeconds(300));
        Fact alive = Fact.alive(GossipTest.key(1), new UUID(1, 1), T0.plus(S.aliveTtl()));
        List<Fact> list = dup == 0 ? List.of(a, b) : List.of(b, a);
        for (int s = 0; s < 300; s += 7) {
            Instant now = T0.plusSeconds(s);
            assertEquals(reference(peer, SendPlanner.Level.FACTS, list, alive, plain, S, now),
                    SendPlanner.plan(peer, SendPlanner.Level.FACTS, list, alive, fast, S, now));
        }
    }
}
