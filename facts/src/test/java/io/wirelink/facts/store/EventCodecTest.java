package io.wirelink.facts.store;

import static io.wirelink.facts.store.TestFacts.alive;
import static io.wirelink.facts.store.TestFacts.allowed;
import static io.wirelink.facts.store.TestFacts.at;
import static io.wirelink.facts.store.TestFacts.endpoint;
import static io.wirelink.facts.store.TestFacts.gossip;
import static io.wirelink.facts.store.TestFacts.key;
import static io.wirelink.facts.store.TestFacts.local;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wirelink.facts.Fact;
import io.wirelink.facts.MemberMetadata;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventCodecTest {
    static final List<FactEvent> SAMPLES = List.of(
            new FactEvent(1, alive(1, 5, 255), gossip(1, 0)),
            new FactEvent(2, endpoint(1, "[2001:db8::1]:51820", 255), local(9, 0)),
            new FactEvent(3, allowed(2, "10.1.2.3/16", 255),
                    new Provenance(key(3), Channel.RELAY, null, at(0).minusSeconds(2_000_000_000L))),
            new FactEvent(4, Fact.member(key(4), MemberMetadata.of("hub", true), at(9)), gossip(4, 8)));

    @Test
    void eventsSurviveTheRoundTrip() {
        for (FactEvent e : SAMPLES) {
            assertEquals(e, EventCodec.decode(e.seq(), EventCodec.encode(e)));
        }
        // the sequence number is the map key, not part of the record
        assertEquals(77, EventCodec.decode(77, EventCodec.encode(SAMPLES.get(0))).seq());
    }

    @Test
    void anEndpointEventIsSmall() {
        assertEquals(85, EventCodec.encode(new FactEvent(1, endpoint(1, "198.51.100.1:51820", 255),
                new Provenance(key(2), Channel.GOSSIP, null, at(0)))).length);
    }

    @Test
    void zigzagCoversTheWholeRange() {
        for (long v : new long[] {0, 1, -1, 63, -64, Long.MAX_VALUE, Long.MIN_VALUE}) {
            assertEquals(v, EventCodec.unzigzag(EventCodec.zigzag(v)));
        }
    }
}
