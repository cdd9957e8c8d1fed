package io.wirelink.apply.reconcile;

import static io.wirelink.apply.reconcile.ReconcilerTest.A;
import static io.wirelink.apply.reconcile.ReconcilerTest.A_AIP;
import static io.wirelink.apply.reconcile.ReconcilerTest.B;
import static io.wirelink.apply.reconcile.ReconcilerTest.LL;
import static io.wirelink.apply.reconcile.ReconcilerTest.NOW;
import static io.wirelink.apply.reconcile.ReconcilerTest.SELF;
import static io.wirelink.apply.reconcile.ReconcilerTest.cand;
import static io.wirelink.apply.reconcile.ReconcilerTest.device;
import static io.wirelink.apply.reconcile.ReconcilerTest.intent;
import static io.wirelink.apply.reconcile.ReconcilerTest.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

/** The reconciler composing the relay client's decisions into its one device change. */
class ReconcilerRelayTest {
    static final PublicKey RELAY = key(9);
    static final IpEndpoint RELAY_EP = IpEndpoint.parse("203.0.113.9:3478");
    static final IpEndpoint DIRECT = IpEndpoint.parse("198.51.100.3:40001");
    static final IpEndpoint OTHER = IpEndpoint.parse("198.51.100.4:40002");

    final EndpointCycler cycler = new EndpointCycler(Duration.ofSeconds(6));

    static Reconciler.Context ctx(Map<PublicKey, PeerIntent> peers, Instant now, RelayDecisions relays) {
        return new Reconciler.Context(SELF, peers, true, true, List.of(IpPrefix.parse("192.0.2.0/28")),
                List.of(IpPrefix.parse("10.99.0.0/24")), now, relays);
    }

    static RelayDecisions routes(PublicKey peer, IpEndpoint ep, boolean reAdd, String why) {
        return new RelayDecisions(Map.of(peer, new RelayDecisions.Route(ep, reAdd)), List.of(), Set.of(),
                Set.of(), List.of(new Reason(peer, why)));
    }

    static PeerState onDevice(PublicKey k, IpEndpoint ep, boolean psk, List<IpPrefix> ips) {
        return new PeerState(k, psk, ep, ips, NOW.minusSeconds(30), 100, 200, 0);
    }

    List<PeerChange> changesOf(Reconciler.Plan p, PublicKey k) {
        return p.change().peers().stream().filter(c -> c.publicKey().equals(k)).toList();
    }

    @Test
    void aRelayedPeerGetsTheRelaysEndpointInsteadOfTheNextCandidate() {
        PeerIntent dead = intent(A, false, null, cand(DIRECT.toString(), true), cand(OTHER.toString(), false));
        DeviceState d = device(onDevice(A, DIRECT, false, List.of(LL.of(A))));
        Reconciler.Plan alone = Reconciler.plan(d, ctx(Map.of(A, dead), NOW, RelayDecisions.NONE),
                new EndpointCycler(Duration.ofSeconds(6)), LL);
        assertNotEquals(RELAY_EP, DeviceStates.apply(d, alone.change()).peer(A).endpoint(), "without relays");

        Reconciler.Plan p = Reconciler.plan(d, ctx(Map.of(A, dead), NOW, routes(A, RELAY_EP, false, "via relay R")),
                cycler, LL);
        List<PeerChange> forA = changesOf(p, A);
        assertEquals(1, forA.size(), p.change().toString());
        assertEquals(RELAY_EP, forA.get(0).endpoint());
        assertFalse(forA.get(0).remove());
        assertEquals(RELAY_EP, DeviceStates.apply(d, p.change()).peer(A).endpoint());
        assertEquals("via relay R", p.reasons().get(p.reasons().size() - 1).text(),
                "the relay decision's reason follows the reconciler's: " + p.reasons());
    }

    @Test
    void aRouteOfAPeerTheViewLeavesAloneStillMovesItAndCountsAsSwitched() {
        PeerIntent ok = intent(A, true, NOW.plusSeconds(999), cand(DIRECT.toString(), true));
        DeviceState d = device(onDevice(A, RELAY_EP, false, List.of(LL.of(A), A_AIP)));
        assertTrue(Reconciler.plan(d, ctx(Map.of(A, ok), NOW, RelayDecisions.NONE), cycler, LL).change().isEmpty());

        Reconciler.Plan p = Reconciler.plan(d, ctx(Map.of(A, ok), NOW,
                routes(A, DIRECT, false, "relayed via R, trying direct")), cycler, LL);
        assertEquals(List.of(new PeerChange(A, false, true, DIRECT, null, false, List.of())), changesOf(p, A),
                "a trial: only the endpoint, to the direct one");
        assertTrue(p.endpointSwitched().contains(A));
        // the route says the device keeps what it has: nothing to do
        Reconciler.Plan keep = Reconciler.plan(d, ctx(Map.of(A, ok), NOW, routes(A, null, false, "holding")),
                cycler, LL);
        assertTrue(keep.change().isEmpty(), keep.change().toString());
        Reconciler.Plan same = Reconciler.plan(d, ctx(Map.of(A, ok), NOW, routes(A, RELAY_EP, false, "relayed")),
                cycler, LL);
        assertTrue(same.change().isEmpty(), "already there: " + same.change());
    }

    @Test
    void aReAddRemovesThePeerAndBringsItBackAtTheRelayWithItsAllowedIpsAndKeepalive() {
        PeerIntent ok = intent(A, true, NOW.plusSeconds(999), cand(DIRECT.toString(), true));
        PeerState a = new PeerState(A, false, DIRECT, List.of(LL.of(A), A_AIP), NOW.minusSeconds(30), 1, 1, 25);
        Reconciler.Plan p = Reconciler.plan(device(a), ctx(Map.of(A, ok), NOW,
                routes(A, RELAY_EP, true, "via relay R")), cycler, LL);
        List<PeerChange> forA = changesOf(p, A);
        assertEquals(2, forA.size(), p.change().toString());
        assertTrue(forA.get(0).remove(), "removed first, so the session is gone");
        assertEquals(new PeerChange(A, false, false, RELAY_EP, 25, true, List.of(LL.of(A), A_AIP)), forA.get(1));
        assertTrue(p.endpointSwitched().contains(A));

        PeerState withKey = new PeerState(A, true, DIRECT, List.of(LL.of(A), A_AIP), NOW.minusSeconds(30), 1, 1, 25);
        Reconciler.Plan moved = Reconciler.plan(device(withKey), ctx(Map.of(A, ok), NOW,
                routes(A, RELAY_EP, true, "via relay R")), cycler, LL);
        assertEquals(List.of(new PeerChange(A, false, true, RELAY_EP, null, false, List.of())), changesOf(moved, A),
                "a peer with a preshared key is only moved: re-added it could never handshake again");
    }

    @Test
    void relayPeersArePutInPlaceWithoutAllowedIpsAndTakenOut() {
        PublicKey gone = key(10);
        RelayDecisions r = new RelayDecisions(Map.of(), List.of(new RelayDecisions.RelayPeer(RELAY, RELAY_EP, 25),
                RelayDecisions.RelayPeer.removal(gone)), Set.of(), Set.of(), List.of(new Reason(RELAY, "registering")));
        Reconciler.Plan p = Reconciler.plan(device(), ctx(Map.of(), NOW, r), cycler, LL);
        assertEquals(List.of(new PeerChange(RELAY, false, false, RELAY_EP, 25, true, List.of()),
                PeerChange.removal(gone)), p.change().peers());
        DeviceState after = DeviceStates.apply(device(onDevice(gone, OTHER, false, List.of())), p.change());
        assertNull(after.peer(gone));
        assertEquals(List.of(), after.peer(RELAY).allowedIps(), "a relay peer routes nothing");
        assertEquals(25, after.peer(RELAY).persistentKeepaliveSeconds());
    }

    @Test
    void aFirstContactRetryReAddsThePeerWhereItIsWithWhatTheViewAdds() {
        PeerIntent fresh = intent(B, false, null, cand(DIRECT.toString(), true));
        PeerState b = new PeerState(B, false, DIRECT, List.of(LL.of(B)), Instant.EPOCH, 0, 148, 25);
        DeviceState d = device(b);
        RelayDecisions retry = RelayDecisions.NONE.withRetries(List.of(B), "no handshake yet");
        Reconciler.Plan p = Reconciler.plan(d, ctx(Map.of(B, fresh), NOW, retry), cycler, LL);
        List<PeerChange> forB = changesOf(p, B);
        assertEquals(2, forB.size(), p.change().toString());
        assertTrue(forB.get(0).remove());
        assertEquals(new PeerChange(B, false, false, DIRECT, 25, true, List.of(LL.of(B))), forB.get(1));
        assertEquals(new Reason(B, "no handshake yet"), p.reasons().get(p.reasons().size() - 1));
        // a peer with a preshared key is not re-added: it would come back without the key and never handshake
        PeerState withKey = new PeerState(B, true, DIRECT, List.of(LL.of(B)), Instant.EPOCH, 0, 148, 25);
        Reconciler.Plan kept = Reconciler.plan(device(withKey), ctx(Map.of(B, fresh), NOW, retry), cycler, LL);
        assertFalse(kept.change().peers().stream().anyMatch(PeerChange::remove), kept.change().toString());
        // a peer the view removes stays removed

        Reconciler.Plan removed = Reconciler.plan(d, ctx(Map.of(), NOW, retry), cycler, LL);
        assertEquals(List.of(PeerChange.removal(B)), removed.change().peers());
    }

    @Test
    void aPeerTheDeviceLostIsAddedBackByTheReconcilerAndTheRelayPeerStaysAlongside() {
        PeerIntent dead = intent(A, false, null, cand(DIRECT.toString(), true));
        RelayDecisions r = new RelayDecisions(Map.of(), List.of(new RelayDecisions.RelayPeer(RELAY, RELAY_EP, 25)),
                Set.of(), Set.of(), List.of());
        Reconciler.Plan p = Reconciler.plan(device(), ctx(Map.of(A, dead), NOW, r), cycler, LL);
        DeviceState after = DeviceStates.apply(device(), p.change());
        assertEquals(DIRECT, after.peer(A).endpoint(), "the device lost A: added back at its candidate");
        assertEquals(RELAY_EP, after.peer(RELAY).endpoint());
        assertTrue(p.endpointSwitched().contains(A));
    }
}
