package io.wirelink.detect;

import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Whether each peer's direct path carries traffic, beyond what a handshake alone says (PROTOCOL.md, quiet paths).
 * A quiet peer whose last handshake aged out with nothing sent since keeps its path ("idle"). Traffic after a
 * {@link #SILENCE} wakes the path (the NAT holes may have closed); if nothing comes back within
 * {@link #RESUME_GRACE} the path has failed and stays failed until a new handshake or received bytes prove it.
 *
 * <p>Pure state over device reads: {@code now} is always passed in. The tables are hash maps and their iteration
 * order is part of the output (the order of punch requests in a datagram), so they are kept as they are.
 */
public final class PathHealth {
    /**
     * Sending after this long without sending wakes a quiet path: NATs drop an idle UDP flow after 30 s or more
     * (Linux conntrack), so the hole may have closed and the peer is asked to punch towards us.
     */
    public static final Duration SILENCE = Duration.ofSeconds(25);
    /** After a wake, how long until something must come back from the peer, or the path counts as failed. */
    public static final Duration RESUME_GRACE = Duration.ofSeconds(12);

    /**
     * A quiet path that was proven (a handshake at this endpoint): the counters and when they last moved, and when
     * traffic woke the path after a silence (cleared once something comes back).
     */
    private record Idle(Instant handshake, IpEndpoint endpoint, long tx, long rx, Instant txAt, Instant rxAt,
            Instant wokeAt) {
        /** Woken, nothing came back within the grace: the direct path is dead (a NAT closed it). */
        boolean failed(Instant now) {
            return wokeAt != null && !now.isBefore(wokeAt.plus(RESUME_GRACE));
        }
    }

    private final Map<PublicKey, Idle> idle = new HashMap<>();
    /** The last handshake time seen per peer: a path is proven only by a handshake newer than the last one seen. */
    private final Map<PublicKey, Instant> handshakeSeen = new HashMap<>();
    /** Paths that failed after a wake, with the rx counter then: unhealthy until a handshake or rx. */
    private final Map<PublicKey, Long> failed = new HashMap<>();

    /**
     * Whether a path carries traffic: healthy (a recent handshake) or idle, and neither failed after a wake nor
     * failed earlier without a proof since. A failed path's routes fall back to a router, and probes and endpoint
     * cycling start, until something arrives again.
     */
    public boolean healthy(PeerState p, Instant now) {
        Idle i = idle.get(p.publicKey());
        if ((i != null && i.failed(now)) || failed.containsKey(p.publicKey())) {
            return false;
        }
        return Health.healthy(p, now) || i != null;
    }

    /**
     * Follows each device peer's counters and handshake (once per pass). Only peers for which {@code quiet} holds
     * (they acknowledge what we send, so silence is allowed) and that have an endpoint can be idle.
     */
    public void track(DeviceState device, Predicate<PublicKey> quiet, Instant now) {
        for (PeerState p : device.peers()) {
            PublicKey k = p.publicKey();
            if (!quiet.test(k) || p.endpoint() == null) {
                idle.remove(k);
                continue;
            }
            Idle i = idle.get(k);
            boolean healthy = Health.healthy(p, now);
            Instant seen = handshakeSeen.put(k, p.lastHandshake());
            boolean newProof = seen == null || !seen.equals(p.lastHandshake());
            Long rxAtFailure = failed.get(k);
            if (rxAtFailure != null && (newProof || p.rxBytes() != rxAtFailure)) {
                failed.remove(k); // a handshake, or something from the peer: the path works again
            }
            if (i != null && i.failed(now)) {
                failed.put(k, p.rxBytes()); // stays failed through endpoint switches until it works again
            }
            if (i == null || !p.endpoint().equals(i.endpoint()) || !p.lastHandshake().equals(i.handshake())) {
                // only a handshake proves a path: a new one starts afresh; a new endpoint without one (an endpoint
                // switch after a failure) is not a proven path until it handshakes
                if (healthy && newProof) {
                    idle.put(k, new Idle(p.lastHandshake(), p.endpoint(), p.txBytes(), p.rxBytes(), now, now, null));
                } else {
                    idle.remove(k);
                }
                continue;
            }
            idle.put(k, moved(i, p, now));
        }
    }

    /** {@code i} after the counters of {@code p} were read at {@code now}. */
    private static Idle moved(Idle i, PeerState p, Instant now) {
        Instant wokeAt = i.wokeAt();
        Instant txAt = i.txAt();
        Instant rxAt = i.rxAt();
        if (p.rxBytes() != i.rx()) {
            wokeAt = null; // something came back: the path works
            rxAt = now;
        }
        if (p.txBytes() != i.tx()) {
            // sending again after a silence in either direction: our NAT's hole lives on what we send, the
            // peer's on what it sends us
            Instant oldest = i.txAt().isBefore(i.rxAt()) ? i.txAt() : i.rxAt();
            if (wokeAt == null && !now.isBefore(oldest.plus(SILENCE))) {
                wokeAt = now;
            }
            txAt = now;
        }
        return new Idle(i.handshake(), i.endpoint(), p.txBytes(), p.rxBytes(), txAt, rxAt, wokeAt);
    }

    /**
     * Whether a device read shows traffic on an idle path that had been silent for {@link #SILENCE} at
     * {@code lastPass}: worth a pass now rather than at the next tick, so the wake is noticed at once.
     */
    public boolean wakes(DeviceState d, Instant lastPass) {
        if (lastPass == null) {
            return false;
        }
        for (Map.Entry<PublicKey, Idle> e : idle.entrySet()) {
            PeerState p = d.peer(e.getKey());
            Idle q = e.getValue();
            if (p != null && p.txBytes() != q.tx() && (!lastPass.isBefore(q.txAt().plus(SILENCE))
                    || !lastPass.isBefore(q.rxAt().plus(SILENCE)))) {
                return true;
            }
        }
        return false;
    }

    /** Calls {@code action} with each idle path woken by traffic and not answered yet, and when it woke. */
    public void forEachWoken(BiConsumer<PublicKey, Instant> action) {
        for (Map.Entry<PublicKey, Idle> e : idle.entrySet()) {
            if (e.getValue().wokeAt() != null) {
                action.accept(e.getKey(), e.getValue().wokeAt());
            }
        }
    }

    /** Peers whose path failed and has not been proven since (a read-only view). */
    public Set<PublicKey> failedPaths() {
        return Collections.unmodifiableSet(failed.keySet());
    }

    /** Forgets every peer not in {@code known}. */
    public void retain(Set<PublicKey> known) {
        idle.keySet().retainAll(known);
        handshakeSeen.keySet().retainAll(known);
        failed.keySet().retainAll(known);
    }
}
