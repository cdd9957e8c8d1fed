package io.wirelink.facts;

import java.util.Arrays;

/** A bounds-checked cursor over untrusted bytes; every overrun is a {@link MalformedInputException}. */
public final class ByteSource {
    private final byte[] buf;
    private final int end;
    private int pos;

    public ByteSource(byte[] buf, int off, int len) {
        if (off < 0 || len < 0 || off + len > buf.length) {
            throw new IllegalArgumentException("range outside buffer");
        }
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
    }

    public ByteSource(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public int remaining() {
        return end - pos;
    }

    public int position() {
        return pos;
    }

    public byte[] buffer() {
        return buf;
    }

    private void need(int n, String what) {
        if (n > end - pos) {
            throw new MalformedInputException(
                    "truncated " + what + ": need " + n + " bytes, have " + (end - pos));
        }
    }

    public int readByte() {
        need(1, "input");
        return buf[pos++] & 0xff;
    }

    public byte[] readBytes(int n) {
        need(n, "input");
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    public void skip(int n) {
        need(n, "input");
        pos += n;
    }

    /**
     * Reads a uvarint length that must be at most {@code max} and fit in what remains; anything else (including
     * values that wrap a signed long) is malformed.
     */
    public int readLength(long max, String what) {
        long l = readUvarint();
        if (l < 0 || l > max) {
            throw new MalformedInputException(what + " length " + Long.toUnsignedString(l) + " exceeds " + max);
        }
        if (l > remaining()) {
            throw new MalformedInputException(what + " length " + l + " runs past the end");
        }
        return (int) l;
    }

    /** Reads a uvarint that must be at most {@code max} (unsigned comparison). */
    public long readUvarint(long max, String what) {
        long l = readUvarint();
        if (l < 0 || l > max) {
            throw new MalformedInputException(what + " " + Long.toUnsignedString(l) + " exceeds " + max);
        }
        return l;
    }

    /** Reads a LEB128 uvarint of at most 10 bytes; non-canonical forms (e.g. {@code 80 00}) are accepted. */
    public long readUvarint() {
        long v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos >= end) {
                throw new MalformedInputException("truncated varint");
            }
            int b = buf[pos++] & 0xff;
            if (shift == 63 && b > 1) {
                throw new MalformedInputException("varint overflows 64 bits");
            }
            v |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new MalformedInputException("varint overflows 64 bits");
    }
}
