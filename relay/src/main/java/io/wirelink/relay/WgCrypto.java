package io.wirelink.relay;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.modes.XChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * The primitives of WireGuard's Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s, as the whitepaper (section 5.4) defines
 * them: HASH is BLAKE2s-256, MAC is keyed BLAKE2s-128, HMAC is RFC 2104 over BLAKE2s-256 (64-byte blocks), KDF_n is
 * the HKDF-style chain over that HMAC, AEAD is RFC 8439 ChaCha20-Poly1305 with a 96-bit nonce of 32 zero bits and a
 * 64-bit little-endian counter, XAEAD is XChaCha20-Poly1305, and DH is X25519. Stateless and thread-safe; every
 * call allocates its own BouncyCastle objects (this is the handshake path, not the packet path).
 */
final class WgCrypto {
    static final String CONSTRUCTION = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
    static final String IDENTIFIER = "WireGuard v1 zx2c4 Jason@zx2c4.com";
    static final byte[] LABEL_MAC1 = "mac1----".getBytes(StandardCharsets.US_ASCII);
    static final byte[] LABEL_COOKIE = "cookie--".getBytes(StandardCharsets.US_ASCII);
    static final int HASH_LENGTH = 32;
    static final byte[] EMPTY = new byte[0];

    /** C_0 = HASH(CONSTRUCTION): the chaining key every handshake starts from. */
    static final byte[] INITIAL_CHAIN_KEY = hash(CONSTRUCTION.getBytes(StandardCharsets.US_ASCII));
    /** H_0 = HASH(C_0 || IDENTIFIER); each handshake then mixes in the responder's static key. */
    static final byte[] INITIAL_HASH = hash(INITIAL_CHAIN_KEY, IDENTIFIER.getBytes(StandardCharsets.US_ASCII));

    private WgCrypto() {}

    /** BLAKE2s-256 of the concatenation of {@code parts}. */
    static byte[] hash(byte[]... parts) {
        Blake2sDigest d = new Blake2sDigest(256);
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
        byte[] out = new byte[HASH_LENGTH];
        d.doFinal(out, 0);
        return out;
    }

    /** Keyed BLAKE2s with a 16-byte output over {@code data[0, length)}. */
    static byte[] mac(byte[] key, byte[] data, int length) {
        Blake2sDigest d = new Blake2sDigest(key, WireFormat.MAC_LENGTH, null, null);
        d.update(data, 0, length);
        byte[] out = new byte[WireFormat.MAC_LENGTH];
        d.doFinal(out, 0);
        return out;
    }

    /** HMAC-BLAKE2s-256 of the concatenation of {@code parts}. */
    static byte[] hmac(byte[] key, byte[]... parts) {
        HMac h = new HMac(new Blake2sDigest(256));
        h.init(new KeyParameter(key));
        for (byte[] p : parts) {
            h.update(p, 0, p.length);
        }
        byte[] out = new byte[HASH_LENGTH];
        h.doFinal(out, 0);
        return out;
    }

    /**
     * KDF_n(key, input): T0 = HMAC(key, input); T1 = HMAC(T0, 0x1); T(i) = HMAC(T0, T(i-1) || i). Returns T1..Tn.
     */
    static byte[][] kdf(int n, byte[] key, byte[] input) {
        if (n < 1 || n > 3) {
            throw new IllegalArgumentException("KDF outputs 1 to 3 keys, not " + n);
        }
        byte[] t0 = hmac(key, input);
        byte[][] out = new byte[n][];
        byte[] prev = EMPTY;
        for (int i = 0; i < n; i++) {
            prev = hmac(t0, prev, new byte[] {(byte) (i + 1)});
            out[i] = prev;
        }
        Arrays.fill(t0, (byte) 0);
        return out;
    }

    /** AEAD(key, counter, plaintext, ad): ChaCha20-Poly1305, nonce = 4 zero bytes || counter (64-bit LE). */
    static byte[] seal(byte[] key, long counter, byte[] plaintext, byte[] ad) {
        ChaCha20Poly1305 c = new ChaCha20Poly1305();
        c.init(true, new AEADParameters(new KeyParameter(key), 128, nonce(counter), ad));
        byte[] out = new byte[plaintext.length + WireFormat.TAG_LENGTH];
        int n = c.processBytes(plaintext, 0, plaintext.length, out, 0);
        try {
            c.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("encryption cannot fail", e);
        }
        return out;
    }

    /** Opens {@code box[offset, offset+length)}; null when it does not authenticate. */
    static byte[] open(byte[] key, long counter, byte[] box, int offset, int length, byte[] ad) {
        if (length < WireFormat.TAG_LENGTH) {
            return null;
        }
        ChaCha20Poly1305 c = new ChaCha20Poly1305();
        c.init(false, new AEADParameters(new KeyParameter(key), 128, nonce(counter), ad));
        byte[] out = new byte[length - WireFormat.TAG_LENGTH];
        try {
            int n = c.processBytes(box, offset, length, out, 0);
            c.doFinal(out, n);
            return out;
        } catch (InvalidCipherTextException e) {
            return null;
        }
    }

    /** XAEAD(key, nonce, plaintext, ad): XChaCha20-Poly1305 with a 24-byte nonce. */
    static byte[] xseal(byte[] key, byte[] nonce24, byte[] plaintext, byte[] ad) {
        XChaCha20Poly1305 c = new XChaCha20Poly1305();
        c.init(true, new AEADParameters(new KeyParameter(key), 128, nonce24, ad));
        byte[] out = new byte[plaintext.length + WireFormat.TAG_LENGTH];
        int n = c.processBytes(plaintext, 0, plaintext.length, out, 0);
        try {
            c.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("encryption cannot fail", e);
        }
        return out;
    }

    /** Opens an XAEAD box; null when it does not authenticate. */
    static byte[] xopen(byte[] key, byte[] nonce24, byte[] box, byte[] ad) {
        if (box.length < WireFormat.TAG_LENGTH) {
            return null;
        }
        XChaCha20Poly1305 c = new XChaCha20Poly1305();
        c.init(false, new AEADParameters(new KeyParameter(key), 128, nonce24, ad));
        byte[] out = new byte[box.length - WireFormat.TAG_LENGTH];
        try {
            int n = c.processBytes(box, 0, box.length, out, 0);
            c.doFinal(out, n);
            return out;
        } catch (InvalidCipherTextException e) {
            return null;
        }
    }

    private static byte[] nonce(long counter) {
        byte[] n = new byte[12];
        WireFormat.putLongLE(n, 4, counter);
        return n;
    }

    /** X25519(privateKey, publicKey); null for the all-zero result (a low-order public key). */
    static byte[] dh(byte[] privateKey, byte[] publicKey) {
        byte[] out = new byte[32];
        if (!X25519.calculateAgreement(privateKey, 0, publicKey, 0, out, 0)) {
            return null;
        }
        return out;
    }

    /** A fresh, clamped X25519 private key drawn from {@code random}. */
    static byte[] generatePrivateKey(Random random) {
        byte[] k = new byte[32];
        random.nextBytes(k);
        k[0] &= (byte) 248;
        k[31] &= 127;
        k[31] |= 64;
        return k;
    }

    static byte[] publicKey(byte[] privateKey) {
        byte[] p = new byte[32];
        X25519.scalarMultBase(privateKey, 0, p, 0);
        return p;
    }

    static void zero(byte[]... arrays) {
        for (byte[] a : arrays) {
            if (a != null) {
                Arrays.fill(a, (byte) 0);
            }
        }
    }
}
