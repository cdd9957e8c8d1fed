package io.wirelink.facts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import io.wirelink.testkit.Fuzz;
import io.wirelink.testkit.Mutator;
import org.junit.jupiter.api.Test;

/**
 * Seeded property fuzzing of every fact decoder: random bytes, and seeds (the Go capture, v2 groups, single facts)
 * mutated by bit flips, byte sets, inserts, deletes, truncation and splicing. Each input must either decode or
 * throw {@link MalformedInputException}; whatever decodes must re-encode stably. The count comes from
 * {@code -Dwirelink.fuzz.iterations=N} (CI runs a small number; a long run is the same test with a larger N).
 */
class DecoderFuzzTest {
    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    static int iterations() {
        return Fuzz.iterations();
    }

    static long seed() {
        return Fuzz.seed(20261122L);
    }

    /** Varint continuation bytes and the attribute and value letters of both formats are the special values. */
    static final Mutator MUTATOR = Mutator.builder()
            .interesting(0, 1, 0x7f, 0x80, 0xff, 'S', 'G', 'M', 'e', 'E', 'a', 'A', '!', 'm', 'r', 2, 4, 6)
            .op(DecoderFuzzTest::longVarints)
            .build();

    static List<byte[]> seeds() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        try {
            seeds.addAll(GoCapture.packets());
        } catch (org.opentest4j.TestAbortedException noCapture) {
            // fall through: the synthesized seeds below still cover every attribute
        }
        PrivateKey a = PrivateKey.generate(new SecureRandom());
        PrivateKey b = PrivateKey.generate(new SecureRandom());
        SignedGroups sg = new SignedGroups(a, 4);
        List<Fact> facts = SigningTest.sampleFacts(a.publicKey(), 4);
        facts.add(new Fact(Attribute.MEMBER, a.publicKey(), FactValue.Empty.INSTANCE, NOW.plusSeconds(3)));
        seeds.addAll(sg.seal(1, b.publicKey(), facts, NOW, new Random(1)));
        List<Fact> v2 = new ArrayList<>(facts);
        v2.add(Fact.observed(a.publicKey(), IpEndpoint.parse("198.51.100.3:40001"), NOW.plusSeconds(9)));
        v2.add(new Fact(Attribute.TRUST_GRANT, a.publicKey(), new FactValue.Grant(2), NOW.plusSeconds(9)));
        v2.addAll(relayFacts(a.publicKey(), b.publicKey()));
        seeds.addAll(sg.seal(2, b.publicKey(), v2, NOW, new Random(2)));
        for (Fact f : facts) {
            seeds.add(FactCodec.encodeV1(f, NOW));
        }
        return seeds;
    }

    static List<Fact> relayFacts(PublicKey subject, PublicKey relay) {
        return List.of(
                Fact.relay(subject, new RelayAttachment(true, relay, List.of(IpEndpoint.parse("198.51.100.7:51823"),
                        IpEndpoint.parse("[2001:db8::7]:51823"))), NOW.plusSeconds(30)),
                Fact.relay(subject, new RelayAttachment(false, relay, List.of()), NOW.plusSeconds(30)));
    }

    static byte[] mutate(byte[] in, Random r, List<byte[]> seeds) {
        return MUTATOR.mutate(in, r, seeds);
    }

    /** A run of 0x80/0xff: varints that never end or overflow. */
    static byte[] longVarints(byte[] b, Random r) {
        if (b.length > 2) {
            int at = r.nextInt(b.length - 1);
            int len = Math.min(b.length - at, 1 + r.nextInt(11));
            java.util.Arrays.fill(b, at, at + len, (byte) (r.nextBoolean() ? 0x80 : 0xff));
        }
        return b;
    }

    @Test
    void datagramDecoderEitherDecodesOrSaysMalformed() throws Exception {
        List<byte[]> seeds = seeds();
        Random r = new Random(seed());
        int n = iterations();
        int decoded = 0;
        for (int i = 0; i < n; i++) {
            byte[] input;
            if (r.nextInt(10) == 0) {
                input = new byte[r.nextInt(200)];
                r.nextBytes(input);
            } else {
                input = mutate(seeds.get(r.nextInt(seeds.size())), r, seeds);
            }
            if (checkDatagram(input)) {
                decoded++;
            }
        }
        Fuzz.report("facts datagram", n, decoded, seed());
        assertTrue(decoded > 0, "mutation should leave some inputs decodable");
    }

    /** The round-trip property of a successfully decoded datagram. */
    static boolean checkDatagram(byte[] input) {
        Fact f;
        try {
            f = FactCodec.decodeDatagram(input, NOW);
        } catch (MalformedInputException expected) {
            return false;
        } catch (RuntimeException e) {
            fail("decoder threw " + e + " for " + Hex.of(input), e);
            return false;
        }
        byte[] again = FactCodec.encodeV1(f, NOW);
        if (f.value() instanceof SignedGroupValue g) {
            // the group re-encodes from its authenticated bytes, which are kept exactly as received
            assertArrayEquals(input, again, "group re-encodes byte for byte");
            assertEquals(g.facts(), ((SignedGroupValue) FactCodec.decodeDatagram(again, NOW).value()).facts());
            return true;
        }
        assertTrue(again.length <= input.length, "re-encoding is never longer than the input");
        Fact f2 = FactCodec.decodeDatagram(again, NOW);
        assertEquals(f, f2, "decode(encode(decode(x))) == decode(x)");
        assertArrayEquals(again, FactCodec.encodeV1(f2, NOW), "encoding is stable");
        if (again.length == input.length && f.attribute() != Attribute.MEMBER_METADATA) {
            assertArrayEquals(input, again, "same length and not M: same bytes");
        }
        return true;
    }

    @Test
    void innerAndRecordDecodersEitherDecodeOrSayMalformed() {
        Random r = new Random(seed() + 1);
        int n = iterations();
        int decoded = 0;
        for (int i = 0; i < n; i++) {
            byte[] input = new byte[r.nextInt(120)];
            r.nextBytes(input);
            if (input.length > 0 && r.nextBoolean()) {
                input[0] = (byte) MUTATOR.interesting(r);
            }
            try {
                List<Fact> v1 = FactCodec.decodeV1Inner(input, 0, input.length, NOW);
                ByteSink s = new ByteSink(input.length);
                v1.forEach(f -> FactCodec.encodeV1(s, f, NOW));
                assertEquals(v1, FactCodec.decodeV1Inner(s.toByteArray(), 0, s.length(), NOW));
                decoded++;
            } catch (MalformedInputException expected) {
                // fine
            }
            try {
                int[] skipped = new int[1];
                List<Fact> v2 = FactCodec.decodeV2Records(input, 0, input.length, NOW, skipped);
                ByteSink s = new ByteSink(input.length);
                v2.forEach(f -> FactCodec.encodeV2(s, f, NOW));
                assertEquals(v2, FactCodec.decodeV2Records(s.toByteArray(), 0, s.length(), NOW, new int[1]));
                decoded++;
            } catch (MalformedInputException expected) {
                // fine
            }
        }
        Fuzz.report("facts v1 inner + v2 records", 2L * n, decoded, seed() + 1);
    }

    @Test
    void relayAttachmentDecoderEitherDecodesOrSaysMalformedAndHasOneEncoding() {
        PublicKey k = PrivateKey.generate(new SecureRandom()).publicKey();
        List<byte[]> seeds = new ArrayList<>();
        for (Fact f : relayFacts(k, k)) {
            seeds.add(f.value().toBytes());
        }
        Random r = new Random(seed() + 2);
        int n = iterations();
        int decoded = 0;
        for (int i = 0; i < n; i++) {
            byte[] input = mutate(seeds.get(r.nextInt(seeds.size())), r, seeds);
            RelayAttachment v;
            try {
                v = RelayAttachment.decode(input, 0, input.length);
            } catch (MalformedInputException expected) {
                continue;
            } catch (RuntimeException e) {
                fail("RelayAttachment decoder threw " + e + " for " + Hex.of(input), e);
                return;
            }
            assertArrayEquals(input, v.toBytes(), "a decoded RelayAttachment re-encodes byte for byte");
            decoded++;
        }
        Fuzz.report("facts RelayAttachment", n, decoded, seed() + 2);
        assertTrue(decoded > 0, "mutation should leave some inputs decodable");
    }
}
