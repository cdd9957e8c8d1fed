package io.wirelink.dht;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.wirelink.facts.MalformedInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import io.wirelink.testkit.Fuzz;
import io.wirelink.testkit.Mutator;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation fuzzing of the DHT decoder, as facts' DecoderFuzzTest does for facts: random bytes, and valid
 * packets of every type mutated by bit flips, byte sets, inserts, deletes, truncation and splicing. Each input must
 * decode or throw {@link MalformedInputException}; whatever decodes must re-encode to the same bytes (the decoder
 * is strict, so there is exactly one encoding). The count comes from {@code -Dwirelink.fuzz.iterations=N}.
 */
class DhtDecoderFuzzTest {
    static int iterations() {
        return Fuzz.iterations();
    }

    static long seed() {
        return Fuzz.seed(20261122L);
    }

    /** The magic, version and message type bytes are the special values. */
    static final Mutator MUTATOR = Mutator.builder().interesting(0, 1, 2, 4, 6, 7, 8, 0x20, 0x21, 0x7f, 0x80, 0xf1, 0xff)
            .maxOps(3).build();

    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        byte[] k = new byte[32];
        Random r = new Random(1);
        for (Message m : DhtCodecTest.samples()) {
            for (boolean cookie : new boolean[] {false, true}) {
                Packet p = new Packet(r.nextBoolean(), DhtCodecTest.A.publicKey(), DhtCodecTest.TS, r.nextLong(),
                        cookie ? DhtCodecTest.COOKIE : null, m, r.nextInt(4));
                seeds.add(DhtCodec.encode(p, k, DhtCodecTest.B.publicKey()));
            }
        }
        return seeds;
    }

    static byte[] mutate(byte[] in, Random r, List<byte[]> seeds) {
        return MUTATOR.mutate(in, r, seeds);
    }

    @Test
    void decoderEitherDecodesOrSaysMalformed() {
        List<byte[]> seeds = seeds();
        Random r = new Random(seed());
        int n = iterations();
        int decoded = 0;
        for (int i = 0; i < n; i++) {
            byte[] input;
            if (r.nextInt(10) == 0) {
                input = new byte[r.nextInt(300)];
                r.nextBytes(input);
                if (input.length > 2 && r.nextBoolean()) {
                    input[0] = (byte) 0xf1;
                    input[1] = 1;
                }
            } else {
                input = mutate(seeds.get(r.nextInt(seeds.size())), r, seeds);
            }
            if (check(input)) {
                decoded++;
            }
        }
        Fuzz.report("dht packet", n, decoded, seed());
        assertTrue(decoded > 0, "mutation should leave some inputs decodable");
    }

    static boolean check(byte[] input) {
        Packet p;
        try {
            p = DhtCodec.decode(input);
        } catch (MalformedInputException expected) {
            return false;
        } catch (RuntimeException e) {
            fail("decoder threw " + e + " for " + HexFormat.of().formatHex(input), e);
            return false;
        }
        byte[] again = DhtCodec.encode(p, new byte[32], DhtCodecTest.B.publicKey());
        assertEquals(input.length, again.length, "same length");
        int body = input.length - DhtCodec.MAC_LENGTH;
        assertArrayEquals(Arrays.copyOf(input, body), Arrays.copyOf(again, body), "same bytes before the MAC");
        assertEquals(p, DhtCodec.decode(again));
        return true;
    }
}
