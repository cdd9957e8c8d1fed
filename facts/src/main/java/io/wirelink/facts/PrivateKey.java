package io.wirelink.facts;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * A WireGuard (X25519) private key. Its {@link #toString()} never prints key material; only {@link #toBase64()}
 * does, for {@code wirelink genkey}.
 */
public final class PrivateKey {
    private final byte[] bytes;
    private volatile PublicKey publicKey;

    private PrivateKey(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A fresh key, clamped as {@code wg genkey} clamps it. */
    public static PrivateKey generate(SecureRandom random) {
        byte[] k = new byte[32];
        random.nextBytes(k);
        clamp(k);
        return new PrivateKey(k);
    }

    public static PrivateKey of(byte[] raw) {
        if (raw == null || raw.length != 32) {
            throw new IllegalArgumentException("private key must be 32 bytes");
        }
        return new PrivateKey(raw.clone());
    }

    /** Parses the base64 form; the error never echoes the input. */
    public static PrivateKey parse(String base64) {
        return new PrivateKey(Keys.decode32(base64, "private key"));
    }

    static void clamp(byte[] k) {
        k[0] &= (byte) 248;
        k[31] &= 127;
        k[31] |= 64;
    }

    public PublicKey publicKey() {
        PublicKey p = publicKey;
        if (p == null) {
            byte[] out = new byte[32];
            X25519.scalarMultBase(bytes, 0, out, 0);
            p = PublicKey.of(out);
            publicKey = p;
        }
        return p;
    }

    /**
     * The raw RFC 7748 X25519 shared secret with {@code peer}, as wirelink v1 uses it (no KDF).
     *
     * @throws IllegalArgumentException when the result is all zeros (a low-order peer key)
     */
    public byte[] sharedSecret(PublicKey peer) {
        byte[] out = new byte[32];
        if (!X25519.calculateAgreement(bytes, 0, peer.raw(), 0, out, 0)) {
            throw new IllegalArgumentException("X25519 with this peer key gives the all-zero secret");
        }
        return out;
    }

    /**
     * Writes the raw 32 key bytes into {@code dst} at {@code offset}, for device backends that must send the key
     * (UAPI, netlink); the caller zeroes its buffer afterwards. Avoids an immutable base64 copy on the heap.
     */
    public void writeTo(byte[] dst, int offset) {
        System.arraycopy(bytes, 0, dst, offset, 32);
    }

    public String toBase64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrivateKey other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return publicKey().hashCode();
    }

    @Override
    public String toString() {
        return "PrivateKey[redacted, public=" + publicKey() + "]";
    }
}
