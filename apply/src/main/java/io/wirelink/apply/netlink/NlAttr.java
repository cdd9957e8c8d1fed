package io.wirelink.apply.netlink;

import io.wirelink.facts.MalformedInputException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One attribute ({@code struct nlattr}: u16 length including the 4-byte header, u16 type, value, padding to 4) as a
 * view into a received buffer. Every accessor checks the value's length and throws
 * {@link MalformedInputException} when it does not fit.
 */
final class NlAttr {
    static final int NLA_TYPE_MASK = 0x3fff;

    private final int type;
    private final boolean nested;
    private final byte[] buf;
    private final int off;
    private final int len;

    private NlAttr(int rawType, byte[] buf, int off, int len) {
        this.type = rawType & NLA_TYPE_MASK;
        this.nested = (rawType & NlMessageBuilder.NLA_F_NESTED) != 0;
        this.buf = buf;
        this.off = off;
        this.len = len;
    }

    /** Parses the attributes in {@code buf[off, off + length)}; the last one's padding may be missing. */
    static List<NlAttr> parse(byte[] buf, int off, int length) {
        if (off < 0 || length < 0 || off > buf.length || length > buf.length - off) {
            throw new MalformedInputException("attribute region [" + off + ", +" + length + ") outside the buffer");
        }
        ByteBuffer bb = ByteBuffer.wrap(buf).order(NlMessageBuilder.ORDER);
        List<NlAttr> out = new ArrayList<>();
        int pos = off;
        int end = off + length;
        while (pos < end) {
            int remaining = end - pos;
            if (remaining < NlMessageBuilder.NLA_HDRLEN) {
                throw new MalformedInputException(remaining + " stray bytes after attributes");
            }
            int alen = bb.getShort(pos) & 0xffff;
            if (alen < NlMessageBuilder.NLA_HDRLEN || alen > remaining) {
                throw new MalformedInputException("attribute length " + alen + " with " + remaining + " bytes left");
            }
            int rawType = bb.getShort(pos + 2) & 0xffff;
            out.add(new NlAttr(rawType, buf, pos + NlMessageBuilder.NLA_HDRLEN, alen - NlMessageBuilder.NLA_HDRLEN));
            pos += Math.min(NlMessageBuilder.align(alen), remaining);
        }
        return out;
    }

    /** The first attribute of {@code type}, or null. */
    static NlAttr find(List<NlAttr> attrs, int type) {
        for (NlAttr a : attrs) {
            if (a.type == type) {
                return a;
            }
        }
        return null;
    }

    /** The type without the NLA_F_NESTED and NLA_F_NET_BYTEORDER bits. */
    int type() {
        return type;
    }

    boolean nestedFlag() {
        return nested;
    }

    int length() {
        return len;
    }

    int u8() {
        need(1, "u8");
        return buf[off] & 0xff;
    }

    int u16() {
        need(2, "u16");
        return ByteBuffer.wrap(buf).order(NlMessageBuilder.ORDER).getShort(off) & 0xffff;
    }

    /** A u32 as a Java int (callers that need unsigned use {@link Integer#toUnsignedLong}). */
    int u32() {
        need(4, "u32");
        return ByteBuffer.wrap(buf).order(NlMessageBuilder.ORDER).getInt(off);
    }

    long u64() {
        need(8, "u64");
        return ByteBuffer.wrap(buf).order(NlMessageBuilder.ORDER).getLong(off);
    }

    /** The value up to the first NUL (or all of it), as UTF-8. */
    String string() {
        int n = 0;
        while (n < len && buf[off + n] != 0) {
            n++;
        }
        return new String(buf, off, n, StandardCharsets.UTF_8);
    }

    byte[] bytes() {
        return Arrays.copyOfRange(buf, off, off + len);
    }

    /** The value, which must be exactly {@code n} bytes. */
    byte[] exactBytes(int n, String what) {
        if (len != n) {
            throw new MalformedInputException(what + " has " + len + " bytes, want " + n);
        }
        return bytes();
    }

    /** A read-only view of the value for fixed layouts (sockaddr, timespec). */
    ByteBuffer value() {
        return ByteBuffer.wrap(buf, off, len).slice().order(NlMessageBuilder.ORDER);
    }

    /** True when every byte of the value is zero. */
    boolean allZero() {
        for (int i = 0; i < len; i++) {
            if (buf[off + i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Zeroes the value in the underlying buffer (key material). */
    void wipe() {
        Arrays.fill(buf, off, off + len, (byte) 0);
    }

    List<NlAttr> nested() {
        return parse(buf, off, len);
    }

    private void need(int n, String what) {
        if (len < n) {
            throw new MalformedInputException("attribute " + type + " has " + len + " bytes, too short for " + what);
        }
    }
}
