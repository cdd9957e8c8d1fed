package io.wirelink.gossip;

import java.time.Instant;

/**
 * Expiries as {@link Knowledge} keeps them: ticks, whole seconds, rounded up, after the first second this clock saw,
 * in an int (4 bytes an entry rather than 8; see {@link ExpiryMap}). Rounding up makes a peer's copy count as living
 * up to a second longer, which only moves a re-send by that much. Ticks reach 68 years either side of the first use;
 * beyond, they saturate (the far future is "never"). Apart from {@link Knowledge} so the scale's origin and rounding
 * sit in one place that the per-peer table and the scans share. Single-threaded.
 */
final class ExpiryClock {
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
}
