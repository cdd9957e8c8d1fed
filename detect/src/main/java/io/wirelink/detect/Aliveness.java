package io.wirelink.detect;

import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Since when each peer has been alive without a break: a membership source only counts for deleting peers once it
 * has been alive for a while (PROTOCOL.md §5.6), so one that just came back cannot deconfigure the mesh on a stale
 * view. Pure: {@code now} is passed in.
 */
public final class Aliveness {
    private final Map<PublicKey, Instant> since = new HashMap<>();

    /**
     * Notes {@code k}'s believed Alive at {@code now}: alive while {@code aliveUntil} is after {@code now}.
     *
     * @return {@code aliveUntil} when alive, else null (a break: the peer's time alive starts again)
     */
    public Instant observe(PublicKey k, Instant aliveUntil, Instant now) {
        if (aliveUntil != null && aliveUntil.isAfter(now)) {
            since.putIfAbsent(k, now);
            return aliveUntil;
        }
        since.remove(k);
        return null;
    }

    /** Whether {@code k} has been alive for at least {@code settle} at {@code now}. */
    public boolean aliveFor(PublicKey k, Duration settle, Instant now) {
        Instant s = since.get(k);
        return s != null && !s.plus(settle).isAfter(now);
    }

    /** Forgets every peer not in {@code keys}. */
    public void retain(Set<PublicKey> keys) {
        since.keySet().retainAll(keys);
    }
}
