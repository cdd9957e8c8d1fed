package io.wirelink.apply;

import io.wirelink.facts.PublicKey;
import java.util.List;

/**
 * A WireGuard interface as read from the device. The private key itself is never carried here; only whether one
 * is set and the public key derived from it.
 *
 * @param publicKey null when no private key is set
 * @param listenPort 0 when not listening
 */
public record DeviceState(String name, PublicKey publicKey, int listenPort, int fwmark, List<PeerState> peers) {
    public DeviceState {
        peers = PeerList.copyOf(peers);
    }

    /** The peer with {@code key}, or null. O(1). */
    public PeerState peer(PublicKey key) {
        return ((PeerList) peers).peer(key);
    }
}
