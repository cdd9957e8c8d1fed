package io.wirelink.gossip;

import io.wirelink.facts.PublicKey;
import java.time.Instant;

/** Decides each peer's {@link SendMode}: wirelink's level, the format the peer reads, and our Alive's rule. */
final class SendModes {
    private final Knowledge knowledge;
    private final GossipPeers peers;

    SendModes(Knowledge knowledge, GossipPeers peers) {
        this.knowledge = knowledge;
        this.peers = peers;
    }

    SendMode of(OutboundPlanner.Recipient r, OutboundPlanner.Round round) {
        PublicKey k = r.key();
        SendPlanner.Level level = SendPlanner.level(r.hasEndpoint(), r.trustedForFacts(), r.router(), r.exchanger(),
                round.selfRouter(), round.chatty(), r.pathHealthy());
        boolean v2 = peers.v2(k);
        boolean acks = v2 && peers.acks(k);
        boolean pingOnly = SendPlanner.level(true, r.trustedForFacts(), r.router(), r.exchanger(), round.selfRouter(),
                round.chatty(), true) == SendPlanner.Level.PING;
        SendPlanner.AliveRule rule = SendPlanner.AliveRule.WINDOW;
        boolean[] greeting = {false};
        if (acks && pingOnly) {
            rule = quietRule(r, round, greeting);
        } else if (pingOnly && !heardFrom(k) && !r.pathHealthy() && r.hasEndpoint()) {
            // never heard from, on a path that does not work (e.g. both behind symmetric NATs): probe with
            // back-off rather than every alivePeriod for ever. Without an endpoint nothing can be sent, so no
            // probe is spent: the first one goes when the peer gets an endpoint (a relay's, say)
            rule = round.probes().probe(k, round.now());
        }
        return new SendMode(level, rule, v2, acks, r.router(), greeting[0]);
    }

    /**
     * When our Alive goes to a quiet peer (a v2 leaf we only ping; PROTOCOL.md §6.1): on a healthy path once, until
     * the peer acknowledges it; on an idle path never; on an unhealthy path as a probe (path traversal's schedule).
     * A direct path then costs nothing while it is healthy or idle, instead of a ping every {@code alivePeriod}.
     */
    private SendPlanner.AliveRule quietRule(OutboundPlanner.Recipient r, OutboundPlanner.Round round,
            boolean[] greeting) {
        PublicKey k = r.key();
        Instant now = round.now();
        if (!r.hasEndpoint()) {
            return SendPlanner.AliveRule.PIGGYBACK;
        }
        if (round.probes().punchOwed(k)) {
            return SendPlanner.AliveRule.NOW; // a coordinated punch: send now, whatever the path's state
        }
        GossipPeers.Peer g = peers.get(k);
        if (r.pathHealthy()) {
            round.probes().pathWorks(k);
            Instant sent = g == null ? null : g.greetSentAt;
            if (r.handshakeHealthy() && (g == null || !g.greeted)
                    && (sent == null || !now.isBefore(sent.plus(Delivery.ACK_TIMEOUT)))) {
                peers.of(k).greetSentAt = now;
                greeting[0] = true;
                return SendPlanner.AliveRule.NOW;
            }
            return SendPlanner.AliveRule.PIGGYBACK;
        }
        if (g != null) {
            g.greeted = false;
            g.greetSentAt = null;
        }
        return round.probes().probe(k, now);
    }

    /** Whether the peer ever reached us: we know its boot ID or its group version. */
    boolean heardFrom(PublicKey k) {
        return peers.v2(k) || knowledge.bootIdOf(k) != null;
    }
}
