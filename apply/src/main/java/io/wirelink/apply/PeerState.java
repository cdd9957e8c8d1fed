package io.wirelink.apply;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import java.time.Instant;
import java.util.List;

/**
 * One peer as the device reports it.
 *
 * @param endpoint null when the device has none
 * @param lastHandshake {@link Instant#EPOCH} when there has never been a handshake
 * @param persistentKeepaliveSeconds 0 when off
 */
public record PeerState(
        PublicKey publicKey,
        boolean hasPresharedKey,
        IpEndpoint endpoint,
        List<IpPrefix> allowedIps,
        Instant lastHandshake,
        long rxBytes,
        long txBytes,
        int persistentKeepaliveSeconds) {
    public PeerState {
        if (publicKey == null) {
            throw new IllegalArgumentException("publicKey is missing");
        }
        allowedIps = List.copyOf(allowedIps);
        if (lastHandshake == null) {
            lastHandshake = Instant.EPOCH;
        }
    }
}
