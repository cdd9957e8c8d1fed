package io.wirelink.apply.uapi;

import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.util.HexFormat;
import java.util.Random;

/** Deterministic keys for tests: never use these anywhere real. */
final class TestKeys {
    private TestKeys() {}

    static byte[] raw(long seed) {
        byte[] k = new byte[32];
        new Random(seed).nextBytes(k);
        return k;
    }

    static PrivateKey privateKey(long seed) {
        return PrivateKey.of(raw(seed));
    }

    static PublicKey publicKey(long seed) {
        return privateKey(seed).publicKey();
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static String hex(PublicKey k) {
        return hex(k.toBytes());
    }
}
