package io.wirelink.facts;

import java.util.Arrays;
import java.util.Base64;

/** A WireGuard (X25519) public key: 32 raw bytes, printed as base64 as {@code wg} prints it. */
public final class PublicKey implements Comparable<PublicKey> {
    public static final int LENGTH = 32;
    private final byte[] bytes;
    private final int hash;

    /** One instance per key in the process ({@link Interner}): a mesh's keys are held by every fact about them. */
    private static final Interner<PublicKey> SHARED = new Interner<>();

    private PublicKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** Copies {@code raw}, which must be exactly 32 bytes. */
    public static PublicKey of(byte[] raw) {
        if (raw == null || raw.length != LENGTH) {
            throw new IllegalArgumentException("public key must be 32 bytes, got " + (raw == null ? "null" : raw.length));
        }
        return SHARED.intern(new PublicKey(raw.clone()));
    }

    /** Reads 32 bytes at {@code offset}; the caller has checked the bounds. */
    public static PublicKey of(byte[] buf, int offset) {
        return SHARED.intern(new PublicKey(Arrays.copyOfRange(buf, offset, offset + LENGTH)));
    }

    /** Parses the base64 form; the error names the problem but never echoes the input. */
    public static PublicKey parse(String base64) {
        return SHARED.intern(new PublicKey(Keys.decode32(base64, "public key")));
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Writes the raw key into {@code dst} at {@code offset}. */
    public void writeTo(byte[] dst, int offset) {
        System.arraycopy(bytes, 0, dst, offset, LENGTH);
    }

    /** For read-only use by codecs in this module and its tests; never modify. */
    byte[] raw() {
        return bytes;
    }

    public String toBase64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof PublicKey other && hash == other.hash && Arrays.equals(bytes, other.bytes));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(PublicKey o) {
        return this == o ? 0 : Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return toBase64();
    }
}
