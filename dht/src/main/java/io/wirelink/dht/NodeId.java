package io.wirelink.dht;

import io.wirelink.facts.ByteSink;
import io.wirelink.facts.PublicKey;
import java.util.Random;

/**
 * A 256-bit position in the DHT's XOR space. A node's ID is its {@link Workbit#hash workbit hash}: one BLAKE2s gives
 * both the proof of work (the ID's leading zero bits) and the position. Hashing, rather than using the X25519 key
 * itself (whose top bit is always clear and half of whose values are not curve points), spreads IDs uniformly past
 * the leading zeros every member shares, and placing an ID within b bits of a chosen target costs
 * 2<sup>workbit + b</sup> key generations. IDs depend on the network name, which is fine: networks never mix. Held
 * as four big-endian words, so XOR distances compare without allocating.
 */
public final class NodeId {
    public static final int LENGTH = 32;

    final long w0;
    final long w1;
    final long w2;
    final long w3;

    NodeId(long w0, long w1, long w2, long w3) {
        this.w0 = w0;
        this.w1 = w1;
        this.w2 = w2;
        this.w3 = w3;
    }

    /** The ID of a node in a network, and the lookup target for its records. */
    public static NodeId of(PublicKey key, String network) {
        return of(key, Workbit.networkBytes(network));
    }

    /** As {@link #of(PublicKey, String)}, with the network's UTF-8 bytes from {@link Workbit#networkBytes}. */
    public static NodeId of(PublicKey key, byte[] network) {
        return fromBytes(Workbit.hash(key.toBytes(), network), 0);
    }

    /** The workbit of the key this is the ID of: its leading zero bits. */
    public int workbit() {
        return commonPrefixLength(ZERO);
    }

    static final NodeId ZERO = new NodeId(0, 0, 0, 0);

    public static NodeId fromBytes(byte[] b, int off) {
        if (off < 0 || b.length - off < LENGTH) {
            throw new IllegalArgumentException("a node ID has 32 bytes");
        }
        return new NodeId(word(b, off), word(b, off + 8), word(b, off + 16), word(b, off + 24));
    }

    public static NodeId random(Random r) {
        return new NodeId(r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong());
    }

    private static long word(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    private long w(int i) {
        return i == 0 ? w0 : i == 1 ? w1 : i == 2 ? w2 : w3;
    }

    public byte[] toBytes() {
        byte[] out = new byte[LENGTH];
        for (int i = 0; i < 4; i++) {
            long v = w(i);
            for (int j = 7; j >= 0; j--) {
                out[i * 8 + j] = (byte) v;
                v >>>= 8;
            }
        }
        return out;
    }

    void writeTo(ByteSink s) {
        s.write(toBytes());
    }

    /** Leading bits shared with {@code o}: 256 for equal IDs, 0 when the top bits differ. */
    public int commonPrefixLength(NodeId o) {
        long x = w0 ^ o.w0;
        if (x != 0) {
            return Long.numberOfLeadingZeros(x);
        }
        x = w1 ^ o.w1;
        if (x != 0) {
            return 64 + Long.numberOfLeadingZeros(x);
        }
        x = w2 ^ o.w2;
        if (x != 0) {
            return 128 + Long.numberOfLeadingZeros(x);
        }
        x = w3 ^ o.w3;
        return x != 0 ? 192 + Long.numberOfLeadingZeros(x) : 256;
    }

    /** Negative when {@code a} is closer to this ID than {@code b} (XOR metric), 0 when equally close. */
    public int compareDistance(NodeId a, NodeId b) {
        int c = Long.compareUnsigned(a.w0 ^ w0, b.w0 ^ w0);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(a.w1 ^ w1, b.w1 ^ w1);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(a.w2 ^ w2, b.w2 ^ w2);
        return c != 0 ? c : Long.compareUnsigned(a.w3 ^ w3, b.w3 ^ w3);
    }

    /** A random ID sharing exactly {@code cpl} leading bits with this one (0 ≤ cpl &lt; 256). */
    public NodeId randomWithPrefix(int cpl, Random r) {
        if (cpl < 0 || cpl >= 256) {
            throw new IllegalArgumentException("common prefix length must be 0..255");
        }
        long[] out = new long[4];
        for (int i = 0; i < 4; i++) {
            int from = i * 64;
            long mine = w(i);
            long rnd = r.nextLong();
            if (cpl >= from + 64) {
                out[i] = mine;
            } else if (cpl < from) {
                out[i] = rnd;
            } else {
                int keep = cpl - from; // bits of this word copied from us, then the flipped bit, then random
                long keepMask = keep == 0 ? 0 : -1L << (64 - keep);
                long flip = 1L << (63 - keep);
                out[i] = (mine & keepMask) | ((~mine) & flip) | (rnd & ~keepMask & ~flip);
            }
        }
        return new NodeId(out[0], out[1], out[2], out[3]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeId n && n.w0 == w0 && n.w1 == w1 && n.w2 == w2 && n.w3 == w3;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(w0 ^ w1 ^ w2 ^ w3);
    }

    /** The first 8 bytes in hex: enough to tell IDs apart in logs. */
    @Override
    public String toString() {
        return String.format("%016x…", w0);
    }
}
