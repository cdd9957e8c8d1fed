package io.wirelink.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Re-adding peers whose first handshake WireGuard lost, on a fake clock. */
class FirstContactTest {
    static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    final PublicKey self = PrivateKey.generate(RANDOM).publicKey();
    final PublicKey hub = PrivateKey.generate(RANDOM).publicKey();
    final IpEndpoint at = IpEndpoint.parse("198.51.100.1:51820");
    final List<IpPrefix> ips = List.of(IpPrefix.parse("10.9.0.0/24"), IpPrefix.parse("fe80::1/128"));
    final FirstContact fc = new FirstContact();
    Instant now = Instant.parse("2026-11-22T10:00:00Z");

    DeviceState dev(PeerState... peers) {
        return new DeviceState("wg0", self, 51820, 0, List.of(peers));
    }

    PeerState hub(long rx, long tx, Instant handshake) {
        return new PeerState(hub, false, at, ips, handshake, rx, tx, 25);
    }

    List<PublicKey> due(DeviceState d) {
        return fc.due(d, now, k -> false);
    }

    @Test
    void aLostFirstHandshakeIsRetriedAfterOneTwoAndFourSecondsThenLeftToWireGuard() {
        assertEquals(List.of(), due(dev(hub(0, 0, Instant.EPOCH))), "nothing sent yet");
        assertNull(fc.nextWake());
        assertEquals(List.of(), due(dev(hub(0, 148, Instant.EPOCH))), "the first initiation just went");
        assertEquals(now.plusSeconds(1), fc.nextWake());
        now = now.plusMillis(999);
        assertFalse(fc.isDue(now));
        assertEquals(List.of(), due(dev(hub(0, 148, Instant.EPOCH))));
        now = now.plusMillis(1);
        assertTrue(fc.isDue(now));
        assertEquals(List.of(hub), due(dev(hub(0, 148, Instant.EPOCH))), "1 s: re-add");
        assertEquals(now.plusSeconds(2), fc.nextWake());
        now = now.plusSeconds(2);
        assertEquals(List.of(hub), due(dev(hub(0, 148, Instant.EPOCH))), "2 s later");
        now = now.plusSeconds(4);
        assertEquals(List.of(hub), due(dev(hub(0, 148, Instant.EPOCH))), "4 s later");
        assertNull(fc.nextWake(), "then WireGuard's own retries");
        now = now.plusSeconds(60);
        assertEquals(List.of(), due(dev(hub(0, 148, Instant.EPOCH))));
    }

    @Test
    void aHandshakeOrAnythingHeardEndsIt() {
        due(dev(hub(0, 148, Instant.EPOCH)));
        now = now.plusSeconds(1);
        assertEquals(List.of(), due(dev(hub(92, 180, now))), "the handshake came");
        assertNull(fc.nextWake());
        now = now.plusSeconds(10);
        assertEquals(List.of(), due(dev(hub(0, 0, Instant.EPOCH))), "not again for a peer re-created later");

        FirstContact other = new FirstContact();
        other.due(dev(hub(0, 148, Instant.EPOCH)), now, k -> false);
        now = now.plusSeconds(1);
        assertEquals(List.of(), other.due(dev(hub(148, 148, Instant.EPOCH)), now, k -> false),
                "its initiation came: its handshake is in flight, a re-add would drop it");
    }

    @Test
    void neverForPresharedKeysPeersWithoutEndpointOrPeersTheRelayPlannerMoves() {
        PeerState psk = new PeerState(hub, true, at, ips, Instant.EPOCH, 0, 148, 25);
        PeerState noEndpoint = new PeerState(hub, false, null, ips, Instant.EPOCH, 0, 148, 25);
        for (PeerState p : List.of(psk, noEndpoint)) {
            FirstContact f = new FirstContact();
            f.due(dev(p), now, k -> false);
            assertEquals(List.of(), f.due(dev(p), now.plusSeconds(5), k -> false), p.toString());
            assertNull(f.nextWake());
        }
        FirstContact f = new FirstContact();
        f.due(dev(hub(0, 148, Instant.EPOCH)), now, k -> true);
        assertEquals(List.of(), f.due(dev(hub(0, 148, Instant.EPOCH)), now.plusSeconds(5), k -> true));
    }
}
