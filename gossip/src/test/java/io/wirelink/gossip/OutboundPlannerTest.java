package io.wirelink.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactValue;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.store.FactStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** What the outbound planner sends to whom, with injected time and a scripted path traversal. */
class OutboundPlannerTest {
    static final Instant T0 = GossipTest.T0;
    static final GossipSettings S = GossipSettings.DEFAULTS;
    static final PublicKey SELF = GossipTest.SELF;
    static final PublicKey PEER = GossipTest.PEER;
    static final PublicKey OTHER = GossipTest.OTHER;
    static final PublicKey GO = GossipTest.key(4);
    static final Predicate<PublicKey> NONE_WITHHELD = k -> false;
    static final IpEndpoint EP = IpEndpoint.parse("198.51.100.3:51820");

    final Knowledge knowledge = new Knowledge(16, 256);
    final Delivery delivery = new Delivery(16, 16);
    final GossipPeers peers = new GossipPeers();
    final OutboundPlanner planner = new OutboundPlanner(SELF, S, knowledge, delivery, peers,
            FactStore.inMemory(FactStore.Options.DEFAULTS));
    final List<String> traversal = new ArrayList<>();
    boolean punchOwed;
    SendPlanner.AliveRule probeRule = SendPlanner.AliveRule.PIGGYBACK;
    final PathProbes probes = new PathProbes() {
        @Override
        public boolean punchOwed(PublicKey peer) {
            traversal.add("punch?");
            return punchOwed;
        }

        @Override
        public void pathWorks(PublicKey peer) {
            traversal.add("works");
        }

        @Override
        public SendPlanner.AliveRule probe(PublicKey peer, Instant now) {
            traversal.add("probe");
            return probeRule;
        }
    };

    OutboundPlanner.Round round(Instant now) {
        return new OutboundPlanner.Round(now, Fact.alive(SELF, new UUID(1, 1), now.plus(S.aliveTtl())), false, false,
                probes);
    }

    /** A peer configured as trusted for facts, on a healthy path. */
    static OutboundPlanner.Recipient trusted(PublicKey k) {
        return new OutboundPlanner.Recipient(k, true, true, false, false, true, true);
    }

    /** A leaf we only ping (neither side a router, not chatty). */
    static OutboundPlanner.Recipient leaf(PublicKey k, boolean healthy) {
        return new OutboundPlanner.Recipient(k, true, false, false, false, healthy, healthy);
    }

    static Fact endpoint(Instant expires) {
        return Fact.endpoint(OTHER, EP, expires);
    }

    OutboundPlanner.Plan plan(Instant now, List<Fact> believed, OutboundPlanner.Recipient... to) {
        return planner.plan(round(now), believed, NONE_WITHHELD, List.of(to), OutboundPlanner.Signals.NONE);
    }

    static List<Attribute> attributes(OutboundPlanner.Datagram d) {
        return d.facts().stream().map(Fact::attribute).toList();
    }

    @Test
    void eachPeerGetsItsFormatWithAliveLast() {
        peers.speaks(PEER, 2); // v2, not known to read Acks: told we do (the hello)
        Instant exp = T0.plusSeconds(255);
        List<Fact> believed = List.of(endpoint(exp), Fact.observed(OTHER, EP, exp),
                Fact.alive(OTHER, new UUID(2, 2), T0.plusSeconds(35)));
        OutboundPlanner.Plan p = plan(T0, believed, trusted(PEER), trusted(GO));
        assertEquals(2, p.datagrams().size());
        OutboundPlanner.Datagram v2 = p.datagrams().get(0);
        assertTrue(v2.v2());
        assertEquals(List.of(Attribute.MEMBER_METADATA, Attribute.OBSERVED_ENDPOINT, Attribute.ALIVE), attributes(v2),
                "the hello, the observed endpoint (not the EndpointV4 saying the same), our Alive last");
        assertEquals(SELF, v2.facts().get(2).subject(), "only our own Alive is sent");
        assertFalse(v2.wantAck(), "it does not read Acks");
        OutboundPlanner.Datagram v1 = p.datagrams().get(1);
        assertFalse(v1.v2());
        assertEquals(List.of(Attribute.ENDPOINT_V4, Attribute.ALIVE), attributes(v1), "no hello, no v2 attribute");
    }

    @Test
    void factsAboutWithheldPeersAreNotShared() {
        peers.speaks(PEER, 3);
        OutboundPlanner.Plan p = planner.plan(round(T0), List.of(endpoint(T0.plusSeconds(255))), OTHER::equals,
                List.of(trusted(PEER)), OutboundPlanner.Signals.NONE);
        assertEquals(List.of(Attribute.ALIVE), attributes(p.datagrams().get(0)));
    }

    @Test
    void owedAcksGoFirstAndNothingGoesWithoutAnEndpoint() {
        peers.speaks(PEER, 3);
        delivery.receivedAckRequest(PEER, 5L);
        OutboundPlanner.Datagram d = plan(T0, List.of(), trusted(PEER)).datagrams().get(0);
        assertEquals(new FactValue.Acks(List.of(5L)), d.facts().get(0).value());
        delivery.receivedAckRequest(PEER, 6L);
        OutboundPlanner.Recipient noEndpoint = new OutboundPlanner.Recipient(PEER, false, true, false, false, false,
                false);
        assertEquals(List.of(), plan(T0.plusSeconds(1), List.of(), noEndpoint).datagrams());
        assertFalse(delivery.acksOwed(), "an Ack that cannot go is not kept for ever");
    }

    @Test
    void whatWeStopSharingIsWithdrawnUntilAcknowledged() {
        peers.speaks(PEER, 3);
        Fact ep = endpoint(T0.plusSeconds(255));
        plan(T0, List.of(ep), trusted(PEER), trusted(GO));
        OutboundPlanner.Plan stop = plan(T0.plusSeconds(1), List.of(), trusted(PEER), trusted(GO));
        assertEquals(1, stop.withdrawals(), "to the v2 peer only: a Go node does not read withdrawals");
        OutboundPlanner.Datagram d = stop.datagrams().get(0);
        assertEquals(ep.withExpiry(T0.plusSeconds(1)), d.facts().get(0), "TTL 0");
        assertTrue(d.wantAck());
        assertEquals(0, plan(T0.plusMillis(2500), List.of(), trusted(PEER)).withdrawals(), "awaiting its Ack");
        assertEquals(1, plan(T0.plusSeconds(3), List.of(), trusted(PEER)).withdrawals(), "no Ack in 2 s: again");
        peers.acked(PEER, List.of(ep.key()), SELF);
        assertEquals(0, plan(T0.plusSeconds(6), List.of(), trusted(PEER)).withdrawals(), "acknowledged: done");
    }

    @Test
    void aQuietHealthyPathIsGreetedUntilTheGreetingIsAcknowledged() {
        peers.speaks(PEER, 3);
        SendMode first = planner.mode(leaf(PEER, true), round(T0));
        assertEquals(SendPlanner.AliveRule.NOW, first.rule());
        assertTrue(first.greeting());
        assertEquals(List.of("punch?", "works"), traversal);
        assertEquals(SendPlanner.AliveRule.PIGGYBACK, planner.mode(leaf(PEER, true), round(T0.plusSeconds(1))).rule(),
                "the greeting is in flight");
        assertTrue(planner.mode(leaf(PEER, true), round(T0.plusSeconds(3))).greeting(), "no Ack in 2 s: again");
        peers.acked(PEER, List.of(round(T0).alive().key()), SELF);
        SendMode greeted = planner.mode(leaf(PEER, true), round(T0.plusSeconds(60)));
        assertEquals(SendPlanner.AliveRule.PIGGYBACK, greeted.rule(), "a greeted healthy path costs nothing");
        assertFalse(greeted.greeting());
    }

    @Test
    void aQuietBrokenPathIsTraversalsToProbeAndIsGreetedAgainAfter() {
        peers.speaks(PEER, 3);
        peers.acked(PEER, List.of(round(T0).alive().key()), SELF);
        probeRule = SendPlanner.AliveRule.NOW;
        assertEquals(SendPlanner.AliveRule.NOW, planner.mode(leaf(PEER, false), round(T0)).rule());
        assertEquals(List.of("punch?", "probe"), traversal);
        probeRule = SendPlanner.AliveRule.PIGGYBACK;
        assertTrue(planner.mode(leaf(PEER, true), round(T0.plusSeconds(1))).greeting(), "greeted anew once healthy");
        punchOwed = true;
        SendMode punch = planner.mode(leaf(PEER, true), round(T0.plusSeconds(2)));
        assertEquals(SendPlanner.AliveRule.NOW, punch.rule(), "a coordinated punch goes at once");
        assertFalse(punch.greeting());
    }

    @Test
    void aPeerNeverHeardFromOnABrokenPathIsProbedOnlyWithAnEndpoint() {
        probeRule = SendPlanner.AliveRule.NOW;
        assertEquals(SendPlanner.AliveRule.NOW, planner.mode(leaf(GO, false), round(T0)).rule());
        assertEquals(List.of("probe"), traversal);
        OutboundPlanner.Recipient noEndpoint = new OutboundPlanner.Recipient(GO, false, false, false, false, false,
                false);
        assertEquals(SendPlanner.AliveRule.WINDOW, planner.mode(noEndpoint, round(T0)).rule());
        assertEquals(List.of("probe"), traversal, "no probe spent where nothing can be sent");
    }

    @Test
    void punchRequestsRideToRoutersThatReadAcksAndToTheirTarget() {
        peers.speaks(PEER, 3);
        peers.speaks(OTHER, 2);
        Fact ask = new Fact(Attribute.PUNCH_REQUEST, GO, new FactValue.Requester(SELF), T0.plusSeconds(10));
        Fact passOn = new Fact(Attribute.PUNCH_REQUEST, OTHER, new FactValue.Requester(GO), T0.plusSeconds(10));
        OutboundPlanner.Recipient router = new OutboundPlanner.Recipient(PEER, true, false, true, false, true, true);
        OutboundPlanner.Recipient v2Router = new OutboundPlanner.Recipient(OTHER, true, false, true, false, true, true);
        OutboundPlanner.Plan p = planner.plan(round(T0), List.of(), NONE_WITHHELD, List.of(router, v2Router),
                new OutboundPlanner.Signals(List.of(ask), Map.of(OTHER, List.of(passOn))));
        OutboundPlanner.Datagram toRouter = p.datagrams().get(0);
        assertEquals(ask, toRouter.facts().get(0));
        assertTrue(toRouter.wantAck());
        OutboundPlanner.Datagram toTarget = p.datagrams().get(1);
        assertTrue(toTarget.facts().contains(passOn), "passed on to the peer that should send");
        assertFalse(toTarget.facts().contains(ask), "a router that does not read Acks is not asked");
    }

    @Test
    void anEmptyPlanIsNoDatagram() {
        peers.speaks(PEER, 3);
        SendMode m = planner.mode(trusted(PEER), round(T0));
        assertNull(planner.datagram(PEER, List.of(), m, false, T0));
    }
}
