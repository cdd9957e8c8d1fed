package io.wirelink.apply.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes one netlink message: the 16-byte {@code nlmsghdr}, an optional fixed family header (genlmsghdr, ifinfomsg,
 * ifaddrmsg) and attributes, each padded to 4 bytes. Integers are in host byte order, as netlink wants them.
 *
 * <p>{@code nlmsg_len} is filled in by {@link #build()}; {@code nlmsg_seq} and {@code nlmsg_pid} stay 0 until
 * {@link #stampSequence} writes the sequence number just before sending.
 */
final class NlMessageBuilder {
    static final ByteOrder ORDER = ByteOrder.nativeOrder();
    static final int NLMSG_HDRLEN = 16;
    static final int NLA_HDRLEN = 4;
    static final int NLA_F_NESTED = 0x8000;
    static final int MAX_ATTR_LEN = 0xffff;

    private byte[] buf;
    private ByteBuffer bb;
    private int pos;
    private int openNests;

    NlMessageBuilder(int type, int flags) {
        this(type, flags, 256);
    }

    NlMessageBuilder(int type, int flags, int initialCapacity) {
        buf = new byte[Math.max(initialCapacity, 64)];
        bb = ByteBuffer.wrap(buf).order(ORDER);
        putU32(0); // nlmsg_len, set by build()
        putU16(type);
        putU16(flags);
        putU32(0); // nlmsg_seq
        putU32(0); // nlmsg_pid: 0, the kernel fills in our port id
    }

    static int align(int n) {
        return (n + 3) & ~3;
    }

    /** Bytes written so far, padding included. */
    int size() {
        return pos;
    }

    /** The generic netlink header: cmd, version, two reserved bytes. */
    NlMessageBuilder genlHeader(int cmd, int version) {
        putU8(cmd);
        putU8(version);
        putU16(0);
        return this;
    }

    NlMessageBuilder putU8(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
        return this;
    }

    NlMessageBuilder putU16(int v) {
        ensure(2);
        bb.putShort(pos, (short) v);
        pos += 2;
        return this;
    }

    NlMessageBuilder putU32(int v) {
        ensure(4);
        bb.putInt(pos, v);
        pos += 4;
        return this;
    }

    NlMessageBuilder putBytes(byte[] v) {
        ensure(v.length);
        System.arraycopy(v, 0, buf, pos, v.length);
        pos += v.length;
        return this;
    }

    /** Pads with zeros to the next multiple of 4. */
    NlMessageBuilder pad() {
        int n = align(pos) - pos;
        ensure(n);
        pos += n; // the buffer is zero-filled
        return this;
    }

    NlMessageBuilder attr(int type, byte[] value) {
        return attr(type, value, 0, value.length);
    }

    NlMessageBuilder attr(int type, byte[] value, int offset, int length) {
        checkType(type);
        if (NLA_HDRLEN + length > MAX_ATTR_LEN) {
            throw new IllegalArgumentException("attribute " + type + " too long: " + length + " bytes");
        }
        ensure(align(NLA_HDRLEN + length));
        putU16(NLA_HDRLEN + length);
        putU16(type);
        System.arraycopy(value, offset, buf, pos, length);
        pos += length;
        return pad();
    }

    NlMessageBuilder attrU8(int type, int v) {
        return attr(type, new byte[] {(byte) v});
    }

    NlMessageBuilder attrU16(int type, int v) {
        return attr(type, ByteBuffer.allocate(2).order(ORDER).putShort((short) v).array());
    }

    NlMessageBuilder attrU32(int type, int v) {
        return attr(type, ByteBuffer.allocate(4).order(ORDER).putInt(v).array());
    }

    NlMessageBuilder attrU64(int type, long v) {
        return attr(type, ByteBuffer.allocate(8).order(ORDER).putLong(v).array());
    }

    /** A NUL-terminated string attribute (NLA_NUL_STRING / NLA_STRING as the kernel's tools send them). */
    NlMessageBuilder attrString(int type, String v) {
        byte[] s = v.getBytes(StandardCharsets.UTF_8);
        return attr(type, Arrays.copyOf(s, s.length + 1));
    }

    /** Opens a nested attribute (type | NLA_F_NESTED); returns the token for {@link #endNested}. */
    int beginNested(int type) {
        checkType(type);
        int start = pos;
        putU16(0); // length, set by endNested
        putU16(type | NLA_F_NESTED);
        openNests++;
        return start;
    }

    void endNested(int start) {
        int len = pos - start;
        if (openNests == 0 || start < NLMSG_HDRLEN || start > pos - NLA_HDRLEN) {
            throw new IllegalStateException("no nested attribute open at " + start);
        }
        if (len > MAX_ATTR_LEN) {
            throw new IllegalStateException("nested attribute too long: " + len + " bytes");
        }
        bb.putShort(start, (short) len);
        openNests--;
    }

    /** The finished message, {@code nlmsg_len} set. */
    byte[] build() {
        if (openNests != 0) {
            throw new IllegalStateException(openNests + " nested attribute(s) still open");
        }
        bb.putInt(0, pos);
        return Arrays.copyOf(buf, pos);
    }

    /** Zeroes the internal buffer (used after messages that carried key material). */
    void wipe() {
        Arrays.fill(buf, (byte) 0);
    }

    /** Writes {@code seq} into the {@code nlmsg_seq} field of a built message. */
    static void stampSequence(byte[] message, int seq) {
        ByteBuffer.wrap(message).order(ORDER).putInt(8, seq);
    }

    static int sequenceOf(byte[] message) {
        return ByteBuffer.wrap(message).order(ORDER).getInt(8);
    }

    static int flagsOf(byte[] message) {
        return ByteBuffer.wrap(message).order(ORDER).getShort(6) & 0xffff;
    }

    private static void checkType(int type) {
        if (type < 0 || type > 0x3fff) {
            throw new IllegalArgumentException("attribute type out of range: " + type);
        }
    }

    private void ensure(int n) {
        if (pos + n <= buf.length) {
            return;
        }
        byte[] old = buf;
        buf = Arrays.copyOf(old, Math.max(old.length * 2, pos + n));
        Arrays.fill(old, (byte) 0);
        bb = ByteBuffer.wrap(buf).order(ORDER);
    }
}
