package io.wirelink.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactValue;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.SignedGroupValue;
import io.wirelink.facts.SignedGroups;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SealerTest {
    static final Instant T0 = GossipTest.T0;
    static final PrivateKey ME = InboundPipelineTest.key(1);
    static final PrivateKey PEER = InboundPipelineTest.key(2);

    @Test
    void aSealedDatagramOpensForItsPeerAndAwaitsItsAck() {
        Delivery delivery = new Delivery(4, 4);
        Sealer sealer = new Sealer(new SignedGroups(ME, 4), new Random(11), delivery);
        Fact ep = Fact.endpoint(ME.publicKey(), IpEndpoint.parse("192.0.2.1:51820"), T0.plusSeconds(255));
        Fact ack = new Fact(Attribute.ACK, ME.publicKey(), new FactValue.Acks(List.of(3L)), T0);
        List<SignedGroups.Sealed> out = sealer.seal(new OutboundPlanner.Datagram(PEER.publicKey(), true,
                List.of(ack, ep), true), T0);
        assertEquals(1, out.size());
        SignedGroups.Opened g = new SignedGroups(PEER, 4).open(out.get(0).datagram(), T0);
        assertTrue(g.verified());
        assertEquals(ME.publicKey(), g.signer());
        assertEquals(2, g.group().version());
        assertEquals(SignedGroupValue.FLAG_ACK_REQUEST, g.group().flags() & SignedGroupValue.FLAG_ACK_REQUEST);
        assertEquals(List.of(ack, ep), g.facts());
        assertEquals(List.of(ep.key()), delivery.acked(PEER.publicKey(), List.of(out.get(0).id())),
                "what it carried awaits the Ack (an Ack itself is never re-sent)");
    }

    @Test
    void withoutAnAckRequestNothingIsAwaitedAndAV1PeerGetsV1() {
        Delivery delivery = new Delivery(4, 4);
        Sealer sealer = new Sealer(new SignedGroups(ME, 4), new Random(12), delivery);
        Fact ep = Fact.endpoint(ME.publicKey(), IpEndpoint.parse("192.0.2.1:51820"), T0.plusSeconds(255));
        List<SignedGroups.Sealed> out = sealer.seal(new OutboundPlanner.Datagram(PEER.publicKey(), false,
                List.of(ep), false), T0);
        assertEquals(1, new SignedGroups(PEER, 4).open(out.get(0).datagram(), T0).group().version());
        assertEquals(0, delivery.pendingCount());
    }
}
