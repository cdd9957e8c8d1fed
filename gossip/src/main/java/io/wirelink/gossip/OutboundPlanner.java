package io.wirelink.gossip;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactKey;
import io.wirelink.facts.FactValue;
import io.wirelink.facts.MemberMetadata;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.store.FactStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What to send to whom (PROTOCOL.md §6.1): on a pass, for each device peer, the facts it needs in the format it
 * reads, with our Alive by the peer's rule, the transport signals other modules want carried, the withdrawals it
 * has not acknowledged, the hello and the Acks we owe it. It returns the datagrams to seal ({@link Sealer}); it
 * records in {@link Knowledge} what it plans to send, in {@link GossipPeers} the greetings and withdrawals in
 * flight, and takes the Acks owed from {@link Delivery}. Trust, path health and probe schedules are the agent's:
 * they come in as {@link Recipient}s and {@link PathProbes}. Single-threaded; time is passed in.
 */
public final class OutboundPlanner {
    /** One device peer as the plan sees it: what the agent decided about its trust, role and path. */
    public record Recipient(PublicKey key, boolean hasEndpoint, boolean trustedForFacts, boolean router,
            boolean exchanger, boolean pathHealthy, boolean handshakeHealthy) {}

    /** Transport signals to carry on this pass: PunchRequests to our routers, and passed on to each peer. */
    public record Signals(List<Fact> toRouters, Map<PublicKey, List<Fact>> toPeers) {
        public static final Signals NONE = new Signals(List.of(), Map.of());
    }

    /**
     * What is common to every peer of one plan.
     *
     * @param alive our own Alive
     * @param probes path traversal's decisions about our Alive on a path that does not carry traffic
     */
    public record Round(Instant now, Fact alive, boolean selfRouter, boolean chatty, PathProbes probes) {}

    /** Facts for one peer, in the format it reads; {@code wantAck}: the group asks for an Ack. */
    public record Datagram(PublicKey peer, boolean v2, List<Fact> facts, boolean wantAck) {}

    /** A pass's datagrams, in device order, and what the agent counts of them. */
    public record Plan(List<Datagram> datagrams, int greetings, int withdrawals) {}

    private final PublicKey self;
    private final GossipSettings settings;
    private final Knowledge knowledge;
    private final Delivery delivery;
    private final GossipPeers peers;
    private final FactStore store;
    private final SendModes modes;

    /** @param store the log: a peer that asserts a fact to us holds it whatever we share, so it is not withdrawn */
    public OutboundPlanner(PublicKey self, GossipSettings settings, Knowledge knowledge, Delivery delivery,
            GossipPeers peers, FactStore store) {
        this.self = self;
        this.settings = settings;
        this.knowledge = knowledge;
        this.delivery = delivery;
        this.peers = peers;
        this.store = store;
        this.modes = new SendModes(knowledge, peers);
    }

    /** How {@code r} is sent to now (updating its greeting and, through the probes, its probe schedule). */
    public SendMode mode(Recipient r, Round round) {
        return modes.of(r, round);
    }

    /**
     * The pass's plan. Facts about device peers that are neither alive nor healthy ({@code withheld}) are not
     * shared; what we stopped sharing is withdrawn from the v2 peers that hold it.
     *
     * @param believed the believed facts, in a deterministic order
     * @param recipients the device peers but us, in device order
     */
    public Plan plan(Round round, Collection<Fact> believed, Predicate<PublicKey> withheld,
            List<Recipient> recipients, Signals signals) {
        Eligible eligible = Eligible.of(believed, withheld, settings, round.now());
        withdraw(eligible.v2(), round.now());
        List<Datagram> out = new ArrayList<>();
        int greetings = 0;
        int withdrawals = 0;
        for (Recipient r : recipients) {
            SendMode m = modes.of(r, round);
            greetings += m.greeting() ? 1 : 0;
            PeerFacts pf = facts(r.key(), m, eligible, round, signals);
            withdrawals += pf.withdrawals;
            Datagram d = datagram(r.key(), pf.facts, m, pf.wantAck, round.now());
            if (d != null) {
                out.add(d);
            }
        }
        return new Plan(out, greetings, withdrawals);
    }

    /** The facts planned for one peer, whether they ask for an Ack, and how many are withdrawals. */
    private static final class PeerFacts {
        List<Fact> facts;
        boolean wantAck;
        int withdrawals;
    }

    private PeerFacts facts(PublicKey k, SendMode m, Eligible eligible, Round round, Signals signals) {
        Instant now = round.now();
        PeerFacts pf = new PeerFacts();
        boolean v2 = m.v2();
        // Alive at a Go node's pace only to a peer known to be v1: one not heard from yet may be an agent whose
        // first Alive after a punch must not wait 30 s
        boolean knownV1 = !v2 && modes.heardFrom(k);
        Fact alive = round.alive();
        if (v2) {
            pf.facts = SendPlanner.plan(k, m.level(), eligible.v2(), alive, m.rule(), knowledge, settings, now);
        } else {
            pf.facts = SendPlanner.plan(k, m.level(), eligible.v1(), knownV1 ? V1Peers.alive(alive, settings, now)
                    : alive, m.rule(), V1Peers.window(settings), knownV1 ? V1Peers.window(settings)
                            : settings.aliveWindow(), knowledge, now);
        }
        pf.wantAck = m.acks() && !pf.facts.isEmpty() && (m.rule() == SendPlanner.AliveRule.NOW
                || pf.facts.stream().anyMatch(f -> f.attribute() != Attribute.ALIVE));
        List<Fact> carried = new ArrayList<>();
        if (v2 && m.peerRouter() && m.acks()) {
            carried.addAll(signals.toRouters());
        }
        carried.addAll(signals.toPeers().getOrDefault(k, List.of()));
        if (!carried.isEmpty() && v2 && m.level() != SendPlanner.Level.NOTHING) {
            pf.facts = new ArrayList<>(pf.facts);
            pf.facts.addAll(0, carried);
            pf.wantAck = m.acks();
        }
        withdrawals(k, m, pf, now);
        return pf;
    }

    /** The peer's withdrawals not acknowledged yet, again once {@link Delivery#ACK_TIMEOUT} has passed. */
    private void withdrawals(PublicKey k, SendMode m, PeerFacts pf, Instant now) {
        GossipPeers.Peer held = peers.get(k);
        Map<FactKey, Fact> w = held == null ? null : held.withdrawals;
        if (w == null) {
            return;
        }
        w.keySet().removeIf(knowledge::sharing); // shared again: planned anew above
        Instant sent = held.withdrawnAt;
        if (!w.isEmpty() && m.acks() && m.level() != SendPlanner.Level.NOTHING
                && (sent == null || !now.isBefore(sent.plus(Delivery.ACK_TIMEOUT)))) {
            pf.facts = new ArrayList<>(pf.facts);
            for (Fact f : w.values()) {
                pf.facts.add(0, f.withExpiry(now)); // TTL 0
                pf.withdrawals++;
            }
            pf.wantAck = true;
            held.withdrawnAt = now;
        }
        if (w.isEmpty()) {
            held.withdrawals = null;
            held.withdrawnAt = null;
        }
    }

    /** What we stopped sharing is withdrawn from the v2 peers believed to hold it (PROTOCOL.md §6.1). */
    private void withdraw(List<Fact> eligibleV2, Instant now) {
        for (Fact f : knowledge.gone(eligibleV2)) {
            if (!f.expires().isAfter(now)) {
                continue;
            }
            FactKey key = f.key();
            for (PublicKey p : knowledge.holders(key, now)) {
                if (store.assertion(key, p) != null) {
                    continue; // the peer itself asserts it to us: it holds it whatever we share
                }
                knowledge.forget(p, key);
                if (peers.acks(p)) {
                    peers.withdraw(p, key, f);
                }
            }
        }
    }

    /**
     * {@code facts} for {@code k} with the hello (to a v2 peer not known to read Acks) and the Acks we owe it, or null
     * when there is nothing to send.
     */
    public Datagram datagram(PublicKey k, List<Fact> facts, SendMode m, boolean wantAck, Instant now) {
        if (m.v2() && !m.acks() && !facts.isEmpty()) {
            // our boot ID says we read Acks; a v2 peer that has not shown it reads them (an older agent that
            // announced only v2) is told as older agents tell it. Never in v1: a Go node logs the unknown
            // sub-attribute of every such fact
            Fact hello = Fact.member(self, MemberMetadata.EMPTY.withVersion(GossipPeers.ANNOUNCED_VERSION),
                    now.plus(settings.factTtl()));
            // as often as Alive: a hello lost at first contact (the peer did not know us yet) is repeated soon
            if (knowledge.needs(k, hello.key(), hello.expires(), settings.factTtl().minus(settings.alivePeriod()),
                    now)) {
                facts = new ArrayList<>(facts);
                facts.add(0, hello);
                knowledge.learned(k, hello.key(), hello.expires());
            }
        }
        if (m.v2()) {
            List<Long> owed = delivery.drainAcks(k);
            if (!owed.isEmpty() && m.level() != SendPlanner.Level.NOTHING) {
                facts = new ArrayList<>(facts);
                for (int i = 0; i < owed.size(); i += FactValue.Acks.MAX) {
                    facts.add(0, new Fact(Attribute.ACK, self, new FactValue.Acks(
                            owed.subList(i, Math.min(owed.size(), i + FactValue.Acks.MAX))), now));
                }
            }
        }
        return facts.isEmpty() ? null : new Datagram(k, m.v2(), facts, wantAck);
    }

    /** The believed facts we may share this pass: for v2 peers, and (built for the first one) for v1 peers. */
    private static final class Eligible {
        private final List<Fact> all;
        private final List<Fact> v2;
        private final GossipSettings settings;
        private final Instant now;
        private List<Fact> v1;

        private Eligible(List<Fact> all, List<Fact> v2, GossipSettings settings, Instant now) {
            this.all = all;
            this.v2 = v2;
            this.settings = settings;
            this.now = now;
        }

        static Eligible of(Collection<Fact> believed, Predicate<PublicKey> withheld, GossipSettings settings,
                Instant now) {
            List<Fact> all = new ArrayList<>();
            Set<FactKey> observed = new HashSet<>();
            for (Fact f : believed) {
                if (f.attribute() == Attribute.ALIVE || withheld.test(f.subject())) {
                    continue;
                }
                all.add(f);
                if (f.attribute() == Attribute.OBSERVED_ENDPOINT) {
                    observed.add(FactKey.of(Fact.endpoint(f.subject(), ((FactValue.Endpoint) f.value()).endpoint(),
                            f.expires())));
                }
            }
            // v2 peers read an ObservedEndpoint; the EndpointV4/V6 saying the same is only for v1 peers
            List<Fact> v2 = new ArrayList<>(all.size());
            for (Fact f : all) {
                if (!observed.contains(f.key())) {
                    v2.add(f);
                }
            }
            return new Eligible(all, v2, settings, now);
        }

        List<Fact> v2() {
            return v2;
        }

        /** What a v1 peer may be given: no withdrawals reach it, so short lives (see {@link V1Peers}). */
        List<Fact> v1() {
            if (v1 == null) {
                v1 = V1Peers.eligible(all, settings, now);
            }
            return v1;
        }
    }
}
