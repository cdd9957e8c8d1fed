package io.wirelink.dht;

/**
 * A 16-byte address-validation token: a responder's MAC over (requester key, requester address as the responder saw
 * it) under a secret that rotates every epoch. Holding one proves the requester receives datagrams at that address,
 * so the responder may answer it with more bytes than the request carried.
 */
public record Cookie(long hi, long lo) {
    public static final int LENGTH = 16;

    static Cookie of(byte[] b, int off) {
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b[off + i] & 0xff);
            lo = (lo << 8) | (b[off + 8 + i] & 0xff);
        }
        return new Cookie(hi, lo);
    }

    void writeTo(byte[] b, int off) {
        long h = hi;
        long l = lo;
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) h;
            b[off + 8 + i] = (byte) l;
            h >>>= 8;
            l >>>= 8;
        }
    }

    @Override
    public String toString() {
        return "Cookie[redacted]";
    }
}
