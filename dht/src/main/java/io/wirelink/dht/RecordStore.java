package io.wirelink.dht;

import io.wirelink.facts.PublicKey;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/** Records this node keeps for others: one per owner, newest sequence number wins, bounded, expiring. */
final class RecordStore {
    private static final class Stored {
        final DhtRecord record;
        final long expires;

        Stored(DhtRecord record, long expires) {
            this.record = record;
            this.expires = expires;
        }
    }

    private final NodeId self;
    private final byte[] network;
    private final int capacity;
    private final Map<PublicKey, Stored> records = new HashMap<>();

    RecordStore(NodeId self, byte[] network, int capacity) {
        this.self = self;
        this.network = network;
        this.capacity = capacity;
    }

    /**
     * Keeps {@code r} (whose TTL the caller already clamped) unless a newer one is held.
     *
     * @return false when refused
     */
    boolean put(DhtRecord r, long now) {
        Stored old = records.get(r.owner());
        if (old != null && old.expires > now && Long.compareUnsigned(old.record.seq(), r.seq()) > 0) {
            return false;
        }
        if (old == null && records.size() >= capacity) {
            expire(now);
            if (records.size() >= capacity && !evictFarthest(NodeId.of(r.owner(), network))) {
                return false;
            }
        }
        records.put(r.owner(), new Stored(r, now + r.ttlSeconds() * 1000L));
        return true;
    }

    /** The record of {@code owner} with its TTL set to the seconds it has left, or null. */
    DhtRecord get(PublicKey owner, long now) {
        Stored s = records.get(owner);
        if (s == null) {
            return null;
        }
        if (s.expires <= now) {
            records.remove(owner);
            return null;
        }
        return s.record.withTtl((int) Math.min(DhtRecord.MAX_TTL_SECONDS, (s.expires - now) / 1000));
    }

    void expire(long now) {
        records.values().removeIf(s -> s.expires <= now);
    }

    /** Makes room for a record of {@code incoming} by dropping one whose owner is farther from us, if any. */
    private boolean evictFarthest(NodeId incoming) {
        PublicKey worst = null;
        NodeId worstId = incoming;
        for (Iterator<PublicKey> it = records.keySet().iterator(); it.hasNext(); ) {
            PublicKey k = it.next();
            NodeId id = NodeId.of(k, network);
            if (self.compareDistance(id, worstId) > 0) {
                worst = k;
                worstId = id;
            }
        }
        if (worst == null) {
            return false;
        }
        records.remove(worst);
        return true;
    }

    int size() {
        return records.size();
    }
}
