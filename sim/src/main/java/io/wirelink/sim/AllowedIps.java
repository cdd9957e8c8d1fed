package io.wirelink.sim;

/**
 * WireGuard's allowed-IPs table: a binary trie per address family mapping prefixes to an owner, with longest-prefix
 * lookup. As in the kernel, a prefix has one owner: putting it for a second owner takes it from the first.
 * Lookups allocate nothing.
 */
final class AllowedIps<T> {
    private static final class Node<T> {
        Node<T> zero;
        Node<T> one;
        T owner;
    }

    private final Node<T> root4 = new Node<>();
    private final Node<T> root6 = new Node<>();

    private Node<T> root(byte[] addr) {
        if (addr.length == 4) {
            return root4;
        }
        if (addr.length == 16) {
            return root6;
        }
        throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + addr.length);
    }

    private static boolean bit(byte[] addr, int i) {
        return (addr[i >>> 3] & (0x80 >>> (i & 7))) != 0;
    }

    /** Sets the owner of {@code addr/len}; returns the previous owner, or null. */
    T put(byte[] addr, int len, T owner) {
        Node<T> n = root(addr);
        for (int i = 0; i < len; i++) {
            if (bit(addr, i)) {
                if (n.one == null) {
                    n.one = new Node<>();
                }
                n = n.one;
            } else {
                if (n.zero == null) {
                    n.zero = new Node<>();
                }
                n = n.zero;
            }
        }
        T old = n.owner;
        n.owner = owner;
        return old;
    }

    /** Removes {@code addr/len} if {@code owner} holds it; true when it did. Empty branches are left in place. */
    boolean remove(byte[] addr, int len, T owner) {
        Node<T> n = root(addr);
        for (int i = 0; i < len && n != null; i++) {
            n = bit(addr, i) ? n.one : n.zero;
        }
        if (n != null && n.owner == owner) {
            n.owner = null;
            return true;
        }
        return false;
    }

    /** The owner of the longest prefix containing {@code addr}, or null. */
    T lookup(byte[] addr) {
        Node<T> n = root(addr);
        T best = n.owner;
        int bits = addr.length * 8;
        for (int i = 0; i < bits; i++) {
            n = bit(addr, i) ? n.one : n.zero;
            if (n == null) {
                break;
            }
            if (n.owner != null) {
                best = n.owner;
            }
        }
        return best;
    }
}
