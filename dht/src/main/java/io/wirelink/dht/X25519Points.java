package io.wirelink.dht;

import java.math.BigInteger;

/**
 * Telling a raw 32-byte X25519 private key from a public key, for tools that accept either. A {@code wg genkey}
 * private key is always clamped; a public key is always the canonical u-coordinate of a point in the prime-order
 * subgroup (it is a clamped scalar times the base point). Bytes that are not clamped are therefore a public key, and
 * clamped bytes that are not such a point are a private key. About 1 in 16 inputs of either kind satisfies both
 * tests and stays ambiguous. Slow (BigInteger arithmetic): for command-line use, not packet paths.
 */
public final class X25519Points {
    private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
    /** The order of the prime-order subgroup: 2^252 + 27742317777372353535851937790883648493. */
    private static final BigInteger L =
            BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
    private static final BigInteger A = BigInteger.valueOf(486662);
    private static final BigInteger A24 = BigInteger.valueOf(121665);

    private X25519Points() {}

    /** True when {@code k} has the form RFC 7748 clamping gives: bits 0..2 and 255 clear, bit 254 set. */
    public static boolean isClamped(byte[] k) {
        check(k);
        return (k[0] & 7) == 0 && (k[31] & 0xc0) == 0x40;
    }

    /**
     * True when {@code u} (little-endian, as on the wire) is a canonical u-coordinate (below 2^255 − 19, top bit
     * clear) of a point of order ℓ on Curve25519: on the curve, not on its twist, and with no small-order component.
     */
    public static boolean isPrimeOrderPoint(byte[] u) {
        check(u);
        if ((u[31] & 0x80) != 0) {
            return false;
        }
        BigInteger x = littleEndian(u);
        if (x.signum() == 0 || x.compareTo(P) >= 0) {
            return false;
        }
        // on the curve v^2 = u^3 + A u^2 + u exactly when the right side is a square (Euler's criterion)
        BigInteger rhs = x.pow(3).add(A.multiply(x.pow(2))).add(x).mod(P);
        if (rhs.signum() != 0 && !rhs.modPow(P.subtract(BigInteger.ONE).shiftRight(1), P).equals(BigInteger.ONE)) {
            return false;
        }
        return ladderIsInfinity(x, L);
    }

    /** The RFC 7748 x-only Montgomery ladder for an unclamped scalar; true when k·P is the point at infinity. */
    private static boolean ladderIsInfinity(BigInteger x1, BigInteger k) {
        BigInteger x2 = BigInteger.ONE;
        BigInteger z2 = BigInteger.ZERO;
        BigInteger x3 = x1;
        BigInteger z3 = BigInteger.ONE;
        for (int t = k.bitLength() - 1; t >= 0; t--) {
            boolean bit = k.testBit(t);
            if (bit) {
                BigInteger s = x2;
                x2 = x3;
                x3 = s;
                s = z2;
                z2 = z3;
                z3 = s;
            }
            BigInteger a = x2.add(z2).mod(P);
            BigInteger aa = a.multiply(a).mod(P);
            BigInteger b = x2.subtract(z2).mod(P);
            BigInteger bb = b.multiply(b).mod(P);
            BigInteger e = aa.subtract(bb).mod(P);
            BigInteger c = x3.add(z3).mod(P);
            BigInteger d = x3.subtract(z3).mod(P);
            BigInteger da = d.multiply(a).mod(P);
            BigInteger cb = c.multiply(b).mod(P);
            BigInteger sum = da.add(cb).mod(P);
            BigInteger diff = da.subtract(cb).mod(P);
            x3 = sum.multiply(sum).mod(P);
            z3 = x1.multiply(diff.multiply(diff)).mod(P);
            x2 = aa.multiply(bb).mod(P);
            z2 = e.multiply(aa.add(A24.multiply(e))).mod(P);
            if (bit) {
                BigInteger s = x2;
                x2 = x3;
                x3 = s;
                s = z2;
                z2 = z3;
                z3 = s;
            }
        }
        return z2.signum() == 0;
    }

    private static BigInteger littleEndian(byte[] b) {
        byte[] be = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            be[i] = b[b.length - 1 - i];
        }
        return new BigInteger(1, be);
    }

    private static void check(byte[] b) {
        if (b == null || b.length != 32) {
            throw new IllegalArgumentException("an X25519 key has 32 bytes");
        }
    }
}
