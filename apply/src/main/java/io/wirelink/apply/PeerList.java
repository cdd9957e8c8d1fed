package io.wirelink.apply;

import io.wirelink.facts.PublicKey;
import java.util.AbstractList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * {@link DeviceState#peers()}: an immutable list, like {@link java.util.List#copyOf}, that also finds a peer by key
 * in O(1) (an agent with a thousand peers looks peers up per fact). The index is built on first use.
 */
final class PeerList extends AbstractList<PeerState> implements RandomAccess {
    private final PeerState[] peers;
    private volatile Map<PublicKey, PeerState> byKey;

    private PeerList(PeerState[] peers) {
        this.peers = peers;
    }

    static PeerList copyOf(Collection<PeerState> peers) {
        if (peers instanceof PeerList p) {
            return p;
        }
        PeerState[] a = peers.toArray(new PeerState[0]);
        for (PeerState p : a) {
            Objects.requireNonNull(p);
        }
        return new PeerList(a);
    }

    @Override
    public PeerState get(int index) {
        return peers[index];
    }

    @Override
    public int size() {
        return peers.length;
    }

    /** The first peer with {@code key}, or null. */
    PeerState peer(PublicKey key) {
        Map<PublicKey, PeerState> m = byKey;
        if (m == null) {
            m = new HashMap<>();
            for (PeerState p : peers) {
                m.putIfAbsent(p.publicKey(), p);
            }
            byKey = m;
        }
        return m.get(key);
    }
}
