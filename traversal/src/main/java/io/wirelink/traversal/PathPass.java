package io.wirelink.traversal;

import io.wirelink.apply.PeerState;
import io.wirelink.apply.reconcile.PeerIntent;
import io.wirelink.apply.reconcile.Reason;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import io.wirelink.traversal.Disclosures.Disclosed;
import io.wirelink.traversal.PeerPath.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One pass's decisions for the member peers' paths: which transition of each {@link PeerPath} the device read calls
 * for, and what the device must do for it. Collects the endpoints to set, the peers to re-add, the peers to send to
 * at once, and the reasons.
 */
final class PathPass {
    /** How long a session may be old and still worth a remove/re-add when switching relays (REJECT_AFTER_TIME). */
    static final Duration SESSION = Duration.ofSeconds(180);
    /** How often a coordinated try sets its direct endpoint again after WireGuard roamed back to the relay. */
    static final int MAX_REASSERTS = 4;
    private final PublicKey self;
    private final Instant now;
    private final Registrations registrations;
    private final Disclosures disclosures;
    /** Our usable relays, and the relays each peer is attached to (its facts, fresh disclosures). */
    private final Set<PublicKey> ours;
    private final Map<PublicKey, Set<PublicKey>> theirs;
    /** Every relay endpoint known or registered with: never a direct endpoint. */
    private final Set<IpEndpoint> relayEndpoints;

    /** The endpoint each managed peer gets; a null value: keep what the device has. Absent: the reconciler's. */
    final Map<PublicKey, IpEndpoint> endpointFor = new LinkedHashMap<>();
    final Set<PublicKey> reAdd = new HashSet<>();
    final Set<PublicKey> switched = new HashSet<>();
    /** Peers to send to at once: a direct try began at the relay's switch moment, so both ends send now. */
    final Set<PublicKey> punch = new HashSet<>();
    final List<Reason> reasons = new ArrayList<>();
    /** Some peer needs a relay: registrations are kept. */
    boolean needed;

    PathPass(PublicKey self, Instant now, Registrations registrations, Disclosures disclosures, Set<PublicKey> ours,
            Map<PublicKey, Set<PublicKey>> theirs, Set<IpEndpoint> relayEndpoints) {
        this.self = self;
        this.now = now;
        this.registrations = registrations;
        this.disclosures = disclosures;
        this.ours = ours;
        this.theirs = theirs;
        this.relayEndpoints = relayEndpoints;
    }

    /** Decides the path of member peer {@code v}, on the device as {@code ps}. */
    void peer(PeerIntent v, PeerState ps, PeerPath pp) {
        PublicKey k = v.key();
        pp.basic(v.basic());
        boolean viaRelay = ps.endpoint() != null && relayEndpoints.contains(ps.endpoint());
        pp.trackRx(ps, now);
        if (pp.state() == State.DIRECT) {
            direct(v, ps, pp, viaRelay);
            return;
        }
        needed = true;
        pp.relayedAt(now);
        Set<PublicKey> common = Rendezvous.common(ours, theirs.get(k));
        if (pp.state() == State.TRIAL && !common.contains(pp.relay())) {
            pp.relayLost(now); // fail over now, try direct later
        }
        if (pp.state() == State.TRIAL && trial(v, ps, pp)) {
            return;
        }
        relayed(v, ps, pp, common);
    }

    /** DIRECT: stays while healthy; relayed once direct is given up and a relay is shared. */
    private void direct(PeerIntent v, PeerState ps, PeerPath pp, boolean viaRelay) {
        PublicKey k = v.key();
        boolean stalled = pp.stalled(v.healthy(), ps, now);
        if (v.healthy() && !viaRelay && !stalled) {
            pp.healthy();
            return;
        }
        Instant unhealthySince = pp.unhealthy(now);
        if (!unhealthySince.plus(RelayPlanner.ATTACH_AFTER).isAfter(now)) {
            needed = true;
        }
        // nothing of our own to try: no endpoint on the device, no candidate but what relays disclosed
        boolean nothingToTry = (ps.endpoint() == null || relayEndpoints.contains(ps.endpoint()))
                && noCandidate(v, disclosures.endpoints(k));
        if (nothingToTry) {
            needed = true; // register at once: there is nothing else to wait for
        }
        boolean givenUp = stalled || viaRelay || pp.everRelayed() || nothingToTry
                || !unhealthySince.plus(RelayPlanner.GIVE_UP_DIRECT).isAfter(now);
        if (!givenUp) {
            return;
        }
        if (stalled) {
            pp.notDirect("direct path stopped answering");
        } else if (viaRelay) {
            pp.notDirect("the peer reached us through a relay");
        } else if (nothingToTry) {
            pp.notDirect("no endpoint of its own known");
        } else if (pp.why().isEmpty() || !pp.why().startsWith("no direct")) {
            pp.notDirect("no direct handshake for " + Duration.between(unhealthySince, now).toSeconds() + " s with "
                    + v.endpoints().size() + " endpoint candidates (punch timed out)");
        }
        needed = true;
        PublicKey r = Rendezvous.choose(self, k, Rendezvous.common(ours, theirs.get(k)));
        if (r != null) {
            startRelaying(k, ps, pp, r);
        }
    }

    private void startRelaying(PublicKey k, PeerState ps, PeerPath pp, PublicKey r) {
        IpEndpoint ep = registrations.endpoint(r);
        // with the relay disclosing the peer's mapping, try direct at its next switch moment; else later (a basic
        // peer has no moment: its first try waits, so the path through the relay works first)
        pp.relay(r, ep, now, disclosures.fresh(k, r, now) != null && !pp.basic());
        boolean hold = pp.hold(self, k, ps, now);
        endpointFor.put(k, hold ? null : ep);
        if (ps.lastHandshake().isAfter(now.minus(SESSION)) && !ep.equals(ps.endpoint())) {
            // a session made elsewhere: start afresh through the relay. One that already runs through it (the peer
            // reached us through it) is kept: removing it would break the handshake in flight
            reAdd.add(k);
        }
        reasons.add(new Reason(k, "via relay " + r + " at " + ep + " (" + pp.why() + ")"
                + (hold ? "; waiting up to " + PeerPath.YIELD.toMillis()
                        + " ms for its handshake through the relay" : "")));
    }

    /** TRIAL: returns true when the try runs on or succeeded; false when it failed (now RELAYED). */
    private boolean trial(PeerIntent v, PeerState ps, PeerPath pp) {
        PublicKey k = v.key();
        PeerPath.Trial t = pp.trial();
        if (t.end.isAfter(now)) {
            running(k, ps, pp);
            return true;
        }
        if (ps.endpoint() != null && ps.endpoint().equals(t.endpoint) && t.rxAtTrial >= 0
                && ps.rxBytes() > t.rxAtTrial && v.healthy()) {
            reasons.add(new Reason(k, "direct again at " + ps.endpoint() + " after " + pp.trials() + " tries; relay "
                    + pp.relay() + " left"));
            pp.trialSucceeded(now);
            return true;
        }
        pp.trialFailed(now);
        return false;
    }

    private void running(PublicKey k, PeerState ps, PeerPath pp) {
        PeerPath.Trial t = pp.trial();
        t.nextCheck = now.plus(PeerPath.TRIAL_CHECK);
        if (t.coordinated && ps.endpoint() != null && relayEndpoints.contains(ps.endpoint())
                && t.reasserted < MAX_REASSERTS) {
            // a packet still in flight through the relay made WireGuard roam back to it: both ends send direct
            // now, so set the direct endpoint again (and send) rather than lose the try
            t.reasserted++;
            // what arrived so far may have come through the relay: only bytes received after a later check still
            // finds the direct endpoint in place prove the direct path
            t.rxAtTrial = -1;
            endpointFor.put(k, t.endpoint);
            punch.add(k);
            reasons.add(new Reason(k, "roamed back to relay " + pp.relay() + " during the direct try; direct at "
                    + t.endpoint + " again"));
            return;
        }
        if (t.rxAtTrial < 0 && ps.endpoint() != null && ps.endpoint().equals(t.endpoint)) {
            t.rxAtTrial = ps.rxBytes(); // the direct endpoint held since it was set again
        }
        endpointFor.put(k, ps.endpoint()); // the trial runs; the reconciler must not move the endpoint
    }

    /** RELAYED: fail over or move to the preferred relay, honour a hold, else try direct when due. */
    private void relayed(PeerIntent v, PeerState ps, PeerPath pp, Set<PublicKey> common) {
        PublicKey k = v.key();
        PublicKey r = Rendezvous.choose(self, k, common);
        if (!common.contains(pp.relay())) {
            if (r != null) {
                reasons.add(new Reason(k, "relay " + pp.relay() + " lost, via relay " + r + " at "
                        + registrations.endpoint(r)));
                pp.failOver(r, registrations.endpoint(r), now);
                reAdd.add(k);
                pp.hold(self, k, ps, now);
            }
        } else if (r != null && !r.equals(pp.relay())) {
            // a better shared relay appeared (the peer attached to it): both ends move to it
            reasons.add(new Reason(k, "via relay " + r + " (preferred for this pair) instead of " + pp.relay()));
            pp.prefer(r, registrations.endpoint(r), now);
            reAdd.add(k);
            pp.hold(self, k, ps, now);
        }
        if (pp.holding() && holding(k, ps, pp)) {
            return;
        }
        if (!reAdd.contains(k) && tryDirect(v, pp)) {
            return;
        }
        endpointFor.put(k, pp.relayEndpoint());
    }

    /** True while our end still holds back its handshake; ends the hold when one came or the time is up. */
    private boolean holding(PublicKey k, PeerState ps, PeerPath pp) {
        if (ps.lastHandshake().isAfter(pp.holdFrom()) || pp.relayEndpoint().equals(ps.endpoint())) {
            pp.endHold(); // the other end's handshake came through the relay
            return false;
        }
        if (pp.holdUntil().isAfter(now)) {
            endpointFor.put(k, null); // still holding: keep what the device has
            return true;
        }
        // nothing came: start our own handshake. A re-add, because traffic while we held used up WireGuard's one
        // initiation per 5 s (sent with no endpoint, or to the old one)
        pp.endHold();
        reAdd.add(k);
        reasons.add(new Reason(k, "no handshake came through relay " + pp.relay() + " in "
                + PeerPath.YIELD.toMillis() + " ms; starting our own"));
        return false;
    }

    /**
     * A direct try: coordinated, at the relay's switch moment for the pair (the other end got the same one), with
     * the mapping the relay sees, once the path through the relay works; alone, at our own time, when the relay sets
     * no moment. Returns whether one started.
     */
    private boolean tryDirect(PeerIntent v, PeerPath pp) {
        PublicKey k = v.key();
        Disclosed d = disclosures.fresh(k, pp.relay(), now);
        IpEndpoint direct = null;
        boolean coordinated = false;
        if (d != null && d.moment() != null && !d.moment().isAfter(now)) {
            pp.sawMoment(d.moment());
        }
        if (d != null && d.moment() != null && v.healthy() && !d.moment().isAfter(now)
                && !d.moment().isBefore(pp.nextTrial().minus(PeerPath.LATE_JOIN))
                && !now.isAfter(d.moment().plus(PeerPath.LATE_JOIN))) {
            direct = d.endpoint();
            coordinated = true;
        } else if (!pp.nextTrial().isAfter(now) && (d == null || d.moment() == null
                || !now.isBefore(pp.nextTrial().plus(PeerPath.MOMENT_WAIT)))) {
            direct = d != null ? d.endpoint() : directCandidate(v, pp.trials());
        }
        if (direct == null) {
            if (!pp.nextTrial().isAfter(now) && d == null) {
                pp.retryLater(now); // no candidate at all: look again later
            }
            return false;
        }
        punch.add(k);
        pp.startTrial(direct, coordinated, now);
        endpointFor.put(k, direct);
        switched.add(k);
        reasons.add(new Reason(k, "relayed via " + pp.relay() + ", trying direct at " + direct + " (try "
                + pp.trials() + (coordinated ? ", at the relay's switch moment" : "") + ")"));
        return true;
    }

    /** True when the peer has no endpoint candidate but relays' and what relays disclosed. */
    private boolean noCandidate(PeerIntent v, Set<IpEndpoint> disclosed) {
        for (PeerIntent.Candidate c : v.endpoints()) {
            if (!relayEndpoints.contains(c.endpoint()) && !disclosed.contains(c.endpoint())) {
                return false;
            }
        }
        return true;
    }

    /** The peer's direct candidates, observed ones first, round robin over the tries. */
    private IpEndpoint directCandidate(PeerIntent v, int trial) {
        List<PeerIntent.Candidate> cands = new ArrayList<>();
        for (PeerIntent.Candidate c : v.endpoints()) {
            if (!relayEndpoints.contains(c.endpoint())) {
                cands.add(c);
            }
        }
        if (cands.isEmpty()) {
            return null;
        }
        cands.sort(Comparator.comparing((PeerIntent.Candidate c) -> !c.observed())
                .thenComparing(PeerIntent.Candidate::endpoint));
        return cands.get(trial % cands.size()).endpoint();
    }
}
