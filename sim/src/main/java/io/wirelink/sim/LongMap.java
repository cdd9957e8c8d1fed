package io.wirelink.sim;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A hash map from {@code long} to objects without boxing: open addressing, linear probing, backward-shift deletion.
 * Iteration order depends only on the keys and the order of operations, so it is deterministic.
 */
final class LongMap<V> {
    private long[] keys;
    private Object[] values;
    private int size;
    private int mask;

    LongMap() {
        this(8);
    }

    LongMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[cap];
        values = new Object[cap];
        mask = cap - 1;
    }

    int size() {
        return size;
    }

    private static int hash(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29));
    }

    @SuppressWarnings("unchecked")
    V get(long key) {
        for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) {
                return null;
            }
            if (keys[i] == key) {
                return (V) v;
            }
        }
    }

    boolean containsKey(long key) {
        return get(key) != null;
    }

    /** Maps {@code key} to {@code value} (never null); returns the previous value or null. */
    @SuppressWarnings("unchecked")
    V put(long key, V value) {
        if (value == null) {
            throw new IllegalArgumentException("null value");
        }
        int i = hash(key) & mask;
        for (; values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                V old = (V) values[i];
                values[i] = value;
                return old;
            }
        }
        keys[i] = key;
        values[i] = value;
        if (++size * 4 > keys.length * 3) {
            grow();
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    V remove(long key) {
        int i = hash(key) & mask;
        for (; values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                V old = (V) values[i];
                shiftBack(i);
                size--;
                return old;
            }
        }
        return null;
    }

    private void shiftBack(int gap) {
        int i = gap;
        while (true) {
            i = (i + 1) & mask;
            Object v = values[i];
            if (v == null) {
                break;
            }
            int home = hash(keys[i]) & mask;
            // move the entry at i into the gap if its home is not in (gap, i] (cyclically)
            if (gap <= i ? (home <= gap || home > i) : (home <= gap && home > i)) {
                keys[gap] = keys[i];
                values[gap] = v;
                gap = i;
            }
        }
        values[gap] = null;
        keys[gap] = 0;
    }

    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Object[oldValues.length * 2];
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != null) {
                int j = hash(oldKeys[i]) & mask;
                while (values[j] != null) {
                    j = (j + 1) & mask;
                }
                keys[j] = oldKeys[i];
                values[j] = oldValues[i];
                size++;
            }
        }
    }

    /** Calls {@code action} for every value; the map must not change meanwhile. */
    @SuppressWarnings("unchecked")
    void forEachValue(Consumer<? super V> action) {
        for (Object v : values) {
            if (v != null) {
                action.accept((V) v);
            }
        }
    }

    /** A snapshot of the values, so the caller may change the map while going through it. */
    Object[] valuesSnapshot() {
        Object[] out = new Object[size];
        int n = 0;
        for (Object v : values) {
            if (v != null) {
                out[n++] = v;
            }
        }
        return n == size ? out : Arrays.copyOf(out, n);
    }

    void clear() {
        Arrays.fill(values, null);
        Arrays.fill(keys, 0);
        size = 0;
    }
}
