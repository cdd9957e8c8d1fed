package io.wirelink.apply;

import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The meaning of a {@link DeviceChange}, as a pure function on {@link DeviceState} (WireGuard's semantics). */
public final class DeviceStates {
    private DeviceStates() {}

    public static DeviceState apply(DeviceState s, DeviceChange c) {
        Map<PublicKey, PeerState> peers = new LinkedHashMap<>();
        if (!c.replacePeers()) {
            s.peers().forEach(p -> peers.put(p.publicKey(), p));
        }
        for (PeerChange pc : c.peers()) {
            PeerState old = peers.get(pc.publicKey());
            if (old == null && c.replacePeers()) {
                old = s.peer(pc.publicKey());
            }
            if (pc.remove()) {
                peers.remove(pc.publicKey());
                continue;
            }
            if (old == null && pc.updateOnly()) {
                continue;
            }
            Set<IpPrefix> aips = new LinkedHashSet<>();
            if (old != null && !pc.replaceAllowedIps()) {
                aips.addAll(old.allowedIps());
            }
            for (IpPrefix p : pc.allowedIps()) {
                // WireGuard moves an allowed IP from whichever peer had it
                for (Map.Entry<PublicKey, PeerState> e : peers.entrySet()) {
                    if (!e.getKey().equals(pc.publicKey()) && e.getValue().allowedIps().contains(p)) {
                        List<IpPrefix> rest = new ArrayList<>(e.getValue().allowedIps());
                        rest.remove(p);
                        PeerState q = e.getValue();
                        e.setValue(new PeerState(q.publicKey(), q.hasPresharedKey(), q.endpoint(), rest,
                                q.lastHandshake(), q.rxBytes(), q.txBytes(), q.persistentKeepaliveSeconds()));
                    }
                }
                aips.add(p);
            }
            PeerState n = old == null
                    ? new PeerState(pc.publicKey(), false, pc.endpoint(), new ArrayList<>(aips), null, 0, 0,
                            pc.persistentKeepaliveSeconds() == null ? 0 : pc.persistentKeepaliveSeconds())
                    : new PeerState(old.publicKey(), old.hasPresharedKey(),
                            pc.endpoint() != null ? pc.endpoint() : old.endpoint(), new ArrayList<>(aips),
                            old.lastHandshake(), old.rxBytes(), old.txBytes(),
                            pc.persistentKeepaliveSeconds() != null ? pc.persistentKeepaliveSeconds()
                                    : old.persistentKeepaliveSeconds());
            peers.put(pc.publicKey(), n);
        }
        return new DeviceState(s.name(), s.publicKey(), c.listenPort() != null ? c.listenPort() : s.listenPort(),
                c.fwmark() != null ? c.fwmark() : s.fwmark(), new ArrayList<>(peers.values()));
    }
}
