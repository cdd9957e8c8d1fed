package io.wirelink.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerChange;
import io.wirelink.apply.PeerState;
import io.wirelink.apply.WireGuardDevice;
import io.wirelink.apply.WireGuardDevices;
import io.wirelink.apply.uapi.UapiDevice;
import io.wirelink.facts.IpPrefix;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Java UAPI client against real wireguard-go: two public hosts configured only through {@link UapiDevice} (one
 * opened directly, one through {@link WireGuardDevices#open}), checked by traffic over the tunnel and against what
 * {@code wg show dump} reports.
 */
@ExtendWith(LabExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class UapiDeviceIT {
    @Test
    void configuresTwoHostsThroughUapi(Lab lab) throws Exception {
        Host alice = lab.publicHost("alice");
        Host bob = lab.publicHost("bob");
        WgInterface a = lab.startWireGuardUnconfigured(alice, lab.ifname("alice"), 51820)
                .addAddress("198.18.2.1/24");
        WgInterface b = lab.startWireGuardUnconfigured(bob, lab.ifname("bob"), 51821).addAddress("198.18.2.2/24");

        try (WireGuardDevice da = new UapiDevice(a.name()); WireGuardDevice db = WireGuardDevices.open(b.name())) {
            assertEquals("uapi", db.backend());
            assertNull(da.read().publicKey(), "bare device has no key yet");

            // bob first: alice's keepalive sends an initiation at once, which a keyless bob would drop
            db.apply(new DeviceChange(b.privateKey(), b.listenPort(), null, true, List.of(new PeerChange(
                    a.publicKey(), false, false, a.underlayEndpoint(), null, true,
                    List.of(IpPrefix.parse("198.18.2.1/32"))))));
            da.apply(new DeviceChange(a.privateKey(), a.listenPort(), null, true, List.of(new PeerChange(
                    b.publicKey(), false, false, b.underlayEndpoint(), 1, true,
                    List.of(IpPrefix.parse("198.18.2.2/32"))))));

            assertTrue(alice.ping("198.18.2.2", 3, Duration.ofSeconds(10)), "ping alice -> bob over the overlay");
            await("handshake read back through UAPI").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> da.read().peer(b.publicKey()).lastHandshake().isAfter(Instant.EPOCH)
                            && db.read().peer(a.publicKey()).lastHandshake().isAfter(Instant.EPOCH));

            // what the Java client reads agrees with what wg reads
            DeviceState viaUapi = da.read();
            DeviceState viaWg = a.dump();
            assertEquals(a.publicKey(), viaUapi.publicKey());
            assertEquals(viaWg.publicKey(), viaUapi.publicKey());
            assertEquals(51820, viaUapi.listenPort());
            assertEquals(viaWg.listenPort(), viaUapi.listenPort());
            assertEquals(viaWg.fwmark(), viaUapi.fwmark());
            PeerState pu = viaUapi.peer(b.publicKey());
            PeerState pw = viaWg.peer(b.publicKey());
            assertEquals(pw.endpoint(), pu.endpoint());
            assertEquals(b.underlayEndpoint(), pu.endpoint());
            assertEquals(pw.allowedIps(), pu.allowedIps());
            assertEquals(1, pu.persistentKeepaliveSeconds());
            assertEquals(pw.persistentKeepaliveSeconds(), pu.persistentKeepaliveSeconds());
            assertEquals(pw.lastHandshake().getEpochSecond(), pu.lastHandshake().getEpochSecond());
            assertEquals(pw.hasPresharedKey(), pu.hasPresharedKey());

            // and a removal through UAPI shows in wg
            da.apply(DeviceChange.peers(List.of(PeerChange.removal(b.publicKey()))));
            assertEquals(List.of(), a.dump().peers());
            assertEquals(List.of(), da.read().peers());
        }
    }
}
