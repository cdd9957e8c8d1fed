package io.wirelink.dht;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.Blake2sDigest;

/**
 * The responder side of address validation.
 *
 * <pre>
 * secret(epoch) = BLAKE2s-256(key = 32 random bytes chosen at start, "wirelink-dht-cookie-v1" | epoch (8, BE))
 * cookie        = BLAKE2s-128(key = secret(epoch), requester key (32) | requester IP (4 or 16) | port (2, BE))
 * epoch         = floor(now / cookieEpochMillis)
 * </pre>
 *
 * A cookie from the current or the previous epoch is valid. Nothing is stored per requester.
 */
final class Cookies {
    private static final byte[] LABEL = "wirelink-dht-cookie-v1".getBytes(StandardCharsets.US_ASCII);
    private final byte[] seed;
    private final long epochMillis;
    private long cachedEpoch = Long.MIN_VALUE;
    private byte[] current;
    private byte[] previous;

    Cookies(byte[] seed, long epochMillis) {
        this.seed = seed.clone();
        this.epochMillis = epochMillis;
    }

    Cookie make(PublicKey requester, IpEndpoint from, long now) {
        roll(now);
        return compute(current, requester, from);
    }

    boolean valid(Cookie c, PublicKey requester, IpEndpoint from, long now) {
        roll(now);
        return c.equals(compute(current, requester, from)) || c.equals(compute(previous, requester, from));
    }

    private void roll(long now) {
        long e = Math.floorDiv(now, epochMillis);
        if (e == cachedEpoch) {
            return;
        }
        previous = e == cachedEpoch + 1 ? current : secret(e - 1);
        current = secret(e);
        cachedEpoch = e;
    }

    private byte[] secret(long epoch) {
        Blake2sDigest d = new Blake2sDigest(seed, 32, null, null);
        d.update(LABEL, 0, LABEL.length);
        for (int i = 56; i >= 0; i -= 8) {
            d.update((byte) (epoch >>> i));
        }
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    private static Cookie compute(byte[] secret, PublicKey requester, IpEndpoint from) {
        Blake2sDigest d = new Blake2sDigest(secret, Cookie.LENGTH, null, null);
        byte[] k = requester.toBytes();
        d.update(k, 0, k.length);
        byte[] a = from.address().getAddress();
        d.update(a, 0, a.length);
        d.update((byte) (from.port() >>> 8));
        d.update((byte) from.port());
        byte[] out = new byte[Cookie.LENGTH];
        d.doFinal(out, 0);
        return Cookie.of(out, 0);
    }
}
