package io.wirelink.agent.core;

import io.wirelink.facts.PublicKey;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The core's state about each peer that outlives a pass, one record per peer, forgotten in one place
 * ({@link #retain}) when the peer is no longer known. Only state that is looked up by key lives here: tables whose
 * iteration order decides what is sent (probe schedules, quiet paths) keep their own maps, and what gossip remembers
 * of a peer (its format, greetings, withdrawals) is {@code gossip.GossipPeers}, pruned in the same place.
 */
final class Peers {

    /** What the core remembers about one peer; a field at its default means "nothing remembered". */
    static final class Peer {
        /** A router asked us to send towards this peer now (a coordinated punch). */
        boolean punchNow;
        /** When we last punched towards this peer on a request, or null. */
        Instant punchedAt;
        /** As a leaf: when we last asked our routers for a punch with this peer, or null. */
        Instant punchAsked;
    }

    private final Map<PublicKey, Peer> byKey = new HashMap<>();

    /** The record of {@code k}, or null when nothing is remembered. */
    Peer get(PublicKey k) {
        return byKey.get(k);
    }

    /** The record of {@code k}, created empty if missing. */
    Peer of(PublicKey k) {
        return byKey.computeIfAbsent(k, x -> new Peer());
    }

    /** Forgets every peer not in {@code known}. */
    void retain(Set<PublicKey> known) {
        byKey.keySet().retainAll(known);
    }
}
