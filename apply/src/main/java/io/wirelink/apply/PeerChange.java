package io.wirelink.apply;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import java.util.List;

/**
 * A change to one peer, with the semantics of the UAPI {@code set=1} peer section and of WGPEER_A_* in netlink.
 *
 * @param remove remove the peer; every other field is ignored
 * @param updateOnly change the peer only if it already exists (never create it)
 * @param endpoint null: leave as is
 * @param persistentKeepaliveSeconds null: leave as is; 0 turns it off
 * @param replaceAllowedIps true: the peer's allowed IPs become exactly {@code allowedIps}; false: they are added
 */
public record PeerChange(
        PublicKey publicKey,
        boolean remove,
        boolean updateOnly,
        IpEndpoint endpoint,
        Integer persistentKeepaliveSeconds,
        boolean replaceAllowedIps,
        List<IpPrefix> allowedIps) {
    public PeerChange {
        if (publicKey == null) {
            throw new IllegalArgumentException("publicKey is missing");
        }
        allowedIps = allowedIps == null ? List.of() : List.copyOf(allowedIps);
        if (persistentKeepaliveSeconds != null && (persistentKeepaliveSeconds < 0 || persistentKeepaliveSeconds > 65535)) {
            throw new IllegalArgumentException("persistent keepalive out of range: " + persistentKeepaliveSeconds);
        }
    }

    public static PeerChange removal(PublicKey key) {
        return new PeerChange(key, true, false, null, null, false, List.of());
    }
}
