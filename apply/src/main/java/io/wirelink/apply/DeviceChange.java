package io.wirelink.apply;

import io.wirelink.facts.PrivateKey;
import java.util.List;

/**
 * A change to a WireGuard interface, applied in one call.
 *
 * @param privateKey null: leave as is
 * @param listenPort null: leave as is
 * @param fwmark null: leave as is; 0 clears it
 * @param replacePeers true: peers not named in {@code peers} are removed
 */
public record DeviceChange(
        PrivateKey privateKey, Integer listenPort, Integer fwmark, boolean replacePeers, List<PeerChange> peers) {
    public DeviceChange {
        peers = peers == null ? List.of() : List.copyOf(peers);
        if (listenPort != null && (listenPort < 0 || listenPort > 65535)) {
            throw new IllegalArgumentException("listen port out of range: " + listenPort);
        }
    }

    public static DeviceChange peers(List<PeerChange> peers) {
        return new DeviceChange(null, null, null, false, peers);
    }

    public boolean isEmpty() {
        return privateKey == null && listenPort == null && fwmark == null && !replacePeers && peers.isEmpty();
    }
}
