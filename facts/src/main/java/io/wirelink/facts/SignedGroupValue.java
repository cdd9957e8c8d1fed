package io.wirelink.facts;

import java.util.Arrays;
import java.util.List;

/**
 * The value of a signed group: the 24-byte nonce, the 16-byte tag, the bytes the tag authenticates, and the facts
 * they decode to. The tag is a pairwise MAC (PROTOCOL.md §2.3); {@link GroupSigner} checks it.
 *
 * <p>{@code inner} is what the MAC covers: for v1 the concatenated inner facts; for v2 the bytes
 * {@code 'G' | version | flags | records}.
 *
 * @param version 1 for wirelink's {@code S} group, 2 for the extensible {@code G} group
 * @param skippedUnknown how many inner records of an unknown attribute a v2 group carried (skipped)
 */
public record SignedGroupValue(int version, byte[] nonce, byte[] tag, byte[] inner, List<Fact> facts, int skippedUnknown)
        implements FactValue {
    public static final int NONCE_LENGTH = 24;
    public static final int TAG_LENGTH = 16;
    /** v2 flags bit 0: the sender asks for an Ack of this datagram (PROTOCOL.md §3). */
    public static final int FLAG_ACK_REQUEST = 0x01;

    public SignedGroupValue {
        if (nonce.length != NONCE_LENGTH || tag.length != TAG_LENGTH) {
            throw new IllegalArgumentException("nonce must be 24 bytes and tag 16");
        }
        nonce = nonce.clone();
        tag = tag.clone();
        inner = inner.clone();
        facts = List.copyOf(facts);
    }

    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    @Override
    public byte[] tag() {
        return tag.clone();
    }

    @Override
    public byte[] inner() {
        return inner.clone();
    }

    /** v2: the flags byte (covered by the tag); 0 for v1. */
    public int flags() {
        return version == 1 ? 0 : inner[2] & 0xff;
    }

    /** The datagram id an Ack names: the first 8 bytes of the nonce, big-endian. */
    public long id() {
        return idOf(nonce, 0);
    }

    static long idOf(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    /** v1: nonce | tag | inner facts. v2: version | flags | nonce | tag | records. */
    @Override
    public byte[] toBytes() {
        int head = version == 1 ? 0 : 2;
        int skip = version == 1 ? 0 : 3;
        byte[] out = new byte[head + NONCE_LENGTH + TAG_LENGTH + inner.length - skip];
        if (version != 1) {
            out[0] = inner[1];
            out[1] = inner[2];
        }
        System.arraycopy(nonce, 0, out, head, NONCE_LENGTH);
        System.arraycopy(tag, 0, out, head + NONCE_LENGTH, TAG_LENGTH);
        System.arraycopy(inner, skip, out, head + NONCE_LENGTH + TAG_LENGTH, inner.length - skip);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignedGroupValue s
                && version == s.version
                && Arrays.equals(nonce, s.nonce)
                && Arrays.equals(tag, s.tag)
                && Arrays.equals(inner, s.inner);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(tag) + Arrays.hashCode(inner);
    }

    @Override
    public String toString() {
        return "SignedGroup[v" + version + ", " + facts.size() + " facts]";
    }
}
