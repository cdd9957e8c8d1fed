package io.wirelink.apply.reconcile;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import java.time.Instant;
import java.util.List;

/**
 * What the agent's view says about one peer, already filtered by trust.
 *
 * @param member configured, or asserted a member by a trusted source: the peer belongs on the device
 * @param configured statically configured (never removed by the agent)
 * @param basic runs WireGuard only (no Alive will ever come): allowed IPs go in on a healthy handshake alone
 * @param allowedIps the peer's allowed IPs from trusted facts and config (without its link-local /128)
 * @param endpoints endpoint candidates from trusted facts and config, each with how it was learned
 * @param healthy the device has a recent handshake with the peer
 * @param aliveUntil when the peer's latest Alive expires, or null if it is not alive
 */
public record PeerIntent(
        PublicKey key,
        boolean member,
        boolean configured,
        boolean basic,
        List<IpPrefix> allowedIps,
        List<Candidate> endpoints,
        boolean healthy,
        Instant aliveUntil) {
    public PeerIntent {
        allowedIps = List.copyOf(allowedIps);
        endpoints = List.copyOf(endpoints);
    }

    /**
     * An endpoint candidate.
     *
     * @param observed reported by a peer other than the subject: an address the subject's packets were seen from
     *     (its NAT mapping), so proven to reach it from outside
     */
    public record Candidate(IpEndpoint endpoint, boolean observed) {}
}
