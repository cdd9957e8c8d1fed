package io.wirelink.dht;

import io.wirelink.facts.PublicKey;
import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.Blake2sDigest;

/**
 * The per-pair MAC key.
 *
 * <pre>
 * K(a, b) = BLAKE2s-256(key = X25519(a, b),
 *                       "wirelink-dht-pair-v1" | 0x00 | len(network) (1) | UTF-8(network) | min(a, b) | max(a, b))
 * </pre>
 *
 * where min/max order the two raw public keys as unsigned byte strings, so both ends derive the same key. The raw
 * X25519 output is never used as a key itself (WireHub's mistake), and the network name keeps two DHTs apart even
 * when they share keys. Direction is bound by the MAC, which covers the receiver's key as well as the sender's.
 */
final class PairKeys {
    private static final byte[] LABEL = "wirelink-dht-pair-v1\0".getBytes(StandardCharsets.US_ASCII);

    private PairKeys() {}

    static byte[] derive(byte[] sharedSecret, byte[] network, PublicKey a, PublicKey b) {
        Blake2sDigest d = new Blake2sDigest(sharedSecret, 32, null, null);
        d.update(LABEL, 0, LABEL.length);
        d.update((byte) network.length);
        d.update(network, 0, network.length);
        PublicKey lo = a.compareTo(b) <= 0 ? a : b;
        PublicKey hi = lo == a ? b : a;
        byte[] x = lo.toBytes();
        d.update(x, 0, x.length);
        x = hi.toBytes();
        d.update(x, 0, x.length);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }
}
