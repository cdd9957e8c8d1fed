package io.wirelink.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wirelink.agent.config.PeerConfig;
import io.wirelink.apply.DeviceState;
import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactValue;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.SignedGroups;
import io.wirelink.facts.store.FactStore;
import io.wirelink.linklocal.LinkLocal;
import io.wirelink.trust.TrustLevel;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A PunchRequest for us from a signer we know (configured) but that the last device read did not hold. */
class AgentCorePunchRequestTest {
    private static final Instant T0 = AgentCoreTest.T0;

    @Test
    void aPunchRequestFromAConfiguredPeerNotOnTheDeviceIsIgnoredNotACrash() {
        PrivateKey self = AgentCoreDisclosureTest.key(1);
        PrivateKey peer = AgentCoreDisclosureTest.key(2);
        AgentCore core = new AgentCore(self, AgentCoreTest.config(List.of(new PeerConfig(peer.publicKey(), "p",
                TrustLevel.Membership, List.of(), List.of(), false, false))), FactStore.inMemory(
                FactStore.Options.DEFAULTS), CoreSettings.DEFAULTS, new Random(1), T0, new UUID(1, 1));
        // the device as last read: the peer is not on it yet (added since, or about to be)
        core.device(new DeviceState("wg0", self.publicKey(), 51820, 0, List.of()));
        Fact punch = new Fact(Attribute.PUNCH_REQUEST, self.publicKey(), new FactValue.Requester(peer.publicKey()),
                T0.plusSeconds(10));
        byte[] datagram = new SignedGroups(peer, 16).seal(2, self.publicKey(), List.of(punch), T0, new Random(2))
                .get(0);
        PublicKey signer = peer.publicKey();
        AgentCore.Received r = core.datagram(new IpEndpoint(LinkLocal.address(signer), 51821), datagram, T0);
        assertEquals(AgentCore.Received.NOTHING_NEW, r);
        assertEquals(0, core.counters().punchRequests, "no punch towards a peer the device does not hold");
    }
}
