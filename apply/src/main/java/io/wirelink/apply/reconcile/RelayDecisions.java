package io.wirelink.apply.reconcile;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the relay client (traversal's {@code RelayPlanner}) and first contact decided about the device, as an input of
 * {@link Reconciler#plan}: the reconciler composes them with what the view wants into one change. This module only
 * carries them; the decisions are made elsewhere.
 *
 * @param routes the member peers whose endpoint the relay client owns (relayed, trying direct, holding), in the order
 *     it decided them; the reconciler's own endpoint cycling does not apply to them
 * @param relayPeers the relay peers (registrations) to put in place or take out, in the order decided
 * @param retry peers whose first handshake WireGuard lost: removed and re-added where they are, so WireGuard
 *     initiates again at once rather than in 5 s (never one with a preshared key, as for {@link Route#reAdd})
 * @param switched peers whose endpoint the relay client moved (the core pings them at once)
 * @param reasons why, for each decision, in the order decided; they follow the reconciler's own
 */
public record RelayDecisions(
        Map<PublicKey, Route> routes,
        List<RelayPeer> relayPeers,
        Set<PublicKey> retry,
        Set<PublicKey> switched,
        List<Reason> reasons) {

    /** No relay client: the reconciler alone. */
    public static final RelayDecisions NONE = new RelayDecisions(Map.of(), List.of(), Set.of(), Set.of(), List.of());

    public RelayDecisions {
        routes = Collections.unmodifiableMap(new LinkedHashMap<>(routes));
        relayPeers = List.copyOf(relayPeers);
        retry = Collections.unmodifiableSet(new LinkedHashSet<>(retry));
        switched = Collections.unmodifiableSet(new LinkedHashSet<>(switched));
        reasons = List.copyOf(reasons);
    }

    /**
     * Where the relay client puts one member peer.
     *
     * @param endpoint the endpoint to set (the relay's while relayed, the direct one during a try); null: keep what the
     *     device has (a hold, or a try that runs)
     * @param reAdd remove and re-add the peer, so its session is gone and the next packet starts a handshake through
     *     the new path; the reconciler never does it to a peer with a preshared key (the device does not give the key
     *     back)
     */
    public record Route(IpEndpoint endpoint, boolean reAdd) {}

    /**
     * A relay the device must hold as a peer (no allowed IPs: a relay carries no traffic of its own, it forwards
     * sessions by index), or take out when {@code endpoint} is null.
     */
    public record RelayPeer(PublicKey key, IpEndpoint endpoint, int keepaliveSeconds) {
        public RelayPeer {
            Objects.requireNonNull(key, "key");
        }

        /** Unregister: the relay peer goes. */
        public static RelayPeer removal(PublicKey key) {
            return new RelayPeer(key, null, 0);
        }

        public boolean remove() {
            return endpoint == null;
        }
    }

    /** The route of {@code peer}, or null when the relay client leaves it to the reconciler. */
    public Route route(PublicKey peer) {
        return routes.get(peer);
    }

    /** These decisions plus first-contact retries of {@code peers}, each with {@code why}. */
    public RelayDecisions withRetries(List<PublicKey> peers, String why) {
        if (peers.isEmpty()) {
            return this;
        }
        Set<PublicKey> r = new LinkedHashSet<>(retry);
        r.addAll(peers);
        List<Reason> rs = new ArrayList<>(reasons);
        for (PublicKey k : peers) {
            rs.add(new Reason(k, why));
        }
        return new RelayDecisions(routes, relayPeers, r, switched, rs);
    }
}
