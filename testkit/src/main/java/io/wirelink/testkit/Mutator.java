package io.wirelink.testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Mutates a valid input into a nearby invalid (or differently valid) one, for the decoders' fuzz tests: bit flips,
 * bytes set to values the format treats specially, inserts, deletes, truncation, zero extension and splicing with
 * another corpus entry, plus whatever format-specific operations a test adds ({@link Builder#op}). One mutator
 * serves every decoder so that a better mutation helps all of them; what differs per format is data (the special
 * byte values, the extra operations), not code.
 */
public final class Mutator {
    /** A format-specific mutation: returns the mutated array (a new one, or {@code b} changed in place). */
    @FunctionalInterface
    public interface Op {
        byte[] apply(byte[] b, Random r);
    }

    private final int[] interesting;
    private final int maxOps;
    private final int maxRun;
    private final List<Op> ops;

    private Mutator(Builder b) {
        this.interesting = b.interesting;
        this.maxOps = b.maxOps;
        this.maxRun = b.maxRun;
        this.ops = List.copyOf(b.ops);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Applies one to {@code maxOps} mutations to a copy of {@code seed}; {@code corpus} feeds splicing. */
    public byte[] mutate(byte[] seed, Random r, List<byte[]> corpus) {
        byte[] b = seed.clone();
        int n = 1 + r.nextInt(maxOps);
        for (int k = 0; k < n; k++) {
            int op = r.nextInt(7 + ops.size());
            b = switch (op) {
                case 0 -> flip(b, r);
                case 1 -> set(b, r);
                case 2 -> insert(b, r);
                case 3 -> delete(b, r);
                case 4 -> Arrays.copyOf(b, r.nextInt(b.length + 1));
                case 5 -> Arrays.copyOf(b, b.length + 1 + r.nextInt(64));
                case 6 -> splice(b, r, corpus);
                default -> ops.get(op - 7).apply(b, r);
            };
        }
        return b;
    }

    /** A random byte, or one of the format's special values (half of the time each). */
    public int interesting(Random r) {
        return interesting.length == 0 || r.nextBoolean() ? r.nextInt(256) : interesting[r.nextInt(interesting.length)];
    }

    private static byte[] flip(byte[] b, Random r) {
        if (b.length > 0) {
            b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        }
        return b;
    }

    private byte[] set(byte[] b, Random r) {
        if (b.length > 0) {
            b[r.nextInt(b.length)] = (byte) interesting(r);
        }
        return b;
    }

    private byte[] insert(byte[] b, Random r) {
        int at = r.nextInt(b.length + 1);
        int n = 1 + r.nextInt(maxRun);
        byte[] x = new byte[b.length + n];
        System.arraycopy(b, 0, x, 0, at);
        for (int i = 0; i < n; i++) {
            x[at + i] = (byte) interesting(r);
        }
        System.arraycopy(b, at, x, at + n, b.length - at);
        return x;
    }

    private byte[] delete(byte[] b, Random r) {
        if (b.length == 0) {
            return b;
        }
        int at = r.nextInt(b.length);
        int n = 1 + r.nextInt(Math.min(maxRun, b.length - at));
        byte[] x = new byte[b.length - n];
        System.arraycopy(b, 0, x, 0, at);
        System.arraycopy(b, at + n, x, at, b.length - at - n);
        return x;
    }

    private static byte[] splice(byte[] b, Random r, List<byte[]> corpus) {
        if (corpus.isEmpty()) {
            return b;
        }
        byte[] o = corpus.get(r.nextInt(corpus.size()));
        int cut = r.nextInt(b.length + 1);
        int from = r.nextInt(o.length + 1);
        byte[] x = new byte[cut + o.length - from];
        System.arraycopy(b, 0, x, 0, cut);
        System.arraycopy(o, from, x, cut, o.length - from);
        return x;
    }

    /** How a format mutates: its special byte values, how many mutations at most, its own operations. */
    public static final class Builder {
        private int[] interesting = {0, 1, 0x7f, 0x80, 0xff};
        private int maxOps = 4;
        private int maxRun = 1;
        private final List<Op> ops = new ArrayList<>();

        /** Byte values the format treats specially (type codes, lengths, varint continuation bytes). */
        public Builder interesting(int... values) {
            this.interesting = values.clone();
            return this;
        }

        /** At most this many mutations per input (at least one). */
        public Builder maxOps(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxOps must be at least 1");
            }
            this.maxOps = n;
            return this;
        }

        /** Inserts and deletes touch up to this many adjacent bytes. */
        public Builder maxRun(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxRun must be at least 1");
            }
            this.maxRun = n;
            return this;
        }

        /** A format-specific operation, chosen as often as each built-in one. */
        public Builder op(Op op) {
            ops.add(op);
            return this;
        }

        public Mutator build() {
            return new Mutator(this);
        }
    }
}
