package io.wirelink.tools.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.agent.core.CoreSettings;
import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.HostNetwork;
import io.wirelink.apply.PeerChange;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.linklocal.LinkLocal;
import io.wirelink.sim.DropReason;
import io.wirelink.sim.Host;
import io.wirelink.sim.NatType;
import io.wirelink.sim.Path;
import io.wirelink.sim.World;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One hub and two leaves on the simulator, each with a real agent core driven by {@link SimAgent}. */
class SimAgentTest {
    final World world = World.create(11);
    final Host hub = world.addPublicHost("hub");
    final Host a = world.addHost("a", NatType.CONE);
    final Host b = world.addHost("b", NatType.CONE);
    final List<String> hubLog = new ArrayList<>();

    SimAgentTest() throws Exception {
        for (Host h : List.of(hub, a, b)) {
            h.addWireGuard("wg0", 51820);
        }
        hub.wireGuard().apply(DeviceChange.peers(List.of(
                new PeerChange(a.wireGuard().publicKey(), false, false, null, null, false,
                        List.of(IpPrefix.parse("172.16.0.2/32"))),
                new PeerChange(b.wireGuard().publicKey(), false, false, null, null, false,
                        List.of(IpPrefix.parse("172.16.0.3/32"))))));
        hub.hostNetwork().addAddress("wg0", IpPrefix.parse("172.16.0.1/12"));
    }

    SimAgent start(Host h, String overlay, long seed) throws Exception {
        if (h != hub) {
            h.wireGuard().apply(DeviceChange.peers(List.of(new PeerChange(hub.wireGuard().publicKey(), false, false,
                    new IpEndpoint(hub.address(), 51820), 25, false, List.of(IpPrefix.parse("172.16.0.0/12"))))));
            h.hostNetwork().addAddress("wg0", IpPrefix.parse(overlay));
        }
        return new SimAgent(h, SimAgent.zeroConfig("wg0"), CoreSettings.DEFAULTS, seed).start();
    }

    @Test
    void startAddsTheLinkLocalSlash64AndBindsTheGossipPort() throws Exception {
        SimAgent agent = start(hub, null, 1);
        IpPrefix want = LinkLocal.interfacePrefix(hub.wireGuard().publicKey());
        assertTrue(hub.hostNetwork().addresses().stream()
                .anyMatch(x -> x.ifname().equals("wg0") && x.prefix().equals(want)), "link-local /64 on wg0");
        assertEquals(51821, agent.core().gossipPort());
        assertThrows(IllegalStateException.class, () -> hub.openDatagramPort(51821), "gossip port bound");
        assertEquals(1, agent.core().counters().passes, "one pass at start");
        world.runFor(Duration.ofSeconds(5));
        assertTrue(agent.core().counters().passes >= 2, "the anti-entropy timer runs passes");
        agent.close();
        hub.openDatagramPort(51821).close(); // closing unbinds the port
    }

    @Test
    void aLinkLocalAddressAlreadyThereIsKept() throws Exception {
        IpPrefix want = LinkLocal.interfacePrefix(hub.wireGuard().publicKey());
        hub.hostNetwork().addAddress("wg0", want);
        start(hub, null, 1);
        long n = hub.hostNetwork().addresses().stream().map(HostNetwork.InterfaceAddress::prefix)
                .filter(want::equals).count();
        assertEquals(1, n);
    }

    @Test
    void leavesConfiguredOnlyWithTheHubGoDirect() throws Exception {
        start(hub, null, 1).log(hubLog::add);
        start(a, "172.16.0.2/12", 2);
        world.runFor(Duration.ofSeconds(3));
        start(b, "172.16.0.3/12", 3);
        world.runFor(Duration.ofSeconds(30));
        assertEquals(Path.DIRECT, world.pathOf(a, b), "hole punched through both cone NATs");
        PeerState bOnA = a.wireGuard().read().peer(b.wireGuard().publicKey());
        assertNotNull(bOnA);
        assertTrue(bOnA.allowedIps().contains(IpPrefix.parse("172.16.0.3/32")), "b's route on a: " + bOnA);
        assertEquals(b.wireGuard().publicKey(), a.wireGuard().routeFor(IpPrefix.parse("172.16.0.3/32").address()));
        assertEquals(Path.DIRECT, world.pathOf(a, hub));
        assertEquals(Path.DIRECT, world.pathOf(b, hub));
    }

    /**
     * The hub hears a leaf's first gossip over a session its last device poll (up to a second old) did not show. A
     * pass on that poll took the leaf for unhealthy and replaced the endpoint WireGuard learned by roaming (the NAT
     * mapping) with the leaf's own LAN address, so what the hub sent next was lost. Passes read the device first.
     */
    @Test
    void theHubNeverMovesTheEndpointOfALeafItJustHeardFrom() throws Exception {
        List<String> hubDrops = new ArrayList<>();
        world.trace(line -> {
            if (line.contains(" drop ") && line.contains(" at hub")) {
                hubDrops.add(line);
            }
        });
        start(hub, null, 1).log(hubLog::add);
        start(a, "172.16.0.2/12", 2);
        start(b, "172.16.0.3/12", 3);
        world.runFor(Duration.ofSeconds(30));
        assertFalse(hubLog.stream().anyMatch(l -> l.contains("endpoint")), String.join("\n", hubLog));
        assertEquals(List.of(), hubDrops, "the hub sent nothing astray");
        assertTrue(a.wireGuard().hasPeer(b.wireGuard().publicKey()), "a learned b from the hub");
        assertTrue(b.wireGuard().hasPeer(a.wireGuard().publicKey()), "b learned a from the hub");
    }
}
