package io.wirelink.detect;

import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Retries a first handshake sooner than WireGuard does. WireGuard sends one initiation per Rekey-Timeout (5 s), so
 * a node whose first initiation or its answer is lost waits 5 s, and one that loses three in a row (1% loss on a
 * path, a thousand nodes joining) waits 15 s before it can learn anything. A peer with an endpoint that we have sent
 * to but never had a handshake with and never heard from is removed and re-added with the same endpoint, allowed IPs
 * and keepalive, which clears WireGuard's rate limit so the next packet sends a new initiation: after {@link #RETRIES}
 * (1, 2 and 4 s after the previous try), then WireGuard's own 5 s retries take over.
 *
 * <p>The core asks it only about routers and configured peers: first contact with them is how a joining node learns
 * the mesh, while pairs of members have probes and coordinated punches of their own, which re-adds would disturb
 * (in the simulator, applied to every peer, they left slightly fewer punchable pairs direct at 20 s: 99.1-99.3%
 * against 99.5-99.7% over three seeds at 300 nodes).
 *
 * <p>Never for a peer with a preshared key (a re-add cannot restore it: the device does not give it back), one the
 * relay planner is moving (relayed or trying direct), one without an endpoint, or one that sent us anything (its
 * own handshake may be in flight, and a re-add would drop it). Pure: the core applies the re-adds.
 */
public final class FirstContact {
    /** The waits before each re-add, counted from the first initiation sent, then from the previous re-add. */
    public static final List<Duration> RETRIES = List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));

    private static final class Tracked {
        int tries;
        Instant next;
    }

    private final Map<PublicKey, Tracked> peers = new HashMap<>();

    /**
     * The peers to re-add now, given the device as read. {@code skip}: peers someone else manages (the relay planner's
     * relayed ones).
     */
    public List<PublicKey> due(DeviceState device, Instant now, Predicate<PublicKey> skip) {
        List<PublicKey> out = new ArrayList<>();
        Set<PublicKey> seen = new HashSet<>();
        for (PeerState p : device.peers()) {
            PublicKey k = p.publicKey();
            seen.add(k);
            Tracked t = peers.get(k);
            boolean waiting = p.endpoint() != null && !p.hasPresharedKey() && p.lastHandshake().equals(Instant.EPOCH)
                    && p.rxBytes() == 0 && !skip.test(k);
            if (!waiting) {
                if (t != null && (!p.lastHandshake().equals(Instant.EPOCH) || p.rxBytes() > 0)) {
                    t.tries = RETRIES.size(); // contact made: done with this peer for good
                    t.next = null;
                }
                continue;
            }
            if (t == null) {
                if (p.txBytes() == 0) {
                    continue; // nothing sent yet: WireGuard has not tried
                }
                t = new Tracked();
                t.next = now.plus(RETRIES.get(0));
                peers.put(k, t);
                continue;
            }
            if (t.next == null || now.isBefore(t.next)) {
                continue;
            }
            t.tries++;
            t.next = t.tries < RETRIES.size() ? now.plus(RETRIES.get(t.tries)) : null;
            out.add(k);
        }
        peers.keySet().retainAll(seen);
        return out;
    }

    /** When the next re-add may fall due, or null. */
    public Instant nextWake() {
        Instant next = null;
        for (Tracked t : peers.values()) {
            if (t.next != null && (next == null || t.next.isBefore(next))) {
                next = t.next;
            }
        }
        return next;
    }

    /** Whether a re-add is due at {@code now} (a pass should run). */
    public boolean isDue(Instant now) {
        Instant n = nextWake();
        return n != null && !now.isBefore(n);
    }
}
