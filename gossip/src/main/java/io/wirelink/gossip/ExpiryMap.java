package io.wirelink.gossip;

import io.wirelink.facts.FactKey;
import java.util.Set;

/**
 * FactKey to expiry (a tick: whole seconds on {@link Knowledge}'s scale, an int), open addressing with linear
 * probing: what {@link Knowledge} believes one peer holds. A HashMap of Instants cost about 68 bytes an entry (node,
 * table slot, Instant); this is two arrays (a reference and an int per slot) at most three quarters full, 11 to 21
 * bytes an entry. It matters because a node keeps one per peer it gossips with, each as big as the mesh's facts: a
 * hub of 10,000 nodes holds about 370 million entries. Not thread-safe, like Knowledge.
 */
final class ExpiryMap {
    /** What {@link #get} returns for a key that is not there. */
    static final long ABSENT = Long.MIN_VALUE;
    /** The least value that can be stored; values are ints. */
    static final long MIN = Integer.MIN_VALUE;
    /** The greatest value that can be stored. */
    static final long MAX = Integer.MAX_VALUE;

    private FactKey[] keys = new FactKey[8];
    private int[] values = new int[8];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    private int slot(FactKey k) {
        int h = k.hashCode();
        return (h ^ (h >>> 16)) & (keys.length - 1);
    }

    /** The slot holding {@code k}, or -1. */
    private int indexOf(FactKey k) {
        for (int i = slot(k); ; i = (i + 1) & (keys.length - 1)) {
            FactKey x = keys[i];
            if (x == null) {
                return -1;
            }
            if (x == k || x.equals(k)) {
                return i;
            }
        }
    }

    /** The expiry held for {@code k}, or {@link #ABSENT}. */
    long get(FactKey k) {
        int i = indexOf(k);
        return i < 0 ? ABSENT : values[i];
    }

    /** Maps {@code k} to {@code expires}, which must be within [{@link #MIN}, {@link #MAX}]. */
    void put(FactKey k, long expires) {
        if (expires < MIN || expires > MAX) {
            throw new IllegalArgumentException("expiry out of range: " + expires);
        }
        put(k, (int) expires);
    }

    private void put(FactKey k, int expires) {
        for (int i = slot(k); ; i = (i + 1) & (keys.length - 1)) {
            FactKey x = keys[i];
            if (x == null) {
                keys[i] = k;
                values[i] = expires;
                if (++size * 4 > keys.length * 3) {
                    resize(keys.length * 2);
                }
                return;
            }
            if (x == k || x.equals(k)) {
                values[i] = expires;
                return;
            }
        }
    }

    /** Removes {@code k}; true when it was there. */
    boolean remove(FactKey k) {
        int i = indexOf(k);
        if (i < 0) {
            return false;
        }
        deleteAt(i);
        return true;
    }

    /** Deletes slot {@code i} and moves later entries of its cluster back, so lookups need no tombstones. */
    private void deleteAt(int i) {
        int mask = keys.length - 1;
        keys[i] = null;
        size--;
        int hole = i;
        for (int j = (i + 1) & mask; keys[j] != null; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            // move j into the hole when its home is not in (hole, j] (cyclically)
            boolean between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!between) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                keys[j] = null;
                hole = j;
            }
        }
    }

    private void resize(int capacity) {
        FactKey[] oldKeys = keys;
        int[] oldValues = values;
        keys = new FactKey[capacity];
        values = new int[capacity];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != null) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    /** Keeps only the keys in {@code keep}. */
    void retainAll(Set<FactKey> keep) {
        rebuild(keep, ABSENT);
    }

    /** Drops every entry that expires at or before {@code now}; returns the earliest expiry left, or ABSENT. */
    long removeExpired(long now) {
        rebuild(null, now);
        return min();
    }

    private void rebuild(Set<FactKey> keep, long expiredAtOrBefore) {
        FactKey[] oldKeys = keys;
        int[] oldValues = values;
        int capacity = 8;
        while (capacity < size * 2) {
            capacity *= 2;
        }
        keys = new FactKey[capacity];
        values = new int[capacity];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            FactKey k = oldKeys[i];
            if (k != null && (keep == null || keep.contains(k)) && oldValues[i] > expiredAtOrBefore) {
                put(k, oldValues[i]);
            }
        }
    }

    /** The earliest expiry held, or ABSENT when empty. */
    long min() {
        long m = ABSENT;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null && (m == ABSENT || values[i] < m)) {
                m = values[i];
            }
        }
        return m;
    }

    /** Removes the entry that expires first (any of them on a tie); nothing when empty. */
    void removeSoonest() {
        int at = -1;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null && (at < 0 || values[i] < values[at])) {
                at = i;
            }
        }
        if (at >= 0) {
            deleteAt(at);
        }
    }

    /** Calls {@code f} for every entry. */
    void forEach(java.util.function.ObjLongConsumer<FactKey> f) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                f.accept(keys[i], values[i]);
            }
        }
    }

    @Override
    public String toString() {
        return "ExpiryMap[" + size + " entries]";
    }
}
