package io.wirelink.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.agent.config.PeerConfig;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.DeviceStates;
import io.wirelink.apply.HostNetwork;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.Fact;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.ManualClock;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.RelayAttachment;
import io.wirelink.facts.store.Channel;
import io.wirelink.facts.store.FactStore;
import io.wirelink.facts.store.Provenance;
import io.wirelink.traversal.RelayPlanner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Relays in DHT records (PROTOCOL.md §7.8) at the core: a node configured with one peer it can only look up resolves
 * the peer's record, whose relays become relays on offer that expire with the record; the relay the peer is
 * registered with is registered with and picked by the rendezvous rule; and the node's own record lists its relay
 * offer and the relays it is registered with.
 */
class AgentCoreDhtRelayTest {
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    static final Duration TTL = Duration.ofSeconds(600);
    /** Group nonces differ between tests: the thread's cipher refuses a key and nonce it just sealed with. */
    static final java.util.concurrent.atomic.AtomicLong SEEDS = new java.util.concurrent.atomic.AtomicLong(1000);

    final ManualClock clock = new ManualClock(T0);
    final PrivateKey selfKey = key(1);
    final PublicKey peer = key(2).publicKey();
    /** The relay the peer is registered with (a stand-alone relay or another member's: we do not know whose). */
    final PublicKey relay = key(3).publicKey();
    /** The relay the peer runs itself (its record's offer). */
    final PublicKey peersOwnRelay = key(4).publicKey();
    final IpEndpoint relayAt = IpEndpoint.parse("203.0.113.11:51823");
    final IpEndpoint peersOwnRelayAt = IpEndpoint.parse("198.51.100.2:51823");
    final IpEndpoint peerAt = IpEndpoint.parse("10.0.2.2:51820"); // its LAN address: unreachable from here
    final IpEndpoint seen = IpEndpoint.parse("198.51.100.2:40002");
    final AgentCore core = new AgentCore(selfKey, AgentCoreTest.config(List.of(new PeerConfig(peer, "b", null,
            List.of(), List.of(IpPrefix.parse("10.99.0.3/32")), false, false))), FactStore.inMemory(
                    FactStore.Options.DEFAULTS), CoreSettings.DEFAULTS, new Random(SEEDS.incrementAndGet()), T0,
                    new UUID(1, 1));
    DeviceState device = new DeviceState("wg0", selfKey.publicKey(), 51820, 0, List.of());
    /** Relays whose probes are answered. */
    Set<PublicKey> live = Set.of(relay, peersOwnRelay);

    static PrivateKey key(int seed) {
        byte[] k = new byte[32];
        new Random(seed).nextBytes(k);
        return PrivateKey.of(k);
    }

    /**
     * One second: probes answered for live relays, a relay peer on the device handshakes (the relay admitted us),
     * the peer never does directly; a pass, applied to the device.
     */
    AgentCore.Actions step() {
        clock.advance(Duration.ofSeconds(1));
        Instant now = clock.now();
        RelayPlanner planner = core.relays();
        for (RelayPlanner.ProbeTarget t : planner.probeTargets()) {
            planner.probeSent(t, now);
            if (live.contains(t.relay())) {
                planner.probeReply(t, Duration.ofMillis(3), t.endpoint(), now);
            }
        }
        List<PeerState> ps = new ArrayList<>();
        for (PeerState p : device.peers()) {
            boolean relayPeer = p.publicKey().equals(relay) || p.publicKey().equals(peersOwnRelay);
            boolean viaRelay = p.publicKey().equals(peer) && relayAt.equals(p.endpoint());
            ps.add(relayPeer && live.contains(p.publicKey()) || viaRelay ? new PeerState(p.publicKey(), false,
                    p.endpoint(), p.allowedIps(), now, p.rxBytes() + 1, p.txBytes() + 1,
                    p.persistentKeepaliveSeconds()) : p);
        }
        device = new DeviceState(device.name(), device.publicKey(), device.listenPort(), device.fwmark(), ps);
        core.device(device);
        core.host(List.of(new HostNetwork.Link(2, "eth0", true, 1500, null), new HostNetwork.Link(3, "wg0", true,
                1420, "wireguard")), List.of(new HostNetwork.InterfaceAddress(2, "eth0", IpPrefix.parse(
                        "192.0.2.2/24"), 0, 0), new HostNetwork.InterfaceAddress(3, "wg0", IpPrefix.parse(
                                "10.99.0.2/24"), 0, 0)));
        AgentCore.Actions a = core.pass(now);
        device = DeviceStates.apply(device, a.change());
        return a;
    }

    void run(int seconds) {
        for (int i = 0; i < seconds; i++) {
            step();
        }
    }

    void resolve() {
        core.dhtResolved(peer, seen, List.of(peerAt), List.of(new RelayAttachment(false, relay, List.of(relayAt)),
                new RelayAttachment(true, peersOwnRelay, List.of(peersOwnRelayAt))), TTL, clock.now());
    }

    RelayPlanner.RelayView view(PublicKey r) {
        return core.relays().relays(clock.now()).stream().filter(v -> v.relay().equals(r)).findFirst().orElse(null);
    }

    @Test
    void aRecordsRelaysBecomeRelaysOnOfferThatExpireWithTheRecord() {
        run(2);
        assertEquals(Set.of(peer), core.snapshot().lookups(), "a configured peer with no endpoint is looked up");
        assertTrue(core.relays().probeTargets().isEmpty());
        resolve();
        assertTrue(core.dirty());
        step();
        var entries = core.snapshot().view().bySubject(peer);
        assertTrue(entries.stream().anyMatch(e -> e.fact().value().equals(new RelayAttachment(false, relay,
                List.of(relayAt))) && e.assertedVia(Channel.DHT)), "the attachment is a fact with provenance dht");
        assertEquals(Set.of(new RelayPlanner.ProbeTarget(relay, relayAt), new RelayPlanner.ProbeTarget(
                peersOwnRelay, peersOwnRelayAt)), Set.copyOf(core.relays().probeTargets()), "both are probed");
        RelayPlanner.RelayView found = view(relay);
        assertNull(found.operator(), "nobody says they run it");
        assertFalse(found.configured());
        RelayPlanner.RelayView offer = view(peersOwnRelay);
        assertEquals(peer, offer.operator(), "the record's owner runs its own relay");
        assertEquals(Set.of(peer), core.snapshot().lookups(),
                "still unreachable: looked up again (the runtime backs off), the record may change");

        clock.advance(TTL);
        step();
        assertTrue(core.relays().probeTargets().isEmpty(), "gone with the record: " + core.relays()
                .probeTargets());
        assertTrue(core.snapshot().view().bySubject(peer).stream().noneMatch(e -> e.assertedVia(Channel.DHT)));
    }

    @Test
    void aPairThatCannotGoDirectMeetsAtTheRelayThePeersRecordNames() {
        run(2);
        resolve();
        for (int i = 0; i < RelayPlanner.GIVE_UP_DIRECT.toSeconds() + 4 && !relayAt.equals(device.peer(peer)
                .endpoint()); i++) {
            step();
        }
        PeerState relayPeer = device.peer(relay);
        assertNotNull(relayPeer, "registered with the relay the record named");
        assertEquals(relayAt, relayPeer.endpoint());
        assertEquals(RelayPlanner.RELAY_KEEPALIVE_SECONDS, relayPeer.persistentKeepaliveSeconds());
        assertEquals(relayAt, device.peer(peer).endpoint(),
                "the peer's endpoint is the one relay both ends are attached to (the peer's own relay is not one)");
        assertEquals(relay, core.relays().pathInfo(peer).relay());
        assertTrue(core.snapshot().recordRelays().contains(new RelayAttachment(false, relay, List.of(relayAt))),
                "our own record lists it: " + core.snapshot().recordRelays());
        step(); // the handshake through the relay
        assertTrue(core.snapshot().lookups().isEmpty(), "relayed and healthy: no lookup while the record is fresh");

        // shortly before the record's relay facts expire, the relayed peer is looked up again to refresh them
        for (int i = 0; i < 6 && core.snapshot().lookups().isEmpty(); i++) {
            clock.advance(Duration.ofSeconds(60));
            step();
        }
        assertEquals(Set.of(peer), core.snapshot().lookups());
        Instant at = clock.now();
        assertTrue(Duration.between(T0, at).compareTo(TTL.minus(AgentCore.DHT_REFRESH)) >= 0, at.toString());
        resolve();
        step();
        assertTrue(core.snapshot().lookups().isEmpty(), "refreshed");
    }

    @Test
    void theRecordListsOurRelayOfferThenTheRelaysWeAreRegisteredWith() {
        PublicKey ours = key(5).publicKey();
        IpEndpoint oursAt = IpEndpoint.parse("192.0.2.2:51823");
        core.relays().ownRelay(ours, List.of(oursAt));
        run(2);
        assertEquals(List.of(new RelayAttachment(true, ours, List.of(oursAt))), core.snapshot().recordRelays(),
                "a public node running a relay lists its offer");
        resolve();
        run((int) RelayPlanner.ATTACH_AFTER.toSeconds() + 3);
        List<RelayAttachment> rr = core.snapshot().recordRelays();
        assertEquals(new RelayAttachment(true, ours, List.of(oursAt)), rr.get(0));
        assertTrue(rr.contains(new RelayAttachment(false, relay, List.of(relayAt))), rr.toString());

        // a relay that stops answering is no longer listed (registered means: handshake within 180 s and alive)
        live = Set.of(peersOwnRelay);
        clock.advance(RelayPlanner.DEAD_AFTER);
        run(2);
        assertFalse(core.snapshot().recordRelays().stream().anyMatch(a -> a.relay().equals(relay)),
                core.snapshot().recordRelays().toString());
    }

    @Test
    void aRecordCannotPassAPeerOffAsARelay() {
        run(2);
        long rejected = core.counters().factsRejected;
        core.dhtResolved(peer, seen, List.of(peerAt), List.of(new RelayAttachment(false, peer, List.of(relayAt)),
                new RelayAttachment(true, selfKey.publicKey(), List.of(relayAt))), TTL, clock.now());
        assertEquals(rejected + 2, core.counters().factsRejected);
        step();
        assertTrue(core.relays().probeTargets().isEmpty());
        assertFalse(core.relays().relayKeys().contains(peer), "the peer stays a mesh peer");
        assertNotNull(device.peer(peer));
    }

    @Test
    void anAttachmentGossipedInsideTheMeshIsNoReasonToRegister() {
        run(2);
        Instant now = clock.now();
        core.store().append(Fact.relay(peer, new RelayAttachment(false, relay, List.of(relayAt)), now.plus(TTL)),
                new Provenance(peer, Channel.GOSSIP, null, now));
        step();
        assertTrue(core.relays().probeTargets().isEmpty(), "only an operator's offer, the config or a DHT record");
    }
}
