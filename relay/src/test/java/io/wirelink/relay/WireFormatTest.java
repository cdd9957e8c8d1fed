package io.wirelink.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.MalformedInputException;
import io.wirelink.facts.PrivateKey;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WireFormatTest {
    private static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    @Test
    void classifiesByTypeLengthAndReservedBytes() {
        assertEquals(1, WireFormat.classify(WireFormat.header(1, 148)));
        assertEquals(2, WireFormat.classify(WireFormat.header(2, 92)));
        assertEquals(3, WireFormat.classify(WireFormat.header(3, 64)));
        assertEquals(4, WireFormat.classify(WireFormat.header(4, 32)));
        assertEquals(4, WireFormat.classify(WireFormat.header(4, 1452)));
        assertEquals(0, WireFormat.classify(WireFormat.header(1, 147)));
        assertEquals(0, WireFormat.classify(WireFormat.header(1, 149)));
        assertEquals(0, WireFormat.classify(WireFormat.header(2, 148)));
        assertEquals(0, WireFormat.classify(WireFormat.header(3, 65)));
        assertEquals(0, WireFormat.classify(WireFormat.header(4, 31)));
        assertEquals(0, WireFormat.classify(WireFormat.header(5, 32)));
        assertEquals(0, WireFormat.classify(WireFormat.header(0, 32)));
        byte[] reserved = WireFormat.header(4, 32);
        reserved[2] = 1;
        assertEquals(0, WireFormat.classify(reserved), "reserved bytes must be zero");
        assertEquals(0, WireFormat.classify(new byte[3]));
        assertEquals(0, WireFormat.classify(null));
        assertEquals(0, WireFormat.classify(new byte[40], 41), "length beyond the array");
        assertEquals(0, WireFormat.classify(WireFormat.header(4, 70000)), "longer than any datagram");
    }

    @Test
    void indicesAreLittleEndianAtTheirOffsets() {
        byte[] resp = WireFormat.header(2, 92);
        resp[4] = 0x01;
        resp[7] = (byte) 0x80;
        resp[8] = 0x78;
        resp[9] = 0x56;
        resp[10] = 0x34;
        resp[11] = 0x12;
        assertEquals(0x80000001, WireFormat.senderIndex(resp));
        assertEquals(0x12345678, WireFormat.receiverIndex(resp, 2));
        byte[] data = WireFormat.header(4, 32);
        WireFormat.putIntLE(data, 4, 0xcafebabe);
        WireFormat.putLongLE(data, 8, 0x0102030405060708L);
        assertEquals((byte) 0xbe, data[4]);
        assertEquals(0x08, data[8]);
        assertEquals(0xcafebabe, WireFormat.receiverIndex(data, 4));
        assertEquals(0x0102030405060708L, WireFormat.counter(data));
        assertThrows(IllegalArgumentException.class, () -> WireFormat.receiverIndex(WireFormat.header(1, 148), 1));
    }

    @Test
    void everyTypeRoundTripsThroughTheRecords() {
        Random r = new Random(3);
        WgMessage.Initiation init = new WgMessage.Initiation(0xdeadbeef, random(r, 32), random(r, 48), random(r, 28),
                random(r, 16), random(r, 16));
        WgMessage.Response resp = new WgMessage.Response(7, -2, random(r, 32), random(r, 16), random(r, 16),
                new byte[16]);
        WgMessage.CookieReply cookie = new WgMessage.CookieReply(42, random(r, 24), random(r, 32));
        WgMessage.Transport data = new WgMessage.Transport(-1, Long.MIN_VALUE + 5, random(r, 1400));
        for (WgMessage m : new WgMessage[] {init, resp, cookie, data}) {
            byte[] wire = m.encode();
            assertEquals(m.type(), WireFormat.classify(wire));
            assertEquals(m, WgMessage.decode(wire));
            assertArrayEquals(wire, WgMessage.decode(wire).encode());
        }
        assertEquals(148, init.encode().length);
        assertEquals(92, resp.encode().length);
        assertEquals(64, cookie.encode().length);
        assertEquals(1416, data.encode().length);
        assertTrue(new WgMessage.Transport(1, 0, new byte[16]).isKeepalive());
        assertFalse(data.isKeepalive());
    }

    @Test
    void recordsCopyTheirBytes() {
        byte[] nonce = new byte[24];
        WgMessage.CookieReply c = new WgMessage.CookieReply(1, nonce, new byte[32]);
        nonce[0] = 9;
        assertEquals(0, c.nonce()[0]);
        c.nonce()[0] = 9;
        assertEquals(0, c.nonce()[0]);
        assertThrows(IllegalArgumentException.class, () -> new WgMessage.CookieReply(1, new byte[23], new byte[32]));
        assertThrows(IllegalArgumentException.class, () -> new WgMessage.Transport(1, 0, new byte[15]));
    }

    @Test
    void decodeThrowsOnlyMalformedInput() {
        assertThrows(MalformedInputException.class, () -> WgMessage.decode(null));
        assertThrows(MalformedInputException.class, () -> WgMessage.decode(new byte[0]));
        assertThrows(MalformedInputException.class, () -> WgMessage.decode(WireFormat.header(1, 100)));
        assertThrows(MalformedInputException.class, () -> WgMessage.decode(WireFormat.header(9, 100)));
        byte[] bad = WireFormat.header(3, 64);
        bad[1] = 1;
        assertThrows(MalformedInputException.class, () -> WgMessage.decode(bad));
    }

    @Test
    void mac1IsForOneReceiverOnly() {
        Random r = new Random(4);
        PrivateKey a = PrivateKey.generate(new java.security.SecureRandom());
        PrivateKey b = PrivateKey.generate(new java.security.SecureRandom());
        byte[] msg = WireFormat.header(1, 148);
        System.arraycopy(random(r, 100), 0, msg, 8, 100);
        Macs.writeMac1(a.publicKey(), msg);
        assertTrue(Macs.verifyMac1(a.publicKey(), msg));
        assertFalse(Macs.verifyMac1(b.publicKey(), msg));
        Macs.Mac1Checker checker = new Macs.Mac1Checker(Macs.mac1Key(a.publicKey()));
        for (int i = 0; i < 3; i++) {
            assertTrue(checker.matches(msg, 1), "a reused checker keeps its key (pass " + i + ")");
        }
        msg[50] ^= 1;
        assertFalse(checker.matches(msg, 1));
        assertFalse(checker.matches(WireFormat.header(4, 32), 4));
        byte[] resp = WireFormat.header(2, 92);
        Macs.writeMac1(b.publicKey(), resp);
        assertTrue(Macs.verifyMac1(b.publicKey(), resp));
        assertThrows(IllegalArgumentException.class, () -> Macs.writeMac1(a.publicKey(), WireFormat.header(4, 32)));
    }
}
