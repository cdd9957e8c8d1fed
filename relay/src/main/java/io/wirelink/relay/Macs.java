package io.wirelink.relay;

import io.wirelink.facts.PublicKey;
import org.bouncycastle.crypto.digests.Blake2sDigest;

/**
 * WireGuard's two handshake MACs (whitepaper 5.4.4). mac1 = MAC(HASH("mac1----" || Spub_receiver), msg up to mac1):
 * anyone who knows the receiver's public key can compute it, which is what lets a relay route an initiation to the
 * right client without decrypting anything. mac2 = MAC(cookie, msg up to mac2), or zeros without a cookie.
 */
public final class Macs {
    private Macs() {}

    /** HASH("mac1----" || key): the key of mac1 for messages sent to {@code receiver}. */
    public static byte[] mac1Key(PublicKey receiver) {
        return WgCrypto.hash(WgCrypto.LABEL_MAC1, receiver.toBytes());
    }

    /** HASH("cookie--" || key): the key that encrypts cookie replies sent by {@code responder}. */
    public static byte[] cookieKey(PublicKey responder) {
        return WgCrypto.hash(WgCrypto.LABEL_COOKIE, responder.toBytes());
    }

    /** True when the well-formed initiation or response {@code msg} carries a valid mac1 for {@code receiver}. */
    public static boolean verifyMac1(PublicKey receiver, byte[] msg) {
        return new Mac1Checker(mac1Key(receiver)).matches(msg, WireFormat.classify(msg));
    }

    /** Computes mac1 of the initiation or response {@code msg} for {@code receiver} and writes it in place. */
    public static void writeMac1(PublicKey receiver, byte[] msg) {
        int off = WireFormat.mac1Offset(requireHandshake(msg));
        byte[] m = WgCrypto.mac(mac1Key(receiver), msg, off);
        System.arraycopy(m, 0, msg, off, WireFormat.MAC_LENGTH);
    }

    /** Computes mac2 of {@code msg} with {@code cookie} (16 bytes) and writes it in place. */
    public static void writeMac2(byte[] cookie, byte[] msg) {
        int off = WireFormat.mac2Offset(requireHandshake(msg));
        byte[] m = WgCrypto.mac(cookie, msg, off);
        System.arraycopy(m, 0, msg, off, WireFormat.MAC_LENGTH);
    }

    private static int requireHandshake(byte[] msg) {
        int type = WireFormat.classify(msg);
        if (type != WireFormat.TYPE_INITIATION && type != WireFormat.TYPE_RESPONSE) {
            throw new IllegalArgumentException("only initiations and responses carry macs");
        }
        return type;
    }

    /**
     * Checks mac1 for one receiver key with one reusable keyed digest: one BLAKE2s compression per 64 bytes and no
     * allocation. Not thread-safe; the relay keeps one per registered client.
     */
    static final class Mac1Checker {
        private final Blake2sDigest digest;
        private final byte[] out = new byte[WireFormat.MAC_LENGTH];

        Mac1Checker(byte[] mac1Key) {
            this.digest = new Blake2sDigest(mac1Key, WireFormat.MAC_LENGTH, null, null);
        }

        /** True when {@code msg}, a well-formed message of {@code type} 1 or 2, has a valid mac1 for this key. */
        boolean matches(byte[] msg, int type) {
            int off = WireFormat.mac1Offset(type);
            if (off < 0) {
                return false;
            }
            digest.update(msg, 0, off);
            digest.doFinal(out, 0); // doFinal resets the digest, keeping the key
            return org.bouncycastle.util.Arrays.constantTimeAreEqual(WireFormat.MAC_LENGTH, out, 0, msg, off);
        }
    }
}
