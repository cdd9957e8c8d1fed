package io.wirelink.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WorkbitTest {
    static final HexFormat HEX = HexFormat.of();
    // RFC 7748 §6.1 public keys
    static final byte[] ALICE = HEX.parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    static final byte[] BOB = HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");

    static byte[] net(String s) {
        return Workbit.networkBytes(s);
    }

    /** Pinned vectors, cross-checked with Python's hashlib.blake2s (an independent BLAKE2s). */
    @Test
    void knownVectors() {
        assertEquals("84ce8375311e5681d03eedb3afd2ae21e33e1b7646c83a5ed1dcbd86d2c016cb",
                HEX.formatHex(Workbit.hash(ALICE, net("wirelink"))));
        assertEquals(0, Workbit.of(ALICE, net("wirelink")));
        assertEquals(2, Workbit.of(ALICE, net("public")));
        assertEquals("010791ea25a80af6ecf51c8e16513d697a0f3099f65a20328edc4df9e2b0c7a2",
                HEX.formatHex(Workbit.hash(ALICE, net("Café-net"))));
        assertEquals(7, Workbit.of(PublicKey.of(ALICE), "Café-net"));
        assertEquals(4, Workbit.of(BOB, net("Café-net")));
        assertEquals("4c6f32d4748370c19e9ae744e069bf391d601501ad8b0bc3bc645bddf7c0d5c6",
                HEX.formatHex(Workbit.hash(new byte[32], net("wirelink"))));
        assertEquals(1, Workbit.of(new byte[32], net("wirelink")));
    }

    /** A key mined once with WorkbitMiner and pinned; its zero run crosses a byte boundary (16+ bits). */
    @Test
    void pinnedMinedKey() {
        PrivateKey k = PrivateKey.parse(MINED_PRIVATE);
        assertEquals(MINED_PUBLIC, k.publicKey().toBase64());
        assertEquals(MINED_BITS, Workbit.of(k.publicKey(), "wirelink"));
        assertEquals(MINED_HASH, HEX.formatHex(Workbit.hash(k.publicKey().toBytes(), net("wirelink"))));
        assertTrue(Workbit.of(k.publicKey(), "other") < 8, "the proof of work is bound to the network name");
    }

    static final String MINED_PRIVATE = "kDT3iQC7fpzaeJNxjlvie4sTTQt8mxcK6NIV3N5+LUI=";
    static final String MINED_PUBLIC = "usXrmxdRVhGfJML3LYeyY8JHvaVS+wdmB+lQtSjlyR8=";
    static final int MINED_BITS = 20;
    static final String MINED_HASH = "00000b5cbbc77a7c534882b759a4042c24013b306ca1b3d70e98d5ff3d1581f4";

    @Test
    void countsAcrossBytes() {
        assertEquals(256, Workbit.leadingZeroBits(new byte[32]));
        assertEquals(0, Workbit.leadingZeroBits(new byte[] {(byte) 0x80, 0}));
        assertEquals(7, Workbit.leadingZeroBits(new byte[] {1, 0}));
        assertEquals(8, Workbit.leadingZeroBits(new byte[] {0, (byte) 0xff}));
        assertEquals(23, Workbit.leadingZeroBits(new byte[] {0, 0, 1, 0, 0}));
        assertEquals(33, Workbit.leadingZeroBits(new byte[] {0, 0, 0, 0, 0x40}));
        byte[] b = new byte[32];
        b[31] = 1;
        assertEquals(255, Workbit.leadingZeroBits(b));
    }

    @Test
    void networkNamesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> Workbit.networkBytes(""));
        assertThrows(IllegalArgumentException.class, () -> Workbit.networkBytes("a\nb"));
        assertThrows(IllegalArgumentException.class, () -> Workbit.networkBytes("x".repeat(256)));
        assertEquals(255, Workbit.networkBytes("x".repeat(255)).length);
        assertEquals("Café".getBytes(StandardCharsets.UTF_8).length, Workbit.networkBytes("Café").length);
    }

    @Test
    void ordinaryKeysHaveLittleWork() {
        Random r = new Random(7);
        long sum = 0;
        int n = 2000;
        for (int i = 0; i < n; i++) {
            byte[] pk = new byte[32];
            r.nextBytes(pk);
            sum += Workbit.of(pk, net("wirelink"));
        }
        double mean = (double) sum / n;
        assertTrue(mean > 0.8 && mean < 1.2, "leading zeros of a random hash average 1, got " + mean);
    }

    @Test
    void minesAKeyWithAtLeastTheRequestedWork() throws Exception {
        SecureRandom sr = new SecureRandom();
        PrivateKey k = WorkbitMiner.mine(8, "wirelink", sr);
        assertTrue(Workbit.of(k.publicKey(), "wirelink") >= 8);
        try (WorkbitMiner m = new WorkbitMiner(10, "test-net", 2, sr)) {
            m.start();
            PrivateKey k2 = null;
            while (k2 == null) {
                k2 = m.await(100);
            }
            assertTrue(Workbit.of(k2.publicKey(), "test-net") >= 10);
            assertTrue(m.tried() > 0);
        }
        assertThrows(IllegalArgumentException.class, () -> new WorkbitMiner(65, "wirelink", 1, sr));
        assertThrows(IllegalArgumentException.class, () -> new WorkbitMiner(-1, "wirelink", 1, sr));
        assertThrows(IllegalArgumentException.class, () -> new WorkbitMiner(8, "", 1, sr));
    }

    @Test
    void incrementKeepsTheKeyClamped() {
        byte[] k = new byte[32];
        java.util.Arrays.fill(k, (byte) 0xff);
        k[0] = (byte) 0xf8;
        k[31] = 0x7f;
        WorkbitMiner.increment(k);
        assertEquals(0, k[0] & 7);
        assertEquals(0x7f, k[31]);
        assertEquals(0, k[7]);
    }

    @Test
    void tellsPrivateFromPublicKeys() {
        SecureRandom sr = new SecureRandom();
        int ambiguousPrivate = 0;
        for (int i = 0; i < 200; i++) {
            PrivateKey k = PrivateKey.generate(sr);
            byte[] pub = k.publicKey().toBytes();
            assertTrue(X25519Points.isPrimeOrderPoint(pub), "every public key is a prime-order point");
            byte[] priv = java.util.Base64.getDecoder().decode(k.toBase64());
            assertTrue(X25519Points.isClamped(priv));
            if (X25519Points.isPrimeOrderPoint(priv)) {
                ambiguousPrivate++;
            }
        }
        assertTrue(ambiguousPrivate < 40, "about 1 in 16 private keys looks like a point: " + ambiguousPrivate);
        assertTrue(X25519Points.isPrimeOrderPoint(ALICE));
        assertTrue(X25519Points.isPrimeOrderPoint(BOB));
        assertFalse(X25519Points.isPrimeOrderPoint(new byte[32]), "u = 0 has order 2");
        byte[] one = new byte[32];
        one[0] = 1;
        assertFalse(X25519Points.isPrimeOrderPoint(one), "u = 1 has order 4");
        byte[] two = new byte[32];
        two[0] = 2;
        assertFalse(X25519Points.isPrimeOrderPoint(two), "u = 2 lies on the twist");
    }
}
