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
        String s = System.getProperty("wirelink.fuzz.iterations", "");
        return s.isBlank() ? 20_000 : Integer.parseInt(s.strip());
    }

    static long seed() {
        String s = System.getProperty("wirelink.fuzz.seed", "");
        return s.isBlank() ? 20261122L : Long.parseLong(s.strip());
    }

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
        byte[] b = in.clone();
        int ops = 1 + r.nextInt(4);
        for (int k = 0; k < ops; k++) {
            switch (r.nextInt(7)) {
                case 0 -> { if (b.length > 0) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8)); }
                case 1 -> { if (b.length > 0) b[r.nextInt(b.length)] = (byte) interesting(r); }
                case 2 -> { // insert
                    int at = r.nextInt(b.length + 1);
                    byte[] n = new byte[b.length + 1];
                    System.arraycopy(b, 0, n, 0, at);
                    n[at] = (byte) interesting(r);
                    System.arraycopy(b, at, n, at + 1, b.length - at);
                    b = n;
                }
                case 3 -> { // delete
                    if (b.length > 0) {
                        int at = r.nextInt(b.length);
                        byte[] n = new byte[b.length - 1];
                        System.arraycopy(b, 0, n, 0, at);
                        System.arraycopy(b, at + 1, n, at, b.length - at - 1);
                        b = n;
                    }
                }
                case 4 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1)); // truncate
                case 5 -> { // splice the tail of another seed
                    byte[] o = seeds.get(r.nextInt(seeds.size()));
                    int cut = r.nextInt(b.length + 1);
                    int from = r.nextInt(o.length + 1);
                    byte[] n = new byte[cut + o.length - from];
                    System.arraycopy(b, 0, n, 0, cut);
                    System.arraycopy(o, from, n, cut, o.length - from);
                    b = n;
                }
                default -> { // a run of 0x80/0xff: long varints
                    if (b.length > 2) {
                        int at = r.nextInt(b.length - 1);
                        int len = Math.min(b.length - at, 1 + r.nextInt(11));
                        java.util.Arrays.fill(b, at, at + len, (byte) (r.nextBoolean() ? 0x80 : 0xff));
                    }
                }
            }
        }
        return b;
    }

    static int interesting(Random r) {
        int[] v = {0, 1, 0x7f, 0x80, 0xff, 'S', 'G', 'M', 'e', 'E', 'a', 'A', '!', 'm', 'r', 2, 4, 6};
        return r.nextBoolean() ? v[r.nextInt(v.length)] : r.nextInt(256);
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
        System.out.printf("fuzz datagram: %d inputs, %d decoded, %d malformed (seed %d)%n", n, decoded, n - decoded,
                seed());
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
                input[0] = (byte) interesting(r);
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
        System.out.printf("fuzz inner/records: %d inputs x 2 decoders, %d decoded%n", n, decoded);
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
        System.out.printf("fuzz RelayAttachment: %d inputs, %d decoded%n", n, decoded);
        assertTrue(decoded > 0, "mutation should leave some inputs decodable");
    }
}
