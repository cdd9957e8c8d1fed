package io.wirelink.relay;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import java.util.Random;

/**
 * The relay's side of WireGuard's cookie mechanism (whitepaper 5.4.7), for its own handshakes under load. A cookie is
 * MAC(secret, source address || source port), the secret changing every two minutes; a cookie reply carries it
 * encrypted with XAEAD(HASH("cookie--" || relay key), random 24-byte nonce, cookie, ad = the mac1 being answered).
 * An initiator that got one puts MAC(cookie, message up to mac2) in mac2 of its next initiation, proving it
 * receives at its source address. Not thread-safe.
 */
final class CookieJar {
    static final long SECRET_LIFETIME_NANOS = 120_000_000_000L;

    private final byte[] cookieKey;
    private final Random random;
    private final byte[] secret = new byte[32];
    private long secretBorn;
    private boolean haveSecret;

    CookieJar(PublicKey relayKey, Random random) {
        this.cookieKey = Macs.cookieKey(relayKey);
        this.random = random;
    }

    /** True when {@code msg} (a well-formed initiation or response from {@code src}) has a valid mac2. */
    boolean mac2Valid(byte[] msg, int type, IpEndpoint src, long now) {
        if (!haveSecret || now - secretBorn >= SECRET_LIFETIME_NANOS) {
            return false;
        }
        int off = WireFormat.mac2Offset(type);
        byte[] expected = WgCrypto.mac(cookie(src), msg, off);
        return org.bouncycastle.util.Arrays.constantTimeAreEqual(WireFormat.MAC_LENGTH, expected, 0, msg, off);
    }

    /** The cookie reply to the initiation {@code msg} from {@code src} (64 bytes, less than the 148 received). */
    byte[] reply(byte[] msg, int type, IpEndpoint src, long now) {
        if (!haveSecret || now - secretBorn >= SECRET_LIFETIME_NANOS) {
            random.nextBytes(secret);
            secretBorn = now;
            haveSecret = true;
        }
        byte[] nonce = new byte[WireFormat.COOKIE_NONCE_LENGTH];
        random.nextBytes(nonce);
        int mac1 = WireFormat.mac1Offset(type);
        byte[] ad = java.util.Arrays.copyOfRange(msg, mac1, mac1 + WireFormat.MAC_LENGTH);
        byte[] box = WgCrypto.xseal(cookieKey, nonce, cookie(src), ad);
        byte[] out = WireFormat.header(WireFormat.TYPE_COOKIE_REPLY, WireFormat.COOKIE_REPLY_LENGTH);
        WireFormat.putIntLE(out, WireFormat.COOKIE_RECEIVER_OFFSET, WireFormat.senderIndex(msg));
        System.arraycopy(nonce, 0, out, WireFormat.COOKIE_NONCE_OFFSET, nonce.length);
        System.arraycopy(box, 0, out, WireFormat.COOKIE_ENCRYPTED_OFFSET, box.length);
        return out;
    }

    private byte[] cookie(IpEndpoint src) {
        byte[] addr = src.address().getAddress();
        byte[] in = new byte[addr.length + 2];
        System.arraycopy(addr, 0, in, 0, addr.length);
        in[addr.length] = (byte) (src.port() >>> 8);
        in[addr.length + 1] = (byte) src.port();
        return WgCrypto.mac(secret, in, in.length);
    }
}
