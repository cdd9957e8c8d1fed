package io.wirelink.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.agent.config.AgentConfig;
import io.wirelink.agent.config.PeerConfig;
import io.wirelink.agent.config.RouterMode;
import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.DeviceStates;
import io.wirelink.apply.HostNetwork;
import io.wirelink.apply.PeerChange;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.Fact;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.ManualClock;
import io.wirelink.facts.MemberMetadata;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.SignedGroups;
import io.wirelink.facts.store.FactStore;
import io.wirelink.linklocal.LinkLocal;
import io.wirelink.traversal.RelayPlanner;
import io.wirelink.trust.TrustLevel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Three cores in a toy world: a hub and two leaves, handshakes modelled as "both devices hold each other and the
 * pair is not blocked", datagrams delivered at once. This tests the core's logic end to end; the lab tests it
 * against real WireGuard and NATs.
 */
class AgentCoreTest {
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    static final class Node {
        final String name;
        final PrivateKey key;
        final IpEndpoint outside; // where others see it (its NAT mapping, or itself)
        final List<HostNetwork.InterfaceAddress> addrs;
        DeviceState device;
        AgentCore core;

        Node(String name, long seed, IpEndpoint outside, String lan, String overlay) {
            this.name = name;
            Random r = new Random(seed);
            byte[] k = new byte[32];
            r.nextBytes(k);
            this.key = PrivateKey.of(k);
            this.outside = outside;
            this.addrs = List.of(new HostNetwork.InterfaceAddress(2, "eth0", IpPrefix.parse(lan), 0, 0),
                    new HostNetwork.InterfaceAddress(3, "wg0", IpPrefix.parse(overlay), 0, 0));
        }

        PublicKey pub() {
            return key.publicKey();
        }
    }

    final ManualClock clock = new ManualClock(T0);
    final Map<PublicKey, Node> nodes = new LinkedHashMap<>();
    final Set<Set<PublicKey>> blocked = new HashSet<>();

    Node node(String name, long seed, String outside, String lan, String overlay, AgentConfig cfg,
            PeerState... peers) {
        Node n = new Node(name, seed, IpEndpoint.parse(outside), lan, overlay);
        n.device = new DeviceState("wg0", n.pub(), 51820, 0, List.of(peers));
        n.core = new AgentCore(n.key, cfg, FactStore.inMemory(FactStore.Options.DEFAULTS), CoreSettings.DEFAULTS,
                new Random(seed), T0, new UUID(seed, seed));
        nodes.put(n.pub(), n);
        return n;
    }

    static AgentConfig config(List<PeerConfig> peers) {
        return new AgentConfig("wg0", 0, RouterMode.AUTO, false, false, List.of(), List.of(), Path.of("/tmp"), Path.of("/tmp"),
                io.wirelink.agent.config.Timers.DEFAULTS,
                new io.wirelink.agent.config.Dht("wirelink", 0, List.of(), false, 0),
                io.wirelink.agent.config.RelayConfig.DEFAULTS, peers,
                null);
    }

    static PeerState peer(PublicKey k, String endpoint, String... aips) {
        return new PeerState(k, false, endpoint == null ? null : IpEndpoint.parse(endpoint),
                java.util.Arrays.stream(aips).map(IpPrefix::parse).toList(), Instant.EPOCH, 0, 0, 0);
    }

    /** One second of the world: handshakes, passes, device changes, delivery. */
    void step() {
        clock.advance(Duration.ofSeconds(1));
        Instant now = clock.now();
        // handshakes: a peer with an endpoint whose other side holds us, and the pair not blocked
        for (Node x : nodes.values()) {
            for (PeerState p : x.device.peers()) {
                Node y = nodes.get(p.publicKey());
                if (y == null || p.endpoint() == null || y.device.peer(x.pub()) == null
                        || blocked.contains(Set.of(x.pub(), y.pub()))
                        || !p.endpoint().equals(y.outside)) {
                    continue;
                }
                x.device = handshake(x.device, y.pub(), null, now);
                y.device = handshake(y.device, x.pub(), x.outside, now);
            }
        }
        List<Runnable> deliveries = new ArrayList<>();
        for (Node x : nodes.values()) {
            x.core.device(x.device);
            x.core.host(List.of(new HostNetwork.Link(2, "eth0", true, 1500, null),
                    new HostNetwork.Link(3, "wg0", true, 1420, "wireguard")), x.addrs);
            AgentCore.Actions a = x.core.pass(now);
            x.device = DeviceStates.apply(x.device, a.change());
            for (AgentCore.Outgoing o : a.datagrams()) {
                Node y = nodes.get(o.peer());
                PeerState back = y == null ? null : y.device.peer(x.pub());
                PeerState there = x.device.peer(o.peer());
                // delivered only over a live session
                if (y != null && back != null && there != null && !blocked.contains(Set.of(x.pub(), y.pub()))
                        && !there.lastHandshake().equals(Instant.EPOCH)
                        && now.minusSeconds(170).isBefore(there.lastHandshake())) {
                    IpEndpoint src = new IpEndpoint(LinkLocal.address(x.pub()), o.port());
                    deliveries.add(() -> y.core.datagram(src, o.payload(), now));
                }
            }
        }
        deliveries.forEach(Runnable::run);
    }

    static DeviceState handshake(DeviceState d, PublicKey k, IpEndpoint roamTo, Instant now) {
        List<PeerState> ps = new ArrayList<>();
        for (PeerState p : d.peers()) {
            ps.add(p.publicKey().equals(k) ? new PeerState(k, false, roamTo != null ? roamTo : p.endpoint(),
                    p.allowedIps(), now, p.rxBytes() + 1, p.txBytes() + 1, 0) : p);
        }
        return new DeviceState(d.name(), d.publicKey(), d.listenPort(), d.fwmark(), ps);
    }

    /** {@code d} after sending to {@code k}: its tx counter moved. */
    static DeviceState sentTo(DeviceState d, PublicKey k) {
        List<PeerState> ps = new ArrayList<>();
        for (PeerState p : d.peers()) {
            ps.add(p.publicKey().equals(k) ? new PeerState(k, false, p.endpoint(), p.allowedIps(), p.lastHandshake(),
                    p.rxBytes(), p.txBytes() + 100, 0) : p);
        }
        return new DeviceState(d.name(), d.publicKey(), d.listenPort(), d.fwmark(), ps);
    }

    void run(int seconds) {
        for (int i = 0; i < seconds; i++) {
            step();
        }
    }

    Node hub;
    Node a;
    Node b;

    void hubAndTwoLeaves() {
        Node h0 = new Node("hub", 1, IpEndpoint.parse("203.0.113.1:51820"), "203.0.113.1/24", "10.99.0.1/24");
        Node a0 = new Node("a", 2, IpEndpoint.parse("198.51.100.2:40002"), "192.0.2.2/28", "10.99.0.2/24");
        Node b0 = new Node("b", 3, IpEndpoint.parse("198.51.100.3:40003"), "192.0.2.18/28", "10.99.0.3/24");
        hub = node("hub", 1, "203.0.113.1:51820", "203.0.113.1/24", "10.99.0.1/24", config(List.of()),
                peer(a0.pub(), null, "10.99.0.2/32"), peer(b0.pub(), null, "10.99.0.3/32"));
        a = node("a", 2, "198.51.100.2:40002", "192.0.2.2/28", "10.99.0.2/24", config(List.of()),
                peer(h0.pub(), "203.0.113.1:51820", "10.99.0.0/24"));
        b = node("b", 3, "198.51.100.3:40003", "192.0.2.18/28", "10.99.0.3/24", config(List.of()),
                peer(h0.pub(), "203.0.113.1:51820", "10.99.0.0/24"));
    }

    @Test
    void leavesConfiguredOnlyWithTheHubFindEachOtherAndGoDirect() {
        hubAndTwoLeaves();
        run(5);
        PeerState bOnA = a.device.peer(b.pub());
        assertNotNull(bOnA, "a learned b from the hub");
        assertEquals(b.outside, bOnA.endpoint(), "a tries b's NAT mapping, which the hub observed, first");
        assertFalse(bOnA.lastHandshake().equals(Instant.EPOCH), "direct handshake");
        assertTrue(bOnA.allowedIps().contains(IpPrefix.parse("10.99.0.3/32")), "b's route installed on a");
        assertTrue(bOnA.allowedIps().contains(LinkLocal.hostPrefix(b.pub())));
        assertTrue(b.device.peer(a.pub()).allowedIps().contains(IpPrefix.parse("10.99.0.2/32")));
        assertTrue(a.core.snapshot().peers().stream().anyMatch(p -> p.key().equals(b.pub()) && p.path().equals(
                "direct")));
        // and the whole thing settles: no more device changes
        run(3);
        a.core.device(a.device);
        assertTrue(a.core.pass(clock.now()).change().isEmpty());
    }

    @Test
    void aRelayOfferIsPublishedAsALocalFactAndReachesTheLeavesThroughTheHub() {
        hubAndTwoLeaves();
        PublicKey relayKey = PrivateKey.of(new byte[32]).publicKey();
        IpEndpoint relayAt = IpEndpoint.parse("203.0.113.1:51823");
        hub.core.relays().ownRelay(relayKey, List.of(relayAt));
        run(5);
        io.wirelink.facts.RelayAttachment offer = new io.wirelink.facts.RelayAttachment(true, relayKey,
                List.of(relayAt));
        assertTrue(a.core.snapshot().view().entries().stream().anyMatch(e -> e.fact().value().equals(offer)
                && e.fact().subject().equals(hub.pub())), "a believes the hub's relay offer");
        assertTrue(a.core.relays().probeTargets().contains(new RelayPlanner.ProbeTarget(relayKey, relayAt)),
                "and probes it");
        assertTrue(hub.core.relays().probeTargets().isEmpty(), "nobody probes its own relay");
    }

    @Test
    void blockedPairsStayRoutedThroughTheHub() {
        hubAndTwoLeaves();
        blocked.add(Set.of(a.pub(), b.pub()));
        run(20);
        PeerState bOnA = a.device.peer(b.pub());
        assertNotNull(bOnA);
        assertEquals(List.of(LinkLocal.hostPrefix(b.pub())), bOnA.allowedIps(),
                "no direct path: only the link-local, so 10.99.0.3 goes via the hub's /24");
        assertTrue(a.core.snapshot().peers().stream().anyMatch(p -> p.key().equals(b.pub()) && p.path().equals(
                "via router")));
    }

    @Test
    void forgedAndUntrustedFactsChangeNothing() {
        hubAndTwoLeaves();
        run(5);
        PrivateKey stranger = PrivateKey.of(new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
                9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
        Instant now = clock.now();
        Fact evil = Fact.member(stranger.publicKey(), MemberMetadata.of("evil", false), now.plusSeconds(100));
        // 1. from an unknown signer
        byte[] d1 = new SignedGroups(stranger, 4).seal(1, a.pub(), List.of(evil), now, new Random(1)).get(0);
        assertEquals(AgentCore.Received.UNKNOWN_SIGNER,
                a.core.datagram(new IpEndpoint(LinkLocal.address(stranger.publicKey()), 51821), d1, now));
        // 2. a leaf (trusted only for endpoints of known peers) asserting a new member
        byte[] d2 = new SignedGroups(b.key, 4).seal(1, a.pub(), List.of(evil), now, new Random(2)).get(0);
        assertEquals(AgentCore.Received.NOTHING_NEW,
                a.core.datagram(new IpEndpoint(LinkLocal.address(b.pub()), 51821), d2, now));
        // 3. the hub's key, but sent from b's address
        byte[] d3 = new SignedGroups(hub.key, 4).seal(1, a.pub(), List.of(evil), now, new Random(3)).get(0);
        assertEquals(AgentCore.Received.WRONG_SOURCE,
                a.core.datagram(new IpEndpoint(LinkLocal.address(b.pub()), 51821), d3, now));
        // 4. a forged tag
        d3[40] ^= 1;
        assertEquals(AgentCore.Received.UNVERIFIED,
                a.core.datagram(new IpEndpoint(LinkLocal.address(hub.pub()), 51821), d3, now));
        run(2);
        assertNull(a.device.peer(stranger.publicKey()), "nothing reached the device");
        assertEquals(1, a.core.counters().unknownSigner);
        assertEquals(1, a.core.counters().wrongSource);
        assertEquals(1, a.core.counters().unverified);
        assertEquals(1, a.core.counters().dropped(io.wirelink.gossip.Drop.UNKNOWN_SIGNER), "per reason too");
        assertEquals(1, a.core.counters().dropped(io.wirelink.gossip.Drop.WRONG_SOURCE));
        assertEquals(1, a.core.counters().dropped(io.wirelink.gossip.Drop.UNVERIFIED));
        assertTrue(a.core.counters().dropped(io.wirelink.gossip.Drop.UNTRUSTED) >= 1, "b's member fact");
    }

    @Test
    void aPeerTheHubStopsVouchingForIsRemovedAfterTheGuards() {
        Node h0 = new Node("hub", 1, IpEndpoint.parse("203.0.113.1:51820"), "203.0.113.1/24", "10.99.0.1/24");
        Node b0 = new Node("b", 3, IpEndpoint.parse("198.51.100.3:40003"), "192.0.2.18/28", "10.99.0.3/24");
        hubAndTwoLeaves();
        // the leaves trust the hub explicitly
        AgentConfig leafCfg = config(List.of(new PeerConfig(h0.pub(), "hub", TrustLevel.Membership, List.of(),
                List.of(), false, false)));
        a.core.reconfigure(leafCfg);
        b.core.reconfigure(leafCfg);
        run(10);
        assertNotNull(a.device.peer(b0.pub()));
        // the hub drops b
        hub.device = DeviceStates.apply(hub.device, DeviceChange.peers(List.of(PeerChange.removal(b.pub()))));
        nodes.remove(b.pub());
        run(30);
        assertNotNull(a.device.peer(b0.pub()), "not before the hub's membership facts expire (255 s)");
        run(300);
        assertNull(a.device.peer(b0.pub()), "removed once no trusted source vouches for it");
        assertNotNull(a.device.peer(hub.pub()), "the configured hub stays");
    }

    @Test
    void aPeerNoLongerKnownIsForgottenWithItsFormat() {
        hubAndTwoLeaves();
        run(10);
        assertEquals(2, hub.core.capabilitiesHeld(), "both leaves announced v2 with Acks");
        hub.device = DeviceStates.apply(hub.device, DeviceChange.peers(List.of(PeerChange.removal(b.pub()))));
        nodes.remove(b.pub());
        run(10);
        assertEquals(1, hub.core.capabilitiesHeld(), "what b speaks goes with b: the table is bounded by known peers");
    }

    @Test
    void aLeafCutOffFromItsHubKeepsTheHubsRouteAndIsWholeAgainAfterTheHeal() {
        hubAndTwoLeaves();
        IpPrefix overlay = IpPrefix.parse("10.99.0.0/24");
        run(40); // past the startup grace, so a may deconfigure
        blocked.add(Set.of(a.pub(), hub.pub()));
        for (int i = 0; i < 200; i++) { // the hub's handshake ages out (165 s)
            a.device = sentTo(a.device, hub.pub()); // a keeps sending (gossip, keepalives), nothing comes back
            step();
            assertTrue(a.device.peer(hub.pub()).allowedIps().contains(overlay),
                    "the hub's route is a's only way into the overlay: it stays (" + i + " s into the cut)");
        }
        assertFalse(a.core.selfIsRouter(), "a still has a router, so it is none itself");
        assertTrue(a.device.peer(b.pub()).allowedIps().contains(IpPrefix.parse("10.99.0.3/32")),
                "a and b stay direct");
        blocked.clear();
        run(15);
        assertTrue(a.device.peer(hub.pub()).allowedIps().contains(overlay));
        assertTrue(a.core.snapshot().peers().stream().anyMatch(p -> p.key().equals(hub.pub())
                && p.path().equals("direct")), "the hub is a direct, healthy peer again");
        a.core.device(a.device);
        assertTrue(a.core.pass(clock.now()).change().isEmpty(), "and a settles");
    }

    @Test
    void aRestartedAgentReplaysItsLogAndKeepsRoutes() throws Exception {
        hubAndTwoLeaves();
        run(6);
        PeerState before = a.device.peer(b.pub());
        assertTrue(before.allowedIps().contains(IpPrefix.parse("10.99.0.3/32")));
        // restart a's agent with a fresh core over the same (persisted) store contents
        FactStore replay = FactStore.inMemory(FactStore.Options.DEFAULTS);
        a.core.store().events().forEach(e -> replay.append(e.fact(), e.provenance()));
        a.core = new AgentCore(a.key, a.core.config(), replay, CoreSettings.DEFAULTS, new Random(99), clock.now(),
                new UUID(99, 99));
        for (int i = 0; i < 40; i++) {
            step();
            assertTrue(a.device.peer(b.pub()).allowedIps().contains(IpPrefix.parse("10.99.0.3/32")),
                    "route kept " + i + " s after restart");
        }
    }

    @Test
    void leavesThatDelegateTrustToTheHubAdoptItsTrustDecisions() {
        Node h0 = new Node("hub", 1, IpEndpoint.parse("203.0.113.1:51820"), "203.0.113.1/24", "10.99.0.1/24");
        Node b0 = new Node("b", 3, IpEndpoint.parse("198.51.100.3:40003"), "192.0.2.18/28", "10.99.0.3/24");
        hubAndTwoLeaves();
        // a delegates trust to the hub; the hub's operator trusts b with membership
        a.core.reconfigure(config(List.of(new PeerConfig(h0.pub(), "hub", TrustLevel.DelegateTrust, List.of(),
                List.of(), false, false))));
        hub.core.reconfigure(config(List.of(new PeerConfig(b0.pub(), "b", TrustLevel.Membership, List.of(),
                List.of(), false, false))));
        run(8);
        PrivateKey stranger = PrivateKey.of(new byte[] {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
                7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7});
        Instant now = clock.now();
        Fact newMember = Fact.member(stranger.publicKey(), MemberMetadata.of("vouched", false), now.plusSeconds(100));
        byte[] d = new SignedGroups(b.key, 4).seal(2, a.pub(), List.of(newMember), now, new Random(5)).get(0);
        assertEquals(AgentCore.Received.ACCEPTED,
                a.core.datagram(new IpEndpoint(LinkLocal.address(b.pub()), 51821), d, now),
                "b's membership facts count on a because the hub, a's delegate, trusts b with Membership");
        run(2);
        assertNotNull(a.device.peer(stranger.publicKey()), "a added the peer b vouched for");
        // without the delegation, the same fact from b is not believed (b is a leaf: Endpoint trust)
        assertEquals(AgentCore.Received.NOTHING_NEW, hub.core.datagram(new IpEndpoint(LinkLocal.address(a.pub()),
                51821), new SignedGroups(a.key, 4).seal(2, hub.pub(), List.of(newMember.withExpiry(now.plusSeconds(
                99))), now, new Random(6)).get(0), now), "the hub does not delegate to a");
    }

    @Test
    void factsTheHubStopsAssertingAreWithdrawnFromTheLeavesItSentThemTo() {
        hubAndTwoLeaves();
        run(5);
        assertTrue(a.core.store().events().stream().anyMatch(e -> e.key().subject().equals(b.pub())
                && e.provenance().author().equals(hub.pub())), "a holds the hub's facts about b");
        // the operator removes b from the hub
        hub.device = new DeviceState("wg0", hub.pub(), 51820, 0, hub.device.peers().stream()
                .filter(p -> !p.publicKey().equals(b.pub())).toList());
        run(3);
        assertTrue(hub.core.counters().withdrawalsOut > 0, "the hub withdrew them");
        assertTrue(a.core.counters().withdrawalsIn > 0, "a retracted them");
        // what the hub derived from b being its peer (b's own assertions, e.g. its LAN endpoint, the hub still
        // holds and shares until they expire)
        Set<io.wirelink.facts.Attribute> derived = Set.of(io.wirelink.facts.Attribute.MEMBER_METADATA,
                io.wirelink.facts.Attribute.ALLOWED_CIDR_V4, io.wirelink.facts.Attribute.OBSERVED_ENDPOINT);
        assertEquals(List.of(), a.core.store().events().stream().filter(e -> e.key().subject().equals(b.pub())
                && e.provenance().author().equals(hub.pub()) && derived.contains(e.key().attribute()))
                .map(e -> e.key().toString()).toList(),
                "a holds none of them any more, long before they would have expired");
        // and once acknowledged, nothing is withdrawn again
        long out = hub.core.counters().withdrawalsOut;
        run(5);
        assertEquals(out, hub.core.counters().withdrawalsOut);
    }

    @Test
    void factLifetimeDoublesWithEachDoublingOfTheMeshBeyondAHundredPeers() {
        List<PeerState> many = new ArrayList<>();
        Random r = new Random(5);
        for (int i = 0; i < 250; i++) {
            byte[] k = new byte[32];
            r.nextBytes(k);
            many.add(peer(PrivateKey.of(k).publicKey(), null, "10.98." + (i / 200) + "." + (i % 200) + "/32"));
        }
        Node big = node("big", 7, "203.0.113.7:51820", "203.0.113.7/24", "10.98.0.250/16", config(List.of()),
                many.toArray(new PeerState[0]));
        Duration base = CoreSettings.DEFAULTS.gossip().factTtl();
        big.core.device(big.device);
        assertEquals(base.multipliedBy(2), big.core.factTtl(), "250 peers: 2 x factTtl");
        big.core.host(List.of(new HostNetwork.Link(2, "eth0", true, 1500, null)), big.addrs);
        big.core.pass(T0);
        assertTrue(big.core.store().localEvents(io.wirelink.facts.store.Channel.LOCAL).stream()
                .allMatch(e -> e.fact().expires().equals(T0.plus(base.multipliedBy(2)))));
        assertEquals(base, a().core.factTtl(), "a small mesh keeps factTtl");
    }

    private Node a() {
        hubAndTwoLeaves();
        a.core.device(a.device);
        return a;
    }
}
