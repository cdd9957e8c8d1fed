package io.wirelink.facts;

import java.util.UUID;

/**
 * The group version a node speaks, carried in its boot ID (the Alive value, PROTOCOL.md §3). A Go wirelink node
 * only compares boot IDs for equality, so it passes this over without a word, where an unknown MemberMetadata
 * sub-attribute is logged at INFO on every datagram. Layout: an RFC 9562 version-8 (custom) UUID whose first two
 * bytes are {@code 77 6c} ("wl") and whose third byte is the version; the other 98 bits stay random. Random (v4)
 * boot IDs, which the Go wirelink makes, never match, so their authors read as v1.
 */
public final class BootCapability {
    private BootCapability() {}

    private static final long MARK = 0x776cL;
    /** The bits of the random UUID's high half that survive: bytes 3-5, the low nibble of 6, byte 7. */
    private static final long KEPT_HIGH = 0x0000_00ff_ffff_0fffL;
    private static final long UUID_VERSION_8 = 0x8000L;
    private static final long VARIANT_MASK = 0xc000_0000_0000_0000L;
    private static final long VARIANT_RFC = 0x8000_0000_0000_0000L;

    /** {@code random} (a fresh random UUID) stamped with {@code version} (2-255). */
    public static UUID stamp(UUID random, int version) {
        if (version < 2 || version > 255) {
            throw new IllegalArgumentException("a stamped version is 2 to 255, not " + version);
        }
        long hi = (random.getMostSignificantBits() & KEPT_HIGH) | (MARK << 48) | ((long) version << 40)
                | UUID_VERSION_8;
        long lo = (random.getLeastSignificantBits() & ~VARIANT_MASK) | VARIANT_RFC;
        return new UUID(hi, lo);
    }

    /** The version a boot ID announces: its stamp, or 1 when it carries none. */
    public static int version(UUID bootId) {
        long hi = bootId.getMostSignificantBits();
        if (hi >>> 48 != MARK || (hi & 0xf000L) != UUID_VERSION_8
                || (bootId.getLeastSignificantBits() & VARIANT_MASK) != VARIANT_RFC) {
            return 1;
        }
        int v = (int) (hi >>> 40) & 0xff;
        return v >= 2 ? v : 1;
    }
}
