package io.wirelink.traversal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerChange;
import io.wirelink.apply.PeerState;
import io.wirelink.apply.reconcile.EndpointCycler;
import io.wirelink.apply.reconcile.PeerIntent;
import io.wirelink.apply.reconcile.Reconciler;
import io.wirelink.facts.Fact;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.RelayAttachment;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The relay client's decisions on a fake clock: registration, choice, failover, back-off, return to direct. */
class RelayPlannerTest {
    static final SecureRandom RANDOM = new SecureRandom();
    /** The planner's key: smaller than the peer's, unless the test is tagged {@value #SELF_GREATER}. */
    final PublicKey self;
    final PublicKey peer;
    /** Tag of tests where our key is the greater one, so our end yields the handshake through a relay. */
    static final String SELF_GREATER = "selfGreater";
    final PublicKey op1 = PrivateKey.generate(RANDOM).publicKey();
    final PublicKey op2 = PrivateKey.generate(RANDOM).publicKey();
    final PublicKey r1 = PrivateKey.generate(RANDOM).publicKey();
    final PublicKey r2 = PrivateKey.generate(RANDOM).publicKey();
    final IpEndpoint e1 = IpEndpoint.parse("198.51.100.11:51823");
    final IpEndpoint e2 = IpEndpoint.parse("198.51.100.12:51823");
    final IpEndpoint direct = IpEndpoint.parse("203.0.113.9:40000");
    final IpPrefix ll = IpPrefix.parse("fe80::1/128");
    Instant now = Instant.parse("2026-11-22T10:00:00Z");
    final RelayPlanner planner;
    /** The device: the peer and whatever relay peers the planner added. */
    final Map<PublicKey, PeerState> device = new HashMap<>();
    final List<Fact> believed = new ArrayList<>();
    boolean healthy;
    /** The peer's endpoint candidates (what the core believes). */
    List<PeerIntent.Candidate> cands = List.of(new PeerIntent.Candidate(direct, true));
    long rx;
    long tx;
    /** Whether the peer is basic (WireGuard only, no agent). */
    boolean basic;

    RelayPlannerTest(TestInfo test) {
        PublicKey x = PrivateKey.generate(RANDOM).publicKey();
        PublicKey y = PrivateKey.generate(RANDOM).publicKey();
        boolean greater = test.getTags().contains(SELF_GREATER);
        self = (x.compareTo(y) < 0) != greater ? x : y;
        peer = self == x ? y : x;
        planner = new RelayPlanner(self, true, 3);
        device.put(peer, new PeerState(peer, false, direct, List.of(ll), Instant.EPOCH, 0, 0, 0));
        Instant exp = now.plusSeconds(3600);
        believed.add(Fact.relay(op1, new RelayAttachment(true, r1, List.of(e1)), exp));
        believed.add(Fact.relay(op2, new RelayAttachment(true, r2, List.of(e2)), exp));
        // the peer says it is registered with both
        believed.add(Fact.relay(peer, new RelayAttachment(false, r1, List.of(e1)), exp));
        believed.add(Fact.relay(peer, new RelayAttachment(false, r2, List.of(e2)), exp));
    }

    /**
     * The device change of the last pass, as the reconciler composes it from the plan alone: the peer is left out of
     * the view, so only the relay decisions move it (its link-local address keeps the reconciler quiet about it).
     */
    DeviceChange changed;
    Reconciler.Plan composed;

    DeviceState dev() {
        return new DeviceState("wg0", self, 51820, 0, new ArrayList<>(device.values()));
    }

    /** A pass: probes answered for the live relays, then the plan applied to the fake device. */
    RelayPlanner.Plan pass(Set<PublicKey> liveRelays) {
        for (RelayPlanner.ProbeTarget t : planner.probeTargets()) {
            planner.probeSent(t, now);
            if (liveRelays.contains(t.relay())) {
                planner.probeReply(t, Duration.ofMillis(t.relay().equals(r1) ? 5 : 9), t.endpoint(), now);
            }
        }
        for (PublicKey r : liveRelays) { // WireGuard re-handshakes with a live relay every two minutes
            PeerState rp = device.get(r);
            if (rp != null) {
                device.put(r, new PeerState(r, false, rp.endpoint(), rp.allowedIps(), now.minusSeconds(1), 0, 0,
                        rp.persistentKeepaliveSeconds()));
            }
        }
        PeerState p = device.get(peer);
        device.put(peer, new PeerState(peer, p.hasPresharedKey(), p.endpoint(), p.allowedIps(), healthy ? now.minusSeconds(1)
                : p.lastHandshake(), rx, tx, 0));
        PeerIntent v = new PeerIntent(peer, true, false, basic, List.of(), cands, healthy, null);
        RelayPlanner.Plan plan = planner.plan(now, dev(), Map.of(peer, v), believed);
        composed = Reconciler.plan(planner.hide(dev()), new Reconciler.Context(self, Map.of(), false, false,
                List.of(), List.of(), now, plan.decisions()), new EndpointCycler(Duration.ofSeconds(5)), k -> ll);
        changed = composed.change();
        for (PeerChange c : changed.peers()) {
            if (c.remove()) {
                device.remove(c.publicKey());
                continue;
            }
            PeerState old = device.get(c.publicKey());
            boolean relayPeer = c.publicKey().equals(r1) || c.publicKey().equals(r2);
            device.put(c.publicKey(), new PeerState(c.publicKey(), old != null && old.hasPresharedKey(),
                    c.endpoint() != null ? c.endpoint()
                    : old == null ? null : old.endpoint(), c.replaceAllowedIps() ? c.allowedIps() : old.allowedIps(),
                    relayPeer ? now : old == null ? Instant.EPOCH : old.lastHandshake(), 0, 0,
                    c.persistentKeepaliveSeconds() != null ? c.persistentKeepaliveSeconds()
                            : old.persistentKeepaliveSeconds()));
        }
        planner.path(peer, healthy ? "direct" : "none", now, k -> k.equals(op1) ? "relay-one" : null);
        return plan;
    }

    void advance(Duration d) {
        now = now.plus(d);
    }

    PublicKey chosen() {
        return Rendezvous.choose(self, peer, List.of(r1, r2));
    }

    IpEndpoint endpointOf(PublicKey r) {
        return r.equals(r1) ? e1 : e2;
    }

    /** Unhealthy peer, relays alive: registers after ATTACH_AFTER, relays after GIVE_UP_DIRECT. */
    void relayed() {
        Set<PublicKey> both = Set.of(r1, r2);
        pass(both);
        assertFalse(device.containsKey(r1), "nothing registered while direct may still work");
        advance(RelayPlanner.ATTACH_AFTER);
        pass(both);
        assertTrue(device.containsKey(r1) && device.containsKey(r2), "registered with both relays");
        PeerState rp = device.get(r1);
        assertEquals(e1, rp.endpoint());
        assertEquals(List.of(), rp.allowedIps(), "a relay peer routes nothing");
        assertEquals(RelayPlanner.RELAY_KEEPALIVE_SECONDS, rp.persistentKeepaliveSeconds());
        assertEquals(Set.of(r1, r2), planner.relayKeys());
        assertFalse(planner.hide(dev()).peers().stream().anyMatch(p -> p.publicKey().equals(r1)),
                "the core never sees relay peers");
        List<Fact> own = planner.localFacts(dev(), now, now.plusSeconds(60));
        assertEquals(2, own.size(), "attachments published: " + own);
        assertEquals(direct, device.get(peer).endpoint(), "direct still tried");
        advance(RelayPlanner.GIVE_UP_DIRECT.minus(RelayPlanner.ATTACH_AFTER));
        RelayPlanner.Plan p = pass(both);
        assertEquals(endpointOf(chosen()), device.get(peer).endpoint(), p.decisions().reasons().toString());
        assertTrue(composed.endpointSwitched().contains(peer));
        RelayPlanner.PathInfo info = planner.pathInfo(peer);
        assertTrue(info.path().startsWith("via relay"), info.toString());
        assertTrue(info.notDirect().contains("punch timed out"), info.toString());
        assertEquals(chosen(), info.relay());
        healthy = true; // the handshake through the relay completed
        pass(both);
        assertEquals(endpointOf(chosen()), device.get(peer).endpoint());
        assertTrue(planner.pathInfo(peer).path().startsWith("via relay"));
    }

    @Test
    void aPeerWithNoEndpointIsRelayedWhenARelayDisclosesItAndTriesDirectAtTheRelaysMoment() {
        believed.removeIf(f -> f.subject().equals(peer)); // no gossip path: the peer's attachments are unknown
        cands = List.of();
        device.put(peer, new PeerState(peer, false, null, List.of(ll), Instant.EPOCH, 0, 0, 0));
        Set<PublicKey> both = Set.of(r1, r2);
        pass(both); // learns the offers
        RelayPlanner.Plan p = pass(both);
        assertTrue(device.containsKey(r1) && device.containsKey(r2), "registered at once, nothing else to try: "
                + p.decisions().reasons());
        assertNull(device.get(peer).endpoint());
        assertEquals(Set.of(new RelayPlanner.DisclosureQuery(r1, e1, peer), new RelayPlanner.DisclosureQuery(r2, e2,
                peer)), Set.copyOf(planner.disclosureQueries()), "both relays are asked where the peer is");
        IpEndpoint mapped = IpEndpoint.parse("203.0.113.77:41000");
        assertFalse(planner.disclosed(r1, peer, null, null, now), "r1 does not have it");
        assertTrue(planner.disclosed(r2, peer, mapped, now.plusMillis(700), now));
        cands = List.of(new PeerIntent.Candidate(mapped, true)); // the core made it an ObservedEndpoint
        advance(Duration.ofMillis(50));
        p = pass(both);
        assertEquals(e2, device.get(peer).endpoint(), "relayed through the relay that has the peer: " + p.decisions().reasons());
        assertTrue(planner.pathInfo(peer).notDirect().contains("no endpoint"), planner.pathInfo(peer).toString());
        assertEquals(List.of(new RelayPlanner.DisclosureQuery(r2, e2, peer)), planner.disclosureQueries());
        assertEquals(now.plusMillis(650), planner.nextWake(now), "a pass at the switch moment");
        assertFalse(planner.due(now), "no pass due before it");
        advance(Duration.ofMillis(400));
        planner.disclosed(r2, peer, mapped, now.plusMillis(250), now); // the next answer: the same moment
        assertFalse(pass(both).punch().contains(peer), "not before the moment");
        assertEquals(e2, device.get(peer).endpoint());
        advance(Duration.ofMillis(250));
        assertTrue(pass(both).punch().isEmpty(), "not before the path through the relay works");
        assertNull(planner.nextWake(now), "and no more passes for this moment");
        healthy = true; // the handshake through the relay
        advance(Duration.ofMillis(2000));
        planner.disclosed(r2, peer, mapped, now.plusMillis(700), now); // the relay's next moment
        assertEquals(now.plusMillis(700), planner.nextWake(now));
        advance(Duration.ofMillis(700));
        assertTrue(planner.due(now), "a full pass is due at the moment (not a quick step)");
        p = pass(both);
        assertEquals(mapped, device.get(peer).endpoint(), "direct at the moment, to the mapping: " + p.decisions().reasons());
        assertTrue(p.punch().contains(peer), "and send at once");
        assertTrue(p.decisions().reasons().toString().contains("switch moment"), p.decisions().reasons().toString());
        assertEquals(now.plus(PeerPath.TRIAL_CHECK), planner.nextWake(now), "looked at while it runs");
        assertTrue(planner.due(now.plus(PeerPath.TRIAL_CHECK)), "and a full pass is due then");
        // a packet in flight through the relay: WireGuard roams back to it; the try sets the mapping again
        PeerState roamed = device.get(peer);
        device.put(peer, new PeerState(peer, false, e2, roamed.allowedIps(), roamed.lastHandshake(), rx, tx, 0));
        advance(PeerPath.TRIAL_CHECK);
        p = pass(both);
        assertEquals(mapped, device.get(peer).endpoint(), "direct again: " + p.decisions().reasons());
        assertTrue(p.punch().contains(peer));
        // the next check finds the direct endpoint still in place: only what arrives after it proves the path (bytes
        // counted before it may have come through the relay, and WireGuard would then have roamed back to it)
        advance(PeerPath.TRIAL_CHECK);
        pass(both);
        assertEquals(mapped, device.get(peer).endpoint());
        rx = 500; // the peer did the same: the NATs let both through
        advance(RelayPlanner.COORDINATED_TRIAL.minus(PeerPath.TRIAL_CHECK.multipliedBy(2)));
        planner.disclosed(r2, peer, mapped, now.minusMillis(2000), now); // still asking during the try
        p = pass(both);
        assertEquals(mapped, device.get(peer).endpoint());
        assertEquals("direct", planner.pathInfo(peer).path(), p.decisions().reasons().toString());
        assertEquals(List.of(), planner.disclosureQueries(), "direct: no more questions");
    }

    @Test
    void aBasicPeerIsRelayedWhenARelayDisclosesItAndTriedDirectAloneNotAtTheRelaysMoments() {
        // a basic peer (plain WireGuard) registered with the relay and reaches us at its address; it never asks the
        // relay, so it never switches at a moment: while we try direct it keeps sending through the relay
        basic = true;
        believed.removeIf(f -> f.subject().equals(peer));
        cands = List.of();
        device.put(peer, new PeerState(peer, false, null, List.of(ll), Instant.EPOCH, 0, 0, 0));
        Set<PublicKey> both = Set.of(r1, r2);
        pass(both);
        RelayPlanner.Plan p = pass(both);
        assertTrue(device.containsKey(r1) && device.containsKey(r2), "registered at once: " + p.decisions().reasons());
        IpEndpoint mapped = IpEndpoint.parse("203.0.113.77:41000");
        assertTrue(planner.disclosed(r2, peer, mapped, now.plusMillis(700), now), "news: the relay has the peer");
        assertFalse(planner.disclosed(r2, peer, mapped, now.plusMillis(700), now), "the same answer is no news");
        cands = List.of(new PeerIntent.Candidate(mapped, true));
        advance(Duration.ofMillis(50));
        p = pass(both);
        assertEquals(e2, device.get(peer).endpoint(), "relayed through the relay that has the peer: " + p.decisions().reasons());
        assertNull(planner.nextWake(now), "no pass at the relay's moment: the peer does not switch then");
        healthy = true; // the handshake through the relay
        advance(Duration.ofMillis(700));
        planner.disclosed(r2, peer, mapped, now, now);
        assertFalse(planner.due(now));
        assertTrue(pass(both).punch().isEmpty(), "no try at the moment");
        assertEquals(e2, device.get(peer).endpoint());
        advance(RelayPlanner.FIRST_RETRY);
        planner.disclosed(r2, peer, mapped, now.plusMillis(700), now);
        p = pass(both);
        assertEquals(mapped, device.get(peer).endpoint(), "a try alone after the back-off: " + p.decisions().reasons());
        assertFalse(p.decisions().reasons().toString().contains("switch moment"), p.decisions().reasons().toString());
        // the peer's next packet comes through the relay: WireGuard roams back, and the try leaves it there
        PeerState roamed = device.get(peer);
        rx = 500;
        device.put(peer, new PeerState(peer, false, e2, roamed.allowedIps(), roamed.lastHandshake(), rx, tx, 0));
        advance(PeerPath.TRIAL_CHECK);
        planner.disclosed(r2, peer, mapped, now, now);
        p = pass(both);
        assertEquals(e2, device.get(peer).endpoint(), "no fight with the peer's roaming: " + p.decisions().reasons());
        rx = 900; // more through the relay
        advance(RelayPlanner.TRIAL);
        planner.disclosed(r2, peer, mapped, now, now); // the relay is asked every 500 ms
        p = pass(both);
        assertEquals(e2, device.get(peer).endpoint(), "relayed packets are no direct answer: " + p.decisions().reasons());
        assertTrue(planner.pathInfo(peer).path().startsWith("via relay"), planner.pathInfo(peer).toString());
        assertTrue(planner.pathInfo(peer).notDirect().contains("no answer"), planner.pathInfo(peer) + " " + p.decisions().reasons());
        // the next try, when the peer's NAT lets us through (a cone): its WireGuard roams to us, we stay direct
        advance(RelayPlanner.FIRST_RETRY.multipliedBy(2));
        planner.disclosed(r2, peer, mapped, now, now);
        p = pass(both);
        assertEquals(mapped, device.get(peer).endpoint(), "the second try: " + p.decisions().reasons());
        advance(PeerPath.TRIAL_CHECK);
        assertTrue(planner.due(now), "a check once the endpoint is in place");
        pass(both);
        rx = 1400;
        advance(RelayPlanner.TRIAL.minus(PeerPath.TRIAL_CHECK));
        planner.disclosed(r2, peer, mapped, now, now);
        p = pass(both);
        assertEquals(mapped, device.get(peer).endpoint());
        assertEquals("direct", planner.pathInfo(peer).path(), p.decisions().reasons().toString());
    }

    @Test
    void aFailedCoordinatedTryWaitsForTheBackOffAndALaterMoment() {
        Set<PublicKey> both = knownOnlyToRelays();
        IpEndpoint mapped = IpEndpoint.parse("203.0.113.77:41000");
        planner.disclosed(r1, peer, mapped, now.plusMillis(700), now);
        cands = List.of(new PeerIntent.Candidate(mapped, true));
        pass(both);
        assertEquals(e1, device.get(peer).endpoint());
        healthy = true; // the handshake through the relay
        advance(Duration.ofMillis(700));
        planner.disclosed(r1, peer, mapped, now, now);
        pass(both);
        assertEquals(mapped, device.get(peer).endpoint());
        planner.disclosed(r1, peer, mapped, now, now);
        advance(RelayPlanner.COORDINATED_TRIAL); // nothing came back (symmetric NATs)
        planner.disclosed(r1, peer, mapped, now.plusMillis(700), now);
        pass(both);
        assertEquals(e1, device.get(peer).endpoint(), "back to the relay");
        // the relay's next moments come before the back-off (2 s after the try) ends: not used
        advance(Duration.ofMillis(700));
        planner.disclosed(r1, peer, mapped, now, now);
        assertTrue(pass(both).punch().isEmpty());
        assertEquals(e1, device.get(peer).endpoint());
        advance(Duration.ofMillis(2500));
        planner.disclosed(r1, peer, mapped, now.plusMillis(700), now);
        pass(both);
        assertEquals(e1, device.get(peer).endpoint(), "waits for the moment");
        advance(Duration.ofMillis(700));
        planner.disclosed(r1, peer, mapped, now, now);
        assertTrue(pass(both).punch().contains(peer), "the next try, at a moment after the back-off");
        assertEquals(mapped, device.get(peer).endpoint());
    }

    @Test
    void aPeerAdoptedThroughARelayTriesDirectAtTheMomentTheRelayDisclosesNext() {
        relayed(); // relayed before the relay disclosed anything: the first try would be FIRST_RETRY later
        PublicKey r = chosen();
        IpEndpoint relayEp = endpointOf(r);
        advance(Duration.ofMillis(100));
        assertTrue(planner.disclosed(r, peer, direct, now.plusMillis(300), now));
        assertEquals(now.plusMillis(300), planner.nextWake(now));
        advance(Duration.ofMillis(300));
        RelayPlanner.Plan p = pass(Set.of(r1, r2));
        assertEquals(direct, device.get(peer).endpoint(), "the first try at the relay's moment: " + p.decisions().reasons());
        assertTrue(p.punch().contains(peer));
        advance(RelayPlanner.COORDINATED_TRIAL);
        planner.disclosed(r, peer, direct, now.minusMillis(1500), now);
        pass(Set.of(r1, r2));
        assertEquals(relayEp, device.get(peer).endpoint());
    }

    @Test
    void aPeerThatReachedUsThroughTheRelayKeepsItsSession() {
        Set<PublicKey> both = knownOnlyToRelays();
        // the peer's initiation came through r2: WireGuard answered there, and the session runs through it
        healthy = true;
        device.put(peer, new PeerState(peer, false, e2, List.of(ll), now, 0, 0, 0));
        planner.disclosed(r2, peer, IpEndpoint.parse("203.0.113.77:41000"), now.plusMillis(700), now);
        RelayPlanner.Plan p = pass(both);
        assertTrue(planner.pathInfo(peer).path().startsWith("via relay"), p.decisions().reasons().toString());
        assertFalse(changed.peers().stream().anyMatch(c -> c.publicKey().equals(peer) && c.remove()),
                "not removed and re-added: " + changed);
        assertEquals(e2, device.get(peer).endpoint());
    }

    /**
     * The peer without gossip, endpoint or candidates (only relays can know it); two passes learn the offers and
     * register with both relays. Returns both relays.
     */
    Set<PublicKey> knownOnlyToRelays() {
        believed.removeIf(f -> f.subject().equals(peer));
        cands = List.of();
        device.put(peer, new PeerState(peer, false, null, List.of(ll), Instant.EPOCH, 0, 0, 0));
        Set<PublicKey> both = Set.of(r1, r2);
        pass(both);
        pass(both);
        return both;
    }

    /** A peer only a relay knows, disclosed by r2; returns the plan of the pass that relays it. */
    RelayPlanner.Plan disclosedOnly() {
        Set<PublicKey> both = knownOnlyToRelays();
        IpEndpoint mapped = IpEndpoint.parse("203.0.113.77:41000");
        planner.disclosed(r1, peer, null, null, now);
        planner.disclosed(r2, peer, mapped, now.plusMillis(700), now);
        cands = List.of(new PeerIntent.Candidate(mapped, true));
        advance(Duration.ofMillis(50));
        return pass(both);
    }

    List<PeerChange> changesOf(RelayPlanner.Plan p, PublicKey k) {
        return changed.peers().stream().filter(c -> c.publicKey().equals(k)).toList();
    }

    @Test
    @Tag(SELF_GREATER)
    void theEndWithTheGreaterKeyWaitsForThePeersHandshakeThroughTheRelay() {
        RelayPlanner.Plan p = disclosedOnly();
        // both ends decided now; two initiations crossing in the relay would supersede each other in WireGuard
        assertNull(device.get(peer).endpoint(), "our end holds back: " + p.decisions().reasons());
        assertTrue(planner.pathInfo(peer).path().startsWith("via relay"), planner.pathInfo(peer).toString());
        assertTrue(p.decisions().reasons().toString().contains("waiting up to 1000 ms"), p.decisions().reasons().toString());
        advance(Duration.ofMillis(400));
        p = pass(Set.of(r1, r2));
        assertNull(device.get(peer).endpoint(), "still holding");
        assertEquals(List.of(), changesOf(p, peer));
        // the peer's initiation came through r2: WireGuard answered it there and roamed to it
        healthy = true;
        device.put(peer, new PeerState(peer, false, e2, List.of(ll), now, 0, 0, 0));
        advance(Duration.ofMillis(100));
        p = pass(Set.of(r1, r2));
        assertEquals(e2, device.get(peer).endpoint());
        assertFalse(changesOf(p, peer).stream().anyMatch(PeerChange::remove), "the session is kept: " + changed);
        advance(PeerPath.YIELD);
        p = pass(Set.of(r1, r2));
        assertFalse(changesOf(p, peer).stream().anyMatch(PeerChange::remove), "nothing is re-added when the hold"
                + " would have ended: " + p.decisions().reasons());
        assertEquals(e2, device.get(peer).endpoint());
    }

    @Test
    @Tag(SELF_GREATER)
    void theGreaterEndStartsItsOwnHandshakeWhenNoneCameWithinTheYield() {
        disclosedOnly();
        assertNull(device.get(peer).endpoint());
        advance(PeerPath.YIELD);
        assertTrue(planner.needsPass(now), "a pass when the hold ends");
        assertTrue(planner.due(now));
        RelayPlanner.Plan p = pass(Set.of(r1, r2));
        List<PeerChange> forPeer = changesOf(p, peer);
        assertEquals(2, forPeer.size(), "removed and re-added (our traffic used up the initiation rate limit while"
                + " held): " + changed);
        assertTrue(forPeer.get(0).remove());
        assertEquals(e2, forPeer.get(1).endpoint());
        assertEquals(e2, device.get(peer).endpoint());
        assertTrue(p.decisions().reasons().toString().contains("starting our own"), p.decisions().reasons().toString());
        advance(Duration.ofMillis(500));
        assertTrue(changesOf(pass(Set.of(r1, r2)), peer).isEmpty(), "once");
    }

    @Test
    void theEndWithTheSmallerKeyStartsThroughTheRelayAtOnce() {
        RelayPlanner.Plan p = disclosedOnly();
        assertEquals(e2, device.get(peer).endpoint(), p.decisions().reasons().toString());
        assertFalse(p.decisions().reasons().toString().contains("waiting"), p.decisions().reasons().toString());
    }

    @Test
    @Tag(SELF_GREATER)
    void aBasicPeerIsNeverWaitedFor() {
        basic = true; // it has no agent: it never starts through a relay on its own
        RelayPlanner.Plan p = disclosedOnly();
        assertEquals(e2, device.get(peer).endpoint(), p.decisions().reasons().toString());
    }

    @Test
    @Tag(SELF_GREATER)
    void onFailoverTheGreaterEndReAddsThePeerWithNoEndpointAndWaits() {
        Set<PublicKey> both = Set.of(r1, r2);
        pass(both);
        advance(RelayPlanner.ATTACH_AFTER);
        pass(both);
        advance(RelayPlanner.GIVE_UP_DIRECT.minus(RelayPlanner.ATTACH_AFTER));
        RelayPlanner.Plan p = pass(both);
        assertEquals(direct, device.get(peer).endpoint(), "held: the device keeps its endpoint: " + p.decisions().reasons());
        PublicKey in = chosen();
        PublicKey other = in.equals(r1) ? r2 : r1;
        healthy = true; // the peer's handshake came through the relay
        device.put(peer, new PeerState(peer, false, endpointOf(in), List.of(ll), now, 0, 0, 0));
        advance(Duration.ofMillis(100));
        pass(both);
        assertEquals(endpointOf(in), device.get(peer).endpoint());
        // the relay in use dies: both ends move to the other one
        advance(Duration.ofMillis(500));
        pass(Set.of(other));
        advance(RelayPlanner.DEAD_AFTER);
        healthy = false;
        p = pass(Set.of(other));
        List<PeerChange> forPeer = changesOf(p, peer);
        assertEquals(2, forPeer.size(), changed.toString());
        assertTrue(forPeer.get(0).remove());
        assertNull(forPeer.get(1).endpoint(), "re-added with no endpoint: the peer's initiation sets it");
        assertEquals(other, planner.pathInfo(peer).relay());
        advance(PeerPath.YIELD);
        p = pass(Set.of(other));
        forPeer = changesOf(p, peer);
        assertEquals(2, forPeer.size(), "none came: our own handshake, " + p.decisions().reasons());
        assertEquals(endpointOf(other), forPeer.get(1).endpoint());
    }

    @Test
    void bothEndsPickTheSameRelay() {
        assertEquals(Rendezvous.choose(self, peer, List.of(r1, r2)), Rendezvous.choose(peer, self,
                List.of(r2, r1)));
        assertEquals(r1, Rendezvous.choose(self, peer, List.of(r1)));
        assertNull(Rendezvous.choose(self, peer, List.of()));
    }

    @Test
    void anUnreachablePeerIsRelayedAndFailsOverWhenItsRelayDies() {
        relayed();
        PublicKey in = chosen();
        PublicKey other = in.equals(r1) ? r2 : r1;
        rx = 1000;
        tx = 1000;
        // the relay in use stops answering probes: after DEAD_AFTER the peer moves to the other, re-added
        advance(Duration.ofMillis(500));
        pass(Set.of(other));
        assertEquals(endpointOf(in), device.get(peer).endpoint(), "not yet dead");
        advance(RelayPlanner.DEAD_AFTER);
        assertTrue(planner.needsPass(now), "a relay died: pass now");
        RelayPlanner.Plan p = pass(Set.of(other));
        assertEquals(endpointOf(other), device.get(peer).endpoint(), p.decisions().reasons().toString());
        List<PeerChange> forPeer = changed.peers().stream().filter(c -> c.publicKey().equals(peer)).toList();
        assertEquals(2, forPeer.size(), "removed and re-added, so a fresh handshake goes through the new relay");
        assertTrue(forPeer.get(0).remove());
        assertEquals(List.of(ll), forPeer.get(1).allowedIps(), "the peer keeps its allowed IPs");
        assertEquals(other, planner.pathInfo(peer).relay());
    }

    @Test
    void aPeerWithAPresharedKeyIsNeverReAddedOnlyMoved() {
        device.put(peer, new PeerState(peer, true, direct, List.of(ll), Instant.EPOCH, 0, 0, 0));
        relayed();
        PublicKey in = chosen();
        PublicKey other = in.equals(r1) ? r2 : r1;
        advance(Duration.ofMillis(500));
        pass(Set.of(other));
        advance(RelayPlanner.DEAD_AFTER);
        RelayPlanner.Plan p = pass(Set.of(other));
        assertEquals(endpointOf(other), device.get(peer).endpoint(), p.decisions().reasons().toString());
        assertFalse(changesOf(p, peer).stream().anyMatch(PeerChange::remove), "a re-add would lose the key: "
                + changed);
        assertTrue(device.get(peer).hasPresharedKey());
    }

    @Test
    void directIsRetriedWithADoublingBackOffAndTakenWhenItAnswers() {
        relayed();
        Set<PublicKey> both = Set.of(r1, r2);
        IpEndpoint relayEp = endpointOf(chosen());
        List<Long> gaps = new ArrayList<>();
        Instant lastTry = now;
        for (int i = 0; i < 8; i++) {
            // step in 1 s passes until the planner tries direct
            int steps = 0;
            while (!direct.equals(device.get(peer).endpoint())) {
                advance(Duration.ofSeconds(1));
                pass(both);
                assertTrue(++steps <= 61, "a try within 60 s");
            }
            gaps.add(Duration.between(lastTry, now).toSeconds());
            lastTry = now;
            advance(RelayPlanner.TRIAL);
            pass(both); // nothing came back: the relay endpoint again
            assertEquals(relayEp, device.get(peer).endpoint());
        }
        // 2, 4, 8, 16, 32, 60, 60 s between tries (plus the 3 s trials), never longer
        assertTrue(gaps.get(1) < gaps.get(3) && gaps.get(3) < gaps.get(5), gaps.toString());
        assertTrue(gaps.get(7) <= 60 + 3 + 1, gaps.toString());
        // now direct answers during a try
        while (!direct.equals(device.get(peer).endpoint())) {
            advance(Duration.ofSeconds(1));
            pass(both);
        }
        // bytes that came before a check found the endpoint in place may have come through the relay (WireGuard
        // roamed there before the endpoint was set): they prove nothing
        rx += 300;
        advance(PeerPath.TRIAL_CHECK);
        assertEquals(now, planner.nextWake(now.minus(PeerPath.TRIAL_CHECK).plusMillis(1)), "the check is woken");
        pass(both);
        advance(RelayPlanner.TRIAL.minus(PeerPath.TRIAL_CHECK));
        RelayPlanner.Plan p = pass(both);
        assertEquals(relayEp, device.get(peer).endpoint(), "only bytes before the check: " + p.decisions().reasons());
        while (!direct.equals(device.get(peer).endpoint())) {
            advance(Duration.ofSeconds(1));
            pass(both);
        }
        advance(PeerPath.TRIAL_CHECK);
        pass(both);
        rx += 500;
        advance(RelayPlanner.TRIAL.minus(PeerPath.TRIAL_CHECK));
        p = pass(both);
        assertEquals(direct, device.get(peer).endpoint(), p.decisions().reasons().toString());
        assertEquals("direct", planner.pathInfo(peer).path());
        // then direct stops answering while we send: back to the relay within DIRECT_STALL
        tx += 100;
        advance(Duration.ofSeconds(1));
        pass(both);
        tx += 100;
        advance(RelayPlanner.DIRECT_STALL);
        p = pass(both);
        assertEquals(relayEp, device.get(peer).endpoint(), p.decisions().reasons().toString());
        assertTrue(planner.pathInfo(peer).notDirect().contains("stopped"), planner.pathInfo(peer).toString());
    }

    /** Drops the offers (operator facts) from the believed facts, keeping the peer's attachments. */
    void noOffers() {
        believed.removeIf(f -> f.value() instanceof RelayAttachment a && a.operator());
    }

    @Test
    void configuredRelaysNobodyOffersAreUsedLikeOffers() {
        noOffers();
        planner.configured(List.of(RelayPlanner.Offer.configured(r1, List.of(e1)),
                RelayPlanner.Offer.configured(r2, List.of(e2))));
        assertEquals(List.of(new RelayPlanner.ProbeTarget(r1, e1), new RelayPlanner.ProbeTarget(r2, e2)),
                planner.probeTargets().stream().sorted(java.util.Comparator.comparing(t -> t.endpoint())).toList(),
                "probed before any pass: configured relays need no facts");
        relayed(); // registered with both, attachments published, the peer relayed through the hash's choice
        List<RelayPlanner.RelayView> views = planner.relays(now);
        assertEquals(2, views.size());
        for (RelayPlanner.RelayView v : views) {
            assertNull(v.operator(), "nobody offers it");
            assertTrue(v.configured() && v.alive() && v.attached(), v.toString());
        }
        // the path names the relay key (there is no operator to name)
        assertEquals("via relay " + chosen(), planner.pathInfo(peer).path());
        // the attachments it publishes are ordinary ones: the peer's side picks the same relay
        List<Fact> own = planner.localFacts(dev(), now, now.plusSeconds(60));
        assertTrue(own.stream().allMatch(f -> f.value() instanceof RelayAttachment a && !a.operator()), own.toString());
        assertEquals(Rendezvous.choose(peer, self, List.of(r2, r1)), chosen());
    }

    @Test
    void aConfiguredRelayThePeerDoesNotUseIsNotChosen() {
        noOffers();
        believed.removeIf(f -> f.subject().equals(peer) && f.value() instanceof RelayAttachment a && a.relay()
                .equals(r2));
        planner.configured(List.of(RelayPlanner.Offer.configured(r2, List.of(e2))));
        Set<PublicKey> both = Set.of(r1, r2);
        pass(both);
        advance(RelayPlanner.GIVE_UP_DIRECT);
        pass(both);
        pass(both);
        assertTrue(device.containsKey(r2), "registered with the configured relay");
        assertFalse(device.containsKey(r1), "r1 is neither configured nor offered, only the peer's attachment");
        assertEquals(direct, device.get(peer).endpoint(), "no relay both ends share: not relayed");
        // the peer registers with r2 too: now both ends know it
        believed.add(Fact.relay(peer, new RelayAttachment(false, r2, List.of(e2)), now.plusSeconds(3600)));
        RelayPlanner.Plan p = pass(both);
        assertEquals(e2, device.get(peer).endpoint(), p.decisions().reasons().toString());
        assertTrue(p.decisions().reasons().stream().noneMatch(r -> r.toString().contains("null")), p.decisions().reasons().toString());
    }

    @Test
    void aConfiguredRelayThatIsAlsoOfferedIsOneRelay() {
        IpEndpoint extra = IpEndpoint.parse("203.0.113.50:51823");
        planner.configured(List.of(RelayPlanner.Offer.configured(r1, List.of(extra))));
        pass(Set.of(r1, r2));
        List<RelayPlanner.RelayView> views = planner.relays(now);
        assertEquals(2, views.size(), views.toString());
        RelayPlanner.RelayView v1 = views.stream().filter(v -> v.relay().equals(r1)).findFirst().orElseThrow();
        assertEquals(op1, v1.operator(), "the offer names the operator");
        assertTrue(v1.configured());
        assertEquals(List.of(new RelayPlanner.ProbeTarget(r1, extra), new RelayPlanner.ProbeTarget(r1, e1)),
                planner.probeTargets().stream().filter(t -> t.relay().equals(r1)).toList(),
                "configured endpoints first, then the offered ones");
    }

    @Test
    void aRelayDroppedFromTheConfigIsUnregistered() {
        noOffers();
        planner.configured(List.of(RelayPlanner.Offer.configured(r1, List.of(e1)),
                RelayPlanner.Offer.configured(r2, List.of(e2))));
        relayed();
        PublicKey in = chosen();
        PublicKey other = in.equals(r1) ? r2 : r1;
        planner.configured(List.of(RelayPlanner.Offer.configured(other, List.of(endpointOf(other)))));
        RelayPlanner.Plan p = pass(Set.of(r1, r2));
        assertFalse(device.containsKey(in), "unregistered: " + p.decisions().reasons());
        assertFalse(planner.relayKeys().contains(in));
        advance(Duration.ofSeconds(1));
        p = pass(Set.of(r1, r2));
        assertEquals(endpointOf(other), device.get(peer).endpoint(), "moved to the relay still configured: "
                + p.decisions().reasons());
    }

    @Test
    void ownRelayAndOwnKeyAreNeverConfiguredRelays() {
        noOffers();
        planner.ownRelay(r1, List.of(e1));
        planner.configured(List.of(RelayPlanner.Offer.configured(r1, List.of(e1)),
                RelayPlanner.Offer.configured(self, List.of(e2))));
        pass(Set.of(r1, r2));
        assertEquals(List.of(), planner.relays(now), "neither our own relay nor our own key");
    }

    @Test
    void aHealthyPeerIsLeftAloneAndNothingRegisters() {
        healthy = true;
        for (int i = 0; i < 30; i++) {
            pass(Set.of(r1, r2));
            advance(Duration.ofSeconds(1));
        }
        assertEquals(1, device.size(), "no relay peers: " + device.keySet());
        assertEquals("direct", planner.pathInfo(peer).path());
        assertNotEquals(null, planner.pathInfo(peer).since());
    }
}
