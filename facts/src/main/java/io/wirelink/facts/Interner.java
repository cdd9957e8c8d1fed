package io.wirelink.facts;

import java.lang.ref.WeakReference;
import java.util.WeakHashMap;

/**
 * One shared instance per distinct value of an immutable type, held weakly: a value nobody else holds any more is
 * collected with its entry. Every node of a mesh holds the same few thousand facts, so in one process this turns
 * copies into one object: for the agent a fact heard from several peers, for the simulator, which runs a thousand
 * agents in one heap, a thousand copies of every key (at 1,000 nodes the keys alone were 17 million objects and about
 * 1 GB). Thread-safe; a lookup costs a hash and a lock that is never contended in the single-threaded core.
 */
final class Interner<T> {
    private final WeakHashMap<T, WeakReference<T>> map = new WeakHashMap<>();

    /** The shared instance equal to {@code value}: an earlier one if alive, else {@code value} itself. */
    synchronized T intern(T value) {
        WeakReference<T> ref = map.get(value);
        T shared = ref == null ? null : ref.get();
        if (shared != null) {
            return shared;
        }
        map.put(value, new WeakReference<>(value));
        return value;
    }

    synchronized int size() {
        return map.size();
    }
}
