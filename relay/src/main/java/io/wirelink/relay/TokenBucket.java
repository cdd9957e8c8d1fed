package io.wirelink.relay;

/**
 * A token bucket on injected time: {@code rate} tokens per second, at most {@code burst} saved up, starting full.
 * Not thread-safe.
 */
final class TokenBucket {
    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    TokenBucket(double ratePerSecond, double burst, long now) {
        if (!(ratePerSecond > 0) || !(burst >= 1)) {
            throw new IllegalArgumentException("a token bucket needs a positive rate and a burst of at least 1");
        }
        this.perNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = now;
    }

    /** Takes {@code n} tokens if there are that many; false (and nothing taken) otherwise. */
    boolean tryTake(long now, double n) {
        long elapsed = now - last;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * perNano);
            last = now;
        }
        if (tokens >= n) {
            tokens -= n;
            return true;
        }
        return false;
    }
}
