package io.wirelink.facts;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * X25519 shared secrets between one local private key and peers, cached (bounded, least recently used out) so
 * that signing and verifying a group costs no scalar multiplication after the first. Thread-safe.
 */
public final class SharedKeyCache {
    private final PrivateKey self;
    private final Map<PublicKey, byte[]> cache;
    private volatile int capacity;

    public SharedKeyCache(PrivateKey self, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.self = self;
        this.capacity = capacity;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<PublicKey, byte[]> eldest) {
                return size() > SharedKeyCache.this.capacity;
            }
        };
    }

    /**
     * Sets the bound. An owner with more peers than the bound raises it: least recently used out means a node
     * sending to every one of N &gt; capacity peers in turn misses every time and pays an X25519 per datagram.
     */
    public void capacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    public PublicKey self() {
        return self.publicKey();
    }

    /**
     * The shared secret with {@code peer}; never modify the returned array.
     *
     * @throws IllegalArgumentException for a low-order peer key (all-zero secret)
     */
    public byte[] sharedWith(PublicKey peer) {
        synchronized (cache) {
            byte[] k = cache.get(peer);
            if (k != null) {
                return k;
            }
        }
        byte[] k = self.sharedSecret(peer);
        synchronized (cache) {
            cache.put(peer, k);
        }
        return k;
    }

    public int size() {
        synchronized (cache) {
            return cache.size();
        }
    }
}
