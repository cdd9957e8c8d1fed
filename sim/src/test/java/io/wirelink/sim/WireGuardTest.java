package io.wirelink.sim;

import static io.wirelink.sim.Fixtures.GOSSIP_PORT;
import static io.wirelink.sim.Fixtures.bytes;
import static io.wirelink.sim.Fixtures.gossip;
import static io.wirelink.sim.Fixtures.handshaken;
import static io.wirelink.sim.Fixtures.listen;
import static io.wirelink.sim.Fixtures.peer;
import static io.wirelink.sim.Fixtures.peerState;
import static io.wirelink.sim.Fixtures.wgEndpoint;
import static io.wirelink.sim.Fixtures.wireGuard;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.DatagramPort;
import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.HostNetwork;
import io.wirelink.apply.HostNetworkException;
import io.wirelink.apply.PeerChange;
import io.wirelink.apply.WireGuardException;
import io.wirelink.facts.Addresses;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireGuardTest {
    @Test
    void twoPublicHostsHandshakeAndExchangeDatagrams() throws Exception {
        World w = World.create(1);
        Host a = w.addPublicHost("a");
        Host b = w.addPublicHost("b");
        SimWireGuard wa = wireGuard(a);
        SimWireGuard wb = wireGuard(b);
        assertEquals("sim", wa.backend());
        peer(wa, wb, wgEndpoint(b), null);
        peer(wb, wa, null, null); // b learns a's endpoint from the handshake
        DatagramPort[] portA = new DatagramPort[1];
        List<Fixtures.Received> atA = listen(a, portA);
        DatagramPort[] portB = new DatagramPort[1];
        List<Fixtures.Received> atB = listen(b, portB);

        portA[0].send(gossip(wb), bytes("hello"));
        w.runFor(Duration.ofSeconds(1));

        assertEquals(1, atB.size());
        assertEquals("hello", atB.get(0).text());
        assertEquals(gossip(wa), atB.get(0).from());
        // initiation, response, then the staged datagram: two one-way trips of 20 ms each way
        assertEquals(World.DEFAULT_START.plusMillis(60), atB.get(0).at());
        assertTrue(handshaken(wa, wb));
        assertTrue(handshaken(wb, wa), "the responder completes on the first data packet");
        assertEquals(wgEndpoint(a), peerState(wb, wa).endpoint(), "roaming: b learned a's endpoint");
        assertEquals(Path.DIRECT, w.pathOf(a, b));
        assertEquals(Path.DIRECT, w.pathOf(b, a));

        // sizes: initiation 148; data = 32 + (40 IPv6 + 8 UDP + 5 payload, padded to 64) = 96; response 92
        assertEquals(new TrafficStats(148 + 96, 92, 2, 1, 5, 0, 1, 0), a.stats());
        assertEquals(new TrafficStats(92, 148 + 96, 1, 2, 0, 5, 0, 1), b.stats());
        assertEquals(148 + 96, peerState(wa, wb).txBytes());
        assertEquals(92, peerState(wa, wb).rxBytes());
        assertEquals(148 + 96, peerState(wb, wa).rxBytes());

        // b received data and sent nothing back: a passive keepalive follows 10 s later
        w.runFor(Duration.ofSeconds(10));
        assertEquals(92 + 32, b.stats().underlayTxBytes());

        portB[0].send(gossip(wa), bytes("hi there"));
        w.runFor(Duration.ofSeconds(1));
        assertEquals(1, atA.size());
        assertEquals("hi there", atA.get(0).text());
        assertEquals(gossip(wb), atA.get(0).from());
        assertEquals(w.drops(), java.util.Map.of(), "nothing was dropped");
    }

    @Test
    void longestPrefixPicksTheMostSpecificPeer() throws Exception {
        World w = World.create(2);
        Host a = w.addPublicHost("a");
        Host b = w.addPublicHost("b");
        Host c = w.addPublicHost("c");
        SimWireGuard wa = wireGuard(a);
        SimWireGuard wb = wireGuard(b);
        SimWireGuard wc = wireGuard(c);
        a.hostNetwork().addAddress("wg0", IpPrefix.parse("172.16.0.1/32"));
        b.hostNetwork().addAddress("wg0", IpPrefix.parse("172.16.9.9/32"));
        c.hostNetwork().addAddress("wg0", IpPrefix.parse("172.16.5.7/24"));
        peer(wa, wb, wgEndpoint(b), null, IpPrefix.parse("172.16.0.0/12"));
        peer(wa, wc, wgEndpoint(c), null, IpPrefix.parse("172.16.5.0/24"));
        peer(wb, wa, null, null, IpPrefix.parse("172.16.0.1/32"));
        peer(wc, wa, null, null, IpPrefix.parse("172.16.0.1/32"));
        DatagramPort sender = a.openDatagramPort(GOSSIP_PORT);
        List<Fixtures.Received> atB = listen(b, null);
        List<Fixtures.Received> atC = listen(c, null);

        sender.send(IpEndpoint.parse("172.16.5.7:" + GOSSIP_PORT), bytes("to c"));
        sender.send(IpEndpoint.parse("172.16.9.9:" + GOSSIP_PORT), bytes("to b"));
        w.runFor(Duration.ofSeconds(1));

        assertEquals(List.of("to c"), atC.stream().map(Fixtures.Received::text).toList());
        assertEquals(List.of("to b"), atB.stream().map(Fixtures.Received::text).toList());
        assertEquals(IpEndpoint.parse("172.16.0.1:" + GOSSIP_PORT), atC.get(0).from());
        assertFalse(handshaken(wb, wc));
    }

    @Test
    void allowedIpsTableIsLongestPrefixAndOneOwnerPerPrefix() {
        AllowedIps<String> t = new AllowedIps<>();
        t.put(IpPrefix.parse("0.0.0.0/0").address().getAddress(), 0, "default");
        t.put(IpPrefix.parse("10.0.0.0/8").address().getAddress(), 8, "ten");
        t.put(IpPrefix.parse("10.1.0.0/16").address().getAddress(), 16, "ten-one");
        t.put(IpPrefix.parse("fe80::1").address().getAddress(), 128, "ll");
        assertEquals("ten-one", t.lookup(IpPrefix.parse("10.1.2.3").address().getAddress()));
        assertEquals("ten", t.lookup(IpPrefix.parse("10.2.2.3").address().getAddress()));
        assertEquals("default", t.lookup(IpPrefix.parse("192.0.2.1").address().getAddress()));
        assertEquals("ll", t.lookup(IpPrefix.parse("fe80::1").address().getAddress()));
        assertNull(t.lookup(IpPrefix.parse("fe80::2").address().getAddress()));
        assertEquals("ten", t.put(IpPrefix.parse("10.0.0.0").address().getAddress(), 8, "moved"));
        assertFalse(t.remove(IpPrefix.parse("10.0.0.0").address().getAddress(), 8, "ten"));
        assertTrue(t.remove(IpPrefix.parse("10.1.0.0").address().getAddress(), 16, "ten-one"));
        assertEquals("moved", t.lookup(IpPrefix.parse("10.1.2.3").address().getAddress()));
    }

    @Test
    void allowedIpsTableAgreesWithALinearScanUnderRandomChanges() {
        java.util.Random r = new java.util.Random(12);
        AllowedIps<Integer> t = new AllowedIps<>();
        java.util.Map<IpPrefix, Integer> ref = new java.util.LinkedHashMap<>();
        List<IpPrefix> keys = new java.util.ArrayList<>();
        for (int step = 0; step < 6000; step++) {
            int op = r.nextInt(10);
            if (op < 4 && !keys.isEmpty()) {
                IpPrefix p = keys.remove(r.nextInt(keys.size()));
                int owner = ref.remove(p);
                assertFalse(t.remove(p.address().getAddress(), p.prefixLength(), owner + 1000), "only the owner");
                assertTrue(t.remove(p.address().getAddress(), p.prefixLength(), owner));
            } else if (op < 5 && !keys.isEmpty()) {
                IpPrefix p = keys.get(r.nextInt(keys.size()));
                int owner = r.nextInt(50);
                assertEquals(ref.put(p, owner), t.put(p.address().getAddress(), p.prefixLength(), owner));
            } else {
                IpPrefix p = randomPrefix(r);
                int owner = r.nextInt(50);
                Integer old = ref.put(p, owner);
                if (old == null) {
                    keys.add(p);
                }
                assertEquals(old, t.put(p.address().getAddress(), p.prefixLength(), owner));
            }
            for (int probe = 0; probe < 4; probe++) {
                byte[] a = randomPrefix(r).address().getAddress();
                if (probe == 0 && !keys.isEmpty()) { // an address inside a known prefix, to hit deep matches
                    a = keys.get(r.nextInt(keys.size())).address().getAddress();
                }
                Integer want = null;
                int best = -1;
                for (var e : ref.entrySet()) {
                    if (e.getKey().prefixLength() > best && e.getKey().contains(Addresses.fromBytes(a))) {
                        best = e.getKey().prefixLength();
                        want = e.getValue();
                    }
                }
                assertEquals(want, t.lookup(a));
            }
        }
    }

    /** Random prefixes crowded into a few first bytes, so that they nest and part often. */
    private static IpPrefix randomPrefix(java.util.Random r) {
        byte[] a = new byte[r.nextBoolean() ? 16 : 4];
        r.nextBytes(a);
        a[0] = (byte) r.nextInt(4);
        return IpPrefix.of(a, r.nextInt(a.length * 8 + 1)).masked();
    }

    @Test
    void packetsFromOutsideThePeersAllowedIpsAreDropped() throws Exception {
        World w = World.create(3);
        Host a = w.addPublicHost("a");
        Host b = w.addPublicHost("b");
        SimWireGuard wa = wireGuard(a);
        SimWireGuard wb = wireGuard(b);
        a.hostNetwork().addAddress("wg0", IpPrefix.parse("172.16.0.1/32"));
        b.hostNetwork().addAddress("wg0", IpPrefix.parse("172.16.0.2/32"));
        peer(wa, wb, null, null); // a allows only b's link-local address from b
        peer(wb, wa, wgEndpoint(a), null, IpPrefix.parse("172.16.0.1/32"));
        List<Fixtures.Received> atA = listen(a, null);
        DatagramPort fromB = b.openDatagramPort(GOSSIP_PORT);

        fromB.send(IpEndpoint.parse("172.16.0.1:" + GOSSIP_PORT), bytes("spoofed")); // source 172.16.0.2
        w.runFor(Duration.ofSeconds(1));
        assertTrue(atA.isEmpty());
        assertEquals(1, w.dropped(DropReason.WG_ALLOWED_IPS));
        assertTrue(handshaken(wa, wb), "the handshake itself was fine");

        fromB.send(gossip(wa), bytes("honest")); // source: b's link-local address
        w.runFor(Duration.ofSeconds(1));
        assertEquals(List.of("honest"), atA.stream().map(Fixtures.Received::text).toList());
    }

    @Test
    void anUnansweredHandshakeIsRetriedAndGivenUpAfterTwentyAttempts() throws Exception {
        World w = World.create(4);
        Host a = w.addPublicHost("a");
        SimWireGuard wa = wireGuard(a);
        SimWireGuard nobody = wireGuard(w.addPublicHost("b"));
        // an endpoint where nothing lives
        peer(wa, nobody, IpEndpoint.parse("100.127.255.1:51820"), null);
        DatagramPort p = a.openDatagramPort(GOSSIP_PORT);
        p.send(gossip(nobody), bytes("anyone?"));
        w.runFor(Duration.ofSeconds(60));
        long sentBy60 = a.stats().underlayTxPackets();
        assertTrue(sentBy60 >= 11 && sentBy60 <= 12, "one initiation every 5 s + jitter: " + sentBy60);
        w.runFor(Duration.ofSeconds(200));
        assertEquals(20, a.stats().underlayTxPackets());
        assertEquals(20 * 148, a.stats().underlayTxBytes());
        assertEquals(20, w.dropped(DropReason.NO_HOST));
        assertEquals(1, w.dropped(DropReason.WG_HANDSHAKE_GAVE_UP));
        assertEquals(0, w.pendingEvents(), "nothing left to do once it gave up");
    }

    @Test
    void persistentKeepaliveKeepsTheSessionFreshAndRekeys() throws Exception {
        World w = World.create(5);
        Host a = w.addPublicHost("a");
        Host b = w.addPublicHost("b");
        SimWireGuard wa = wireGuard(a);
        SimWireGuard wb = wireGuard(b);
        peer(wb, wa, null, null);
        peer(wa, wb, wgEndpoint(b), 25); // turning keepalive on sends one at once, which needs a handshake
        w.runFor(Duration.ofSeconds(1));
        Instant first = peerState(wa, wb).lastHandshake();
        assertTrue(first.isAfter(Instant.EPOCH));
        w.runFor(Duration.ofSeconds(119));
        assertEquals(first, peerState(wa, wb).lastHandshake(), "no new handshake before Rekey-After-Time");
        w.runFor(Duration.ofSeconds(30));
        assertTrue(peerState(wa, wb).lastHandshake().isAfter(first), "the initiator rekeyed after 120 s");
        assertEquals(Path.DIRECT, w.pathOf(a, b));
        w.runFor(Duration.ofMinutes(10));
        assertEquals(Path.DIRECT, w.pathOf(a, b));
        assertEquals(0, w.drops().size(), w.drops().toString());
    }

    @Test
    void initiationsToTheWrongKeyOrFromStrangersAreDropped() throws Exception {
        World w = World.create(6);
        Host a = w.addPublicHost("a");
        Host b = w.addPublicHost("b");
        SimWireGuard wa = wireGuard(a);
        SimWireGuard wb = wireGuard(b);
        SimWireGuard other = wireGuard(w.addPublicHost("c"));
        peer(wa, other, wgEndpoint(b), 25); // c's key at b's address
        w.runFor(Duration.ofSeconds(1));
        assertEquals(1, w.dropped(DropReason.WG_WRONG_KEY));
        peer(wa, wb, wgEndpoint(b), 25); // b's key, but b does not know a
        w.runFor(Duration.ofSeconds(1));
        assertEquals(1, w.dropped(DropReason.WG_UNKNOWN_PEER));
        assertFalse(handshaken(wa, wb));
    }

    @Test
    void replacePeersStartsTheListedPeersAfreshAsTheKernelDoes() throws Exception {
        World w = World.create(7);
        Host a = w.addPublicHost("a");
        Host b = w.addPublicHost("b");
        SimWireGuard wa = wireGuard(a);
        SimWireGuard wb = wireGuard(b);
        peer(wb, wa, null, null);
        peer(wa, wb, wgEndpoint(b), 25);
        w.runFor(Duration.ofSeconds(1));
        assertTrue(handshaken(wa, wb));
        wa.apply(new DeviceChange(null, null, null, true, List.of(new PeerChange(wb.publicKey(), false, false,
                wgEndpoint(b), null, false, List.of(Fixtures.linkLocal128(wb))))));
        assertEquals(Instant.EPOCH, peerState(wa, wb).lastHandshake());
        assertEquals(0, peerState(wa, wb).persistentKeepaliveSeconds());
        assertFalse(wa.hasSession(wb.publicKey()));
    }

    @Test
    void deviceStateReflectsChanges() throws Exception {
        World w = World.create(8);
        Host a = w.addPublicHost("a");
        SimWireGuard wa = wireGuard(a);
        SimWireGuard wb = wireGuard(w.addPublicHost("b"));
        peer(wa, wb, IpEndpoint.parse("100.64.0.99:1234"), 0, IpPrefix.parse("10.9.8.7/24"));
        var peerState = peerState(wa, wb);
        assertEquals(List.of(Fixtures.linkLocal128(wb), IpPrefix.parse("10.9.8.0/24")), peerState.allowedIps(),
                "allowed IPs are stored masked");
        assertEquals(IpEndpoint.parse("100.64.0.99:1234"), peerState.endpoint());
        wa.apply(new DeviceChange(null, 4000, 7, false, List.of()));
        assertEquals(4000, wa.read().listenPort());
        assertEquals(7, wa.read().fwmark());
        a.openDatagramPort(5000);
        WireGuardException e = assertThrows(WireGuardException.class,
                () -> wa.apply(new DeviceChange(null, 5000, null, false, List.of())));
        assertEquals(98, e.errno());
        wa.apply(DeviceChange.peers(List.of(PeerChange.removal(wb.publicKey()))));
        assertTrue(wa.read().peers().isEmpty());
        assertEquals(wa.publicKey(), wa.read().publicKey());
    }

    @Test
    void hostNetworkShowsLinksAndManagesTunnelAddresses() throws Exception {
        World w = World.create(9);
        Host h = w.addHost("h", NatType.CONE);
        SimWireGuard wg = wireGuard(h);
        HostNetwork net = h.hostNetwork();
        assertEquals(List.of("lo", "eth0", "wg0"), net.links().stream().map(HostNetwork.Link::name).toList());
        assertEquals("wireguard", net.links().get(2).kind());
        assertTrue(net.addresses().contains(new HostNetwork.InterfaceAddress(2, "eth0",
                IpPrefix.parse("10.0.0.2/24"), 0, 0x80)));
        IpPrefix ll = new IpPrefix(io.wirelink.linklocal.LinkLocal.address(wg.publicKey()), 64);
        assertTrue(net.addresses().stream().anyMatch(x -> x.prefix().equals(ll) && x.scope() == 253));
        assertEquals(17, assertThrows(HostNetworkException.class, () -> net.addAddress("wg0", ll)).errno());
        net.removeAddress("wg0", ll);
        assertEquals(99, assertThrows(HostNetworkException.class, () -> net.removeAddress("wg0", ll)).errno());
        assertEquals(95, assertThrows(HostNetworkException.class,
                () -> net.addAddress("eth0", IpPrefix.parse("10.0.0.9/24"))).errno());
        assertEquals(19, assertThrows(HostNetworkException.class, () -> net.setUp("wg9")).errno());
        net.setUp("wg0");
        assertNotNull(h.nat());
        assertEquals("10.0.0.0/24", h.network().subnet().toString());
    }

    @Test
    void aTunnelSendNeedsASourceAddressOnTheInterface() throws Exception {
        World w = World.create(10);
        Host a = w.addPublicHost("a");
        Host b = w.addPublicHost("b");
        SimWireGuard wa = a.addWireGuard("wg0", 51820); // no addresses at all
        SimWireGuard wb = wireGuard(b);
        peer(wa, wb, wgEndpoint(b), null);
        a.openDatagramPort(GOSSIP_PORT).send(gossip(wb), bytes("x"));
        w.runFor(Duration.ofSeconds(1));
        assertEquals(1, w.dropped(DropReason.NO_SOURCE_ADDRESS));
        assertFalse(handshaken(wa, wb));
    }

    @Test
    void underlayDatagramsAndLoopback() {
        World w = World.create(11);
        Host a = w.addPublicHost("a");
        Host b = w.addHost("b", NatType.CONE);
        List<Fixtures.Received> atA = listen(a, null);
        DatagramPort[] pb = new DatagramPort[1];
        List<Fixtures.Received> atB = listen(b, pb);
        pb[0].send(new IpEndpoint(a.address(), GOSSIP_PORT), bytes("out"));
        pb[0].send(new IpEndpoint(b.address(), GOSSIP_PORT), bytes("self"));
        w.runFor(Duration.ofSeconds(1));
        assertEquals(List.of("out"), atA.stream().map(Fixtures.Received::text).toList());
        assertEquals(new IpEndpoint(b.nat().publicAddress(), GOSSIP_PORT), atA.get(0).from(), "NAT-mapped");
        assertEquals(List.of("self"), atB.stream().map(Fixtures.Received::text).toList());
        assertThrows(IllegalStateException.class, () -> a.openDatagramPort(GOSSIP_PORT));
        pb[0].close();
        pb[0].send(new IpEndpoint(a.address(), GOSSIP_PORT), bytes("closed"));
        assertEquals(1, w.dropped(DropReason.PORT_CLOSED));
    }
}
