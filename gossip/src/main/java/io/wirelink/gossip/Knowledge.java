package io.wirelink.gossip;

import io.wirelink.facts.Fact;
import io.wirelink.facts.FactKey;
import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What each peer is believed to know: for (peer, fact key), the expiry the peer holds. Raised when the peer sends
 * us a fact and when we send it one; cleared for a peer whose boot ID changes (it restarted and forgot). Bounded:
 * entries expire with the facts they describe, and each peer holds at most {@code perPeerCap} entries (the
 * soonest-expiring go first). Unlike wirelink's table it is pruned every pass. Single-threaded.
 *
 * <p>It also keeps what lets {@link SendPlanner} plan a pass in O(changes) per peer rather than O(facts) (see
 * {@link #scan}): the eligible list, numbered by generation with the keys that changed in each ({@link EligibleList}),
 * and per peer the generation it was last planned against and the earliest expiry that could make an unchanged fact
 * due again ({@link KnownPeer}). Expiries are kept as ticks of an {@link ExpiryClock}.
 */
public final class Knowledge {
    /** Forgotten keys remembered per peer until its next plan (see {@code KnownPeer.forgotten}). */
    static final int FORGOTTEN = 1024;

    private final ExpiryClock clock = new ExpiryClock();

    long tick(Instant t) {
        return clock.tick(t);
    }

    Instant instantOf(long tick) {
        return clock.instantOf(tick);
    }

    private final Map<PublicKey, KnownPeer> known = new HashMap<>();
    private final Map<PublicKey, UUID> bootIds = new HashMap<>();
    private int perPeerCap;
    private int peerCap;
    private final EligibleList list = new EligibleList();

    public Knowledge(int peerCap, int perPeerCap) {
        caps(peerCap, perPeerCap);
    }

    /**
     * Sets the bounds: at most {@code peerCap} peers and {@code perPeerCap} entries per peer. The owner raises them
     * with the mesh (a hub of 10,000 peers with a fixed 4,096 tracked none of the rest, so it sent them every fact
     * on every pass); lowering them takes effect as entries come and go.
     */
    public void caps(int peerCap, int perPeerCap) {
        if (peerCap < 1 || perPeerCap < 1) {
            throw new IllegalArgumentException("caps must be positive");
        }
        this.peerCap = peerCap;
        this.perPeerCap = perPeerCap;
    }

    /**
     * The peer sent us {@code key}, valid until {@code expires}: it holds it (as {@link #learned}), and keeps
     * holding it when its first boot ID arrives later.
     */
    public void heard(PublicKey peer, FactKey key, Instant expires) {
        learned(peer, key, expires);
        KnownPeer p = known.get(peer);
        if (p != null && !bootIds.containsKey(peer)) {
            if (p.heard == null) {
                p.heard = new HashSet<>();
            }
            if (p.heard.size() < perPeerCap) {
                p.heard.add(key);
            }
        }
    }

    /** The peer holds {@code key} until at least {@code expires}. */
    public void learned(PublicKey peer, FactKey key, Instant expires) {
        KnownPeer p = known.get(peer);
        if (p == null) {
            if (known.size() >= peerCap) {
                return; // bounded: an unknown flood of peers cannot grow the table
            }
            p = new KnownPeer();
            known.put(peer, p);
        }
        long old = p.held.get(key);
        if (old == ExpiryMap.ABSENT || tick(expires) > old) {
            if (old == ExpiryMap.ABSENT && p.held.size() >= perPeerCap) {
                p.held.removeSoonest();
                p.intact = false;
            }
            p.put(key, tick(expires), expires);
        }
    }

    /**
     * Records a peer's boot ID; returns true when it changed (or is the first seen), in which case everything the
     * peer was believed to know is forgotten, except, for the first one seen, what the peer itself sent us
     * ({@link #heard}): its facts come before its Alive, possibly in earlier datagrams of the same batch, and
     * forgetting them made every leaf echo a hub's whole first batch back to the hub.
     */
    public boolean bootId(PublicKey peer, UUID id) {
        UUID old = bootIds.put(peer, id);
        if (!id.equals(old)) {
            KnownPeer p = known.get(peer);
            if (old != null || p == null || p.heard == null) {
                known.remove(peer);
            } else {
                // first seen: what we sent before may have gone to a previous life of the peer, but what it sent
                // us it holds
                p.held.retainAll(p.heard);
                p.intact = false;
                if (p.held.isEmpty()) {
                    known.remove(peer);
                }
            }
            if (p != null) {
                p.heard = null;
            }
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
        KnownPeer p = known.get(peer);
        long k = p == null ? ExpiryMap.ABSENT : p.held.get(key);
        return needs(k, tick(factExpires), tick(now.plus(window)));
    }

    private static boolean needs(long held, long factExpires, long horizon) {
        return held == ExpiryMap.ABSENT || (horizon > held && held < factExpires);
    }

    /** Forgets what a peer holds of one fact, so the next pass re-sends it (e.g. Alive after an endpoint change). */
    public void forget(PublicKey peer, FactKey key) {
        KnownPeer p = known.get(peer);
        if (p != null && p.held.remove(key) && p.intact) {
            if (p.forgotten == null) {
                p.forgotten = new ArrayList<>();
            }
            if (p.forgotten.size() < FORGOTTEN) {
                p.forgotten.add(key);
            } else {
                p.intact = false;
                p.forgotten = null;
            }
        }
    }

    /**
     * Drops expired entries, and peers not in {@code keep}. O(peers), plus the entries of peers that hold one that
     * has expired.
     */
    public void prune(Instant now, Set<PublicKey> keep) {
        known.keySet().retainAll(keep);
        bootIds.keySet().retainAll(keep);
        for (Iterator<KnownPeer> it = known.values().iterator(); it.hasNext(); ) {
            KnownPeer p = it.next();
            if (p.minExpiry != null && !p.minExpiry.isAfter(now)) {
                long min = p.held.removeExpired(clock.tickDown(now));
                p.minExpiry = min == ExpiryMap.ABSENT ? null : instantOf(min);
            }
            if (p.held.isEmpty()) {
                it.remove();
            }
        }
    }

    // the last list given to gone(): its facts by key
    private Map<FactKey, Fact> goneBase = new HashMap<>();
    private List<Fact> goneList;

    /**
     * The facts of the list last given to this method that are not in {@code eligible} (by key): what we stopped
     * sharing since. O(eligible) when the list changed; the first call returns nothing.
     */
    public List<Fact> gone(List<Fact> eligible) {
        if (eligible == goneList) {
            return List.of();
        }
        list.prepare(eligible);
        Map<FactKey, Fact> now = new HashMap<>(list.size() * 2);
        for (int i = 0; i < list.size(); i++) {
            now.put(list.key(i), list.fact(i));
        }
        List<Fact> out = new ArrayList<>();
        if (goneList != null) {
            for (Map.Entry<FactKey, Fact> e : goneBase.entrySet()) {
                if (!now.containsKey(e.getKey())) {
                    out.add(e.getValue());
                }
            }
        }
        goneBase = now;
        goneList = eligible;
        return out;
    }

    /** Whether {@code key} is in the list last given to {@link #gone}. */
    public boolean sharing(FactKey key) {
        return goneBase.containsKey(key);
    }

    /** The peers believed to hold {@code key} unexpired at {@code now}. O(peers). */
    public List<PublicKey> holders(FactKey key, Instant now) {
        List<PublicKey> out = new ArrayList<>();
        long t = clock.tickDown(now);
        for (Map.Entry<PublicKey, KnownPeer> e : known.entrySet()) {
            long held = e.getValue().held.get(key);
            if (held != ExpiryMap.ABSENT && held > t) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** Every peer's entries, for tests. */
    Map<PublicKey, Map<FactKey, Instant>> entries() {
        Map<PublicKey, Map<FactKey, Instant>> out = new HashMap<>();
        known.forEach((k, p) -> {
            Map<FactKey, Instant> m = new HashMap<>();
            p.held.forEach((key, expires) -> m.put(key, instantOf(expires)));
            out.put(k, m);
        });
        return out;
    }

    public int size() {
        int n = 0;
        for (KnownPeer p : known.values()) {
            n += p.held.size();
        }
        return n;
    }

    // ------------------------------------------------------------------ planning in O(changes)

    /**
     * The facts of {@code eligible} that planning for {@code peer} must look at, in list order: every one, or, when
     * the peer was planned against an earlier version of the list, nothing it held has gone since (other than by
     * expiring), and no fact it was not sent can have come due by {@code now + window}, only those new or changed
     * since. The caller applies its rules to each index, calls {@link Scan#needs} for those it would send, records
     * what it sends with {@link #learned}, and ends with {@link Scan#done}.
     *
     * <p>This is exact, not a heuristic, as long as the rules that skip a fact for a peer depend only on the fact,
     * the peer and whether the fact has expired: a fact that did not change was, at the last plan, sent (the peer
     * then holds its expiry), skipped (and still is), or not needed because the peer held it until after the
     * window (which {@code due} bounds) or until at least the fact's expiry.
     */
    public Scan scan(PublicKey peer, List<Fact> eligible, Duration window, Instant now) {
        list.prepare(eligible);
        Instant horizon = now.plus(window);
        KnownPeer p = known.get(peer);
        int[] indexes = null;
        if (p != null && p.intact && list.uniqueKeys() && p.planned >= 0 && window.equals(p.window)
                && (p.due == null || !horizon.isAfter(p.due))) {
            indexes = list.withForgotten(list.changedSince(p.planned), p.forgotten);
        }
        if (p != null) {
            p.intact = true;
            p.forgotten = null;
        }
        return new Scan(peer, p, indexes, horizon, window);
    }

    /** One peer's plan in progress: see {@link #scan}. */
    public final class Scan {
        private final PublicKey peer;
        private final KnownPeer started;
        private int[] indexes;
        private final boolean incremental;
        private final Instant horizon;
        private final long horizonNanos;
        private final Duration window;
        private Instant due;
        private int position;
        private int last = -1;

        private Scan(PublicKey peer, KnownPeer started, int[] indexes, Instant horizon, Duration window) {
            this.peer = peer;
            this.started = started;
            this.indexes = indexes;
            this.incremental = indexes != null;
            this.horizon = horizon;
            this.horizonNanos = tick(horizon);
            this.window = window;
        }

        /**
         * The index in the eligible list of the next fact to look at, ascending, or -1 when done. If an entry of
         * the peer was evicted meanwhile (the cap), every fact after the last one is looked at.
         */
        public int next() {
            if (indexes != null && !started.intact) {
                indexes = null; // an unchanged fact further on may have lost its entry
                position = last + 1;
            }
            if (indexes == null) {
                last = position < list.size() ? position++ : -1;
            } else {
                last = position < indexes.length ? indexes[position++] : -1;
            }
            return last;
        }

        /** The key of the fact at {@code index} in the eligible list (computed once per list). */
        public FactKey key(int index) {
            return list.key(index);
        }

        /** {@link Knowledge#needs} at the scan's time and window; a fact not needed is remembered for when it is. */
        public boolean needs(FactKey key, Instant factExpires) {
            KnownPeer p = known.get(peer);
            long k = p == null ? ExpiryMap.ABSENT : p.held.get(key);
            long expires = tick(factExpires);
            if (Knowledge.needs(k, expires, horizonNanos)) {
                return true;
            }
            if (k < expires && (due == null || k < tick(due))) {
                due = instantOf(k);
            }
            return false;
        }

        /** Ends the plan: the peer counts as planned against this generation if nothing it held went meanwhile. */
        public void done() {
            KnownPeer p = known.get(peer);
            if (p == null) {
                return;
            }
            // p is the record the scan started with, or one its first learned() created
            if ((started != null && p != started) || !p.intact || !list.uniqueKeys()) {
                p.planned = -1;
                return;
            }
            Instant before = incremental ? p.due : null;
            p.due = before == null ? due : (due == null || before.isBefore(due) ? before : due);
            p.window = window;
            p.planned = list.generation();
            p.intact = true;
        }
    }
}
