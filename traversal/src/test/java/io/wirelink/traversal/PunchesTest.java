package io.wirelink.traversal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerState;
import io.wirelink.detect.PathHealth;
import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactValue;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import io.wirelink.traversal.Punches.Received;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Punch coordination (PROTOCOL.md §6.3) as pure decisions, on an injected clock. */
class PunchesTest {
    static final Duration REPEAT = Duration.ofSeconds(2);
    final PublicKey self = PeerPathTest.key(1);
    final PublicKey router = PeerPathTest.key(2);
    final PublicKey leaf = PeerPathTest.key(3);
    final PublicKey stranger = PeerPathTest.key(4);
    final Punches punches = new Punches(self, REPEAT);
    Instant now = Instant.parse("2026-11-22T10:00:00Z");

    PeerState peer(PublicKey k, String... ips) {
        return new PeerState(k, false, IpEndpoint.parse("198.51.100.9:51820"),
                java.util.Arrays.stream(ips).map(IpPrefix::parse).toList(), now, 0, 0, 25);
    }

    DeviceState device(PeerState... peers) {
        return new DeviceState("wg0", self, 51820, 0, List.of(peers));
    }

    Received receive(PublicKey signer, PublicKey target, PublicKey requester, DeviceState d, boolean selfRouter) {
        return punches.received(signer, Punches.request(target, requester, now), d, () -> selfRouter, k -> true, now);
    }

    @Test
    void aRequestFactNamesTargetAndRequesterAndLivesPunchTtl() {
        Fact f = Punches.request(leaf, self, now);
        assertEquals(Attribute.PUNCH_REQUEST, f.attribute());
        assertEquals(leaf, f.subject());
        assertEquals(new FactValue.Requester(self), f.value());
        assertEquals(now.plus(Punches.PUNCH_TTL), f.expires());
    }

    @Test
    void aRequestForUsFromARouterPunchesOncePerRepeat() {
        DeviceState d = device(peer(router, "10.9.0.0/24"), peer(leaf, "10.9.0.3/32"));
        assertEquals(Received.PUNCH, receive(router, self, leaf, d, false));
        assertTrue(punches.takeNow(leaf));
        assertFalse(punches.takeNow(leaf), "taken once");
        assertEquals(Received.IGNORED, receive(router, self, leaf, d, false), "again too soon");
        now = now.plus(REPEAT);
        assertEquals(Received.PUNCH, receive(router, self, leaf, d, false));
    }

    @Test
    void aRequestForUsFromTheRequesterItselfPunches() {
        DeviceState d = device(peer(leaf, "10.9.0.3/32"));
        assertEquals(Received.PUNCH, receive(leaf, self, leaf, d, false));
    }

    @Test
    void aRequestForUsFromANonRouterOrAboutAPeerNotOnTheDeviceIsIgnored() {
        DeviceState d = device(peer(stranger, "10.9.0.4/32"), peer(leaf, "10.9.0.3/32"));
        assertEquals(Received.IGNORED, receive(stranger, self, leaf, d, false), "a leaf relaying for another");
        assertEquals(Received.IGNORED, receive(router, self, leaf, d, false), "signer not on the device");
        assertEquals(Received.IGNORED, receive(router, self, leaf, device(peer(router, "10.9.0.0/24")), false),
                "requester not on the device");
        assertFalse(punches.takeNow(leaf));
    }

    @Test
    void aRouterPassesARequestOnToATargetThatReadsAcks() {
        DeviceState d = device(peer(leaf, "10.9.0.3/32"), peer(stranger, "10.9.0.4/32"));
        assertEquals(Received.PASS_ON, receive(leaf, stranger, leaf, d, true));
        assertEquals(Received.IGNORED, receive(leaf, stranger, leaf, d, false), "not a router");
        assertEquals(Received.IGNORED, receive(router, stranger, leaf, d, true), "not signed by the requester");
        assertEquals(Received.IGNORED, punches.received(leaf, Punches.request(stranger, leaf, now), d, () -> true,
                k -> false, now), "the target does not read Acks");
        assertEquals(Map.of(stranger, Set.of(leaf)), punches.takePassOn());
        assertEquals(Map.of(), punches.takePassOn(), "taken once");
    }

    @Test
    void aRelaysSwitchMomentAsksForAPunchToo() {
        punches.sendNow(Set.of(leaf));
        assertTrue(punches.takeNow(leaf));
        punches.sendNow(Set.of(leaf));
        punches.retain(Set.of());
        assertFalse(punches.takeNow(leaf), "forgotten with the peer");
    }

    PeerState quiet(Instant handshake, long rx, long tx) {
        return new PeerState(leaf, false, IpEndpoint.parse("198.51.100.9:51820"), List.of(), handshake, rx, tx, 0);
    }

    @Test
    void aLeafAsksItsRoutersOncePerWakeThenForAFailedPathAtMostEveryRepeat() {
        PathHealth paths = new PathHealth();
        AliveProbes probes = new AliveProbes(self);
        Instant hs = now;
        paths.track(device(quiet(hs, 100, 100)), k -> true, now); // proven by a handshake: idle from here
        now = now.plus(PathHealth.SILENCE).plusSeconds(5);
        paths.track(device(quiet(hs, 100, 200)), k -> true, now); // we send after a silence: woken
        assertEquals(List.of(Punches.request(leaf, self, now)), punches.requests(paths, probes, now));
        assertEquals(List.of(), punches.requests(paths, probes, now.plusSeconds(1)), "once per wake");

        now = now.plus(PathHealth.RESUME_GRACE);
        paths.track(device(quiet(hs, 100, 300)), k -> true, now); // nothing came back: failed
        assertEquals(Set.of(leaf), paths.failedPaths());
        assertEquals(List.of(Punches.request(leaf, self, now)), punches.requests(paths, probes, now));
        assertEquals(List.of(), punches.requests(paths, probes, now.plusSeconds(1)), "not again before REPEAT");
        probes.probe(leaf, Duration.ofSeconds(30), now);
        assertEquals(List.of(), punches.requests(paths, probes, now.plus(REPEAT)), "nor before the next probe");
        assertEquals(1, punches.requests(paths, probes, now.plusSeconds(30)).size(), "with the next probe");
    }
}
