package io.wirelink.gossip;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactKey;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What gossip remembers about each peer between passes, one record per peer: the format it reads (written by the
 * {@link InboundPipeline}, read by the {@link OutboundPlanner}), the last address it sent from, whether a quiet path
 * greeted it, and the withdrawals it has not acknowledged. Looked up by key only; the owner forgets peers that are
 * no longer known in one place ({@link #retain}).
 */
public final class GossipPeers {
    /** The group version wirelink announces: 3 = v2 groups with acknowledged delivery (PROTOCOL.md §3). */
    public static final int ANNOUNCED_VERSION = 3;
    /** At most this many withdrawals wait per peer. */
    public static final int MAX_WITHDRAWALS = 4096;

    /** One peer's record; a field at its default means "nothing remembered". */
    static final class Peer {
        /** It sent a v2 group or announced v2: it reads v2 groups. */
        boolean v2;
        /** It asked for an Ack or announced version 3: it reads Acks (acknowledged delivery). */
        boolean acks;
        /** The last source address a datagram from this peer came from (shared by the facts stored from it). */
        IpEndpoint source;
        /** A quiet path whose peer acknowledged an Alive of ours since the path last became healthy. */
        boolean greeted;
        /** When we last sent a greeting Alive not acknowledged yet (null: none outstanding). */
        Instant greetSentAt;
        /** Facts the peer holds (we sent them) that we no longer share, sent with TTL 0 until acknowledged. */
        Map<FactKey, Fact> withdrawals;
        /** When withdrawals last went to this peer, or null. */
        Instant withdrawnAt;
    }

    private final Map<PublicKey, Peer> byKey = new HashMap<>();

    Peer get(PublicKey k) {
        return byKey.get(k);
    }

    Peer of(PublicKey k) {
        return byKey.computeIfAbsent(k, x -> new Peer());
    }

    /** Whether {@code k} reads v2 groups. */
    public boolean v2(PublicKey k) {
        Peer p = byKey.get(k);
        return p != null && p.v2;
    }

    /** Whether {@code k} reads Acks. */
    public boolean acks(PublicKey k) {
        Peer p = byKey.get(k);
        return p != null && p.acks;
    }

    /**
     * A capability hint a peer gave about itself (a group's version, its boot ID's stamp, an older agent's
     * MemberMetadata {@code v}): believed without trust, since it only sets the format we send it.
     */
    public void speaks(PublicKey k, int version) {
        if (version >= 2) {
            of(k).v2 = true;
        }
        if (version >= ANNOUNCED_VERSION) {
            of(k).acks = true;
        }
    }

    /** The peer sent a v2 group. */
    void readsV2(PublicKey k) {
        of(k).v2 = true;
    }

    /** The peer asked for an Ack: only a node that reads Acks asks for them. */
    void asksAcks(PublicKey k) {
        of(k).acks = true;
    }

    /** {@code source} as the object already held for {@code k}'s last datagram, so stored facts share one. */
    IpEndpoint source(PublicKey k, IpEndpoint source) {
        Peer r = of(k);
        if (source.equals(r.source)) {
            return r.source;
        }
        r.source = source;
        return source;
    }

    /** The peer restarted: a greeting must be acknowledged again. */
    void ungreet(PublicKey k) {
        Peer r = byKey.get(k);
        if (r != null) {
            r.greeted = false;
        }
    }

    /** Our datagram to {@code k} carrying {@code keys} was acknowledged: withdrawals, our Alive (a greeting). */
    void acked(PublicKey k, List<FactKey> keys, PublicKey self) {
        Peer held = byKey.get(k);
        if (held != null && held.withdrawals != null) {
            keys.forEach(held.withdrawals::remove);
            if (held.withdrawals.isEmpty()) {
                held.withdrawals = null;
            }
        }
        for (FactKey key : keys) {
            if (key.attribute() == Attribute.ALIVE && key.subject().equals(self)) {
                Peer r = of(k);
                r.greeted = true;
                r.greetSentAt = null;
            }
        }
    }

    /** Queues {@code f} to be withdrawn from {@code k} (bounded by {@link #MAX_WITHDRAWALS}). */
    void withdraw(PublicKey k, FactKey key, Fact f) {
        Peer r = of(k);
        if (r.withdrawals == null) {
            r.withdrawals = new LinkedHashMap<>();
        }
        if (r.withdrawals.size() < MAX_WITHDRAWALS) {
            r.withdrawals.put(key, f);
        }
    }

    /** Forgets every peer not in {@code known}; one that comes back announces its format again. */
    public void retain(Set<PublicKey> known) {
        byKey.keySet().retainAll(known);
    }

    /** How many peers have a known format (v2 or Acks); bounded by the known peers. */
    public int formatsHeld() {
        int n = 0;
        for (Peer p : byKey.values()) {
            if (p.v2 || p.acks) {
                n++;
            }
        }
        return n;
    }
}
