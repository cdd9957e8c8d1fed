package io.wirelink.traversal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerChange;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The re-add that first-contact retries (detect's FirstContact) apply to the device change. */
class ReAddTest {
    static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    final PublicKey self = PrivateKey.generate(RANDOM).publicKey();
    final PublicKey hub = PrivateKey.generate(RANDOM).publicKey();
    final IpEndpoint at = IpEndpoint.parse("198.51.100.1:51820");
    final List<IpPrefix> ips = List.of(IpPrefix.parse("10.9.0.0/24"), IpPrefix.parse("fe80::1/128"));

    DeviceState dev(PeerState... peers) {
        return new DeviceState("wg0", self, 51820, 0, List.of(peers));
    }

    PeerState hub(long rx, long tx, Instant handshake) {
        return new PeerState(hub, false, at, ips, handshake, rx, tx, 25);
    }

    @Test
    void theReAddKeepsEndpointAllowedIpsAndKeepalive() {
        DeviceState d = dev(hub(0, 148, Instant.EPOCH));
        IpPrefix extra = IpPrefix.parse("10.9.1.0/24");
        DeviceChange base = DeviceChange.peers(List.of(new PeerChange(hub, false, true, null, null, false,
                List.of(extra))));
        List<PeerChange> out = RelayPlanner.withReAdds(base, d, Set.of(hub)).peers();
        assertEquals(2, out.size(), out.toString());
        assertTrue(out.get(0).remove());
        PeerChange add = out.get(1);
        assertEquals(at, add.endpoint());
        assertEquals(25, add.persistentKeepaliveSeconds());
        assertTrue(add.allowedIps().containsAll(ips) && add.allowedIps().contains(extra), add.toString());
        // a peer the plan removes stays removed
        DeviceChange removal = DeviceChange.peers(List.of(PeerChange.removal(hub)));
        assertEquals(removal.peers(), RelayPlanner.withReAdds(removal, d, Set.of(hub)).peers());
        // a peer the plan leaves alone is re-added as it is
        List<PeerChange> alone = RelayPlanner.withReAdds(DeviceChange.peers(List.of()), d, Set.of(hub)).peers();
        assertEquals(2, alone.size());
        assertEquals(ips, alone.get(1).allowedIps());
    }
}
