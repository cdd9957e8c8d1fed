package io.wirelink.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WgCryptoTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void blake2sMatchesTheRfc7693Vector() {
        assertEquals("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982",
                HEX.formatHex(WgCrypto.hash("abc".getBytes(StandardCharsets.US_ASCII))));
    }

    /** The KDF vectors of wireguard-go's device/kdf_test.go (KDF3; KDF1 and KDF2 are its prefixes). */
    @Test
    void kdfMatchesWireguardGo() {
        String[][] vectors = {
            {"746573742d6b6579", "746573742d696e707574",
                "6f0e5ad38daba1bea8a0d213688736f19763239305e0f58aba697f9ffc41c633",
                "df1194df20802a4fe594cde27e92991c8cae66c366e8106aaa937a55fa371e8a",
                "fac6e2745a325f5dc5d11a5b165aad08b0ada28e7b4e666b7c077934a4d76c24"},
            {"776972656775617264", "776972656775617264",
                "491d43bbfdaa8750aaf535e334ecbfe5129967cd64635101c566d4caefda96e8",
                "1e71a379baefd8a79aa4662212fcafe19a23e2b609a3db7d6bcba8f560e3d25f",
                "31e1ae48bddfbe5de38f295e5452b1909a1b4e38e183926af3780b0c1e1f0160"},
            {"", "", "8387b46bf43eccfcf349552a095d8315c4055beb90208fb1be23b894bc2ed5d0",
                "58a0e5f6faefccf4807bff1f05fa8a9217945762040bcec2f4b4a62bdfe0e86e",
                "0ce6ea98ec548f8e281e93e32db65621c45eb18dc6f0a7ad94178610a2f7338e"},
        };
        for (String[] v : vectors) {
            byte[] key = HEX.parseHex(v[0]);
            byte[] input = HEX.parseHex(v[1]);
            byte[][] t = WgCrypto.kdf(3, key, input);
            for (int i = 0; i < 3; i++) {
                assertEquals(v[2 + i], HEX.formatHex(t[i]), "KDF3 output " + (i + 1) + " of " + v[0]);
            }
            assertEquals(v[2], HEX.formatHex(WgCrypto.kdf(1, key, input)[0]));
            assertEquals(v[3], HEX.formatHex(WgCrypto.kdf(2, key, input)[1]));
        }
    }

    @Test
    void theProtocolConstantsHashAsPublished() {
        // C_0 and H_0 as given in the WireGuard protocol description and computed by every implementation
        assertEquals("60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36",
                HEX.formatHex(WgCrypto.INITIAL_CHAIN_KEY));
        assertEquals("2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3",
                HEX.formatHex(WgCrypto.INITIAL_HASH));
    }

    @Test
    void aeadRoundTripsAndRefusesTamperingAWrongCounterOrAd() {
        Random r = new Random(1);
        byte[] key = new byte[32];
        r.nextBytes(key);
        byte[] ad = "ad".getBytes(StandardCharsets.US_ASCII);
        byte[] plain = "hello, relay".getBytes(StandardCharsets.US_ASCII);
        byte[] box = WgCrypto.seal(key, 7, plain, ad);
        assertEquals(plain.length + 16, box.length);
        assertArrayEquals(plain, WgCrypto.open(key, 7, box, 0, box.length, ad));
        assertNull(WgCrypto.open(key, 8, box, 0, box.length, ad));
        assertNull(WgCrypto.open(key, 7, box, 0, box.length, new byte[0]));
        box[3] ^= 1;
        assertNull(WgCrypto.open(key, 7, box, 0, box.length, ad));
        assertNull(WgCrypto.open(key, 7, new byte[15], 0, 15, ad));

        byte[] nonce = new byte[24];
        r.nextBytes(nonce);
        byte[] xbox = WgCrypto.xseal(key, nonce, plain, ad);
        assertArrayEquals(plain, WgCrypto.xopen(key, nonce, xbox, ad));
        nonce[0] ^= 1;
        assertNull(WgCrypto.xopen(key, nonce, xbox, ad));
    }

    @Test
    void x25519AgreesAndRefusesLowOrderPoints() {
        Random r = new Random(2);
        byte[] a = WgCrypto.generatePrivateKey(r);
        byte[] b = WgCrypto.generatePrivateKey(r);
        assertArrayEquals(WgCrypto.dh(a, WgCrypto.publicKey(b)), WgCrypto.dh(b, WgCrypto.publicKey(a)));
        assertNull(WgCrypto.dh(a, new byte[32]), "the zero point");
        byte[] one = new byte[32];
        one[0] = 1;
        assertNull(WgCrypto.dh(a, one), "a point of order 1");
    }

    @Test
    void tai64nEncodesTheEpochAndOrdersTimestamps() {
        assertEquals("400000000000000a00000000", HEX.formatHex(Tai64n.of(Instant.EPOCH)));
        Instant t = Instant.parse("2026-11-22T10:00:00.123456789Z");
        assertEquals(t, Tai64n.toInstant(Tai64n.of(t)));
        byte[] earlier = Tai64n.of(t);
        byte[] later = Tai64n.of(t.plusNanos(1));
        assertTrue(Tai64n.after(later, earlier));
        assertFalse(Tai64n.after(earlier, later));
        assertFalse(Tai64n.after(earlier, earlier.clone()));
        assertTrue(Tai64n.after(earlier, null));
        assertTrue(Tai64n.after(Tai64n.of(t.plusSeconds(1)), Tai64n.of(t.plusNanos(999_999_999))));
    }
}
