package io.wirelink.dht;

import java.util.EnumMap;
import java.util.Map;

/** Counters of one {@link DhtNode}; read on the node's thread. */
public final class DhtStats {
    /** What happened to packets, requests and lookups. */
    public enum Counter {
        RECEIVED,
        /** Dropped by the per-source token bucket, before any parsing. */
        RATE_LIMITED,
        MALFORMED,
        /** Claimed our own key as sender. */
        FROM_SELF,
        /** Timestamp outside the replay window. */
        STALE,
        /** Sender key below the network's minimum workbit. */
        BELOW_WORKBIT,
        /** Unknown sender while the node-wide X25519 budget was spent. */
        KEY_BUDGET,
        /** Low-order sender key (all-zero shared secret). */
        BAD_KEY,
        BAD_MAC,
        REPLAYED,
        /** Authentic reply that answers nothing we asked, or came from the wrong key. */
        UNEXPECTED_REPLY,
        /** A reply that would not fit within an unvalidated request's size, not sent. */
        REPLY_TOO_LARGE,
        /** STORE of a record the sender does not own, or older than the one kept. */
        STORE_REFUSED,
        RECORDS_STORED,
        REQUESTS_ANSWERED,
        REPLIES_ACCEPTED,
        PACKETS_SENT,
        BYTES_SENT,
        KEY_DERIVATIONS,
        /** A request whose adaptive timeout passed (the lookup moved on). */
        SOFT_TIMEOUTS,
        /** A request declared lost. */
        TIMEOUTS,
        CONTACTS_EVICTED,
        LOOKUPS_STARTED,
        LOOKUPS_FINISHED
    }

    private final long[] counts = new long[Counter.values().length];

    void inc(Counter c) {
        counts[c.ordinal()]++;
    }

    void add(Counter c, long n) {
        counts[c.ordinal()] += n;
    }

    public long get(Counter c) {
        return counts[c.ordinal()];
    }

    /** The nonzero counters. */
    public Map<Counter, Long> snapshot() {
        Map<Counter, Long> m = new EnumMap<>(Counter.class);
        for (Counter c : Counter.values()) {
            if (counts[c.ordinal()] != 0) {
                m.put(c, counts[c.ordinal()]);
            }
        }
        return m;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
