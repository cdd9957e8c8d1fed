package io.wirelink.dht;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Kademlia k-buckets: bucket i holds contacts whose ID shares exactly i leading bits with ours (0..255). Only keys
 * that authenticated a packet to us enter, and only with enough workbit (the caller checks both). Each bucket keeps
 * its contacts in least-recently-seen order and prefers long-lived ones: a newcomer to a full bucket goes to the
 * bucket's replacement cache, and the caller pings the least recently seen contact; only if that ping times out is
 * the contact evicted and the freshest replacement promoted.
 */
final class RoutingTable {
    static final class Entry {
        final Peer peer;
        IpEndpoint endpoint;
        long lastSeen;
        int failures;
        final int bucket;

        Entry(Peer peer, IpEndpoint endpoint, long lastSeen, int bucket) {
            this.peer = peer;
            this.endpoint = endpoint;
            this.lastSeen = lastSeen;
            this.bucket = bucket;
        }

        Contact contact() {
            return new Contact(peer.key, endpoint);
        }
    }

    static final class Bucket {
        final ArrayList<Entry> entries = new ArrayList<>(); // index 0 = least recently seen
        final ArrayDeque<Entry> replacements = new ArrayDeque<>(); // first = most recently seen
        long lastLookup;
        /** A ping-before-evict is in flight (to {@link #evictionTarget}). */
        boolean evictionPing;
        PublicKey evictionTarget;
    }

    /** Failures after which a contact goes even without a replacement. */
    static final int MAX_FAILURES = 5;
    /** Failures after which a contact is swapped for a replacement if the bucket has one. */
    static final int REPLACE_FAILURES = 2;

    private final NodeId self;
    private final int k;
    private final int replacementSize;
    private final Bucket[] buckets = new Bucket[256];
    private final Map<PublicKey, Entry> byKey = new HashMap<>();

    RoutingTable(NodeId self, int k, int replacementSize, long now) {
        this.self = self;
        this.k = k;
        this.replacementSize = replacementSize;
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new Bucket();
            buckets[i].lastLookup = now;
        }
    }

    int size() {
        return byKey.size();
    }

    Entry get(PublicKey key) {
        return byKey.get(key);
    }

    Bucket bucket(int i) {
        return buckets[i];
    }

    int bucketIndex(NodeId id) {
        return self.commonPrefixLength(id);
    }

    /** The deepest bucket that holds a contact, or -1. */
    int deepestNonEmpty() {
        for (int i = 255; i >= 0; i--) {
            if (!buckets[i].entries.isEmpty()) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Records an authenticated packet from {@code peer} at {@code from}.
     *
     * @return the contact to ping before evicting it, when {@code peer} is new, its bucket is full and no such ping
     *     is already in flight; otherwise {@code null}
     */
    Entry seen(Peer peer, IpEndpoint from, long now) {
        int bi = self.commonPrefixLength(peer.id);
        if (bi >= 256) {
            return null;
        }
        Bucket b = buckets[bi];
        Entry e = byKey.get(peer.key);
        if (e != null) {
            e.endpoint = from;
            e.lastSeen = now;
            e.failures = 0;
            b.entries.remove(e);
            b.entries.add(e);
            return null;
        }
        if (b.entries.size() < k) {
            e = new Entry(peer, from, now, bi);
            b.entries.add(e);
            byKey.put(peer.key, e);
            removeReplacement(b, peer.key);
            return null;
        }
        if (replacementSize > 0) {
            removeReplacement(b, peer.key);
            b.replacements.addFirst(new Entry(peer, from, now, bi));
            while (b.replacements.size() > replacementSize) {
                b.replacements.removeLast();
            }
        }
        if (b.evictionPing) {
            return null;
        }
        return b.entries.get(0);
    }

    private static void removeReplacement(Bucket b, PublicKey key) {
        b.replacements.removeIf(r -> r.peer.key.equals(key));
    }

    /** Notes that a request to {@code key} got no answer; may evict it. Returns true when it was evicted. */
    boolean failed(PublicKey key) {
        Entry e = byKey.get(key);
        if (e == null) {
            return false;
        }
        e.failures++;
        Bucket b = buckets[e.bucket];
        if (e.failures >= MAX_FAILURES || (e.failures >= REPLACE_FAILURES && !b.replacements.isEmpty())) {
            evict(e);
            return true;
        }
        return false;
    }

    /** Removes {@code e} and promotes the freshest replacement, if any. */
    void evict(Entry e) {
        Bucket b = buckets[e.bucket];
        if (!b.entries.remove(e)) {
            return;
        }
        byKey.remove(e.peer.key);
        Entry r = b.replacements.pollFirst();
        if (r != null) {
            b.entries.add(0, r); // it has not been seen since it was cached: least recently seen
            byKey.put(r.peer.key, r);
        }
    }

    /** Up to {@code n} contacts closest to {@code target}, closest first, skipping {@code exclude} (may be null). */
    List<Entry> closest(NodeId target, int n, PublicKey exclude) {
        // bucket t shares at least t + 1 bits with the target; every deeper bucket exactly t; bucket i < t exactly i.
        // So the best come from bucket t, then from all deeper buckets together, then from t-1, t-2, ... in turn.
        if (n <= 0) {
            return List.of();
        }
        Entry[] best = new Entry[n];
        int[] count = {0};
        int t = self.commonPrefixLength(target);
        if (t < 256) {
            select(buckets[t].entries, target, exclude, best, count);
        }
        if (count[0] < n) {
            int before = count[0];
            Entry[] deeper = new Entry[n - before];
            int[] dc = {0};
            for (int i = t + 1; i < 256; i++) {
                select(buckets[i].entries, target, exclude, deeper, dc);
            }
            System.arraycopy(deeper, 0, best, before, dc[0]);
            count[0] += dc[0];
        }
        for (int i = Math.min(t, 256) - 1; i >= 0 && count[0] < n; i--) {
            int before = count[0];
            Entry[] group = new Entry[n - before];
            int[] gc = {0};
            select(buckets[i].entries, target, exclude, group, gc);
            System.arraycopy(group, 0, best, before, gc[0]);
            count[0] += gc[0];
        }
        List<Entry> out = new ArrayList<>(count[0]);
        for (int i = 0; i < count[0]; i++) {
            out.add(best[i]);
        }
        return out;
    }

    /** Keeps the {@code best.length} entries closest to {@code target} in {@code best}, sorted (insertion). */
    private static void select(List<Entry> entries, NodeId target, PublicKey exclude, Entry[] best, int[] count) {
        int cap = best.length;
        for (int j = 0, m = entries.size(); j < m; j++) {
            Entry e = entries.get(j);
            int c = count[0];
            if (c == cap && target.compareDistance(e.peer.id, best[c - 1].peer.id) >= 0) {
                continue;
            }
            if (exclude != null && exclude.equals(e.peer.key)) {
                continue;
            }
            int pos = c == cap ? c - 1 : c;
            while (pos > 0 && target.compareDistance(e.peer.id, best[pos - 1].peer.id) < 0) {
                best[pos] = best[pos - 1];
                pos--;
            }
            best[pos] = e;
            if (c < cap) {
                count[0] = c + 1;
            }
        }
    }

    Iterable<Entry> entries() {
        return byKey.values();
    }

    /** Removes a key outright (it went read-only). */
    void remove(PublicKey key) {
        Entry e = byKey.get(key);
        if (e != null) {
            Bucket b = buckets[e.bucket];
            b.entries.remove(e);
            byKey.remove(key);
        }
        for (Bucket b : buckets) {
            Iterator<Entry> it = b.replacements.iterator();
            while (it.hasNext()) {
                if (it.next().peer.key.equals(key)) {
                    it.remove();
                }
            }
        }
    }
}
