package io.wirelink.gossip;

import io.wirelink.facts.FactKey;
import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Acknowledged delivery for v2 peers (PROTOCOL.md §6.1). {@link Knowledge} records a fact as known by a peer when
 * it is sent; here the sender remembers which facts each unacknowledged datagram carried, and when no Ack arrives
 * within the timeout those facts are forgotten in {@link Knowledge} so the next pass sends them again. A lost
 * datagram is repaired within one anti-entropy pass instead of at the fact's refresh minutes later. The receiving
 * side queues the ids to acknowledge. Bounded per peer and in peers; single-threaded.
 */
public final class Delivery {
    /** How long a datagram that asked for an Ack waits for it before its facts are sent again. */
    public static final Duration ACK_TIMEOUT = Duration.ofSeconds(2);

    /** Facts of one unacknowledged datagram. */
    private record Pending(Instant sentAt, List<FactKey> keys) {}

    /** What to forget: a peer and the facts an unacknowledged datagram carried. */
    public record Lost(PublicKey peer, List<FactKey> keys) {}

    private final Map<PublicKey, LinkedHashMap<Long, Pending>> pending = new HashMap<>();
    private final Map<PublicKey, List<Long>> toAck = new HashMap<>();
    private int peerCap;
    private int perPeerCap;
    /** Datagrams pushed out of a full table before their Ack could come: reported lost by the next overdue(). */
    private final List<Lost> evicted = new ArrayList<>();
    private long lost;
    private long acked;

    public Delivery(int peerCap, int perPeerCap) {
        this.peerCap = peerCap;
        this.perPeerCap = perPeerCap;
    }

    /**
     * Sets how many peers are tracked at most, and datagrams in flight (or Acks owed) per peer; the owner raises them
     * with the mesh (see {@link Knowledge#caps}). A hub's first batch to a node of a 3,000-node mesh is about 900
     * datagrams, and a fixed 256 pushed most of them out before their Acks came.
     */
    public void caps(int peerCap, int perPeerCap) {
        if (peerCap < 1 || perPeerCap < 1) {
            throw new IllegalArgumentException("caps must be positive");
        }
        this.peerCap = peerCap;
        this.perPeerCap = perPeerCap;
    }

    /** We sent {@code peer} datagram {@code id} carrying {@code keys} and asked for an Ack. */
    public void sent(PublicKey peer, long id, List<FactKey> keys, Instant now) {
        LinkedHashMap<Long, Pending> m = pending.get(peer);
        if (m == null) {
            if (pending.size() >= peerCap) {
                return;
            }
            m = new LinkedHashMap<>();
            pending.put(peer, m);
        }
        if (m.size() >= perPeerCap) {
            // the oldest is given up on as lost: its facts are re-sent rather than silently dropped, or a batch
            // bigger than the table would lose for good what the network lost of it
            Iterator<Map.Entry<Long, Pending>> it = m.entrySet().iterator();
            Pending oldest = it.next().getValue();
            it.remove();
            evicted.add(new Lost(peer, oldest.keys()));
            lost++;
        }
        m.put(id, new Pending(now, List.copyOf(keys)));
    }

    /** {@code peer} acknowledged these datagram ids; returns the facts they carried. Unknown ids are ignored. */
    public List<FactKey> acked(PublicKey peer, List<Long> ids) {
        Map<Long, Pending> m = pending.get(peer);
        if (m == null) {
            return List.of();
        }
        List<FactKey> out = new ArrayList<>();
        for (Long id : ids) {
            Pending p = m.remove(id);
            if (p != null) {
                acked++;
                out.addAll(p.keys());
            }
        }
        return out;
    }

    /** Removes and returns the datagrams sent at least {@code timeout} ago and still unacknowledged. */
    public List<Lost> overdue(Instant now, Duration timeout) {
        List<Lost> out = new ArrayList<>(evicted);
        evicted.clear();
        Instant cutoff = now.minus(timeout);
        for (Map.Entry<PublicKey, LinkedHashMap<Long, Pending>> e : pending.entrySet()) {
            for (Iterator<Pending> it = e.getValue().values().iterator(); it.hasNext(); ) {
                Pending p = it.next();
                if (p.sentAt().isAfter(cutoff)) {
                    break; // insertion order is send order
                }
                out.add(new Lost(e.getKey(), p.keys()));
                it.remove();
                lost++;
            }
        }
        pending.values().removeIf(Map::isEmpty);
        return out;
    }

    /** True when some datagram has waited {@code timeout} for its Ack. O(peers with datagrams in flight). */
    public boolean anyOverdue(Instant now, Duration timeout) {
        Instant cutoff = now.minus(timeout);
        for (LinkedHashMap<Long, Pending> m : pending.values()) {
            if (!m.isEmpty() && !m.values().iterator().next().sentAt().isAfter(cutoff)) {
                return true;
            }
        }
        return false;
    }

    /** A datagram from {@code peer} asked for an Ack. */
    public void receivedAckRequest(PublicKey peer, long id) {
        List<Long> l = toAck.get(peer);
        if (l == null) {
            if (toAck.size() >= peerCap) {
                return;
            }
            l = new ArrayList<>();
            toAck.put(peer, l);
        }
        if (l.size() < perPeerCap) {
            l.add(id);
        }
    }

    /** Takes the ids to acknowledge to {@code peer}; empty when there are none. */
    public List<Long> drainAcks(PublicKey peer) {
        List<Long> l = toAck.remove(peer);
        return l == null ? List.of() : l;
    }

    /** The peers owed an Ack (a copy). */
    public Set<PublicKey> owedPeers() {
        return new HashSet<>(toAck.keySet());
    }

    /** True when some peer is owed an Ack. */
    public boolean acksOwed() {
        return !toAck.isEmpty();
    }

    /** Forgets peers not in {@code keep}, and everything about a peer that restarted. */
    public void retain(Set<PublicKey> keep) {
        pending.keySet().retainAll(keep);
        toAck.keySet().retainAll(keep);
    }

    public void forgetPeer(PublicKey peer) {
        pending.remove(peer);
    }

    /** Datagrams given up on as lost (their facts were re-sent). */
    public long lostCount() {
        return lost;
    }

    public long ackedCount() {
        return acked;
    }

    public int pendingCount() {
        int n = 0;
        for (Map<Long, Pending> m : pending.values()) {
            n += m.size();
        }
        return n;
    }
}
