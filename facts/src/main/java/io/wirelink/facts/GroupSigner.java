package io.wirelink.facts;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.XChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * wirelink's group MAC: XChaCha20-Poly1305 sealing an empty plaintext with the group bytes as associated data,
 * keyed by the raw X25519 shared secret of signer and recipient. The 16-byte output is the tag. One instance per
 * thread (it reuses a cipher object).
 */
public final class GroupSigner {
    private static final ThreadLocal<GroupSigner> LOCAL = ThreadLocal.withInitial(GroupSigner::new);
    private final XChaCha20Poly1305 aead = new XChaCha20Poly1305();
    private final byte[] out = new byte[SignedGroupValue.TAG_LENGTH];

    private GroupSigner() {}

    /** The signer for the calling thread. */
    public static GroupSigner get() {
        return LOCAL.get();
    }

    /** The 16-byte tag over {@code ad[off, off+len)} under {@code key} and {@code nonce}. */
    public byte[] tag(byte[] key, byte[] nonce, byte[] ad, int off, int len) {
        aead.init(true, new AEADParameters(new KeyParameter(key), 128, nonce, null));
        aead.processAADBytes(ad, off, len);
        try {
            aead.doFinal(out, 0);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("sealing an empty plaintext cannot fail", e);
        }
        return out.clone();
    }

    /**
     * Checks {@code tag} by opening it as the ciphertext of an empty plaintext (Poly1305 comparison is
     * constant-time inside BouncyCastle). Decrypt mode also avoids BouncyCastle's refusal to seal twice under one
     * key and nonce, which a replayed group would otherwise trigger.
     */
    public boolean verify(byte[] key, byte[] nonce, byte[] tag, byte[] ad, int off, int len) {
        if (tag.length != SignedGroupValue.TAG_LENGTH) {
            return false;
        }
        aead.init(false, new AEADParameters(new KeyParameter(key), 128, nonce, null));
        aead.processAADBytes(ad, off, len);
        int n = aead.processBytes(tag, 0, tag.length, out, 0);
        try {
            aead.doFinal(out, n);
            return true;
        } catch (InvalidCipherTextException e) {
            return false;
        }
    }
}
