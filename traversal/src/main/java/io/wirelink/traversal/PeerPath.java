package io.wirelink.traversal;

import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import io.wirelink.traversal.Disclosures.Disclosed;
import java.time.Duration;
import java.time.Instant;

/**
 * The path to one member peer as the relay client sees it, with explicit states and transitions:
 * <pre>
 *   DIRECT  --relay--------------------------> RELAYED
 *   RELAYED --failOver / prefer--------------> RELAYED (another relay)
 *   RELAYED --startTrial---------------------> TRIAL   (a direct try while relayed)
 *   TRIAL   --trialSucceeded-----------------> DIRECT
 *   TRIAL   --trialFailed / relayLost--------> RELAYED (try again after a back-off)
 * </pre>
 * A transition from any other state is refused with an {@link IllegalStateException}: it would be a planning bug.
 * Time is passed in; nothing here reads a clock.
 */
final class PeerPath {

    enum State { DIRECT, RELAYED, TRIAL }

    /** How often a coordinated try is looked at while it runs (for roaming back to the relay). */
    static final Duration TRIAL_CHECK = Duration.ofMillis(250);
    /**
     * How late a relay's switch moment may be joined (the other end's try lasts
     * {@link RelayPlanner#COORDINATED_TRIAL}).
     */
    static final Duration LATE_JOIN = Duration.ofMillis(500);
    /**
     * How long a direct try that is due waits for a switch moment from the relay in use before it goes alone (the
     * relay sets one every 2 to 3 s while both ends ask).
     */
    static final Duration MOMENT_WAIT = Duration.ofSeconds(3);
    /**
     * How long the end with the greater key holds back its own handshake when a pair starts through a relay. Both
     * ends usually decide at the same moment (the same disclosure, the same registration); two initiations that cross
     * in the relay supersede each other in WireGuard, and the pair is cut off until the next retry 5 s later. So
     * only the smaller key's end starts; the other answers it (WireGuard roams to the relay on its initiation) and
     * starts its own only when nothing came within this time.
     */
    static final Duration YIELD = Duration.ofSeconds(1);

    /** A direct try while relayed: where, until when, and what the checks while it runs found. */
    static final class Trial {
        final IpEndpoint endpoint;
        final Instant end;
        /** Whether it began at a relay's switch moment (the other end tries at the same time). */
        final boolean coordinated;
        /** How often its endpoint was set again after WireGuard roamed back to the relay. */
        int reasserted;
        /** When it is looked at next while it runs. */
        Instant nextCheck;
        /** Received bytes when the direct endpoint was first seen in place; -1 until then. */
        long rxAtTrial = -1;

        Trial(IpEndpoint endpoint, Instant end, boolean coordinated, Instant nextCheck) {
            this.endpoint = endpoint;
            this.end = end;
            this.coordinated = coordinated;
            this.nextCheck = nextCheck;
        }

        /** A coordinated try is looked at while it runs, and any try once, to see its endpoint in place. */
        boolean checked() {
            return coordinated || rxAtTrial < 0;
        }
    }

    private State state = State.DIRECT;
    private PublicKey relay;
    private IpEndpoint relayEndpoint;
    private Trial trial;
    private int trials;
    /** Whether a direct try was made since the peer was last relayed. */
    private boolean tried;
    private Duration backoff = RelayPlanner.FIRST_RETRY;
    /** When the next direct try is due while relayed. */
    private Instant nextTrial;
    private Instant unhealthySince;
    /** When the pass last found the peer relayed or trying: a direct path that stalls soon after goes back. */
    private Instant lastRelayed;
    /** The last switch moment a pass looked at when it had come (so no further pass is asked for it). */
    private Instant momentSeen;
    /** Why the peer is not direct, for {@code show}. */
    private String why = "";
    /** A pass was asked for the current trial end, retry or hold end (so it is asked once). */
    private boolean passAsked;
    /**
     * A basic peer (WireGuard only, no agent): it never asks the relay, so it never switches at the relay's moments;
     * our direct tries with it go alone (a coordinated one would mistake relayed packets for direct).
     */
    private boolean basic;
    /** While set: our end holds back its handshake through the relay until then ({@link #YIELD}); since when. */
    private Instant holdUntil;
    private Instant holdFrom;
    private long lastRx = -1;
    private long txAtRx;
    private Instant rxChanged;

    State state() {
        return state;
    }

    /** The relay in use while RELAYED or TRIAL; null when DIRECT. */
    PublicKey relay() {
        return relay;
    }

    IpEndpoint relayEndpoint() {
        return relayEndpoint;
    }

    /** The running try while TRIAL, else null. */
    Trial trial() {
        return trial;
    }

    int trials() {
        return trials;
    }

    Duration backoff() {
        return backoff;
    }

    Instant nextTrial() {
        return nextTrial;
    }

    /** Since when the path is unhealthy while DIRECT, or null. */
    Instant unhealthySince() {
        return unhealthySince;
    }

    String why() {
        return why;
    }

    boolean basic() {
        return basic;
    }

    /** Whether our end holds back its handshake through the relay ({@link #hold}). */
    boolean holding() {
        return holdUntil != null;
    }

    Instant holdUntil() {
        return holdUntil;
    }

    Instant holdFrom() {
        return holdFrom;
    }

    /** Whether the peer was ever relayed or trying direct from a relay. */
    boolean everRelayed() {
        return lastRelayed != null;
    }

    // ------------------------------------------------------------------ facts of a pass

    void basic(boolean basic) {
        this.basic = basic;
    }

    /** The pass found the peer relayed or trying direct. */
    void relayedAt(Instant now) {
        lastRelayed = now;
    }

    /** The direct path works: nothing to explain. */
    void healthy() {
        unhealthySince = null;
        why = "";
    }

    /** The direct path does not work at {@code now}; returns since when. */
    Instant unhealthy(Instant now) {
        if (unhealthySince == null) {
            unhealthySince = now;
        }
        return unhealthySince;
    }

    /** Why the peer is not direct, for {@code show} and reasons. */
    void notDirect(String reason) {
        why = reason;
    }

    /** A switch moment that had come was looked at. */
    void sawMoment(Instant moment) {
        momentSeen = moment;
    }

    /** No direct candidate at all: look again after the back-off. */
    void retryLater(Instant now) {
        nextTrial = now.plus(backoff);
    }

    /** The hold ended: the other end's handshake came through the relay, or ours starts now. */
    void endHold() {
        holdUntil = null;
    }

    // ------------------------------------------------------------------ transitions

    /** DIRECT to RELAYED through {@code r}; the first try is at once ({@code tryNow}) or after the first back-off. */
    void relay(PublicKey r, IpEndpoint endpoint, Instant now, boolean tryNow) {
        require(State.DIRECT, "relay");
        state = State.RELAYED;
        tried = false;
        relay = r;
        relayEndpoint = endpoint;
        lastRelayed = now;
        backoff = RelayPlanner.FIRST_RETRY;
        nextTrial = tryNow ? now : now.plus(RelayPlanner.FIRST_RETRY);
        passAsked = false;
    }

    /** RELAYED to RELAYED through another relay, because ours is no longer shared and alive; no try before settled. */
    void failOver(PublicKey r, IpEndpoint endpoint, Instant now) {
        require(State.RELAYED, "failOver");
        relay = r;
        relayEndpoint = endpoint;
        // the new relay's path first: a direct try due meanwhile would cut the pair off right now
        Instant settle = now.plus(backoff);
        if (nextTrial == null || nextTrial.isBefore(settle)) {
            nextTrial = settle;
        }
    }

    /** RELAYED to RELAYED through the relay the pair prefers (the peer attached to a better one). */
    void prefer(PublicKey r, IpEndpoint endpoint, Instant now) {
        require(State.RELAYED, "prefer");
        relay = r;
        relayEndpoint = endpoint;
    }

    /** RELAYED to TRIAL: try {@code direct} for {@link RelayPlanner#TRIAL} (coordinated: the shorter try). */
    void startTrial(IpEndpoint direct, boolean coordinated, Instant now) {
        require(State.RELAYED, "startTrial");
        tried = true;
        state = State.TRIAL;
        passAsked = false;
        trials++;
        trial = new Trial(direct, now.plus(coordinated ? RelayPlanner.COORDINATED_TRIAL : RelayPlanner.TRIAL),
                coordinated, now.plus(TRIAL_CHECK));
    }

    /** TRIAL to DIRECT: the direct endpoint held and the peer answered there. */
    void trialSucceeded(Instant now) {
        require(State.TRIAL, "trialSucceeded");
        state = State.DIRECT;
        trial = null;
        relay = null;
        unhealthySince = null;
        why = "";
        rxChanged = now;
    }

    /** TRIAL to RELAYED: nothing came back; the next try after twice the back-off (at most MAX_RETRY). */
    void trialFailed(Instant now) {
        require(State.TRIAL, "trialFailed");
        state = State.RELAYED;
        backoff = backoff.multipliedBy(2).compareTo(RelayPlanner.MAX_RETRY) > 0 ? RelayPlanner.MAX_RETRY
                : backoff.multipliedBy(2);
        nextTrial = now.plus(backoff);
        passAsked = false;
        why = "direct try " + trials + " got no answer; next in " + backoff.toSeconds() + " s";
        trial = null;
    }

    /** TRIAL to RELAYED: the relay died during the try; fail over now, try direct again after the back-off. */
    void relayLost(Instant now) {
        require(State.TRIAL, "relayLost");
        state = State.RELAYED;
        nextTrial = now.plus(backoff);
        passAsked = false;
        trial = null;
    }

    private void require(State from, String transition) {
        if (state != from) {
            throw new IllegalStateException("path transition " + transition + " from " + state + " (needs " + from
                    + ")");
        }
    }

    // ------------------------------------------------------------------ within a state

    /**
     * Starts holding back our handshake with {@code k} through the relay ({@link RelayPlanner#YIELD}) when ours is
     * the end that yields: the peer runs an agent (a basic peer never starts through a relay on its own), our key is
     * the greater, and the device does not already send through the relay. Returns whether it holds.
     */
    boolean hold(PublicKey self, PublicKey k, PeerState ps, Instant now) {
        holdUntil = null;
        if (basic || self.compareTo(k) < 0 || relayEndpoint.equals(ps.endpoint())) {
            return false;
        }
        holdUntil = now.plus(YIELD);
        holdFrom = now;
        passAsked = false;
        return true;
    }

    /** A relay disclosed the peer before our first try: that try is at this relay's next moment, as the other end's. */
    void tryAtMoment(PublicKey discloser, Instant now) {
        if (state == State.RELAYED && !tried && discloser.equals(relay) && nextTrial.isAfter(now)) {
            nextTrial = now;
            passAsked = false;
        }
    }

    void trackRx(PeerState ps, Instant now) {
        if (ps.rxBytes() != lastRx || rxChanged == null) {
            lastRx = ps.rxBytes();
            rxChanged = now;
            txAtRx = ps.txBytes();
        }
    }

    /** A direct path soon after being relayed that receives nothing for DIRECT_STALL while we send. */
    boolean stalled(boolean healthy, PeerState ps, Instant now) {
        return lastRelayed != null && healthy && rxChanged.plus(RelayPlanner.DIRECT_STALL).isBefore(now)
                && ps.txBytes() > txAtRx && now.minus(Duration.ofMinutes(10)).isBefore(lastRelayed);
    }

    // ------------------------------------------------------------------ scheduling

    /** Whether {@code d}'s switch moment (of the relay in use) is one to try at and not yet looked at. */
    boolean joinable(Disclosed d, Instant now) {
        return d != null && d.moment() != null && !d.moment().isBefore(nextTrial.minus(LATE_JOIN))
                && !now.isAfter(d.moment().plus(LATE_JOIN))
                && !Disclosures.sameMoment(d.moment(), momentSeen);
    }

    /** When a pass must run for this path (a try's check or end, a hold's end, a switch moment), or null. */
    Instant wakeAt(Instant now, Disclosed d) {
        Instant next = null;
        if (state == State.TRIAL && trial.end.isAfter(now)) {
            next = trial.checked() && trial.nextCheck.isAfter(now) && trial.nextCheck.isBefore(trial.end)
                    ? trial.nextCheck : trial.end;
        }
        if (holdUntil != null && holdUntil.isAfter(now)) {
            // a switch moment is not looked at while we hold (the pass skips the peer)
            return earlier(next, holdUntil);
        }
        if (!joinable(d, now)) {
            return next;
        }
        // a moment that passed while the peer was not yet relayed here is joined late, at once
        return earlier(next, d.moment().isAfter(now) ? d.moment() : now.plusMillis(1));
    }

    /** Whether a full pass is due now for this path; {@code d}: the fresh disclosure by our relay while RELAYED. */
    boolean due(Instant now, Disclosed d) {
        if (state == State.TRIAL && (!trial.end.isAfter(now) || (trial.checked() && !trial.nextCheck.isAfter(now)))) {
            return true;
        }
        if (holdUntil != null) {
            return !holdUntil.isAfter(now);
        }
        return joinable(d, now) && !d.moment().isAfter(now);
    }

    /** Whether a try ended, a retry or the end of a hold came, not yet asked for; marks it asked. */
    boolean askPass(Instant now) {
        if ((state == State.TRIAL && !trial.end.isAfter(now) && !passAsked)
                || (state == State.RELAYED && nextTrial != null && !nextTrial.isAfter(now) && !passAsked)
                || (holdUntil != null && !holdUntil.isAfter(now) && !passAsked)) {
            passAsked = true;
            return true;
        }
        return false;
    }

    static Instant earlier(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }
}
