package io.wirelink.relay;

import java.time.Instant;

/**
 * TAI64N timestamps as WireGuard's initiator sends them (12 bytes, big-endian): seconds since 1970 plus 2^62 + 10
 * (TAI's label offset and its 10 s lead over UTC in 1970), then nanoseconds. The responder only compares them, per
 * initiator, to refuse replayed initiations; it never trusts them as a clock.
 */
final class Tai64n {
    static final int LENGTH = WireFormat.TIMESTAMP_LENGTH;
    private static final long BASE = 0x400000000000000aL;

    private Tai64n() {}

    static byte[] of(Instant t) {
        byte[] b = new byte[LENGTH];
        long s = BASE + t.getEpochSecond();
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) s;
            s >>>= 8;
        }
        int n = t.getNano();
        b[8] = (byte) (n >>> 24);
        b[9] = (byte) (n >>> 16);
        b[10] = (byte) (n >>> 8);
        b[11] = (byte) n;
        return b;
    }

    /** The instant {@code b} encodes (for diagnostics and tests). */
    static Instant toInstant(byte[] b) {
        long s = 0;
        for (int i = 0; i < 8; i++) {
            s = (s << 8) | (b[i] & 0xff);
        }
        int n = ((b[8] & 0xff) << 24) | ((b[9] & 0xff) << 16) | ((b[10] & 0xff) << 8) | (b[11] & 0xff);
        return Instant.ofEpochSecond(s - BASE, Integer.toUnsignedLong(n) % 1_000_000_000L);
    }

    /** True when {@code a} is strictly later than {@code b} (unsigned big-endian comparison); b may be null. */
    static boolean after(byte[] a, byte[] b) {
        return b == null || java.util.Arrays.compareUnsigned(a, b) > 0;
    }
}
