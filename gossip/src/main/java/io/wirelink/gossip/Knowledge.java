package io.wirelink.gossip;

import io.wirelink.facts.Fact;
import io.wirelink.facts.FactKey;
import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What each peer is believed to know: for (peer, fact key), the expiry the peer holds. Raised when the peer sends
 * us a fact and when we send it one; cleared for a peer whose boot ID changes (it restarted and forgot). Bounded:
 * entries expire with the facts they describe, and each peer holds at most {@code perPeerCap} entries (the
 * soonest-expiring go first). Unlike wirelink's table it is pruned every pass. Single-threaded.
 *
 * <p>It also keeps what lets {@link SendPlanner} plan a pass in O(changes) per peer rather than O(facts) (see
 * {@link #scan}): the eligible list, numbered by generation with the keys that changed in each, and per peer the
 * generation it was last planned against and the earliest expiry that could make an unchanged fact due again.
 */
public final class Knowledge {
    /** Generations of the eligible list remembered; a peer planned longer ago is planned in full. */
    private static final int GENERATIONS = 64;
    /** Forgotten keys remembered per peer until its next plan (see {@code Peer.forgotten}). */
    private static final int FORGOTTEN = 1024;

    /** One peer's entries and planning state. */
    private static final class Peer {
        final ExpiryMap held = new ExpiryMap();
        /** At most the earliest expiry held (null: none held since the last prune); prune looks only when due. */
        Instant minExpiry;
        /** False after an entry went other than by expiring: then the next plan must look at every fact. */
        boolean intact = true;
        /** The eligible generation this peer was last planned against, or -1. */
        long planned = -1;
        /** At most the earliest expiry held of a fact planned but not sent that a later window can make due. */
        Instant due;
        Duration window;
        /**
         * Keys forgotten since the last plan ({@link Knowledge#forget}: a datagram not acknowledged), which the next
         * plan looks at besides the changed ones; null when none. Past {@link #FORGOTTEN} the peer is planned in
         * full instead. Before, any forgotten key made the next plan look at every fact: at a hub of a big mesh,
         * where every peer loses a datagram now and then, nearly every plan in a join was O(facts).
         */
        List<FactKey> forgotten;
        /** Until the peer's first boot ID: the keys it sent us itself (see {@link Knowledge#bootId}). */
        java.util.Set<FactKey> heard;

        void put(FactKey key, long tick, Instant expires) {
            held.put(key, tick);
            if (minExpiry == null || expires.isBefore(minExpiry)) {
                minExpiry = expires;
            }
        }
    }

    /**
     * Expiries are kept as ticks: whole seconds, rounded up, after the first second this table saw, in an int (4
     * bytes an entry rather than 8; see {@link ExpiryMap}). Rounding up makes a peer's copy count as living up to a
     * second longer, which only moves a re-send by that much. Ticks reach 68 years either side of the first use;
     * beyond, they saturate (the far future is "never").
     */
    private long baseSecond = Long.MIN_VALUE;

    long tick(Instant t) {
        long s = t.getEpochSecond();
        if (baseSecond == Long.MIN_VALUE) {
            if (Math.abs(s) >= 9_000_000_000L) {
                return s > 0 ? ExpiryMap.MAX : ExpiryMap.MIN; // "never" or "long ago" cannot be the scale's origin
            }
            baseSecond = s;
        }
        if (s >= baseSecond + ExpiryMap.MAX) {
            return ExpiryMap.MAX;
        }
        if (s <= baseSecond + ExpiryMap.MIN) {
            return ExpiryMap.MIN;
        }
        return s - baseSecond + (t.getNano() > 0 ? 1 : 0);
    }

    /**
     * {@code now} as a tick rounded down: an entry whose tick is at most this has certainly expired (its expiry
     * was rounded up), so pruning never drops what a peer may still hold.
     */
    long tickDown(Instant now) {
        long t = tick(now);
        return t > ExpiryMap.MIN && t < ExpiryMap.MAX && now.getNano() > 0 ? t - 1 : t;
    }

    Instant instantOf(long tick) {
        return tick >= ExpiryMap.MAX ? Instant.MAX : Instant.ofEpochSecond(baseSecond + tick);
    }

    private final Map<PublicKey, Peer> known = new HashMap<>();
    private final Map<PublicKey, UUID> bootIds = new HashMap<>();
    private int perPeerCap;
    private int peerCap;

    // the eligible list as last prepared: its facts and keys, each key's index, and the keys changed per generation
    private List<Fact> preparedList;
    private Fact[] facts = new Fact[0];
    private FactKey[] keys = new FactKey[0];
    private Map<FactKey, Integer> indexOf = new HashMap<>();
    private boolean uniqueKeys = true;
    private long generation;
    private final ArrayDeque<Changes> changes = new ArrayDeque<>();

    private record Changes(long generation, FactKey[] keys) {}

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
        Peer p = known.get(peer);
        if (p != null && !bootIds.containsKey(peer)) {
            if (p.heard == null) {
                p.heard = new java.util.HashSet<>();
            }
            if (p.heard.size() < perPeerCap) {
                p.heard.add(key);
            }
        }
    }

    /** The peer holds {@code key} until at least {@code expires}. */
    public void learned(PublicKey peer, FactKey key, Instant expires) {
        Peer p = known.get(peer);
        if (p == null) {
            if (known.size() >= peerCap) {
                return; // bounded: an unknown flood of peers cannot grow the table
            }
            p = new Peer();
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
            Peer p = known.get(peer);
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
        Peer p = known.get(peer);
        long k = p == null ? ExpiryMap.ABSENT : p.held.get(key);
        return needs(k, tick(factExpires), tick(now.plus(window)));
    }

    private static boolean needs(long held, long factExpires, long horizon) {
        return held == ExpiryMap.ABSENT || (horizon > held && held < factExpires);
    }

    /** Forgets what a peer holds of one fact, so the next pass re-sends it (e.g. Alive after an endpoint change). */
    public void forget(PublicKey peer, FactKey key) {
        Peer p = known.get(peer);
        if (p != null && p.held.remove(key) && p.intact) {
            if (p.forgotten == null) {
                p.forgotten = new java.util.ArrayList<>();
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
    public void prune(Instant now, java.util.Set<PublicKey> keep) {
        known.keySet().retainAll(keep);
        bootIds.keySet().retainAll(keep);
        for (Iterator<Peer> it = known.values().iterator(); it.hasNext(); ) {
            Peer p = it.next();
            if (p.minExpiry != null && !p.minExpiry.isAfter(now)) {
                long min = p.held.removeExpired(tickDown(now));
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
        prepare(eligible);
        Map<FactKey, Fact> now = new HashMap<>(keys.length * 2);
        for (int i = 0; i < keys.length; i++) {
            now.put(keys[i], facts[i]);
        }
        List<Fact> out = new java.util.ArrayList<>();
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
        List<PublicKey> out = new java.util.ArrayList<>();
        long t = tickDown(now);
        for (Map.Entry<PublicKey, Peer> e : known.entrySet()) {
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
        for (Peer p : known.values()) {
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
        prepare(eligible);
        Instant horizon = now.plus(window);
        Peer p = known.get(peer);
        int[] indexes = null;
        if (p != null && p.intact && uniqueKeys && p.planned >= 0 && window.equals(p.window)
                && (p.due == null || !horizon.isAfter(p.due))) {
            indexes = withForgotten(changedSince(p.planned), p.forgotten);
        }
        if (p != null) {
            p.intact = true;
            p.forgotten = null;
        }
        return new Scan(peer, p, indexes, horizon, window);
    }

    /** {@code changed} and the indexes of {@code forgotten} keys in the list, ascending, once each; null: null. */
    private int[] withForgotten(int[] changed, List<FactKey> forgotten) {
        if (changed == null || forgotten == null) {
            return changed;
        }
        int[] out = Arrays.copyOf(changed, changed.length + forgotten.size());
        int n = changed.length;
        for (FactKey k : forgotten) {
            Integer i = indexOf.get(k);
            if (i != null) {
                out[n++] = i; // a key no longer in the list is not planned anyway
            }
        }
        Arrays.sort(out, 0, n);
        int m = 0;
        for (int j = 0; j < n; j++) {
            if (m == 0 || out[j] != out[m - 1]) {
                out[m++] = out[j];
            }
        }
        return Arrays.copyOf(out, m);
    }

    /** The indexes of the keys changed after generation {@code since}, ascending; null when not known or many. */
    private int[] changedSince(long since) {
        if (since == generation) {
            return new int[0];
        }
        if (changes.isEmpty() || changes.peekFirst().generation() > since + 1) {
            return null; // older than what is remembered
        }
        int[] out = new int[16];
        int n = 0;
        for (Iterator<Changes> it = changes.descendingIterator(); it.hasNext(); ) {
            Changes c = it.next();
            if (c.generation() <= since) {
                break;
            }
            for (FactKey k : c.keys()) {
                Integer i = indexOf.get(k);
                if (i != null) {
                    if (n == out.length) {
                        if (n > keys.length / 4) {
                            return null; // as cheap to look at everything
                        }
                        out = Arrays.copyOf(out, n * 2);
                    }
                    out[n++] = i;
                }
            }
        }
        out = Arrays.copyOf(out, n);
        Arrays.sort(out);
        // a key changed in several generations is listed once
        int m = 0;
        for (int j = 0; j < n; j++) {
            if (m == 0 || out[j] != out[m - 1]) {
                out[m++] = out[j];
            }
        }
        return Arrays.copyOf(out, m);
    }

    /** Makes {@code eligible} the current list: a new generation when its content differs from the last one. */
    private void prepare(List<Fact> eligible) {
        if (eligible == preparedList) {
            return;
        }
        int n = eligible.size();
        if (n == facts.length) {
            boolean same = true;
            for (int i = 0; i < n && same; i++) {
                Fact f = eligible.get(i);
                same = f == facts[i] || f.equals(facts[i]);
            }
            if (same) {
                preparedList = eligible;
                return;
            }
        }
        Map<FactKey, Integer> oldIndex = indexOf;
        Fact[] oldFacts = facts;
        Fact[] newFacts = new Fact[n];
        FactKey[] newKeys = new FactKey[n];
        Map<FactKey, Integer> newIndex = new HashMap<>(n * 2);
        FactKey[] changed = new FactKey[n];
        int c = 0;
        boolean unique = true;
        for (int i = 0; i < n; i++) {
            Fact f = eligible.get(i);
            FactKey k = f.key(); // computed once per Fact, which keeps it
            newFacts[i] = f;
            newKeys[i] = k;
            if (newIndex.put(k, i) != null) {
                unique = false;
            }
            Integer was = oldIndex.get(k);
            if (was == null || !(oldFacts[was] == f || oldFacts[was].equals(f))) {
                changed[c++] = k;
            }
        }
        preparedList = eligible;
        facts = newFacts;
        keys = newKeys;
        indexOf = newIndex;
        // a list with a repeated key (never the agent's: one fact per key) makes changes ambiguous: plan in full
        uniqueKeys &= unique;
        generation++;
        changes.addLast(new Changes(generation, Arrays.copyOf(changed, c)));
        if (changes.size() > GENERATIONS) {
            changes.removeFirst();
        }
    }

    /** One peer's plan in progress: see {@link #scan}. */
    public final class Scan {
        private final PublicKey peer;
        private final Peer started;
        private int[] indexes;
        private final boolean incremental;
        private final Instant horizon;
        private final long horizonNanos;
        private final Duration window;
        private Instant due;
        private int position;
        private int last = -1;

        private Scan(PublicKey peer, Peer started, int[] indexes, Instant horizon, Duration window) {
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
                last = position < facts.length ? position++ : -1;
            } else {
                last = position < indexes.length ? indexes[position++] : -1;
            }
            return last;
        }

        /** The key of the fact at {@code index} in the eligible list (computed once per list). */
        public FactKey key(int index) {
            return keys[index];
        }

        /** {@link Knowledge#needs} at the scan's time and window; a fact not needed is remembered for when it is. */
        public boolean needs(FactKey key, Instant factExpires) {
            Peer p = known.get(peer);
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
            Peer p = known.get(peer);
            if (p == null) {
                return;
            }
            // p is the record the scan started with, or one its first learned() created
            if ((started != null && p != started) || !p.intact || !uniqueKeys) {
                p.planned = -1;
                return;
            }
            Instant before = incremental ? p.due : null;
            p.due = before == null ? due : (due == null || before.isBefore(due) ? before : due);
            p.window = window;
            p.planned = generation;
            p.intact = true;
        }
    }
}
