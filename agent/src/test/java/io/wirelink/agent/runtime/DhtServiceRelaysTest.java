package io.wirelink.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.dht.DhtRecord;
import io.wirelink.dht.RecordRelay;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.RelayAttachment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What the DHT record carries of the core's relay facts, and what a found record's relays become. */
class DhtServiceRelaysTest {
    static PublicKey key(int seed) {
        byte[] k = new byte[32];
        new Random(seed).nextBytes(k);
        return PrivateKey.of(k).publicKey();
    }

    static IpEndpoint ep(int i) {
        return IpEndpoint.parse("203.0.113." + i + ":51823");
    }

    @Test
    void theRecordKeepsTheCoresOrderWithinItsBounds() {
        List<RelayAttachment> core = new ArrayList<>();
        core.add(new RelayAttachment(true, key(1), List.of(ep(1), ep(2), ep(3), ep(4))));
        core.add(new RelayAttachment(false, key(2), List.of())); // nothing to reach it by: left out
        for (int i = 3; i < 8; i++) {
            core.add(new RelayAttachment(false, key(i), List.of(ep(i))));
        }
        List<RecordRelay> rr = DhtService.recordRelays(core);
        assertEquals(DhtRecord.MAX_RELAYS, rr.size());
        assertEquals(new RecordRelay(true, key(1), List.of(ep(1), ep(2), ep(3), ep(4))), rr.get(0),
                "our own relay's offer first");
        assertEquals(List.of(key(3), key(4), key(5)), rr.subList(1, 4).stream().map(RecordRelay::relay).toList());
        assertTrue(DhtService.recordRelays(List.of()).isEmpty());
    }

    @Test
    void aFoundRecordsRelaysAreRelayAttachmentsAboutItsOwner() {
        List<RecordRelay> rr = List.of(new RecordRelay(true, key(1), List.of(ep(1))), new RecordRelay(false, key(2),
                List.of(ep(2))));
        assertEquals(List.of(new RelayAttachment(true, key(1), List.of(ep(1))), new RelayAttachment(false, key(2),
                List.of(ep(2)))), DhtService.attachments(rr));
        // the same bytes: a record relay is a RelayAttachment value (PROTOCOL.md §7.2)
        RelayAttachment a = DhtService.attachments(rr).get(0);
        assertEquals(a, RelayAttachment.decode(a.toBytes(), 0, a.toBytes().length));
        assertEquals(rr, DhtService.recordRelays(DhtService.attachments(rr)));
    }
}
