package io.wirelink.apply.uapi;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.wirelink.facts.MalformedInputException;
import io.wirelink.testkit.Fuzz;
import io.wirelink.testkit.Mutator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Seeded mutations of a realistic wireguard-go reply: decoding succeeds or throws MalformedInputException. */
class UapiFuzzTest {
    /** The characters a UAPI reply is made of, so that mutations stay near the grammar. */
    static final byte[] ALPHABET = "0123456789abcdef=:[]%./\n-xz_ ".getBytes(StandardCharsets.US_ASCII);

    @Test
    void mutatedRepliesNeverEscapeAsOtherExceptions() {
        byte[] base = UapiDeviceTest.realisticReply().getBytes(StandardCharsets.ISO_8859_1);
        base = Arrays.copyOf(base, base.length - 1); // the body excludes the final blank line
        int[] special = new int[ALPHABET.length];
        for (int i = 0; i < special.length; i++) {
            special[i] = ALPHABET[i];
        }
        Mutator m = Mutator.builder().interesting(special).maxRun(3).build();
        long seed = Fuzz.seed(20261122L);
        Random random = new Random(seed);
        int n = Fuzz.iterations();
        int decoded = 0;
        List<byte[]> corpus = List.of(base);
        for (int round = 0; round < n; round++) {
            byte[] b = m.mutate(base, random, corpus);
            try {
                UapiCodec.decodeDevice("wg0", UapiCodec.splitReply(b, b.length));
                decoded++;
            } catch (MalformedInputException expected) {
                // malformed input is reported as such
            } catch (RuntimeException e) {
                fail("round " + round + " (seed " + seed + ") escaped as " + e + " for " + HexFormat.of().formatHex(b),
                        e);
            }
        }
        Fuzz.report("wireguard-go UAPI reply", n, decoded, seed);
        assertTrue(decoded > 0, "mutation should leave some replies decodable");
    }
}
