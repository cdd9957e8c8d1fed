package io.wirelink.facts;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * An IP address with a prefix length, e.g. {@code 10.99.0.0/24} or {@code fe80::1/128}. Host bits are kept as given
 * (wirelink does not mask them); {@link #masked()} clears them. IPv4-mapped IPv6 addresses are refused.
 */
public record IpPrefix(InetAddress address, int prefixLength) implements Comparable<IpPrefix> {
    public IpPrefix {
        if (address == null) {
            throw new IllegalArgumentException("address is missing");
        }
        int bits = address.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("bad mask length " + prefixLength + " for a " + bits + "-bit address");
        }
    }

    public static IpPrefix of(byte[] addr, int prefixLength) {
        return new IpPrefix(Addresses.fromBytes(addr), prefixLength);
    }

    /** Parses {@code ip/len}; a bare address means a host prefix (/32 or /128). */
    public static IpPrefix parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty prefix");
        }
        String s = text.strip();
        int slash = s.indexOf('/');
        InetAddress a = Addresses.parseLiteral(slash < 0 ? s : s.substring(0, slash));
        int len;
        if (slash < 0) {
            len = a.getAddress().length * 8;
        } else {
            try {
                len = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in '" + s + "'");
            }
        }
        return new IpPrefix(a, len);
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    /** The same prefix with host bits cleared. */
    public IpPrefix masked() {
        byte[] b = address.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefixLength - 8 * i));
            b[i] &= (byte) (0xff << (8 - keep));
        }
        return of(b, prefixLength);
    }

    /** True when {@code other}'s address lies inside this prefix. */
    public boolean contains(InetAddress other) {
        byte[] a = address.getAddress();
        byte[] o = other.getAddress();
        if (a.length != o.length) {
            return false;
        }
        for (int bit = 0; bit < prefixLength; bit++) {
            int mask = 0x80 >>> (bit & 7);
            if ((a[bit >>> 3] & mask) != (o[bit >>> 3] & mask)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int compareTo(IpPrefix o) {
        byte[] a = address.getAddress();
        byte[] b = o.address.getAddress();
        if (a.length != b.length) {
            return Integer.compare(a.length, b.length);
        }
        int c = Arrays.compareUnsigned(a, b);
        return c != 0 ? c : Integer.compare(prefixLength, o.prefixLength);
    }

    @Override
    public String toString() {
        return Addresses.format(address) + "/" + prefixLength;
    }

}
