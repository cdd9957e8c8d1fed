package io.wirelink.trust;

import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerState;
import io.wirelink.detect.Routers;
import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.store.FactEvent;
import io.wirelink.facts.store.FactStore;
import io.wirelink.facts.store.FactView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the {@link TrustContext} from the config, the device and the store's TrustGrant facts, and keeps it while
 * those stand. A received datagram needs the context, so asking for it must not fold a view or walk the device
 * every time: the cached context is reused while the config and grants are the same objects/version, no grant
 * expired, and the device has the same peers with the same routers.
 */
public final class TrustContexts {

    /**
     * What the config says about trust. Compared by identity: a new instance (a new config) rebuilds the context.
     *
     * @param levels explicit per-peer trust (peers without an opinion are absent)
     * @param peers the configured peers' keys, in config order
     */
    public record Configured(Map<PublicKey, TrustLevel> levels, List<PublicKey> peers) {
        public Configured {
            levels = Map.copyOf(levels);
            peers = List.copyOf(peers);
        }
    }

    private final PublicKey self;
    private final FactStore store;
    private TrustContext trust;
    private Configured builtConfig;
    private DeviceState builtDevice;
    private long builtGrants;
    /** When the first TrustGrant assertion the context counts expires (null: none). */
    private Instant until;

    public TrustContexts(PublicKey self, FactStore store) {
        this.self = self;
        this.store = store;
    }

    /** The trust context at {@code now} for {@code config} and {@code device} (null before the first read). */
    public TrustContext at(Instant now, Configured config, DeviceState device) {
        long grants = store.version(Attribute.TRUST_GRANT);
        if (trust != null && config == builtConfig && grants == builtGrants
                && (until == null || now.isBefore(until))) {
            if (device == builtDevice) {
                return trust;
            }
            // a new device read: the same context if it has the same peers and routers
            if (device != null && builtDevice != null && sameTrustInputs(builtDevice, device)) {
                builtDevice = device;
                return trust;
            }
        }
        FactView view = store.view(now);
        trust = build(view, config, device);
        builtConfig = config;
        builtDevice = device;
        builtGrants = grants;
        until = null;
        for (FactView.Entry e : view.byAttribute(Attribute.TRUST_GRANT)) {
            for (FactEvent a : e.assertions()) {
                if (until == null || a.expires().isBefore(until)) {
                    until = a.expires();
                }
            }
        }
        return trust;
    }

    /** Whether two device reads have the same peers, and the same of them are routers. */
    static boolean sameTrustInputs(DeviceState a, DeviceState b) {
        if (a.peers().size() != b.peers().size()) {
            return false;
        }
        for (PeerState p : b.peers()) {
            PeerState q = a.peer(p.publicKey());
            if (q == null || (q != p && !q.allowedIps().equals(p.allowedIps())
                    && Routers.isRouter(q) != Routers.isRouter(p))) {
                return false;
            }
        }
        return true;
    }

    /** A fresh context over {@code view}: no cache. */
    public TrustContext build(FactView view, Configured config, DeviceState device) {
        Map<PublicKey, TrustLevel> configured = new HashMap<>();
        for (Map.Entry<PublicKey, TrustLevel> e : config.levels().entrySet()) {
            if (!e.getKey().equals(self)) {
                configured.put(e.getKey(), e.getValue());
            }
        }
        Set<PublicKey> routers = new HashSet<>();
        if (device != null) {
            for (PeerState p : device.peers()) {
                if (Routers.isRouter(p)) {
                    routers.add(p.publicKey());
                }
            }
        }
        List<Map.Entry<Fact, PublicKey>> grantFacts = new ArrayList<>();
        for (FactView.Entry e : view.byAttribute(Attribute.TRUST_GRANT)) {
            for (FactEvent a : e.assertions()) {
                grantFacts.add(Map.entry(a.fact(), a.provenance().author()));
            }
        }
        return new TrustContext(self, configured, knownPeers(self, config, device), routers,
                TrustPolicy.grants(grantFacts, self, configured));
    }

    /** Device peers and configured peers, without {@code self}: the only signers we listen to. */
    public static Set<PublicKey> knownPeers(PublicKey self, Configured config, DeviceState device) {
        Set<PublicKey> known = new HashSet<>();
        if (device != null) {
            device.peers().forEach(p -> known.add(p.publicKey()));
        }
        known.addAll(config.peers());
        known.remove(self);
        return known;
    }
}
