package io.wirelink.facts.store;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.FactKey;
import io.wirelink.facts.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a {@link FactStore} holds, in memory, indexed for its queries: per key (in view order and by key) each author's
 * current assertion, the events by expiry (all, and the remote ones eviction picks from), the local ones by sequence,
 * a version per attribute, and the last view built.
 */
final class EventIndex {
    private static final Comparator<FactEvent> BY_EXPIRY =
            Comparator.comparing(FactEvent::expires).thenComparingLong(FactEvent::seq);

    private final TreeMap<SortKey, Slot> byKey = new TreeMap<>();
    private final HashMap<FactKey, Slot> slots = new HashMap<>();
    private final EnumMap<Channel, TreeMap<Long, FactEvent>> localBySeq = new EnumMap<>(Channel.class);
    private final long[] versions = new long[Attribute.values().length];
    private final TreeSet<FactEvent> byExpiry = new TreeSet<>(BY_EXPIRY);
    private final TreeSet<FactEvent> remoteByExpiry = new TreeSet<>(BY_EXPIRY);

    private FactView cachedView;
    private Instant cachedAt;

    FactEvent current(FactKey key, PublicKey author) {
        Slot slot = slots.get(key);
        return slot == null ? null : slot.get(author);
    }

    void insert(FactEvent e) {
        FactKey k = e.key();
        Slot slot = slots.get(k);
        if (slot == null) {
            slot = new Slot(SortKey.of(e.fact()));
            slots.put(k, slot);
            byKey.put(slot.key, slot);
        }
        slot.put(e);
        slot.entry = null;
        byExpiry.add(e);
        Channel channel = e.provenance().channel();
        if (channel.isLocal()) {
            localBySeq.computeIfAbsent(channel, c -> new TreeMap<>()).put(e.seq(), e);
        } else {
            remoteByExpiry.add(e);
        }
        versions[e.fact().attribute().ordinal()]++;
        cachedView = null;
    }

    void remove(FactEvent e) {
        FactKey k = e.key();
        Slot slot = slots.get(k);
        slot.remove(e.provenance().author());
        slot.entry = null;
        if (slot.isEmpty()) {
            slots.remove(k);
            byKey.remove(slot.key);
        }
        byExpiry.remove(e);
        Channel channel = e.provenance().channel();
        if (channel.isLocal()) {
            localBySeq.get(channel).remove(e.seq());
        } else {
            remoteByExpiry.remove(e);
        }
        versions[e.fact().attribute().ordinal()]++;
        cachedView = null;
    }

    /** See {@link FactStore#view}. */
    FactView view(Instant now) {
        if (cachedView != null && !now.isBefore(cachedAt)
                && cachedView.nextExpiry().map(now::isBefore).orElse(true)) {
            return cachedView;
        }
        // the assertions held but expired by now (expire has not dropped them yet) and the first that is not
        Set<SortKey> stale = null;
        Instant nextExpiry = null;
        for (FactEvent e : byExpiry) {
            if (!e.expiredAt(now)) {
                nextExpiry = e.expires();
                break;
            }
            if (stale == null) {
                stale = new HashSet<>();
            }
            stale.add(slots.get(e.key()).key);
        }
        FactView.Entry[] entries = new FactView.Entry[byKey.size()];
        int n = 0;
        if (stale == null) {
            for (Slot slot : byKey.values()) {
                entries[n++] = slot.entry();
            }
        } else {
            List<FactEvent> live = new ArrayList<>();
            for (Slot slot : byKey.values()) {
                if (!stale.contains(slot.key)) {
                    entries[n++] = slot.entry();
                    continue;
                }
                live.clear();
                for (FactEvent e : slot.values()) {
                    if (!e.expiredAt(now)) {
                        live.add(e);
                    }
                }
                if (!live.isEmpty()) {
                    entries[n++] = FactView.entry(slot.key.key, live);
                }
            }
        }
        cachedView = FactView.of(n == entries.length ? entries : Arrays.copyOf(entries, n), nextExpiry);
        cachedAt = now;
        return cachedView;
    }

    List<FactEvent> local(Channel channel) {
        TreeMap<Long, FactEvent> local = localBySeq.get(channel);
        return local == null ? List.of() : List.copyOf(local.values());
    }

    long version(Attribute attribute) {
        return versions[attribute.ordinal()];
    }

    /** Every event held, in sequence order. */
    List<FactEvent> bySeq() {
        List<FactEvent> out = new ArrayList<>(byExpiry); // every event held (no index by sequence: it cost 56 B each)
        out.sort(Comparator.comparingLong(FactEvent::seq));
        return List.copyOf(out);
    }

    /** Every event held, in no useful order; a live collection. */
    Collection<FactEvent> all() {
        return byExpiry;
    }

    int size() {
        return byExpiry.size();
    }

    FactKey canonical(FactKey key) {
        Slot s = slots.get(key);
        return s == null ? key : s.key.key;
    }

    /** The held event that expires first, or null. */
    FactEvent firstToExpire() {
        return byExpiry.isEmpty() ? null : byExpiry.first();
    }

    /** The held remote event that expires first (what a local one evicts), or null. */
    FactEvent firstRemoteToExpire() {
        return remoteByExpiry.isEmpty() ? null : remoteByExpiry.first();
    }
}
