package io.wirelink.gossip;

import io.wirelink.facts.FactKey;
import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;

/**
 * What each peer is believed to know: for (peer, fact key), the expiry the peer holds. Raised when the peer sends
 * us a fact and when we send it one; cleared for a peer whose boot ID changes (it restarted and forgot). Bounded:
 * entries expire with the facts they describe, and each peer holds at most {@code perPeerCap} entries (the
 * soonest-expiring go first). Unlike wirelink's table it is pruned every pass. Single-threaded.
 */
public final class Knowledge {
    private final Map<PublicKey, Map<FactKey, Instant>> known = new HashMap<>();
    private final Map<PublicKey, UUID> bootIds = new HashMap<>();
    private final int perPeerCap;
    private final int peerCap;

    public Knowledge(int peerCap, int perPeerCap) {
        this.peerCap = peerCap;
        this.perPeerCap = perPeerCap;
    }

    /** The peer holds {@code key} until at least {@code expires}. */
    public void learned(PublicKey peer, FactKey key, Instant expires) {
        Map<FactKey, Instant> m = known.get(peer);
        if (m == null) {
            if (known.size() >= peerCap) {
                return; // bounded: an unknown flood of peers cannot grow the table
            }
            m = new HashMap<>();
            known.put(peer, m);
        }
        Instant old = m.get(key);
        if (old == null || expires.isAfter(old)) {
            if (old == null && m.size() >= perPeerCap) {
                evictSoonest(m);
            }
            m.put(key, expires);
        }
    }

    private static void evictSoonest(Map<FactKey, Instant> m) {
        FactKey soonest = null;
        Instant at = null;
        for (Map.Entry<FactKey, Instant> e : m.entrySet()) {
            if (at == null || e.getValue().isBefore(at)) {
                soonest = e.getKey();
                at = e.getValue();
            }
        }
        m.remove(soonest);
    }

    /**
     * Records a peer's boot ID; returns true when it changed (or is the first seen), in which case everything the
     * peer was believed to know is forgotten.
     */
    public boolean bootId(PublicKey peer, UUID id) {
        UUID old = bootIds.put(peer, id);
        if (!id.equals(old)) {
            known.remove(peer);
            return true;
        }
        return false;
    }

    public UUID bootIdOf(PublicKey peer) {
        return bootIds.get(peer);
    }

    /**
     * wirelink's rule: the peer needs the fact when it holds nothing for it, or when what it holds expires within
     * {@code window} and is older than what we would send.
     */
    public boolean needs(PublicKey peer, FactKey key, Instant factExpires, Duration window, Instant now) {
        Map<FactKey, Instant> m = known.get(peer);
        Instant k = m == null ? null : m.get(key);
        return k == null || (now.plus(window).isAfter(k) && k.isBefore(factExpires));
    }

    /** Forgets what a peer holds of one fact, so the next pass re-sends it (e.g. Alive after an endpoint change). */
    public void forget(PublicKey peer, FactKey key) {
        Map<FactKey, Instant> m = known.get(peer);
        if (m != null) {
            m.remove(key);
        }
    }

    /** Drops expired entries, and peers not in {@code keep}. */
    public void prune(Instant now, java.util.Set<PublicKey> keep) {
        known.keySet().retainAll(keep);
        bootIds.keySet().retainAll(keep);
        for (Iterator<Map<FactKey, Instant>> it = known.values().iterator(); it.hasNext(); ) {
            Map<FactKey, Instant> m = it.next();
            m.values().removeIf(e -> !e.isAfter(now));
            if (m.isEmpty()) {
                it.remove();
            }
        }
    }

    public int size() {
        int n = 0;
        for (Map<FactKey, Instant> m : known.values()) {
            n += m.size();
        }
        return n;
    }
}
