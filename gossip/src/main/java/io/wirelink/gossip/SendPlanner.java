package io.wirelink.gossip;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactKey;
import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides what to send to one peer on a pass. Pure apart from recording in {@link Knowledge} what it plans to
 * send (delivery is assumed, as in wirelink; a lost packet is repaired when the entry nears expiry or the peer's
 * boot ID changes).
 */
public final class SendPlanner {
    private SendPlanner() {}

    /** How much a peer is sent. */
    public enum Level {
        /** No endpoint on the device: nothing can be sent. */
        NOTHING,
        /** Only our Alive (keeps the session and tells the peer we run wirelink). */
        PING,
        /** Alive and every eligible fact. */
        FACTS
    }

    /**
     * wirelink's order (spec §3.5): no endpoint → nothing; trusted ≥ AllowedIPs, a router or a fact exchanger →
     * facts; a leaf that is not chatty → ping; otherwise facts while the handshake is healthy.
     */
    public static Level level(boolean hasEndpoint, boolean trustedForFacts, boolean peerIsRouter,
            boolean factExchanger, boolean selfIsRouter, boolean chatty, boolean healthy) {
        if (!hasEndpoint) {
            return Level.NOTHING;
        }
        if (trustedForFacts || peerIsRouter || factExchanger) {
            return Level.FACTS;
        }
        if (!chatty && !selfIsRouter) {
            return Level.PING;
        }
        return healthy ? Level.FACTS : Level.PING;
    }

    /** When our Alive goes to a peer. */
    public enum AliveRule {
        /** When what the peer holds expires within {@link GossipSettings#aliveWindow()} (wirelink's rule). */
        WINDOW,
        /** Now (a probe of an unhealthy path, or a first greeting). */
        NOW,
        /** Only piggy-backed on facts we send anyway (a quiet, healthy v2 path: the handshake shows liveness). */
        PIGGYBACK
    }

    public static List<Fact> plan(PublicKey peer, Level level, List<Fact> eligible, Fact alive, Knowledge knowledge,
            GossipSettings settings, Instant now) {
        return plan(peer, level, eligible, alive, AliveRule.WINDOW, knowledge, settings, now);
    }

    /**
     * The facts to send to {@code peer} now, in order, with our Alive last. Facts about the peer itself are not
     * sent back to it, except MemberMetadata (so it learns its name).
     *
     * @param eligible facts we hold and may share, in a deterministic order
     * @param alive our own Alive fact
     */
    public static List<Fact> plan(PublicKey peer, Level level, List<Fact> eligible, Fact alive, AliveRule rule,
            Knowledge knowledge, GossipSettings settings, Instant now) {
        return plan(peer, level, eligible, alive, rule, settings.factWindow(), settings.aliveWindow(), knowledge,
                now);
    }

    /**
     * As above, re-sending a fact when the peer's copy expires within {@code factWindow} and our Alive within
     * {@code aliveWindow} (a v1 peer's are {@link V1Peers#window}).
     */
    public static List<Fact> plan(PublicKey peer, Level level, List<Fact> eligible, Fact alive, AliveRule rule,
            Duration factWindow, Duration aliveWindow, Knowledge knowledge, Instant now) {
        List<Fact> out = new ArrayList<>();
        if (level == Level.NOTHING) {
            return out;
        }
        if (level == Level.FACTS) {
            // every eligible fact, or only those changed since the last plan when no other can be due (Knowledge):
            // the rules below must depend only on the fact, the peer and whether the fact has expired
            Knowledge.Scan scan = knowledge.scan(peer, eligible, factWindow, now);
            for (int i = scan.next(); i >= 0; i = scan.next()) {
                Fact f = eligible.get(i);
                if (f.subject().equals(peer) && f.attribute() != Attribute.MEMBER_METADATA) {
                    continue;
                }
                if (f.attribute() == Attribute.ALIVE || !f.expires().isAfter(now)) {
                    continue;
                }
                FactKey key = scan.key(i);
                if (scan.needs(key, f.expires())) {
                    out.add(f);
                    knowledge.learned(peer, key, f.expires());
                }
            }
            scan.done();
        }
        // Alive: when due, or piggy-backed on a packet we send anyway (it costs ~51 bytes and keeps us fresh)
        boolean due = rule == AliveRule.NOW || (rule == AliveRule.WINDOW
                && knowledge.needs(peer, alive.key(), alive.expires(), aliveWindow, now));
        if (!out.isEmpty() || due) {
            out.add(alive);
            knowledge.learned(peer, alive.key(), alive.expires());
        }
        return out;
    }
}
