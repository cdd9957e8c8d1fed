package io.wirelink.facts;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * An independent XChaCha20-Poly1305 for tests: HChaCha20 written here from draft-irtf-cfrg-xchacha §2.2, then the
 * JDK's IETF ChaCha20-Poly1305 with nonce' = 4 zero bytes ‖ nonce[16..24). Used to cross-check BouncyCastle.
 */
final class XChaChaReference {
    private XChaChaReference() {}

    static byte[] hchacha20(byte[] key, byte[] nonce16) {
        int[] s = new int[16];
        s[0] = 0x61707865;
        s[1] = 0x3320646e;
        s[2] = 0x79622d32;
        s[3] = 0x6b206574;
        for (int i = 0; i < 8; i++) {
            s[4 + i] = le(key, 4 * i);
        }
        for (int i = 0; i < 4; i++) {
            s[12 + i] = le(nonce16, 4 * i);
        }
        for (int round = 0; round < 10; round++) {
            qr(s, 0, 4, 8, 12);
            qr(s, 1, 5, 9, 13);
            qr(s, 2, 6, 10, 14);
            qr(s, 3, 7, 11, 15);
            qr(s, 0, 5, 10, 15);
            qr(s, 1, 6, 11, 12);
            qr(s, 2, 7, 8, 13);
            qr(s, 3, 4, 9, 14);
        }
        byte[] out = new byte[32];
        int[] idx = {0, 1, 2, 3, 12, 13, 14, 15};
        for (int i = 0; i < 8; i++) {
            int w = s[idx[i]];
            for (int b = 0; b < 4; b++) {
                out[4 * i + b] = (byte) (w >>> (8 * b));
            }
        }
        return out;
    }

    private static void qr(int[] s, int a, int b, int c, int d) {
        s[a] += s[b];
        s[d] = Integer.rotateLeft(s[d] ^ s[a], 16);
        s[c] += s[d];
        s[b] = Integer.rotateLeft(s[b] ^ s[c], 12);
        s[a] += s[b];
        s[d] = Integer.rotateLeft(s[d] ^ s[a], 8);
        s[c] += s[d];
        s[b] = Integer.rotateLeft(s[b] ^ s[c], 7);
    }

    private static int le(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
    }

    /** Ciphertext ‖ tag. */
    static byte[] seal(byte[] key, byte[] nonce24, byte[] aad, byte[] plaintext) throws Exception {
        byte[] sub = hchacha20(key, java.util.Arrays.copyOf(nonce24, 16));
        byte[] n12 = new byte[12];
        System.arraycopy(nonce24, 16, n12, 4, 8);
        Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(sub, "ChaCha20"), new IvParameterSpec(n12));
        c.updateAAD(aad);
        return c.doFinal(plaintext);
    }
}
