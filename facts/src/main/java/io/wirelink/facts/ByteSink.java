package io.wirelink.facts;

import java.util.Arrays;

/** A growable byte buffer for encoders. Not thread-safe. */
public final class ByteSink {
    private byte[] buf;
    private int len;

    public ByteSink(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }

    public void writeByte(int b) {
        ensure(1);
        buf[len++] = (byte) b;
    }

    public void write(byte[] b) {
        write(b, 0, b.length);
    }

    public void write(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    /** Protobuf/Go LEB128 unsigned varint. */
    public void writeUvarint(long v) {
        ensure(10);
        while ((v & ~0x7fL) != 0) {
            buf[len++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        buf[len++] = (byte) v;
    }

    public int length() {
        return len;
    }

    /** Drops everything after {@code length}. */
    public void truncate(int length) {
        len = length;
    }

    /** Direct access for in-place patching (e.g. writing a tag after the AD is known). */
    public byte[] array() {
        return buf;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    public static int uvarintSize(long v) {
        int n = 1;
        while ((v & ~0x7fL) != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }
}
