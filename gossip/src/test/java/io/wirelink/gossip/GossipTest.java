package io.wirelink.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.Fact;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.MemberMetadata;
import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class GossipTest {
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
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
    void sendsOnceThenOnlyWhenThePeersCopyNearsExpiry() {
        Knowledge k = new Knowledge(100, 1000);
        Fact ep = Fact.endpoint(OTHER, IpEndpoint.parse("198.51.100.3:51820"), T0.plusSeconds(255));
        Fact alive = Fact.alive(SELF, new UUID(1, 1), T0.plusSeconds(35));
        List<Fact> first = SendPlanner.plan(PEER, SendPlanner.Level.FACTS, List.of(ep), alive, k, S, T0);
        assertEquals(List.of(ep, alive), first);
        assertEquals(List.of(), SendPlanner.plan(PEER, SendPlanner.Level.FACTS, List.of(ep), alive, k, S,
                T0.plusSeconds(5)), "nothing new, Alive not yet due");
        Instant later = T0.plusSeconds(30);
        Fact alive2 = Fact.alive(SELF, new UUID(1, 1), later.plusSeconds(35));
        assertEquals(List.of(alive2), SendPlanner.plan(PEER, SendPlanner.Level.FACTS, List.of(ep), alive2, k, S,
                later), "Alive is due again within its window");
        Instant refresh = T0.plusSeconds(130);
        Fact ep2 = ep.withExpiry(refresh.plusSeconds(255));
        Fact alive3 = Fact.alive(SELF, new UUID(1, 1), refresh.plusSeconds(35));
        assertEquals(List.of(ep2, alive3),
                SendPlanner.plan(PEER, SendPlanner.Level.FACTS, List.of(ep2), alive3, k, S, refresh));
    }

    @Test
    void aPeerBeyondThePeerCapGetsEverythingEveryTimeUntilTheCapIsRaised() {
        Knowledge k = new Knowledge(2, 1000);
        Fact ep = Fact.endpoint(OTHER, IpEndpoint.parse("198.51.100.3:51820"), T0.plusSeconds(255));
        Fact alive = Fact.alive(SELF, new UUID(1, 1), T0.plusSeconds(35));
        PublicKey third = key(9);
        SendPlanner.plan(key(7), SendPlanner.Level.FACTS, List.of(ep), alive, k, S, T0);
        SendPlanner.plan(key(8), SendPlanner.Level.FACTS, List.of(ep), alive, k, S, T0);
        SendPlanner.plan(third, SendPlanner.Level.FACTS, List.of(ep), alive, k, S, T0);
        assertEquals(List.of(ep, alive), SendPlanner.plan(third, SendPlanner.Level.FACTS, List.of(ep), alive, k, S,
                T0.plusSeconds(1)), "not recorded: sent again");
        k.caps(3, 1000);
        SendPlanner.plan(third, SendPlanner.Level.FACTS, List.of(ep), alive, k, S, T0.plusSeconds(2));
        assertEquals(List.of(), SendPlanner.plan(third, SendPlanner.Level.FACTS, List.of(ep), alive, k, S,
                T0.plusSeconds(3)), "recorded once the cap allows it");
    }

    @Test
    void aBootIdChangeMakesUsResendEverything() {
        Knowledge k = new Knowledge(100, 1000);
        Fact ep = Fact.endpoint(OTHER, IpEndpoint.parse("198.51.100.3:51820"), T0.plusSeconds(255));
        Fact alive = Fact.alive(SELF, new UUID(1, 1), T0.plusSeconds(35));
        assertTrue(k.bootId(PEER, new UUID(7, 7)));
        SendPlanner.plan(PEER, SendPlanner.Level.FACTS, List.of(ep), alive, k, S, T0);
        assertFalse(k.bootId(PEER, new UUID(7, 7)));
        assertTrue(k.bootId(PEER, new UUID(8, 8)), "restarted");
        assertEquals(2, SendPlanner.plan(PEER, SendPlanner.Level.FACTS, List.of(ep), alive, k, S, T0.plusSeconds(1))
                .size());
    }

    @Test
    void theFirstBootIdSeenForgetsOnlyWhatWeSent() {
        // a hub's first batch: facts in one datagram, its Alive (with the boot ID) in the next
        Knowledge k = new Knowledge(100, 1000);
        Fact ep = Fact.endpoint(OTHER, IpEndpoint.parse("198.51.100.3:51820"), T0.plusSeconds(255));
        Fact alive = Fact.alive(SELF, new UUID(1, 1), T0.plusSeconds(35));
        Fact mine = Fact.endpoint(SELF, IpEndpoint.parse("198.51.100.4:51820"), T0.plusSeconds(255));
        k.heard(PEER, ep.key(), ep.expires());
        k.learned(PEER, mine.key(), mine.expires()); // we sent it before the peer's first boot ID: maybe lost
        assertTrue(k.bootId(PEER, new UUID(7, 7)), "first seen is news");
        assertEquals(List.of(mine, alive), SendPlanner.plan(PEER, SendPlanner.Level.FACTS, List.of(ep, mine), alive,
                SendPlanner.AliveRule.PIGGYBACK, k, S, T0), "what the peer sent is not echoed; what we sent goes again");
    }

    @Test
    void factsAboutThePeerGoBackOnlyAsMetadataAndPingLevelSendsOnlyAlive() {
        Knowledge k = new Knowledge(100, 1000);
        Fact own = Fact.endpoint(PEER, IpEndpoint.parse("198.51.100.2:51820"), T0.plusSeconds(255));
        Fact name = Fact.member(PEER, MemberMetadata.of("leaf", false), T0.plusSeconds(255));
        Fact alive = Fact.alive(SELF, new UUID(1, 1), T0.plusSeconds(35));
        assertEquals(List.of(name, alive),
                SendPlanner.plan(PEER, SendPlanner.Level.FACTS, List.of(own, name), alive, k, S, T0));
        Knowledge k2 = new Knowledge(100, 1000);
        assertEquals(List.of(alive), SendPlanner.plan(PEER, SendPlanner.Level.PING, List.of(own, name), alive, k2, S,
                T0));
        assertEquals(List.of(), SendPlanner.plan(PEER, SendPlanner.Level.NOTHING, List.of(own), alive, k2, S, T0));
    }

    @Test
    void levelsFollowWirelinksOrder() {
        assertEquals(SendPlanner.Level.NOTHING, SendPlanner.level(false, true, true, true, true, true, true));
        assertEquals(SendPlanner.Level.FACTS, SendPlanner.level(true, false, true, false, false, false, false));
        assertEquals(SendPlanner.Level.PING, SendPlanner.level(true, false, false, false, false, false, true));
        assertEquals(SendPlanner.Level.FACTS, SendPlanner.level(true, false, false, false, true, false, true));
        assertEquals(SendPlanner.Level.PING, SendPlanner.level(true, false, false, false, true, false, false));
    }

    @Test
    void knowledgeIsBoundedAndPruned() {
        Knowledge k = new Knowledge(2, 3);
        for (int i = 0; i < 10; i++) {
            k.learned(PEER, Fact.endpoint(OTHER, IpEndpoint.parse("198.51.100." + i + ":1"), T0.plusSeconds(i + 1))
                    .key(), T0.plusSeconds(i + 1));
        }
        assertEquals(3, k.size(), "per-peer cap");
        k.learned(key(9), Fact.alive(key(9), new UUID(0, 0), T0).key(), T0.plusSeconds(5));
        k.learned(key(10), Fact.alive(key(10), new UUID(0, 0), T0).key(), T0.plusSeconds(5));
        assertEquals(4, k.size(), "peer cap: the third peer is not tracked");
        k.prune(T0.plusSeconds(8), Set.of(PEER, key(9)));
        assertEquals(2, k.size(), "expired entries and unknown peers dropped");
        assertTrue(k.needs(PEER, Fact.alive(PEER, new UUID(0, 0), T0).key(), T0.plusSeconds(9), Duration.ZERO,
                T0.plusSeconds(8)));
    }
}
