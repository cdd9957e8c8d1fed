package io.wirelink.dht;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token buckets keyed by source (an IP address), bounded: the least recently active source is forgotten when the
 * table is full, so a flood of spoofed sources costs memory of one table and no more.
 */
final class TokenBuckets<K> {
    private final double ratePerMilli;
    private final double burst;
    private final LinkedHashMap<K, double[]> buckets; // {tokens, last refill time}

    TokenBuckets(double perSecond, int burst, int capacity) {
        this.ratePerMilli = perSecond / 1000.0;
        this.burst = burst;
        this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, double[]> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Takes a token for {@code key} if one is left. */
    boolean allow(K key, long now) {
        double[] b = buckets.get(key);
        if (b == null) {
            buckets.put(key, new double[] {burst - 1, now});
            return true;
        }
        double tokens = Math.min(burst, b[0] + Math.max(0, now - (long) b[1]) * ratePerMilli);
        b[1] = now;
        if (tokens < 1) {
            b[0] = tokens;
            return false;
        }
        b[0] = tokens - 1;
        return true;
    }

    int size() {
        return buckets.size();
    }
}
