package io.wirelink.facts.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.wirelink.facts.MalformedInputException;
import io.wirelink.testkit.Fuzz;
import io.wirelink.testkit.Mutator;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Damaged fact-log records (a torn write, a flipped bit on disk) fail only as malformed input, which replay skips,
 * never with another exception; whatever decodes re-encodes to an event that decodes the same.
 */
class EventCodecFuzzTest {
    @Test
    void damagedRecordsAreMalformedNeverSomethingElse() {
        List<byte[]> seeds = new ArrayList<>();
        EventCodecTest.SAMPLES.forEach(e -> seeds.add(EventCodec.encode(e)));
        Mutator m = Mutator.builder().interesting(0, 1, 0x7f, 0x80, 0xff).maxRun(4).build();
        long seed = Fuzz.seed(99);
        Random r = new Random(seed);
        int n = Fuzz.iterations();
        int decoded = 0;
        for (int i = 0; i < n; i++) {
            byte[] b = m.mutate(seeds.get(r.nextInt(seeds.size())), r, seeds);
            FactEvent e;
            try {
                e = EventCodec.decode(i, b);
            } catch (MalformedInputException expected) {
                continue; // skipped by replay
            } catch (RuntimeException other) {
                fail("decode threw " + other + " for " + HexFormat.of().formatHex(b) + " (seed " + seed + ")", other);
                return;
            }
            assertEquals(e, EventCodec.decode(i, EventCodec.encode(e)), "decode(encode(decode(x))) == decode(x)");
            decoded++;
        }
        Fuzz.report("fact log record", n, decoded, seed);
        assertTrue(decoded > 0, "mutation should leave some records decodable");
        assertThrows(MalformedInputException.class, () -> EventCodec.decode(1, new byte[0]));
    }
}
