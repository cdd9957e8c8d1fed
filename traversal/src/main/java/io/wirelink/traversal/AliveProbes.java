package io.wirelink.traversal;

import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The schedule of Alive probes: our Alive sent on its own to a peer whose path does not work, so that WireGuard
 * initiates a handshake and the peer learns it can answer. Two cases ask for one: a quiet path (a v2 leaf we only
 * ping) that turned unhealthy, and first contact with a peer never heard from on a path that does not work (both
 * behind symmetric NATs, say). Probes back off from the Alive period, doubling, to {@value #MAX_PROBE_BACKOFF} times
 * it. Not to be confused with the relay liveness probe ({@link RelayPlanner.ProbeTarget}, sent by the runtime to
 * relays) or detect's FirstContact retry (a re-add when WireGuard lost a first handshake).
 */
public final class AliveProbes {
    /** Probes of a path back off up to this many Alive periods. */
    public static final int MAX_PROBE_BACKOFF = 64;
    /**
     * Of two peers probing each other (first contact, an endpoint switch), the one with the higher key waits this
     * long: initiations sent at once cross, and WireGuard then retries only after 5 s.
     */
    public static final Duration DESYNC = Duration.ofMillis(500);

    private record Probe(Instant next, Duration backoff) {}

    private final PublicKey self;
    private final Map<PublicKey, Probe> probes = new HashMap<>();
    /** Peers whose schedule was consulted this pass; the others' schedules are dropped after it. */
    private final Set<PublicKey> probed = new HashSet<>();

    public AliveProbes(PublicKey self) {
        this.self = self;
    }

    /**
     * Whether an Alive probe goes to {@code k} now (the path needs one), scheduling the next after the back-off;
     * false: not yet. The first probe of the higher key waits {@link #DESYNC}.
     */
    public boolean probe(PublicKey k, Duration alivePeriod, Instant now) {
        probed.add(k);
        Probe pr = probes.get(k);
        if (pr == null && self.compareTo(k) > 0) {
            // the higher key probes DESYNC later, so the two sides' handshake initiations do not cross
            probes.put(k, new Probe(now.plus(DESYNC), alivePeriod.dividedBy(2)));
            return false;
        }
        if (pr != null && now.isBefore(pr.next())) {
            return false;
        }
        Duration b = pr == null ? alivePeriod : pr.backoff().multipliedBy(2);
        if (b.compareTo(alivePeriod.multipliedBy(MAX_PROBE_BACKOFF)) > 0) {
            b = alivePeriod.multipliedBy(MAX_PROBE_BACKOFF);
        }
        probes.put(k, new Probe(now.plus(b), b));
        return true;
    }

    /**
     * An endpoint switch: probe the new endpoint at once (the higher key {@link #DESYNC} later), halving the
     * back-off.
     */
    public void probeNow(PublicKey k, Instant now) {
        Probe pr = probes.get(k);
        if (pr != null) {
            probes.put(k, new Probe(self.compareTo(k) > 0 ? now.plus(DESYNC) : now, pr.backoff().dividedBy(2)));
        }
    }

    /** The path no longer needs probing. */
    public void remove(PublicKey k) {
        probes.remove(k);
    }

    /** Whether {@code k} has a probe scheduled that is due at {@code now}. */
    public boolean isDue(PublicKey k, Instant now) {
        Probe p = probes.get(k);
        return p != null && !now.isBefore(p.next());
    }

    /** Whether {@code k} has no probe scheduled, or one that is due: a failed path's probe (and punch) may go. */
    public boolean dueOrUnscheduled(PublicKey k, Instant now) {
        Probe p = probes.get(k);
        return p == null || !now.isBefore(p.next());
    }

    /** Whether some probe is due at {@code now}. */
    public boolean anyDue(Instant now) {
        for (Probe p : probes.values()) {
            if (!now.isBefore(p.next())) {
                return true;
            }
        }
        return false;
    }

    /** The peers whose probe is due at {@code now}. */
    public Set<PublicKey> due(Instant now) {
        Set<PublicKey> out = new HashSet<>();
        probes.forEach((k, p) -> {
            if (!now.isBefore(p.next())) {
                out.add(k);
            }
        });
        return out;
    }

    /** The earliest probe after {@code now}, or null. */
    public Instant nextProbeDue(Instant now) {
        Instant next = null;
        for (Probe p : probes.values()) {
            if (p.next().isAfter(now) && (next == null || p.next().isBefore(next))) {
                next = p.next();
            }
        }
        return next;
    }

    /** A pass begins: it records which schedules it consults. */
    public void startPass() {
        probed.clear();
    }

    /** A pass ended: a schedule it did not consult belongs to a path that no longer needs one. */
    public void endPass() {
        probes.keySet().retainAll(probed);
    }

    /** Forgets every peer not in {@code known}. */
    public void retain(Set<PublicKey> known) {
        probes.keySet().retainAll(known);
    }
}
