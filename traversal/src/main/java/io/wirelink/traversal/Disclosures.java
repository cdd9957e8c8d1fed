package io.wirelink.traversal;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What relays disclosed about peers (relay/Disclosure, PROTOCOL.md §6.4): where a relay sees a peer's WireGuard port
 * (its NAT mapping) and the pair's switch moment. A disclosure within {@link RelayPlanner#DEAD_AFTER} counts as the
 * peer's attachment to that relay; the endpoints are the relays' view, never a direct candidate of our own.
 */
final class Disclosures {

    /** What a relay last disclosed about a peer: its mapping (null: unknown there), when, and the switch moment. */
    record Disclosed(IpEndpoint endpoint, Instant at, Instant moment) {}

    /** By peer, then relay. */
    private final Map<PublicKey, Map<PublicKey, Disclosed>> byPeer = new HashMap<>();

    /** Records what {@code relay} disclosed about {@code peer}; returns what it disclosed before, or null. */
    Disclosed put(PublicKey peer, PublicKey relay, Disclosed d) {
        return byPeer.computeIfAbsent(peer, k -> new HashMap<>()).put(relay, d);
    }

    /**
     * Records what {@code relay} disclosed about {@code peer} (path {@code pp}); returns whether it is news a pass
     * should act on now: a new mapping, a new moment, or the first after a silence.
     */
    boolean record(PublicKey relay, PublicKey peer, PeerPath pp, IpEndpoint endpoint, Instant moment, Instant now) {
        // a basic peer takes no part in the moment: it is not kept, so nothing waits for it or tries at it
        Disclosed old = put(peer, relay, new Disclosed(endpoint, now, endpoint == null || pp.basic() ? null : moment));
        if (endpoint == null) {
            return old != null && old.endpoint() != null;
        }
        boolean news = old == null || !endpoint.equals(old.endpoint())
                || old.at().plus(RelayPlanner.DEAD_AFTER).isBefore(now);
        if (pp.basic()) {
            return news;
        }
        // relayed before the relay disclosed the peer (the peer reached us through it first): the first try is at
        // this relay's moment, the one the other end uses, so that both keep the same schedule after it
        pp.tryAtMoment(relay, now);
        return news || !sameMoment(old.moment(), moment);
    }

    /** The fresh disclosure of {@code peer} by {@code relay} that has an endpoint, or null. */
    Disclosed fresh(PublicKey peer, PublicKey relay, Instant now) {
        Map<PublicKey, Disclosed> m = byPeer.get(peer);
        Disclosed d = m == null || relay == null ? null : m.get(relay);
        return d != null && d.endpoint() != null && !d.at().plus(RelayPlanner.DEAD_AFTER).isBefore(now) ? d : null;
    }

    /** Every endpoint relays disclosed for {@code peer} lately. */
    Set<IpEndpoint> endpoints(PublicKey peer) {
        Set<IpEndpoint> out = new HashSet<>();
        for (Disclosed d : byPeer.getOrDefault(peer, Map.of()).values()) {
            if (d.endpoint() != null) {
                out.add(d.endpoint());
            }
        }
        return out;
    }

    /**
     * Forgets peers not in {@code keep} and disclosures older than {@link RelayPlanner#DISCLOSURE_TTL}, and adds each
     * relay that freshly disclosed a peer to that peer's relays in {@code theirs}: a relay that just disclosed a peer
     * has it registered (and the pair allowed), as good as its attachment.
     */
    void prune(Set<PublicKey> keep, Instant now, Map<PublicKey, Set<PublicKey>> theirs) {
        byPeer.keySet().retainAll(keep);
        for (Map.Entry<PublicKey, Map<PublicKey, Disclosed>> e : byPeer.entrySet()) {
            e.getValue().values().removeIf(d -> d.at().plus(RelayPlanner.DISCLOSURE_TTL).isBefore(now));
            for (Map.Entry<PublicKey, Disclosed> d : e.getValue().entrySet()) {
                if (fresh(e.getKey(), d.getKey(), now) != null) {
                    theirs.computeIfAbsent(e.getKey(), k -> new HashSet<>()).add(d.getKey());
                }
            }
        }
        byPeer.values().removeIf(Map::isEmpty);
    }

    /** Two answers' moments are the same moment when they differ by less than 250 ms (half the RTTs differ). */
    static boolean sameMoment(Instant a, Instant b) {
        return a != null && b != null && Duration.between(a, b).abs().compareTo(Duration.ofMillis(250)) < 0;
    }
}
