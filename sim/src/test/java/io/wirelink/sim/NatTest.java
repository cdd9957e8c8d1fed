package io.wirelink.sim;

import static io.wirelink.sim.Fixtures.GOSSIP_PORT;
import static io.wirelink.sim.Fixtures.WG_PORT;
import static io.wirelink.sim.Fixtures.bytes;
import static io.wirelink.sim.Fixtures.endpoint;
import static io.wirelink.sim.Fixtures.gossip;
import static io.wirelink.sim.Fixtures.handshaken;
import static io.wirelink.sim.Fixtures.listen;
import static io.wirelink.sim.Fixtures.peer;
import static io.wirelink.sim.Fixtures.peerState;
import static io.wirelink.sim.Fixtures.wgEndpoint;
import static io.wirelink.sim.Fixtures.wireGuard;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.DatagramPort;
import io.wirelink.facts.IpEndpoint;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NatTest {
    /** A public hub and two leaves behind NATs of {@code type}; the leaves know the hub, the hub knows nobody's
     * endpoint, and the leaves know each other's keys but not endpoints. */
    private static final class Star {
        final World w;
        final Host hub;
        final Host l1;
        final Host l2;
        final SimWireGuard wh;
        final SimWireGuard w1;
        final SimWireGuard w2;

        Star(long seed, NatType type) throws Exception {
            w = World.create(seed);
            hub = w.addPublicHost("hub");
            l1 = w.addHost("l1", type);
            l2 = w.addHost("l2", type);
            wh = wireGuard(hub);
            w1 = wireGuard(l1);
            w2 = wireGuard(l2);
            peer(wh, w1, null, null);
            peer(wh, w2, null, null);
            peer(w1, w2, null, null);
            peer(w2, w1, null, null);
            peer(w1, wh, wgEndpoint(hub), 25);
            peer(w2, wh, wgEndpoint(hub), 25);
        }

        /** What a relay would do: tell each leaf the other's endpoint as the hub sees it, at the same moment. */
        void punch() throws Exception {
            IpEndpoint e1 = peerState(wh, w1).endpoint();
            IpEndpoint e2 = peerState(wh, w2).endpoint();
            endpoint(w1, w2.publicKey(), e2, 25);
            endpoint(w2, w1.publicKey(), e1, 25);
        }
    }

    @Test
    void theHubSeesEachLeafAtItsConeMappingAndTheLeavesPunchThrough() throws Exception {
        Star s = new Star(21, NatType.CONE);
        s.w.runFor(Duration.ofSeconds(2));
        assertTrue(handshaken(s.wh, s.w1));
        assertTrue(handshaken(s.wh, s.w2));
        // cone NATs keep the inside port when it is free
        assertEquals(new IpEndpoint(s.l1.nat().publicAddress(), WG_PORT), peerState(s.wh, s.w1).endpoint());
        assertEquals(new IpEndpoint(s.l2.nat().publicAddress(), WG_PORT), peerState(s.wh, s.w2).endpoint());
        assertEquals(Path.DIRECT, s.w.pathOf(s.hub, s.l1));
        assertEquals(Path.NONE, s.w.pathOf(s.l1, s.l2));

        s.punch();
        if (Boolean.getBoolean("sim.trace")) {
            s.w.trace(System.out::println);
        }
        assertTrue(s.w.runUntil(() -> s.w.pathOf(s.l1, s.l2) == Path.DIRECT, Duration.ofSeconds(15)));
        assertTrue(handshaken(s.w1, s.w2));
        assertTrue(handshaken(s.w2, s.w1));
        assertEquals(Path.DIRECT, s.w.pathOf(s.l2, s.l1));

        // gossip now flows leaf to leaf directly, and keeps doing so with keepalives
        List<Fixtures.Received> at2 = listen(s.l2, null);
        DatagramPort p1 = s.l1.openDatagramPort(GOSSIP_PORT);
        s.w.runFor(Duration.ofMinutes(5));
        p1.send(gossip(s.w2), bytes("direct"));
        s.w.runFor(Duration.ofSeconds(1));
        assertEquals(List.of("direct"), at2.stream().map(Fixtures.Received::text).toList());
        assertEquals(Path.DIRECT, s.w.pathOf(s.l1, s.l2));
        assertEquals(Path.DIRECT, s.w.pathOf(s.hub, s.l2));
    }

    @Test
    void symmetricNatsDefeatHolePunching() throws Exception {
        Star s = new Star(22, NatType.SYMMETRIC);
        s.w.runFor(Duration.ofSeconds(2));
        assertTrue(handshaken(s.wh, s.w1));
        assertEquals(s.l1.nat().publicAddress(), peerState(s.wh, s.w1).endpoint().address());
        assertEquals(Path.DIRECT, s.w.pathOf(s.hub, s.l1), "the hub's mapping works for the hub");

        long filteredBefore = s.w.dropped(DropReason.NAT_FILTERED);
        s.punch();
        s.w.runFor(Duration.ofSeconds(60));
        assertFalse(handshaken(s.w1, s.w2));
        assertFalse(handshaken(s.w2, s.w1));
        assertEquals(Path.NONE, s.w.pathOf(s.l1, s.l2));
        assertTrue(s.w.dropped(DropReason.NAT_FILTERED) > filteredBefore);
        assertEquals(Path.DIRECT, s.w.pathOf(s.hub, s.l2));
    }

    @Test
    void symmetricMappingsDifferPerDestination() {
        World w = World.create(23);
        Host a = w.addPublicHost("a");
        Host b = w.addPublicHost("b");
        Host inside = w.addHost("in", NatType.SYMMETRIC);
        List<Fixtures.Received> atA = listen(a, null);
        List<Fixtures.Received> atB = listen(b, null);
        DatagramPort p = inside.openDatagramPort(GOSSIP_PORT);
        p.send(new IpEndpoint(a.address(), GOSSIP_PORT), bytes("1"));
        p.send(new IpEndpoint(b.address(), GOSSIP_PORT), bytes("2"));
        p.send(new IpEndpoint(a.address(), GOSSIP_PORT), bytes("3"));
        w.runFor(Duration.ofSeconds(1));
        assertEquals(2, atA.size());
        assertEquals(atA.get(0).from(), atA.get(1).from(), "same destination, same mapping");
        assertNotEquals(atA.get(0).from().port(), atB.get(0).from().port());
        assertEquals(2, inside.nat().activeMappings());
    }

    @Test
    void idleMappingsExpireAndOutboundTrafficRefreshesThem() throws Exception {
        World w = World.create(24);
        Host hub = w.addPublicHost("hub");
        Host leaf = w.addHost("leaf", NatType.CONE);
        Nat nat = leaf.nat();
        SimWireGuard wh = wireGuard(hub);
        SimWireGuard wl = wireGuard(leaf);
        peer(wh, wl, null, null);
        peer(wl, wh, wgEndpoint(hub), null); // no keepalive: the mapping lives only as long as traffic does
        DatagramPort[] leafPort = new DatagramPort[1];
        List<Fixtures.Received> atLeaf = listen(leaf, leafPort);
        DatagramPort fromLeaf = leafPort[0];
        DatagramPort fromHub = hub.openDatagramPort(GOSSIP_PORT);

        fromLeaf.send(gossip(wh), bytes("hello hub"));
        w.runFor(Duration.ofSeconds(29));
        assertEquals(1, nat.activeMappings());
        w.runFor(Duration.ofSeconds(2)); // the leaf's last outbound packet left at 41 ms: gone at 30.041 s
        assertEquals(0, nat.activeMappings());

        fromHub.send(gossip(wl), bytes("anyone?"));
        w.runFor(Duration.ofSeconds(1));
        assertTrue(atLeaf.isEmpty());
        assertTrue(w.dropped(DropReason.NAT_NO_MAPPING) >= 1);
        assertEquals(Path.NONE, w.pathOf(hub, leaf));

        // with a persistent keepalive (25 s < 30 s) the mapping stays up for good
        endpoint(wl, wh.publicKey(), null, 25);
        w.runFor(Duration.ofMinutes(10));
        assertEquals(1, nat.activeMappings());
        fromHub.send(gossip(wl), bytes("still there?"));
        w.runFor(Duration.ofSeconds(1));
        assertEquals(List.of("still there?"), atLeaf.stream().map(Fixtures.Received::text).toList());
        assertEquals(Path.DIRECT, w.pathOf(hub, leaf));
    }

    @Test
    void totalLossBlocksEverythingUntilItLifts() throws Exception {
        World w = World.create(25);
        Host a = w.addPublicHost("a");
        Host b = w.addPublicHost("b");
        SimWireGuard wa = wireGuard(a);
        SimWireGuard wb = wireGuard(b);
        peer(wa, wb, wgEndpoint(b), null);
        peer(wb, wa, null, null);
        List<Fixtures.Received> atB = listen(b, null);
        w.internet().loss(1.0);
        a.openDatagramPort(GOSSIP_PORT).send(gossip(wb), bytes("through"));
        w.runFor(Duration.ofSeconds(30));
        assertTrue(atB.isEmpty());
        assertFalse(handshaken(wa, wb));
        assertEquals(0, b.stats().underlayRxPackets());
        assertEquals(a.stats().underlayTxPackets(), w.dropped(DropReason.LOSS));

        w.internet().loss(0.0);
        assertTrue(w.runUntil(() -> !atB.isEmpty(), Duration.ofSeconds(6)), "the next retry gets through");
        assertEquals("through", atB.get(0).text());
    }

    @Test
    void aLossyNetworkStillConvergesThroughRetries() throws Exception {
        World w = World.create(26);
        w.internet().loss(0.3).jitter(Duration.ofMillis(10));
        Host a = w.addPublicHost("a");
        Host b = w.addHost("b", NatType.CONE);
        b.linkLatency(Duration.ofMillis(15));
        SimWireGuard wa = wireGuard(a);
        SimWireGuard wb = wireGuard(b);
        peer(wa, wb, null, null);
        peer(wb, wa, wgEndpoint(a), 25);
        assertTrue(w.runUntil(() -> w.pathOf(a, b) == Path.DIRECT, Duration.ofMinutes(2)));
        assertTrue(w.dropped(DropReason.LOSS) >= 0);
    }

    @Test
    void carrierGradeNatStacksTwoNats() throws Exception {
        World w = World.create(27);
        Nat cgnat = w.addNat("cgnat", NatType.CONE);
        Nat home = w.addNat("home", NatType.CONE, cgnat.lan());
        Host leaf = w.addHost("leaf", home);
        Host hub = w.addPublicHost("hub");
        SimWireGuard wh = wireGuard(hub);
        SimWireGuard wl = wireGuard(leaf);
        peer(wh, wl, null, null);
        peer(wl, wh, wgEndpoint(hub), 25);
        w.runFor(Duration.ofSeconds(2));
        assertEquals(cgnat.publicAddress(), peerState(wh, wl).endpoint().address());
        assertEquals(Path.DIRECT, w.pathOf(hub, leaf));
    }
}
