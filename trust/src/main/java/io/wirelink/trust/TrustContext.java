package io.wirelink.trust;

import io.wirelink.facts.PublicKey;
import java.util.Map;
import java.util.Set;

/**
 * What the trust policy needs to know about the mesh at one moment. Immutable; the agent builds a new one when
 * config, device or view change.
 *
 * @param self our own public key
 * @param configured explicit per-peer trust from the config (peers without an opinion are absent)
 * @param known peers we know: on the device, configured, or members in the current view
 * @param routers peers we take to be routers (declared, or detected from the device)
 * @param grants trust granted by DelegateTrust peers through TrustGrant facts (already capped)
 */
public record TrustContext(
        PublicKey self,
        Map<PublicKey, TrustLevel> configured,
        Set<PublicKey> known,
        Set<PublicKey> routers,
        Map<PublicKey, TrustLevel> grants) {
    public TrustContext {
        configured = Map.copyOf(configured);
        known = Set.copyOf(known);
        routers = Set.copyOf(routers);
        grants = Map.copyOf(grants);
    }

    /** True when no peer in the config has a trust level: zero-config mode, where routers are trusted. */
    public boolean zeroConfig() {
        return configured.isEmpty();
    }
}
