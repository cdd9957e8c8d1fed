package io.wirelink.linklocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.PublicKey;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinkLocalTest {
    @Test
    void wirelinkRepositoryVector() {
        PublicKey k = PublicKey.parse("6X/iz1GyW9euj9JIdP7PUl14eoWyoQiAa+BDTB38GhE=");
        assertEquals("fe80::afec:ee83:716b:51ac", LinkLocal.format(k));
    }

    @Test
    void isFe80ThenTheFirstEightBytesOfSha1() throws Exception {
        Random r = new Random(5);
        for (int i = 0; i < 100; i++) {
            byte[] raw = new byte[32];
            r.nextBytes(raw);
            byte[] a = LinkLocal.addressBytes(PublicKey.of(raw));
            byte[] sha = MessageDigest.getInstance("SHA-1").digest(raw);
            assertEquals((byte) 0xfe, a[0]);
            assertEquals((byte) 0x80, a[1]);
            for (int j = 2; j < 8; j++) {
                assertEquals(0, a[j]);
            }
            for (int j = 0; j < 8; j++) {
                assertEquals(sha[j], a[8 + j]);
            }
            assertTrue(LinkLocal.address(PublicKey.of(raw)).isLinkLocalAddress());
        }
    }

    @Test
    void canonicalTextCompressesTheLongestZeroRun() {
        // first hash bytes that start with zero groups are printed RFC 5952 style
        assertEquals("fe80::1:0:0:2", io.wirelink.facts.Addresses.format(io.wirelink.facts.Addresses.fromBytes(
                new byte[] {(byte) 0xfe, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2})));
        assertEquals("fe80::", io.wirelink.facts.Addresses.format(io.wirelink.facts.Addresses.fromBytes(
                new byte[] {(byte) 0xfe, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})));
    }
}
