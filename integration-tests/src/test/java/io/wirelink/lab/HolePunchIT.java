package io.wirelink.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenarios b and c: a public hub and two leaves, each behind its own NAT. The leaves know only the hub; the hub
 * learns their NAT-mapped endpoints from their handshakes (it is the STUN server for the WireGuard port). Then each
 * leaf is given the other's mapped endpoint and both send at once. Through cone NATs that punches a hole and the
 * leaves talk directly; through symmetric NATs the mapping towards the other leaf is a different port from the one
 * the hub saw, so every packet meets a NAT with no matching flow and is dropped.
 */
@ExtendWith(LabExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HolePunchIT {
    private static final Duration HANDSHAKE_WAIT = Duration.ofSeconds(15);
    private static final Duration POLL = Duration.ofMillis(250);

    /** The lab of scenarios b and c, after both leaves have a session with the hub. */
    private record HubAndLeaves(Nat natA, Nat natB, Host leafA, Host leafB, WgInterface hub, WgInterface a,
            WgInterface b) {}

    private static HubAndLeaves hubAndLeaves(Lab lab, NatType type) {
        Host hubHost = lab.publicHost("hub");
        Nat natA = lab.nat("natA", type);
        Nat natB = lab.nat("natB", type);
        Host leafA = lab.hostBehind(natA, "a");
        Host leafB = lab.hostBehind(natB, "b");

        WgInterface hub = lab.startWireGuard(hubHost).addAddress("198.18.0.1/24");
        WgInterface a = lab.startWireGuard(leafA).addAddress("198.18.0.2/24");
        WgInterface b = lab.startWireGuard(leafB).addAddress("198.18.0.3/24");
        // the hub knows the leaves' keys but not where they are
        hub.setPeer(a, null, null, "198.18.0.2/32");
        hub.setPeer(b, null, null, "198.18.0.3/32");
        // the leaves know only the hub, and keep their NAT mappings open
        a.setPeer(hub, hub.underlayEndpoint(), 1, "198.18.0.1/32");
        b.setPeer(hub, hub.underlayEndpoint(), 1, "198.18.0.1/32");

        await("both leaves handshake with the hub").atMost(HANDSHAKE_WAIT).pollInterval(POLL)
                .until(() -> hub.hasHandshakeWith(a) && hub.hasHandshakeWith(b));
        assertTrue(leafA.ping("198.18.0.1", 1, Duration.ofSeconds(5)), "leaf a reaches the hub over the overlay");
        assertTrue(leafB.ping("198.18.0.1", 1, Duration.ofSeconds(5)), "leaf b reaches the hub over the overlay");
        return new HubAndLeaves(natA, natB, leafA, leafB, hub, a, b);
    }

    /** Gives each leaf the other's endpoint as the hub observed it (the rendezvous). */
    private static void exchangeObservedEndpoints(HubAndLeaves m, IpEndpoint aMapped, IpEndpoint bMapped) {
        m.a().setPeer(m.b(), bMapped, 1, "198.18.0.3/32");
        m.b().setPeer(m.a(), aMapped, 1, "198.18.0.2/32");
    }

    @Test
    void leavesBehindConeNatsGoDirect(Lab lab) {
        HubAndLeaves m = hubAndLeaves(lab, NatType.CONE);
        IpEndpoint aMapped = m.hub().endpointOf(m.a().publicKey()).orElseThrow();
        IpEndpoint bMapped = m.hub().endpointOf(m.b().publicKey()).orElseThrow();
        assertEquals(m.natA().wanAddress(), aMapped.address(), "the hub sees leaf a at its NAT's WAN address");
        assertEquals(m.natB().wanAddress(), bMapped.address(), "the hub sees leaf b at its NAT's WAN address");

        exchangeObservedEndpoints(m, aMapped, bMapped);

        await("direct handshake between the leaves").atMost(HANDSHAKE_WAIT).pollInterval(POLL)
                .until(() -> m.a().hasHandshakeWith(m.b()) && m.b().hasHandshakeWith(m.a()));
        assertTrue(m.leafA().ping("198.18.0.3", 3, Duration.ofSeconds(10)), "ping a -> b over the direct tunnel");

        PeerState aSeenByB = m.b().peer(m.a().publicKey()).orElseThrow();
        assertTrue(aSeenByB.lastHandshake().isAfter(Instant.EPOCH), "b has a handshake with a");
        assertNotNull(aSeenByB.endpoint(), "b knows where a is");
        assertEquals(m.natA().wanAddress(), aSeenByB.endpoint().address(),
                "b sees a at NAT a's WAN address: the session is direct, not through the hub");
        assertEquals(aMapped, aSeenByB.endpoint(), "cone NAT: a's mapping towards b is the one the hub saw");
    }

    @Test
    void leavesBehindSymmetricNatsCannotGoDirect(Lab lab) {
        HubAndLeaves m = hubAndLeaves(lab, NatType.SYMMETRIC);
        IpEndpoint aMapped = m.hub().endpointOf(m.a().publicKey()).orElseThrow();
        IpEndpoint bMapped = m.hub().endpointOf(m.b().publicKey()).orElseThrow();
        assertEquals(m.natA().wanAddress(), aMapped.address());
        assertEquals(m.natB().wanAddress(), bMapped.address());
        long dropsBefore = lab.unsolicitedDrops(m.natA()) + lab.unsolicitedDrops(m.natB());

        exchangeObservedEndpoints(m, aMapped, bMapped);

        // wireguard-go sends an initiation at once (persistent keepalive) and retries every 5 s: two rounds each
        await("no direct handshake through symmetric NATs").during(Duration.ofSeconds(9))
                .atMost(Duration.ofSeconds(12)).pollInterval(Duration.ofMillis(500))
                .until(() -> !m.a().hasHandshakeWith(m.b()) && !m.b().hasHandshakeWith(m.a()));
        assertFalse(m.leafA().ping("198.18.0.3", 1, Duration.ofSeconds(2)), "ping a -> b must fail");
        assertTrue(lab.unsolicitedDrops(m.natA()) + lab.unsolicitedDrops(m.natB()) > dropsBefore,
                "the leaves' initiations reached the other NAT and were dropped there as unsolicited");
        // the NATs still pass the leaves' traffic to the hub: only the direct path is closed
        assertTrue(m.leafA().ping("198.18.0.1", 1, Duration.ofSeconds(5)), "leaf a still reaches the hub");
        assertTrue(m.hub().hasHandshakeWith(m.a()) && m.hub().hasHandshakeWith(m.b()));
    }
}
