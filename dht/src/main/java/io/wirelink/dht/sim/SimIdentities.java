package io.wirelink.dht.sim;

import io.wirelink.dht.DhtIdentity;
import io.wirelink.dht.Workbit;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.bouncycastle.crypto.digests.Blake2sDigest;

/** Deterministic identities for simulations. */
public final class SimIdentities {
    private SimIdentities() {}

    /** A real X25519 key drawn from {@code r}, re-drawn until it has {@code workbit} in {@code network}. */
    public static PrivateKey mine(Random r, int workbit, String network) {
        byte[] net = Workbit.networkBytes(network);
        while (true) {
            byte[] k = new byte[32];
            r.nextBytes(k);
            k[0] &= (byte) 248;
            k[31] &= 127;
            k[31] |= 64;
            PrivateKey key = PrivateKey.of(k);
            if (Workbit.of(key.publicKey().toBytes(), net) >= workbit) {
                return key;
            }
        }
    }

    /** A real identity: X25519 for every new peer, as in production. */
    public static DhtIdentity real(Random r, int workbit, String network) {
        return DhtIdentity.of(mine(r, workbit, network));
    }

    /**
     * A <em>simulation-only</em> identity whose "shared secret" is a hash of the two public keys (anyone could compute
     * it; never use it outside a simulator). It skips the 60 µs X25519 per new pair, which dominates a 10,000-node
     * run, while every packet is still encoded, MACed and verified exactly as in production. Public keys are random
     * bytes with the requested workbit.
     */
    public static DhtIdentity fast(Random r, int workbit, String network) {
        byte[] net = Workbit.networkBytes(network);
        byte[] pk = new byte[32];
        do {
            r.nextBytes(pk);
        } while (Workbit.of(pk, net) < workbit);
        PublicKey pub = PublicKey.of(pk);
        return new DhtIdentity() {
            @Override
            public PublicKey publicKey() {
                return pub;
            }

            @Override
            public byte[] sharedSecret(PublicKey peer) {
                PublicKey lo = pub.compareTo(peer) <= 0 ? pub : peer;
                PublicKey hi = lo == pub ? peer : pub;
                Blake2sDigest d = new Blake2sDigest(256);
                byte[] label = "simulated-dh".getBytes(StandardCharsets.US_ASCII);
                d.update(label, 0, label.length);
                d.update(lo.toBytes(), 0, 32);
                d.update(hi.toBytes(), 0, 32);
                byte[] out = new byte[32];
                d.doFinal(out, 0);
                return out;
            }
        };
    }
}
