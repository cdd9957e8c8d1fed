package io.wirelink.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.wirelink.facts.IpEndpoint;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Checks the lab's NATs behave as their type says, the way a STUN client would: one WireGuard socket behind the NAT
 * talks to two public hosts, and each reports where it saw the socket. A cone NAT shows both the same WAN port (the
 * socket's own port, kept); a symmetric NAT shows each a different one.
 */
@ExtendWith(LabExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NatMappingIT {
    @ParameterizedTest
    @EnumSource(NatType.class)
    void mappingMatchesTheNatType(NatType type, Lab lab) {
        WgInterface s1 = lab.startWireGuard(lab.publicHost("stun1")).addAddress("198.18.1.1/24");
        WgInterface s2 = lab.startWireGuard(lab.publicHost("stun2")).addAddress("198.18.1.2/24");
        Nat nat = lab.nat("nat", type);
        WgInterface leaf = lab.startWireGuard(lab.hostBehind(nat, "leaf")).addAddress("198.18.1.3/24");
        s1.setPeer(leaf, null, null, "198.18.1.3/32");
        s2.setPeer(leaf, null, null, "198.18.1.3/32");
        leaf.setPeer(s1, s1.underlayEndpoint(), 1, "198.18.1.1/32");
        leaf.setPeer(s2, s2.underlayEndpoint(), 1, "198.18.1.2/32");

        await("the leaf handshakes with both public hosts").atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> s1.hasHandshakeWith(leaf) && s2.hasHandshakeWith(leaf));
        IpEndpoint seenBy1 = s1.endpointOf(leaf.publicKey()).orElseThrow();
        IpEndpoint seenBy2 = s2.endpointOf(leaf.publicKey()).orElseThrow();
        assertEquals(nat.wanAddress(), seenBy1.address());
        assertEquals(nat.wanAddress(), seenBy2.address());
        if (type == NatType.CONE) {
            assertEquals(leaf.listenPort(), seenBy1.port(), "cone NAT keeps the source port");
            assertEquals(seenBy1, seenBy2, "cone NAT: endpoint-independent mapping");
        } else {
            assertNotEquals(seenBy1.port(), seenBy2.port(), "symmetric NAT: a new port per destination");
        }
    }
}
