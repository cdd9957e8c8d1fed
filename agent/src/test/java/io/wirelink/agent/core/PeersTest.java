package io.wirelink.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.wirelink.facts.PublicKey;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PeersTest {
    static PublicKey key(int n) {
        byte[] b = new byte[32];
        b[0] = (byte) n;
        return PublicKey.of(b);
    }

    @Test
    void aRecordIsCreatedOnWriteAndForgottenWithThePeer() {
        Peers peers = new Peers();
        PublicKey a = key(1);
        PublicKey b = key(2);
        assertNull(peers.get(a), "nothing remembered: no record");
        Peers.Peer ra = peers.of(a);
        assertSame(ra, peers.of(a));
        ra.punchNow = true;
        ra.punchAsked = Instant.EPOCH;
        peers.of(b).punchedAt = Instant.EPOCH;

        peers.retain(Set.of(b));
        assertNull(peers.get(a), "every field of a peer no longer known goes at once");
        assertEquals(Instant.EPOCH, peers.get(b).punchedAt);
        Peers.Peer again = peers.of(a);
        assertEquals(false, again.punchNow);
        assertNull(again.punchAsked);
    }
}
