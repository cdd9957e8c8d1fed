package io.wirelink.dht;

import io.wirelink.facts.PublicKey;
import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.Blake2sDigest;

/**
 * The proof of work a key carries (WireHub's "workbit", with its bugs fixed).
 *
 * <pre>
 * workbit(pk, network) = number of leading zero bits, most significant bit of byte 0 first, counted across all
 *                        32 bytes (0..256), of
 *   BLAKE2s-256( "wirelink-workbit-v1" | 0x00 | pk (32 raw bytes) | UTF-8(network) )
 * </pre>
 *
 * The prefix separates this hash from every other use of BLAKE2s over a key; the network name, last and of any
 * length, makes a key mined for one network worthless in another. Unlike WireHub, the count runs over every byte
 * (no word stride, no undefined {@code clz(0)}), and a minimum of 0 accepts every key. Expected mining cost is
 * 2<sup>workbit</sup> key pairs. Stateless and thread-safe.
 */
public final class Workbit {
    /** The network name used when none is configured. */
    public static final String DEFAULT_NETWORK = "wirelink";
    /** The domain-separation prefix (followed by one zero byte) of the hash input. */
    public static final String PREFIX = "wirelink-workbit-v1";
    /** The largest network name, in UTF-8 bytes. */
    public static final int MAX_NETWORK_BYTES = 255;

    private static final byte[] PREFIX_BYTES = (PREFIX + "\0").getBytes(StandardCharsets.US_ASCII);

    private Workbit() {}

    /** The UTF-8 bytes of a network name, checked: 1..255 bytes, no NUL, no control characters. */
    public static byte[] networkBytes(String network) {
        if (network == null || network.isEmpty()) {
            throw new IllegalArgumentException("network name is empty");
        }
        for (int i = 0; i < network.length(); i++) {
            if (Character.isISOControl(network.charAt(i))) {
                throw new IllegalArgumentException("network name contains a control character");
            }
        }
        byte[] b = network.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_NETWORK_BYTES) {
            throw new IllegalArgumentException("network name is longer than " + MAX_NETWORK_BYTES + " bytes");
        }
        return b;
    }

    /** The 32-byte workbit hash of a raw public key. */
    public static byte[] hash(byte[] publicKey, byte[] networkUtf8) {
        if (publicKey.length != PublicKey.LENGTH) {
            throw new IllegalArgumentException("public key must be 32 bytes");
        }
        Blake2sDigest d = new Blake2sDigest(256);
        d.update(PREFIX_BYTES, 0, PREFIX_BYTES.length);
        d.update(publicKey, 0, publicKey.length);
        d.update(networkUtf8, 0, networkUtf8.length);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    /** The workbit of {@code key} in {@code network}. */
    public static int of(PublicKey key, String network) {
        return of(key.toBytes(), networkBytes(network));
    }

    /** The workbit of a raw 32-byte public key; {@code networkUtf8} comes from {@link #networkBytes}. */
    public static int of(byte[] publicKey, byte[] networkUtf8) {
        return leadingZeroBits(hash(publicKey, networkUtf8));
    }

    /** Leading zero bits of {@code b}, most significant bit of {@code b[0]} first, over the whole array. */
    public static int leadingZeroBits(byte[] b) {
        int n = 0;
        for (byte x : b) {
            if (x == 0) {
                n += 8;
            } else {
                return n + Integer.numberOfLeadingZeros(x & 0xff) - 24;
            }
        }
        return n;
    }
}
