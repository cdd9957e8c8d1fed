package io.wirelink.apply.reconcile;

import io.wirelink.apply.PeerChange;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** How {@link Reconciler} composes one device peer's change with the {@link RelayDecisions} about it. */
final class RelayCompose {
    private RelayCompose() {}

    /**
     * The changes for device peer {@code d}, given what the view wants of it ({@code own}, null for nothing): the
     * route's endpoint replaces the reconciler's, a re-add removes and re-adds the peer; a removal stands.
     */
    static List<PeerChange> peer(PeerState d, PeerChange own, RelayDecisions relays, Set<PublicKey> switched) {
        PublicKey k = d.publicKey();
        if (own != null && own.remove()) {
            return List.of(own);
        }
        RelayDecisions.Route route = relays.route(k);
        PeerChange c = own;
        // a peer with a preshared key is never re-added: the device does not give the key back, and a peer re-added
        // without it could never complete a handshake again. Its endpoint is only moved
        boolean mayReAdd = !d.hasPresharedKey();
        if (route != null) {
            if (route.reAdd() && mayReAdd) {
                switched.add(k);
                return reAdded(d, own, route.endpoint());
            }
            IpEndpoint ep = route.endpoint() == null || route.endpoint().equals(d.endpoint()) ? null
                    : route.endpoint();
            if (own != null) {
                c = new PeerChange(k, false, own.updateOnly(), ep, own.persistentKeepaliveSeconds(),
                        own.replaceAllowedIps(), own.allowedIps());
            } else if (ep != null) {
                c = new PeerChange(k, false, true, ep, null, false, List.of());
                switched.add(k);
            }
        }
        if (relays.retry().contains(k) && mayReAdd) {
            return reAdded(d, c, c != null && c.endpoint() != null ? c.endpoint() : d.endpoint());
        }
        return c == null ? List.of() : List.of(c);
    }

    /** The relay peers to put in place or take out. */
    static List<PeerChange> relayPeers(RelayDecisions relays) {
        List<PeerChange> out = new ArrayList<>();
        for (RelayDecisions.RelayPeer r : relays.relayPeers()) {
            out.add(r.remove() ? PeerChange.removal(r.key())
                    : new PeerChange(r.key(), false, false, r.endpoint(), r.keepaliveSeconds(), true, List.of()));
        }
        return out;
    }

    /**
     * Removes and re-adds a peer, so its session is gone and the next packet starts a handshake: it comes back at
     * {@code ep} with the same allowed IPs (plus what {@code c} adds, or exactly {@code c}'s when it replaces them)
     * and keepalive.
     */
    private static List<PeerChange> reAdded(PeerState ps, PeerChange c, IpEndpoint ep) {
        List<IpPrefix> ips = new ArrayList<>();
        if (c != null && c.replaceAllowedIps()) {
            ips.addAll(c.allowedIps());
        } else {
            ips.addAll(ps.allowedIps());
            if (c != null) {
                for (IpPrefix p : c.allowedIps()) {
                    if (!ips.contains(p)) {
                        ips.add(p);
                    }
                }
            }
        }
        return List.of(PeerChange.removal(ps.publicKey()), new PeerChange(ps.publicKey(), false, false, ep,
                ps.persistentKeepaliveSeconds(), true, ips));
    }
}
