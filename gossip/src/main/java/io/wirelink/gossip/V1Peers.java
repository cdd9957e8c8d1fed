package io.wirelink.gossip;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.MemberMetadata;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a v1 (Go wirelink) peer is sent (PROTOCOL.md §6.1). It reads no withdrawals, and it keeps per fact the copy
 * that expires last (wirelink-spec.md §1.3), so nothing sent later can shorten what it holds: a fact we stop
 * sharing leaves it only when its copy expires. So its copies of our membership facts, which are what makes it
 * remove a peer, live only a {@link #lease}, and the rest at most {@code factTtl}. Once the peer is known to be v1
 * (heard from without a v2 announcement) our Alive goes at its own cadence (every 30 s rather than every 10 s) with
 * the same lease, so the membership refresh rides in the same datagram. And it gets nothing its decoder does not know: no v2 attribute (it would drop the whole group) and no
 * MemberMetadata carrying the {@code v} sub-attribute (it would log each one at INFO).
 */
public final class V1Peers {
    private V1Peers() {}

    /** Our Alive goes to a v1 peer every 3 {@code alivePeriod}s (30 s by default: the Go wirelink's own period). */
    public static Duration alivePeriod(GossipSettings s) {
        return s.alivePeriod().multipliedBy(3);
    }

    /**
     * How long a v1 peer holds our Alive and our membership facts: two Alive periods, each up to a pass late, and a
     * pass (75 s by default). So when one datagram is lost the next still arrives before the copy lapses (a lapsed
     * membership makes a Go leaf delete the peer).
     */
    public static Duration lease(GossipSettings s) {
        return alivePeriod(s).plus(s.antiEntropy()).multipliedBy(2).plus(s.antiEntropy());
    }

    /**
     * A fact (Alive included) is re-sent to a v1 peer when its copy expires within the lease less one Alive period
     * (45 s): Alive and membership once a period, together; the other facts when that much of their life is left.
     */
    public static Duration window(GossipSettings s) {
        return lease(s).minus(alivePeriod(s));
    }

    /** Our Alive as a v1 peer gets it: living a {@link #lease}. */
    public static Fact alive(Fact alive, GossipSettings s, Instant now) {
        return alive.withExpiry(now.plus(lease(s)));
    }

    /** The facts of {@code eligible} a v1 peer may get, in order, with their lifetimes capped as above. */
    public static List<Fact> eligible(List<Fact> eligible, GossipSettings s, Instant now) {
        Instant factCap = now.plus(s.factTtl());
        Instant memberCap = now.plus(lease(s));
        List<Fact> out = new ArrayList<>(eligible.size());
        for (Fact f : eligible) {
            if (!f.attribute().isV1() || announcesVersion(f)) {
                continue;
            }
            boolean member = f.attribute() == Attribute.MEMBER_METADATA || f.attribute() == Attribute.MEMBER;
            Instant cap = member ? memberCap : factCap;
            out.add(f.expires().isAfter(cap) ? f.withExpiry(cap) : f);
        }
        return out;
    }

    /** A capability hint (an older agent's hello, relayed): MemberMetadata with the {@code v} sub-attribute. */
    static boolean announcesVersion(Fact f) {
        return f.value() instanceof MemberMetadata md && md.entries().containsKey(MemberMetadata.VERSION);
    }
}
