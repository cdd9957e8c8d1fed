package io.wirelink.traversal;

import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerChange;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Folds the relay client's decisions into the reconciler's device change: endpoints, re-adds, relay peers. */
final class DeviceMerge {
    private DeviceMerge() {}

    /**
     * {@code base} with each managed peer's endpoint ({@code endpointFor}; a null value keeps what the device has),
     * the peers in {@code reAdd} removed and re-added, and {@code relayChanges} appended. Peers whose endpoint moved
     * are added to {@code switched}.
     */
    static DeviceChange merge(DeviceChange base, DeviceState raw, Map<PublicKey, IpEndpoint> endpointFor,
            Set<PublicKey> reAdd, Set<PublicKey> held, List<PeerChange> relayChanges, Set<PublicKey> switched) {
        // a peer with a preshared key is never re-added: the device does not give the key back, and a peer re-added
        // without it could never complete a handshake again. Its endpoint is only moved
        reAdd = new HashSet<>(reAdd);
        reAdd.removeIf(k -> raw.peer(k) != null && raw.peer(k).hasPresharedKey());
        List<PeerChange> out = new ArrayList<>();
        Set<PublicKey> done = new HashSet<>();
        for (PeerChange c : base.peers()) {
            PublicKey k = c.publicKey();
            IpEndpoint want = endpointFor.get(k);
            if (c.remove() || !endpointFor.containsKey(k)) {
                out.add(c);
                continue;
            }
            done.add(k);
            if (reAdd.contains(k) && (want != null || held.contains(k))) {
                out.addAll(reAdded(raw.peer(k), c, want));
                switched.add(k);
                continue;
            }
            PeerState ps = raw.peer(k);
            IpEndpoint ep = want == null || (ps != null && want.equals(ps.endpoint())) ? null : want;
            out.add(new PeerChange(k, c.remove(), c.updateOnly(), ep, c.persistentKeepaliveSeconds(),
                    c.replaceAllowedIps(), c.allowedIps()));
        }
        for (Map.Entry<PublicKey, IpEndpoint> e : endpointFor.entrySet()) {
            PublicKey k = e.getKey();
            PeerState ps = raw.peer(k);
            if (done.contains(k) || ps == null || (e.getValue() == null && !(held.contains(k) && reAdd.contains(k)))) {
                continue;
            }
            if (reAdd.contains(k)) {
                out.addAll(reAdded(ps, null, e.getValue()));
                switched.add(k);
            } else if (!e.getValue().equals(ps.endpoint())) {
                out.add(new PeerChange(k, false, true, e.getValue(), null, false, List.of()));
                switched.add(k);
            }
        }
        out.addAll(relayChanges);
        return DeviceChange.peers(out);
    }

    /** See {@link RelayPlanner#withReAdds}. */
    static DeviceChange withReAdds(DeviceChange change, DeviceState device, Set<PublicKey> keys) {
        List<PeerChange> out = new ArrayList<>();
        Set<PublicKey> done = new HashSet<>();
        Set<PublicKey> removed = new HashSet<>();
        for (PeerChange c : change.peers()) {
            if (c.remove()) {
                removed.add(c.publicKey());
            }
        }
        for (PeerChange c : change.peers()) {
            PublicKey k = c.publicKey();
            PeerState ps = device.peer(k);
            if (!keys.contains(k) || removed.contains(k) || ps == null || done.contains(k)) {
                out.add(c);
                continue;
            }
            done.add(k);
            out.addAll(reAdded(ps, c, c.endpoint() != null ? c.endpoint() : ps.endpoint()));
        }
        for (PublicKey k : keys) {
            PeerState ps = device.peer(k);
            if (!done.contains(k) && !removed.contains(k) && ps != null) {
                out.addAll(reAdded(ps, null, ps.endpoint()));
            }
        }
        return DeviceChange.peers(out);
    }

    /**
     * Removes and re-adds a peer, so its session is gone and the next packet starts a handshake through the new
     * relay: the peer comes back with the same allowed IPs (plus what the reconciler adds) and keepalive.
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
