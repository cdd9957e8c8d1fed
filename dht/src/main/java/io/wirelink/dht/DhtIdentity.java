package io.wirelink.dht;

import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;

/** The node's own key: its public half, and X25519 with a peer. */
public interface DhtIdentity {
    PublicKey publicKey();

    /**
     * The raw X25519 shared secret with {@code peer}.
     *
     * @throws IllegalArgumentException for a low-order peer key
     */
    byte[] sharedSecret(PublicKey peer);

    static DhtIdentity of(PrivateKey key) {
        PublicKey pub = key.publicKey();
        return new DhtIdentity() {
            @Override
            public PublicKey publicKey() {
                return pub;
            }

            @Override
            public byte[] sharedSecret(PublicKey peer) {
                return key.sharedSecret(peer);
            }
        };
    }
}
