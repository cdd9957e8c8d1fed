package io.wirelink.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.Fact;
import io.wirelink.facts.FactKey;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeliveryTest {
    static final Instant T0 = GossipTest.T0;
    static final PublicKey PEER = GossipTest.PEER;
    static final PublicKey OTHER = GossipTest.OTHER;
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    static FactKey fact(int n) {
        return Fact.endpoint(OTHER, IpEndpoint.parse("198.51.100." + n + ":51820"), T0.plusSeconds(255)).key();
    }

    @Test
    void anAcknowledgedDatagramIsNeverReportedLost() {
        Delivery d = new Delivery(10, 10);
        d.sent(PEER, 1, List.of(fact(1), fact(2)), T0);
        d.sent(PEER, 2, List.of(fact(3)), T0.plusMillis(100));
        assertEquals(List.of(fact(1), fact(2)), d.acked(PEER, List.of(1L, 99L)), "unknown ids are ignored");
        assertEquals(List.of(), d.overdue(T0.plusMillis(1999), TIMEOUT));
        assertFalse(d.anyOverdue(T0.plusMillis(2099), TIMEOUT), "datagram 2 was sent at 100 ms");
        assertTrue(d.anyOverdue(T0.plusMillis(2100), TIMEOUT));
        List<Delivery.Lost> lost = d.overdue(T0.plusSeconds(3), TIMEOUT);
        assertEquals(List.of(new Delivery.Lost(PEER, List.of(fact(3)))), lost);
        assertEquals(List.of(), d.overdue(T0.plusSeconds(10), TIMEOUT), "reported once");
        assertEquals(List.of(), d.acked(PEER, List.of(2L)), "a late Ack for a datagram given up on is ignored");
        assertEquals(1, d.lostCount());
        assertEquals(1, d.ackedCount());
    }

    @Test
    void lostDatagramsMakeTheirFactsNeededAgain() {
        Knowledge k = new Knowledge(10, 100);
        Delivery d = new Delivery(10, 10);
        k.learned(PEER, fact(1), T0.plusSeconds(255));
        d.sent(PEER, 7, List.of(fact(1)), T0);
        assertFalse(k.needs(PEER, fact(1), T0.plusSeconds(255), GossipSettings.DEFAULTS.factWindow(), T0));
        for (Delivery.Lost l : d.overdue(T0.plusSeconds(2), TIMEOUT)) {
            l.keys().forEach(f -> k.forget(l.peer(), f));
        }
        assertTrue(k.needs(PEER, fact(1), T0.plusSeconds(255), GossipSettings.DEFAULTS.factWindow(), T0));
    }

    @Test
    void boundedPerPeerAndInPeersAndAcksAreDrainedOnce() {
        Delivery d = new Delivery(2, 3);
        for (int i = 0; i < 5; i++) {
            d.sent(PEER, i, List.of(fact(i)), T0.plusMillis(i));
        }
        assertEquals(3, d.pendingCount(), "the oldest are dropped from the table");
        assertEquals(List.of(new Delivery.Lost(PEER, List.of(fact(0))), new Delivery.Lost(PEER, List.of(fact(1)))),
                d.overdue(T0, TIMEOUT), "and reported lost at once, so their facts go again");
        assertEquals(2, d.lostCount());
        d.sent(OTHER, 1, List.of(fact(9)), T0);
        d.sent(GossipTest.SELF, 1, List.of(fact(9)), T0);
        assertEquals(4, d.pendingCount(), "a third peer is not tracked");
        for (int i = 0; i < 10; i++) {
            d.receivedAckRequest(PEER, i);
        }
        assertTrue(d.acksOwed());
        assertEquals(List.of(0L, 1L, 2L), d.drainAcks(PEER));
        assertEquals(List.of(), d.drainAcks(PEER));
        d.receivedAckRequest(OTHER, 5);
        d.retain(Set.of(PEER));
        assertFalse(d.acksOwed());
        assertEquals(3, d.pendingCount());
    }
}
