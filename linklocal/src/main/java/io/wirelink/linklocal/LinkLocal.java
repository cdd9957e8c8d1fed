package io.wirelink.linklocal;

import io.wirelink.facts.PublicKey;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * wirelink's per-key IPv6 link-local address: {@code fe80::} followed by the first 8 bytes of SHA-1 of the raw
 * public key. Every node computes it for itself (a /64 on its own interface) and for each peer (a /128 in that
 * peer's allowed IPs); it is never sent as a fact.
 */
public final class LinkLocal {
    private LinkLocal() {}

    /** The 16 address bytes for {@code key}. */
    public static byte[] addressBytes(PublicKey key) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-1").digest(key.toBytes());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always provides SHA-1", e);
        }
        byte[] a = new byte[16];
        a[0] = (byte) 0xfe;
        a[1] = (byte) 0x80;
        System.arraycopy(digest, 0, a, 8, 8);
        return a;
    }

    public static Inet6Address address(PublicKey key) {
        try {
            return (Inet6Address) InetAddress.getByAddress(addressBytes(key));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes always make an address", e);
        }
    }

    /** The {@code /128} host prefix a peer's allowed IPs carry. */
    public static io.wirelink.facts.IpPrefix hostPrefix(PublicKey key) {
        return new io.wirelink.facts.IpPrefix(address(key), 128);
    }

    /** The {@code /64} this node puts on its own interface. */
    public static io.wirelink.facts.IpPrefix interfacePrefix(PublicKey key) {
        return new io.wirelink.facts.IpPrefix(address(key), 64);
    }

    /** The canonical compressed text form (RFC 5952), e.g. {@code fe80::afec:ee83:716b:51ac}. */
    public static String format(PublicKey key) {
        return io.wirelink.facts.Addresses.format(address(key));
    }
}
