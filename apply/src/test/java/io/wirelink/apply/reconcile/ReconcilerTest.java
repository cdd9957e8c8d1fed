package io.wirelink.apply.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.DeviceState;
import io.wirelink.apply.DeviceStates;
import io.wirelink.apply.PeerChange;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReconcilerTest {
    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    static PublicKey key(int n) {
        byte[] b = new byte[32];
        b[0] = (byte) n;
        return PublicKey.of(b);
    }

    static final PublicKey SELF = key(1);
    static final PublicKey A = key(2);
    static final PublicKey B = key(3);
    static final Reconciler.LinkLocalFn LL = k -> IpPrefix.parse("fe80::" + (k.toBytes()[0] & 0xff) + "/128");
    static final IpPrefix A_AIP = IpPrefix.parse("10.99.0.2/32");

    static PeerIntent.Candidate cand(String ep, boolean observed) {
        return new PeerIntent.Candidate(IpEndpoint.parse(ep), observed);
    }

    static PeerIntent intent(PublicKey k, boolean healthy, Instant aliveUntil, PeerIntent.Candidate... eps) {
        return new PeerIntent(k, true, false, false, List.of(A_AIP), List.of(eps), healthy, aliveUntil);
    }

    static Reconciler.Context ctx(Map<PublicKey, PeerIntent> peers, boolean deconf, boolean delete, Instant now) {
        return new Reconciler.Context(SELF, peers, deconf, delete, List.of(IpPrefix.parse("192.0.2.0/28")),
                List.of(IpPrefix.parse("10.99.0.0/24")), now);
    }

    static DeviceState device(PeerState... peers) {
        return new DeviceState("wg0", SELF, 51820, 0, List.of(peers));
    }

    static PeerState handshaked(PeerState p, Instant at) {
        return new PeerState(p.publicKey(), false, p.endpoint(), p.allowedIps(), at, 1, 1, 0);
    }

    @Test
    void aNewMemberIsAddedWithItsLinkLocalAndTheBestEndpointThenGetsRoutesOnceAliveAndThenNothingChanges() {
        EndpointCycler cycler = new EndpointCycler(Duration.ofSeconds(6));
        PeerIntent a = intent(A, false, null, cand("192.0.2.40:51820", false), cand("198.51.100.3:40001", true),
                cand("203.0.113.9:51820", false));
        Reconciler.Plan p = Reconciler.plan(device(), ctx(Map.of(A, a), true, true, NOW), cycler, LL);
        PeerChange c = p.change().peers().get(0);
        assertEquals(IpEndpoint.parse("198.51.100.3:40001"), c.endpoint(), "observed NAT mapping beats self-reported");
        assertEquals(List.of(LL.of(A)), c.allowedIps());
        assertEquals(Set.of(A), p.endpointSwitched());
        DeviceState d = DeviceStates.apply(device(), p.change());

        // handshake done, Alive arrived: routes go in
        d = device(handshaked(d.peers().get(0), NOW.plusSeconds(1)));
        PeerIntent aliveA = intent(A, true, NOW.plusSeconds(35), a.endpoints().toArray(new PeerIntent.Candidate[0]));
        p = Reconciler.plan(d, ctx(Map.of(A, aliveA), true, true, NOW.plusSeconds(2)), cycler, LL);
        assertEquals(List.of(A_AIP), p.change().peers().get(0).allowedIps());
        d = DeviceStates.apply(d, p.change());
        assertEquals(Set.of(LL.of(A), A_AIP), Set.copyOf(d.peers().get(0).allowedIps()));

        // level-triggered: the same inputs on the result change nothing
        assertTrue(Reconciler.plan(d, ctx(Map.of(A, aliveA), true, true, NOW.plusSeconds(3)), cycler, LL).change()
                .isEmpty());
    }

    @Test
    void unhealthyPeersFallBackToLinkLocalOnlyOutsideTheGraceAndKeepRoutesInsideIt() {
        PeerState a = new PeerState(A, false, IpEndpoint.parse("203.0.113.9:51820"), List.of(LL.of(A), A_AIP),
                NOW.minusSeconds(600), 1, 1, 0);
        PeerIntent dead = intent(A, false, null, cand("203.0.113.9:51820", false));
        EndpointCycler cycler = new EndpointCycler(Duration.ofSeconds(6));
        Reconciler.Plan grace = Reconciler.plan(device(a), ctx(Map.of(A, dead), false, false, NOW), cycler, LL);
        assertTrue(grace.change().isEmpty(), "during the grace nothing is removed: " + grace.reasons());
        Reconciler.Plan after = Reconciler.plan(device(a), ctx(Map.of(A, dead), true, false, NOW), cycler, LL);
        PeerChange c = after.change().peers().get(0);
        assertTrue(c.replaceAllowedIps());
        assertEquals(List.of(LL.of(A)), c.allowedIps());
    }

    @Test
    void anUnhealthyRouterKeepsItsWiderRoutesAndLosesOnlyItsHostRoutes() {
        // a hub from wg-quick (10.99.0.0/24) that also holds a host route: cut off, its /24 is still the only way
        // into the overlay, and taking it off would make the hub no router (no trust source) for good
        IpPrefix overlay = IpPrefix.parse("10.99.0.0/24");
        IpPrefix v6 = IpPrefix.parse("fd00:99::/64");
        PeerState hub = new PeerState(A, false, IpEndpoint.parse("203.0.113.9:51820"),
                List.of(LL.of(A), overlay, v6, A_AIP), NOW.minusSeconds(600), 1, 1, 0);
        PeerIntent dead = new PeerIntent(A, true, false, false, List.of(overlay, v6), List.of(), false, null);
        Reconciler.Plan p = Reconciler.plan(device(hub), ctx(Map.of(A, dead), true, true, NOW),
                new EndpointCycler(Duration.ofSeconds(6)), LL);
        PeerChange c = p.change().peers().get(0);
        assertTrue(c.replaceAllowedIps(), "the host route goes: " + p.reasons());
        assertEquals(Set.of(LL.of(A), overlay, v6), Set.copyOf(c.allowedIps()));
        DeviceState d = DeviceStates.apply(device(hub), p.change());
        assertTrue(Reconciler.plan(d, ctx(Map.of(A, dead), true, true, NOW.plusSeconds(1)),
                new EndpointCycler(Duration.ofSeconds(6)), LL).change().peers().stream()
                .allMatch(x -> x.allowedIps().isEmpty() && !x.replaceAllowedIps()), "and then nothing changes");
    }

    @Test
    void healthyButNotAliveKeepsWhatItHas() {
        PeerState a = new PeerState(A, false, IpEndpoint.parse("203.0.113.9:51820"), List.of(LL.of(A),
                IpPrefix.parse("10.99.0.77/32")), NOW.minusSeconds(5), 1, 1, 0);
        PeerIntent healthy = intent(A, true, null);
        assertTrue(Reconciler.plan(device(a), ctx(Map.of(A, healthy), true, true, NOW),
                new EndpointCycler(Duration.ofSeconds(6)), LL).change().isEmpty());
    }

    @Test
    void nonMembersAreDeletedOnlyWhenAllowedAndConfiguredPeersNever() {
        PeerState a = new PeerState(A, false, null, List.of(LL.of(A)), NOW, 0, 0, 0);
        PeerState b = new PeerState(B, false, null, List.of(LL.of(B)), NOW, 0, 0, 0);
        PeerIntent bConfigured = new PeerIntent(B, false, true, false, List.of(), List.of(), false, null);
        EndpointCycler cycler = new EndpointCycler(Duration.ofSeconds(6));
        assertTrue(Reconciler.plan(device(a, b), ctx(Map.of(B, bConfigured), true, false, NOW), cycler, LL).change()
                .isEmpty(), "kept peers that already have their link-local are left alone");
        PeerState bare = new PeerState(A, false, null, List.of(IpPrefix.parse("10.99.0.0/24")), NOW, 0, 0, 0);
        Reconciler.Plan keep = Reconciler.plan(device(bare), ctx(Map.of(), true, false, NOW), cycler, LL);
        assertEquals(List.of(new PeerChange(A, false, true, null, null, false, List.of(LL.of(A)))),
                keep.change().peers(), "a kept non-member (a hub from wg-quick) gets its link-local for gossip");
        Reconciler.Plan p = Reconciler.plan(device(a, b), ctx(Map.of(B, bConfigured), true, true, NOW), cycler, LL);
        assertEquals(List.of(PeerChange.removal(A)), p.change().peers());
    }

    @Test
    void endpointsCycleInPriorityOrderAtTheIntervalAndStopWhenHealthy() {
        EndpointCycler cycler = new EndpointCycler(Duration.ofSeconds(6));
        List<PeerIntent.Candidate> cands = List.of(cand("203.0.113.9:51820", false), cand("192.0.2.5:51820", false),
                cand("10.99.0.2:51820", false), cand("198.51.100.3:40001", true), cand("172.16.0.9:51820", false));
        assertEquals(List.of(IpEndpoint.parse("192.0.2.5:51820"), IpEndpoint.parse("198.51.100.3:40001"),
                        IpEndpoint.parse("203.0.113.9:51820"), IpEndpoint.parse("172.16.0.9:51820")),
                cycler.order(A, cands, List.of(IpPrefix.parse("192.0.2.0/28")), List.of(IpPrefix.parse("10.99.0.0/24"))),
                "LAN, observed, public, rest; the tunnel subnet is skipped");
        PeerState a = new PeerState(A, false, null, List.of(LL.of(A)), null, 0, 0, 0);
        PeerIntent dead = new PeerIntent(A, true, false, false, List.of(), cands, false, null);
        Instant t = NOW;
        DeviceState d = device(a);
        List<String> seen = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Reconciler.Plan p = Reconciler.plan(d, ctx(Map.of(A, dead), true, true, t), cycler, LL);
            if (!p.change().isEmpty()) {
                seen.add(String.valueOf(p.change().peers().get(0).endpoint()));
                d = DeviceStates.apply(d, p.change());
            }
            t = t.plusSeconds(3);
        }
        assertEquals(List.of("192.0.2.5:51820", "198.51.100.3:40001", "203.0.113.9:51820"), seen,
                "one switch per 6 s interval");
        PeerIntent ok = new PeerIntent(A, true, false, false, List.of(), cands, true, NOW.plusSeconds(999));
        PeerState healthy = handshaked(d.peers().get(0), t);
        Reconciler.Plan p = Reconciler.plan(device(healthy), ctx(Map.of(A, ok), true, true, t.plusSeconds(60)),
                cycler, LL);
        assertNull(p.change().peers().isEmpty() ? null : p.change().peers().get(0).endpoint(),
                "a healthy peer keeps its endpoint");
    }

    @Test
    void onceEveryCandidateWasTriedTheIntervalDoublesUpToSixtyFourTimes() {
        EndpointCycler cycler = new EndpointCycler(Duration.ofSeconds(6));
        List<PeerIntent.Candidate> cands = List.of(cand("203.0.113.9:51820", false), cand("198.51.100.3:40001", true));
        PeerState a = new PeerState(A, false, null, List.of(LL.of(A)), null, 0, 0, 0);
        PeerIntent dead = new PeerIntent(A, true, false, false, List.of(), cands, false, null);
        DeviceState d = device(a);
        List<Long> switchedAt = new java.util.ArrayList<>();
        for (long s = 0; s <= 1200; s++) {
            Reconciler.Plan p = Reconciler.plan(d, ctx(Map.of(A, dead), true, true, NOW.plusSeconds(s)), cycler, LL);
            if (!p.change().isEmpty() && p.change().peers().get(0).endpoint() != null) {
                switchedAt.add(s);
                d = DeviceStates.apply(d, p.change());
            }
        }
        // the two untried candidates and the first retry 6 s apart; then each retry waits twice as long, to 384 s
        assertEquals(List.of(0L, 6L, 12L, 24L, 48L, 96L, 192L, 384L, 768L, 1152L), switchedAt);
    }

    @Test
    void aBetterCandidateArrivingLaterIsTriedAtOnce() {
        EndpointCycler cycler = new EndpointCycler(Duration.ofSeconds(6));
        PeerIntent lanOnly = intent(A, false, null, cand("203.0.113.77:51820", false));
        DeviceState d = DeviceStates.apply(device(), Reconciler.plan(device(), ctx(Map.of(A, lanOnly), true, true, NOW),
                cycler, LL).change());
        assertEquals(IpEndpoint.parse("203.0.113.77:51820"), d.peers().get(0).endpoint());
        PeerIntent both = intent(A, false, null, cand("203.0.113.77:51820", false), cand("198.51.100.3:40001", true));
        Reconciler.Plan p = Reconciler.plan(d, ctx(Map.of(A, both), true, true, NOW.plusSeconds(1)), cycler, LL);
        assertEquals(IpEndpoint.parse("198.51.100.3:40001"), p.change().peers().get(0).endpoint(),
                "the observed mapping preempts the 6 s interval");
        d = DeviceStates.apply(d, p.change());
        assertTrue(Reconciler.plan(d, ctx(Map.of(A, both), true, true, NOW.plusSeconds(2)), cycler, LL).change()
                .isEmpty(), "and then it waits its interval");
    }

    /**
     * WireGuard restarted under the agent: the device lost a peer that was healthy at its second candidate. The peer
     * goes back at that endpoint, not at the next untried one (which cost a lab mesh 15 s of failed handshakes).
     */
    @Test
    void aPeerTheDeviceLostGoesBackWhereItWasHealthy() {
        EndpointCycler cycler = new EndpointCycler(Duration.ofSeconds(6));
        PeerIntent.Candidate observed = cand("198.51.100.3:40001", true);
        PeerIntent.Candidate lan = cand("172.16.0.9:51820", false);
        PeerIntent dead = intent(A, false, null, observed, lan);
        Reconciler.Plan added = Reconciler.plan(device(), ctx(Map.of(A, dead), true, true, NOW), cycler, LL);
        assertEquals(IpEndpoint.parse("198.51.100.3:40001"), added.change().peers().get(0).endpoint(),
                "first contact: the observed mapping first");
        DeviceState d = DeviceStates.apply(device(), added.change());
        PeerIntent ok = intent(A, true, NOW.plusSeconds(999), observed, lan);
        Reconciler.plan(device(handshaked(d.peers().get(0), NOW.plusSeconds(1))),
                ctx(Map.of(A, ok), true, true, NOW.plusSeconds(2)), cycler, LL);

        Reconciler.Plan back = Reconciler.plan(device(), ctx(Map.of(A, dead), true, true, NOW.plusSeconds(60)),
                cycler, LL);
        assertEquals(IpEndpoint.parse("198.51.100.3:40001"), back.change().peers().get(0).endpoint(),
                "put back where it was healthy, although the other candidate was never tried");
        Reconciler.Plan next = Reconciler.plan(DeviceStates.apply(device(), back.change()),
                ctx(Map.of(A, dead), true, true, NOW.plusSeconds(67)), cycler, LL);
        assertEquals(IpEndpoint.parse("172.16.0.9:51820"), next.change().peers().get(0).endpoint(),
                "and if it does not come up there, cycling goes on as before");
    }
}
