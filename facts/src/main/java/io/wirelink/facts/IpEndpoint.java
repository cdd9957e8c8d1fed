package io.wirelink.facts;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * A UDP endpoint: an IP literal and a port, printed {@code ip:port} or {@code [ip6]:port}. Never resolves names.
 */
public record IpEndpoint(InetAddress address, int port) implements Comparable<IpEndpoint> {
    public IpEndpoint {
        if (address == null) {
            throw new IllegalArgumentException("address is missing");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    public static IpEndpoint of(byte[] addr, int port) {
        return new IpEndpoint(Addresses.fromBytes(addr), port);
    }

    /** Parses {@code 198.51.100.2:51820} or {@code [2001:db8::1]:51820}; no DNS. */
    public static IpEndpoint parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty endpoint");
        }
        String s = text.strip();
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("bad endpoint '" + s + "': want [ip6]:port");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0 || s.indexOf(':') != colon) {
                throw new IllegalArgumentException("bad endpoint '" + s + "': want ip:port or [ip6]:port");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in endpoint '" + s + "'");
        }
        return new IpEndpoint(Addresses.parseLiteral(host), p);
    }

    public static IpEndpoint of(InetSocketAddress a) {
        return new IpEndpoint(a.getAddress(), a.getPort());
    }

    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(address, port);
    }

    public boolean isIpv6() {
        return address instanceof Inet6Address;
    }

    @Override
    public int compareTo(IpEndpoint o) {
        byte[] a = address.getAddress();
        byte[] b = o.address.getAddress();
        if (a.length != b.length) {
            return Integer.compare(a.length, b.length);
        }
        int c = Arrays.compareUnsigned(a, b);
        return c != 0 ? c : Integer.compare(port, o.port);
    }

    @Override
    public String toString() {
        String h = Addresses.format(address);
        return address instanceof Inet6Address ? "[" + h + "]:" + port : h + ":" + port;
    }
}
