package io.wirelink.sim;

import io.wirelink.facts.Addresses;
import io.wirelink.facts.IpEndpoint;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * Underlay addresses are IPv4 and kept as {@code int}; an endpoint (address and port) is packed into a
 * {@code long} as {@code address << 16 | port}, so the hot path needs no objects.
 */
final class Ip4 {
    /** No endpoint. */
    static final long NONE = -1;

    private Ip4() {}

    static int toInt(byte[] b) {
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    static int toInt(InetAddress a) {
        if (!(a instanceof Inet4Address)) {
            throw new IllegalArgumentException("the simulated underlay is IPv4 only: " + a);
        }
        return toInt(a.getAddress());
    }

    static byte[] toBytes(int a) {
        return new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
    }

    static InetAddress toAddress(int a) {
        return Addresses.fromBytes(toBytes(a));
    }

    static long endpoint(int address, int port) {
        return ((address & 0xffffffffL) << 16) | (port & 0xffff);
    }

    static int address(long endpoint) {
        return (int) (endpoint >>> 16);
    }

    static int port(long endpoint) {
        return (int) (endpoint & 0xffff);
    }

    static IpEndpoint toEndpoint(long endpoint) {
        return new IpEndpoint(toAddress(address(endpoint)), port(endpoint));
    }

    static String format(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }
}
