package io.wirelink.detect;

import io.wirelink.apply.PeerState;
import java.time.Duration;
import java.time.Instant;

/**
 * WireGuard handshake health. A session is valid for RekeyAfterTime + RekeyTimeout + KeepaliveTimeout + jitter
 * (135.334 s) after a handshake; wirelink adds 30 s of hysteresis. A peer is healthy when it has an endpoint and
 * its last handshake is within that window.
 */
public final class Health {
    public static final Duration HANDSHAKE_VALIDITY = Duration.ofMillis(165_334);

    private Health() {}

    public static boolean healthy(PeerState p, Instant now) {
        return p.endpoint() != null
                && !p.lastHandshake().equals(Instant.EPOCH)
                && p.lastHandshake().plus(HANDSHAKE_VALIDITY).isAfter(now);
    }
}
