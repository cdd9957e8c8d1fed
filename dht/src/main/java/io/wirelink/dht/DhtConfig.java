package io.wirelink.dht;

/**
 * Every tunable of a {@link DhtNode}, validated once. Times are milliseconds unless named otherwise. Build one with
 * {@link #builder(String, int)}; the defaults are the values production uses.
 *
 * @param network the network name: part of the workbit hash and of the pair-key KDF, so networks never mix
 * @param minWorkbit keys below this are ignored entirely (no reply, never in a routing table)
 * @param k bucket size and the number of closest nodes a lookup converges on
 * @param alpha lookup parallelism
 * @param readOnly this node does not serve the DHT (others never add it to their tables)
 * @param replayWindowMillis a packet whose timestamp is further than this from our clock is dropped
 * @param replayCacheCapacity nonces remembered inside the window; when full the window shrinks instead
 * @param peerCacheCapacity peers whose derived pair key (and RTT estimate, cookie) is cached
 * @param rateLimitPerSecond packets accepted per second from one source IP (token bucket rate)
 * @param rateLimitBurst the token bucket's depth
 * @param rateTableCapacity source IPs tracked by the rate limiter (least recently seen forgotten first)
 * @param keyDerivationsPerSecond X25519 operations spent on unknown senders per second, node-wide
 * @param keyDerivationBurst depth of that budget
 * @param defaultRtoMillis request timeout before any RTT was measured
 * @param minRtoMillis lower clamp of every adaptive timeout
 * @param maxRtoMillis upper clamp of every adaptive timeout
 * @param lookupTimeoutMillis a lookup gives up after this long
 * @param bucketRefreshMillis a bucket without a lookup into its range for this long gets a random lookup
 * @param neighbourhoodRefreshMillis interval of the self-lookup that keeps the k closest nodes fresh
 * @param maintenanceMillis interval of the timer that drives refreshes, expiry and republishing
 * @param unvalidatedRequestSize a request without a cookie is padded to this size, which bounds its reply
 * @param cookieEpochMillis cookie secrets rotate this often; a cookie is valid for one to two epochs
 * @param maxRecordTtlSeconds a stored record lives at most this long
 * @param recordStoreCapacity records kept for others
 * @param replacementCacheSize candidates remembered per full bucket
 * @param maxBackgroundLookups refresh lookups running at once
 */
public record DhtConfig(
        String network,
        int minWorkbit,
        int k,
        int alpha,
        boolean readOnly,
        int replayWindowMillis,
        int replayCacheCapacity,
        int peerCacheCapacity,
        double rateLimitPerSecond,
        int rateLimitBurst,
        int rateTableCapacity,
        double keyDerivationsPerSecond,
        int keyDerivationBurst,
        int defaultRtoMillis,
        int minRtoMillis,
        int maxRtoMillis,
        int lookupTimeoutMillis,
        int bucketRefreshMillis,
        int neighbourhoodRefreshMillis,
        int maintenanceMillis,
        int unvalidatedRequestSize,
        int cookieEpochMillis,
        int maxRecordTtlSeconds,
        int recordStoreCapacity,
        int replacementCacheSize,
        int maxBackgroundLookups) {

    public DhtConfig {
        Workbit.networkBytes(network);
        range("minWorkbit", minWorkbit, 0, 64);
        range("k", k, 1, DhtCodec.MAX_CONTACTS);
        range("alpha", alpha, 1, 16);
        range("replayWindowMillis", replayWindowMillis, 1000, 600_000);
        range("replayCacheCapacity", replayCacheCapacity, 16, 1 << 24);
        range("peerCacheCapacity", peerCacheCapacity, 16, 1 << 24);
        if (!(rateLimitPerSecond > 0) || !(keyDerivationsPerSecond > 0)) {
            throw new IllegalArgumentException("rates must be positive");
        }
        range("rateLimitBurst", rateLimitBurst, 1, 1 << 20);
        range("rateTableCapacity", rateTableCapacity, 1, 1 << 24);
        range("keyDerivationBurst", keyDerivationBurst, 1, 1 << 20);
        range("minRtoMillis", minRtoMillis, 1, 60_000);
        range("maxRtoMillis", maxRtoMillis, minRtoMillis, 60_000);
        range("defaultRtoMillis", defaultRtoMillis, minRtoMillis, maxRtoMillis);
        range("lookupTimeoutMillis", lookupTimeoutMillis, maxRtoMillis, 600_000);
        range("bucketRefreshMillis", bucketRefreshMillis, 1000, Integer.MAX_VALUE);
        range("neighbourhoodRefreshMillis", neighbourhoodRefreshMillis, 1000, Integer.MAX_VALUE);
        range("maintenanceMillis", maintenanceMillis, 10, 600_000);
        range("unvalidatedRequestSize", unvalidatedRequestSize, DhtCodec.HEADER + DhtCodec.MAC_LENGTH,
                DhtCodec.MAX_PACKET);
        range("cookieEpochMillis", cookieEpochMillis, 10_000, 3_600_000);
        range("maxRecordTtlSeconds", maxRecordTtlSeconds, 1, DhtRecord.MAX_TTL_SECONDS);
        range("recordStoreCapacity", recordStoreCapacity, 1, 1 << 24);
        range("replacementCacheSize", replacementCacheSize, 0, 1024);
        range("maxBackgroundLookups", maxBackgroundLookups, 1, 64);
    }

    private static void range(String name, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", got " + v);
        }
    }

    public static Builder builder(String network, int minWorkbit) {
        return new Builder(network, minWorkbit);
    }

    public Builder toBuilder() {
        Builder b = new Builder(network, minWorkbit);
        b.k = k;
        b.alpha = alpha;
        b.readOnly = readOnly;
        b.replayWindowMillis = replayWindowMillis;
        b.replayCacheCapacity = replayCacheCapacity;
        b.peerCacheCapacity = peerCacheCapacity;
        b.rateLimitPerSecond = rateLimitPerSecond;
        b.rateLimitBurst = rateLimitBurst;
        b.rateTableCapacity = rateTableCapacity;
        b.keyDerivationsPerSecond = keyDerivationsPerSecond;
        b.keyDerivationBurst = keyDerivationBurst;
        b.defaultRtoMillis = defaultRtoMillis;
        b.minRtoMillis = minRtoMillis;
        b.maxRtoMillis = maxRtoMillis;
        b.lookupTimeoutMillis = lookupTimeoutMillis;
        b.bucketRefreshMillis = bucketRefreshMillis;
        b.neighbourhoodRefreshMillis = neighbourhoodRefreshMillis;
        b.maintenanceMillis = maintenanceMillis;
        b.unvalidatedRequestSize = unvalidatedRequestSize;
        b.cookieEpochMillis = cookieEpochMillis;
        b.maxRecordTtlSeconds = maxRecordTtlSeconds;
        b.recordStoreCapacity = recordStoreCapacity;
        b.replacementCacheSize = replacementCacheSize;
        b.maxBackgroundLookups = maxBackgroundLookups;
        return b;
    }

    /** Mutable builder with production defaults. */
    public static final class Builder {
        private final String network;
        private final int minWorkbit;
        private int k = 20;
        private int alpha = 3;
        private boolean readOnly;
        private int replayWindowMillis = 30_000;
        private int replayCacheCapacity = 65_536;
        private int peerCacheCapacity = 4096;
        private double rateLimitPerSecond = 100;
        private int rateLimitBurst = 200;
        private int rateTableCapacity = 4096;
        private double keyDerivationsPerSecond = 1000;
        private int keyDerivationBurst = 2000;
        private int defaultRtoMillis = 1000;
        private int minRtoMillis = 100;
        private int maxRtoMillis = 3000;
        private int lookupTimeoutMillis = 15_000;
        private int bucketRefreshMillis = 15 * 60_000;
        private int neighbourhoodRefreshMillis = 5 * 60_000;
        private int maintenanceMillis = 1000;
        private int unvalidatedRequestSize = 512;
        private int cookieEpochMillis = 120_000;
        private int maxRecordTtlSeconds = 3600;
        private int recordStoreCapacity = 8192;
        private int replacementCacheSize = 8;
        private int maxBackgroundLookups = 2;

        private Builder(String network, int minWorkbit) {
            this.network = network;
            this.minWorkbit = minWorkbit;
        }

        public Builder k(int v) {
            k = v;
            return this;
        }

        public Builder alpha(int v) {
            alpha = v;
            return this;
        }

        public Builder readOnly(boolean v) {
            readOnly = v;
            return this;
        }

        public Builder replayWindowMillis(int v) {
            replayWindowMillis = v;
            return this;
        }

        public Builder replayCacheCapacity(int v) {
            replayCacheCapacity = v;
            return this;
        }

        public Builder peerCacheCapacity(int v) {
            peerCacheCapacity = v;
            return this;
        }

        public Builder rateLimit(double perSecond, int burst) {
            rateLimitPerSecond = perSecond;
            rateLimitBurst = burst;
            return this;
        }

        public Builder rateTableCapacity(int v) {
            rateTableCapacity = v;
            return this;
        }

        public Builder keyDerivationBudget(double perSecond, int burst) {
            keyDerivationsPerSecond = perSecond;
            keyDerivationBurst = burst;
            return this;
        }

        public Builder rto(int defaultMillis, int minMillis, int maxMillis) {
            defaultRtoMillis = defaultMillis;
            minRtoMillis = minMillis;
            maxRtoMillis = maxMillis;
            return this;
        }

        public Builder lookupTimeoutMillis(int v) {
            lookupTimeoutMillis = v;
            return this;
        }

        public Builder bucketRefreshMillis(int v) {
            bucketRefreshMillis = v;
            return this;
        }

        public Builder neighbourhoodRefreshMillis(int v) {
            neighbourhoodRefreshMillis = v;
            return this;
        }

        public Builder maintenanceMillis(int v) {
            maintenanceMillis = v;
            return this;
        }

        public Builder unvalidatedRequestSize(int v) {
            unvalidatedRequestSize = v;
            return this;
        }

        public Builder cookieEpochMillis(int v) {
            cookieEpochMillis = v;
            return this;
        }

        public Builder maxRecordTtlSeconds(int v) {
            maxRecordTtlSeconds = v;
            return this;
        }

        public Builder recordStoreCapacity(int v) {
            recordStoreCapacity = v;
            return this;
        }

        public Builder replacementCacheSize(int v) {
            replacementCacheSize = v;
            return this;
        }

        public Builder maxBackgroundLookups(int v) {
            maxBackgroundLookups = v;
            return this;
        }

        public DhtConfig build() {
            return new DhtConfig(network, minWorkbit, k, alpha, readOnly, replayWindowMillis, replayCacheCapacity,
                    peerCacheCapacity, rateLimitPerSecond, rateLimitBurst, rateTableCapacity, keyDerivationsPerSecond,
                    keyDerivationBurst, defaultRtoMillis, minRtoMillis, maxRtoMillis, lookupTimeoutMillis,
                    bucketRefreshMillis, neighbourhoodRefreshMillis, maintenanceMillis, unvalidatedRequestSize,
                    cookieEpochMillis, maxRecordTtlSeconds, recordStoreCapacity, replacementCacheSize,
                    maxBackgroundLookups);
        }
    }
}
