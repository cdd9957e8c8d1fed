package io.wirelink.sim;

/**
 * WireGuard's allowed-IPs table: a path-compressed binary trie per address family (as in the kernel's
 * allowedips.c), mapping prefixes to an owner, with longest-prefix lookup. Addresses are handled as two longs, so a
 * lookup costs a handful of node visits and allocates nothing. A prefix has one owner: putting it for a second owner
 * takes it from the first.
 */
final class AllowedIps<T> {
    private static final class Node<T> {
        /** The prefix, masked to {@link #len} bits; IPv4 sits in the top 32 bits of {@code hi}. */
        final long hi;
        final long lo;
        final int len;
        T owner;
        Node<T> zero;
        Node<T> one;

        Node(long hi, long lo, int len, T owner) {
            this.hi = hi;
            this.lo = lo;
            this.len = len;
            this.owner = owner;
        }
    }

    private Node<T> root4;
    private Node<T> root6;
    /** The previous owner found by the last {@link #put}, or the removal result; saves allocating a result. */
    private T found;
    private boolean removed;

    /** Sets the owner of {@code addr/len}; returns the previous owner, or null. */
    T put(byte[] addr, int len, T owner) {
        check(addr, len);
        found = null;
        long hi = mask(hi(addr), len);
        long lo = mask(lo(addr), len - 64);
        if (addr.length == 4) {
            root4 = insert(root4, hi, lo, len, owner);
        } else {
            root6 = insert(root6, hi, lo, len, owner);
        }
        return found;
    }

    /** Removes {@code addr/len} if {@code owner} holds it; true when it did. */
    boolean remove(byte[] addr, int len, T owner) {
        check(addr, len);
        removed = false;
        long hi = mask(hi(addr), len);
        long lo = mask(lo(addr), len - 64);
        if (addr.length == 4) {
            root4 = delete(root4, hi, lo, len, owner);
        } else {
            root6 = delete(root6, hi, lo, len, owner);
        }
        return removed;
    }

    /** The owner of the longest prefix containing {@code addr}, or null. */
    T lookup(byte[] addr) {
        Node<T> n;
        if (addr.length == 4) {
            n = root4;
        } else if (addr.length == 16) {
            n = root6;
        } else {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + addr.length);
        }
        long hi = hi(addr);
        long lo = lo(addr);
        T best = null;
        while (n != null && common(n.hi, n.lo, hi, lo) >= n.len) {
            if (n.owner != null) {
                best = n.owner;
            }
            n = bit(hi, lo, n.len) ? n.one : n.zero;
        }
        return best;
    }

    private Node<T> insert(Node<T> n, long hi, long lo, int len, T owner) {
        if (n == null) {
            return new Node<>(hi, lo, len, owner);
        }
        int c = Math.min(common(n.hi, n.lo, hi, lo), Math.min(n.len, len));
        if (c == n.len && c == len) {
            found = n.owner;
            n.owner = owner;
            return n;
        }
        if (c == n.len) { // n is a proper prefix of the new one: go down
            if (bit(hi, lo, n.len)) {
                n.one = insert(n.one, hi, lo, len, owner);
            } else {
                n.zero = insert(n.zero, hi, lo, len, owner);
            }
            return n;
        }
        Node<T> fresh = new Node<>(hi, lo, len, owner);
        if (c == len) { // the new one is a proper prefix of n: it goes above n
            attach(fresh, n);
            return fresh;
        }
        // they part at bit c: a new branching node with both below
        Node<T> branch = new Node<>(mask(hi, c), mask(lo, c - 64), c, null);
        attach(branch, n);
        attach(branch, fresh);
        return branch;
    }

    private void attach(Node<T> parent, Node<T> child) {
        if (bit(child.hi, child.lo, parent.len)) {
            parent.one = child;
        } else {
            parent.zero = child;
        }
    }

    private Node<T> delete(Node<T> n, long hi, long lo, int len, T owner) {
        if (n == null || n.len > len || common(n.hi, n.lo, hi, lo) < n.len) {
            return n;
        }
        if (n.len == len) {
            if (n.owner == owner && owner != null) {
                n.owner = null;
                removed = true;
            }
        } else if (bit(hi, lo, n.len)) {
            n.one = delete(n.one, hi, lo, len, owner);
        } else {
            n.zero = delete(n.zero, hi, lo, len, owner);
        }
        if (n.owner == null) { // an ownerless node with fewer than two children is not needed
            if (n.zero == null) {
                return n.one;
            }
            if (n.one == null) {
                return n.zero;
            }
        }
        return n;
    }

    private static void check(byte[] addr, int len) {
        if ((addr.length != 4 && addr.length != 16) || len < 0 || len > addr.length * 8) {
            throw new IllegalArgumentException("bad prefix: " + addr.length + " bytes, /" + len);
        }
    }

    private static long hi(byte[] a) {
        if (a.length == 4) {
            return (long) Ip4.toInt(a) << 32;
        }
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (a[i] & 0xff);
        }
        return v;
    }

    private static long lo(byte[] a) {
        if (a.length == 4) {
            return 0;
        }
        long v = 0;
        for (int i = 8; i < 16; i++) {
            v = (v << 8) | (a[i] & 0xff);
        }
        return v;
    }

    /** {@code v} with only its first {@code bits} bits kept (bits may be below 0 or above 64). */
    private static long mask(long v, int bits) {
        return bits <= 0 ? 0 : bits >= 64 ? v : v & (-1L << (64 - bits));
    }

    /** How many leading bits two 128-bit values share. */
    private static int common(long ahi, long alo, long bhi, long blo) {
        long x = ahi ^ bhi;
        return x != 0 ? Long.numberOfLeadingZeros(x) : 64 + Long.numberOfLeadingZeros(alo ^ blo);
    }

    /** Bit {@code i} (0 = most significant); false beyond 127. */
    private static boolean bit(long hi, long lo, int i) {
        return i < 64 ? (hi >>> (63 - i) & 1) != 0 : i < 128 && (lo >>> (127 - i) & 1) != 0;
    }
}
