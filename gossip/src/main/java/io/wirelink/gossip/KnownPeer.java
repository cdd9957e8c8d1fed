package io.wirelink.gossip;

import io.wirelink.facts.FactKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** One peer's entries in {@link Knowledge} and its planning state for {@link Knowledge.Scan}. Single-threaded. */
final class KnownPeer {
    final ExpiryMap held = new ExpiryMap();
    /** At most the earliest expiry held (null: none held since the last prune); prune looks only when due. */
    Instant minExpiry;
    /** False after an entry went other than by expiring: then the next plan must look at every fact. */
    boolean intact = true;
    /** The eligible generation this peer was last planned against, or -1. */
    long planned = -1;
    /** At most the earliest expiry held of a fact planned but not sent that a later window can make due. */
    Instant due;
    Duration window;
    /**
     * Keys forgotten since the last plan ({@link Knowledge#forget}: a datagram not acknowledged), which the next
     * plan looks at besides the changed ones; null when none. Past {@link Knowledge#FORGOTTEN} the peer is planned
     * in full instead: were any forgotten key to make the next plan look at every fact, then at a hub of a big mesh,
     * where every peer loses a datagram now and then, nearly every plan in a join would be O(facts).
     */
    List<FactKey> forgotten;
    /** Until the peer's first boot ID: the keys it sent us itself (see {@link Knowledge#bootId}). */
    Set<FactKey> heard;

    void put(FactKey key, long tick, Instant expires) {
        held.put(key, tick);
        if (minExpiry == null || expires.isBefore(minExpiry)) {
            minExpiry = expires;
        }
    }
}
