package io.wirelink.agent.config;

import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import io.wirelink.trust.TrustLevel;
import java.util.List;

/**
 * A statically configured peer.
 *
 * @param trust null when the config has no opinion
 * @param endpoints {@code host:port} strings as written; hosts may be names, resolved when used
 * @param allowedIps with host bits masked, as wirelink does
 */
public record PeerConfig(
        PublicKey publicKey,
        String name,
        TrustLevel trust,
        List<String> endpoints,
        List<IpPrefix> allowedIps,
        boolean basic,
        boolean factExchanger) {
    public PeerConfig {
        endpoints = List.copyOf(endpoints);
        allowedIps = List.copyOf(allowedIps);
    }
}
