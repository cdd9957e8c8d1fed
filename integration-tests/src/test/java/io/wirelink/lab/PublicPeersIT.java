package io.wirelink.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerState;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Scenario a: two public hosts, WireGuard configured both ways with {@code wg}, traffic over the overlay. */
@ExtendWith(LabExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PublicPeersIT {
    @Test
    void twoPublicHostsTalkOverTheTunnel(Lab lab) {
        Host alice = lab.publicHost("alice");
        Host bob = lab.publicHost("bob");
        assertTrue(alice.ping(bob.address().getHostAddress(), 1, Duration.ofSeconds(3)), "underlay reachability");

        WgInterface a = lab.startWireGuard(alice).addAddress("198.18.0.1/24").addAddress("fd00:99::1/64");
        WgInterface b = lab.startWireGuard(bob).addAddress("198.18.0.2/24").addAddress("fd00:99::2/64");
        a.setPeer(b, b.underlayEndpoint(), null, "198.18.0.2/32", "fd00:99::2/128");
        b.setPeer(a, a.underlayEndpoint(), null, "198.18.0.1/32", "fd00:99::1/128");

        assertTrue(alice.ping("198.18.0.2", 3, Duration.ofSeconds(10)), "ping alice -> bob over the IPv4 overlay");
        assertTrue(bob.ping("fd00:99::1", 3, Duration.ofSeconds(10)), "ping bob -> alice over the IPv6 overlay");

        await("handshake seen on both sides").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> a.hasHandshakeWith(b) && b.hasHandshakeWith(a));

        PeerState bobSeenByAlice = a.peer(b.publicKey()).orElseThrow();
        assertTrue(bobSeenByAlice.lastHandshake().isAfter(Instant.EPOCH), "latest handshake is set");
        assertEquals(b.underlayEndpoint(), bobSeenByAlice.endpoint());
        assertTrue(bobSeenByAlice.rxBytes() > 0 && bobSeenByAlice.txBytes() > 0, "bytes flowed both ways");
        assertTrue(b.latestHandshake(a.publicKey()).isAfter(Instant.EPOCH), "bob saw the handshake too");

        DeviceState bobDevice = b.dump();
        assertEquals(b.publicKey(), bobDevice.publicKey());
        assertEquals(Lab.DEFAULT_LISTEN_PORT, bobDevice.listenPort());
        assertEquals(1, bobDevice.peers().size());
    }
}
