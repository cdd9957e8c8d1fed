package io.wirelink.dht;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.MalformedInputException;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DhtCodecTest {
    static final long TS = 1_800_000_000_000L;

    static PrivateKey key(int seed) {
        byte[] k = new byte[32];
        new Random(seed).nextBytes(k);
        k[0] &= (byte) 248;
        k[31] &= 127;
        k[31] |= 64;
        return PrivateKey.of(k);
    }

    static final PrivateKey A = key(1);
    static final PrivateKey B = key(2);
    static final IpEndpoint V4 = IpEndpoint.parse("198.51.100.7:51821");
    static final IpEndpoint V6 = IpEndpoint.parse("[2001:db8::7]:4000");
    static final Cookie COOKIE = new Cookie(0x0102030405060708L, 0x090a0b0c0d0e0f10L);

    static DhtRecord record(PublicKey owner) {
        return new DhtRecord(owner, 42, 600, List.of(new RecordEndpoint(EndpointKind.DHT, V4),
                new RecordEndpoint(EndpointKind.WIREGUARD, V6)), List.of(new RecordRelay(true, B.publicKey(),
                        List.of(V4, V6)), new RecordRelay(false, A.publicKey(), List.of(V6))));
    }

    static List<Message> samples() {
        List<Contact> contacts = List.of(new Contact(A.publicKey(), V4), new Contact(B.publicKey(), V6));
        return List.of(
                new Message.Ping(),
                new Message.Pong(7, V4, COOKIE),
                new Message.FindNode(NodeId.of(B.publicKey(), "wirelink")),
                new Message.Nodes(8, V6, COOKIE, contacts),
                new Message.Nodes(9, V4, COOKIE, List.of()),
                new Message.FindValue(B.publicKey()),
                new Message.Value(10, V4, COOKIE, record(B.publicKey())),
                new Message.Store(record(A.publicKey())));
    }

    @Test
    void everyMessageRoundTrips() {
        byte[] k = Wire.pairKey(A, B.publicKey(), "wirelink");
        for (Message m : samples()) {
            for (Cookie c : Arrays.asList(null, COOKIE)) {
                Packet p = new Packet(true, A.publicKey(), TS, 0x1122334455667788L, c, m, 3);
                byte[] d = DhtCodec.encode(p, k, B.publicKey());
                assertEquals(DhtCodec.length(p), d.length);
                Packet q = DhtCodec.decode(d);
                assertEquals(p, q, m.toString());
                assertTrue(DhtCodec.verify(d, k, B.publicKey()));
                assertFalse(DhtCodec.verify(d, k, A.publicKey()), "the MAC binds the receiver");
            }
        }
    }

    @Test
    void headerLayoutIsAsDocumented() {
        Packet p = new Packet(false, A.publicKey(), TS, 0x1122334455667788L, COOKIE, new Message.Ping(), 0);
        byte[] d = DhtCodec.encode(p, new byte[32], B.publicKey());
        assertEquals(52 + 16 + 16, d.length);
        assertEquals(0xf1, d[0] & 0xff);
        assertEquals(1, d[1]);
        assertEquals(Message.PING, d[2]);
        assertEquals(1, d[3], "cookie flag");
        assertArrayEquals(A.publicKey().toBytes(), Arrays.copyOfRange(d, 4, 36));
        assertEquals("000001a3185c5000", HexFormat.of().formatHex(d, 36, 44));
        assertEquals("1122334455667788", HexFormat.of().formatHex(d, 44, 52));
        assertEquals("0102030405060708090a0b0c0d0e0f10", HexFormat.of().formatHex(d, 52, 68));
        // MAC = BLAKE2s-128(key, receiver | everything before the MAC)
        org.bouncycastle.crypto.digests.Blake2sDigest b =
                new org.bouncycastle.crypto.digests.Blake2sDigest(new byte[32], 16, null, null);
        b.update(B.publicKey().toBytes(), 0, 32);
        b.update(d, 0, 68);
        byte[] mac = new byte[16];
        b.doFinal(mac, 0);
        assertArrayEquals(mac, Arrays.copyOfRange(d, 68, 84));
    }

    @Test
    void pairKeyIsSymmetricAndBoundToTheNetwork() {
        byte[] ab = Wire.pairKey(A, B.publicKey(), "wirelink");
        byte[] ba = Wire.pairKey(B, A.publicKey(), "wirelink");
        assertArrayEquals(ab, ba);
        assertFalse(Arrays.equals(ab, Wire.pairKey(A, B.publicKey(), "other")));
        assertFalse(Arrays.equals(ab, A.sharedSecret(B.publicKey())), "never the raw X25519 output");
    }

    @Test
    void strictDecodingRejectsWithTheTypedErrorOnly() {
        byte[] k = new byte[32];
        byte[] good = DhtCodec.encode(new Packet(false, A.publicKey(), TS, 5, null,
                new Message.Nodes(1, V4, COOKIE, List.of(new Contact(B.publicKey(), V6))), 2), k, B.publicKey());
        assertEquals(1, ((Message.Nodes) DhtCodec.decode(good).message()).contacts().size());
        List<byte[]> bad = new ArrayList<>();
        bad.add(set(good, 0, 0xff)); // magic
        bad.add(set(good, 1, 2)); // version
        bad.add(set(good, 2, 9)); // type
        bad.add(set(good, 3, 4)); // reserved flag
        bad.add(set(good, 36, 0x80)); // negative timestamp
        bad.add(set(good, good.length - 17, 1)); // nonzero padding
        int obs = 52 + 8; // observed address family
        bad.add(set(good, obs, 5));
        bad.add(set(set(good, obs + 5, 0), obs + 6, 0)); // port 0
        int count = obs + 7 + 16;
        bad.add(set(good, count, 33)); // too many contacts
        bad.add(set(good, count, 2)); // more contacts than bytes
        bad.add(Arrays.copyOf(good, 40));
        bad.add(new byte[DhtCodec.MAX_PACKET + 1]);
        for (byte[] b : bad) {
            assertThrows(MalformedInputException.class, () -> DhtCodec.decode(b), HexFormat.of().formatHex(b));
        }
        // an IPv4-mapped IPv6 contact
        byte[] mapped = good.clone();
        int c6 = count + 1 + 32 + 1;
        Arrays.fill(mapped, c6, c6 + 10, (byte) 0);
        mapped[c6 + 10] = (byte) 0xff;
        mapped[c6 + 11] = (byte) 0xff;
        assertThrows(MalformedInputException.class, () -> DhtCodec.decode(mapped));
        // unknown endpoint kind inside a record
        byte[] store = DhtCodec.encode(new Packet(false, A.publicKey(), TS, 5, null,
                new Message.Store(record(A.publicKey())), 0), k, B.publicKey());
        int kind = 52 + 32 + 8 + 2 + 1 + 1;
        assertEquals(0, store[kind]);
        assertThrows(MalformedInputException.class, () -> DhtCodec.decode(set(store, kind, 7)));
        assertThrows(MalformedInputException.class, () -> DhtCodec.decode(set(store, kind - 2, 1)));
    }

    /** PROTOCOL.md §7.2's record vector: one WireGuard endpoint and one relay the owner operates. */
    @Test
    void recordLayoutIsAsDocumented() {
        DhtRecord r = new DhtRecord(PublicKey.of(filled(0x11)), 1, 600, List.of(new RecordEndpoint(
                EndpointKind.WIREGUARD, IpEndpoint.parse("203.0.113.5:51820"))), List.of(new RecordRelay(true,
                        PublicKey.of(filled(0x22)), List.of(IpEndpoint.parse("203.0.113.5:51823"),
                                IpEndpoint.parse("[2001:db8::5]:51823")))));
        io.wirelink.facts.ByteSink s = new io.wirelink.facts.ByteSink(256);
        DhtCodec.writeRecord(s, r);
        String hex = HexFormat.of().formatHex(s.array(), 0, s.length());
        assertEquals("11".repeat(32) + "0000000000000001" + "0258" + "00" + "01" + "01" + "04cb007105ca6c"
                + "01" + "01" + "22".repeat(32) + "02" + "04cb007105ca6f" + "0620010db8" + "00".repeat(11) + "05ca6f",
                hex);
        assertEquals(s.length(), DhtCodec.recordLength(r));
        assertEquals(r, DhtCodec.readRecord(new io.wirelink.facts.ByteSource(s.array(), 0, s.length())));
    }

    @Test
    void recordRelaysAreBounded() {
        PublicKey k = B.publicKey();
        assertThrows(IllegalArgumentException.class, () -> new RecordRelay(false, k, List.of()),
                "a relay nobody can reach is useless to a reader");
        assertThrows(IllegalArgumentException.class, () -> new RecordRelay(false, k, List.of(V4, V6, V4, V6, V4)));
        assertThrows(IllegalArgumentException.class, () -> new RecordRelay(false, null, List.of(V4)));
        List<RecordRelay> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            five.add(new RecordRelay(false, key(200 + i).publicKey(), List.of(V4)));
        }
        assertThrows(IllegalArgumentException.class, () -> new DhtRecord(k, 1, 600, List.of(), five));
        new DhtRecord(k, 1, 600, List.of(), five.subList(0, DhtRecord.MAX_RELAYS));
    }

    /** The largest record there can be still fits in a VALUE reply (and in a STORE with a cookie). */
    @Test
    void theLargestRecordFitsInAPacket() {
        List<RecordEndpoint> eps = new ArrayList<>();
        for (int i = 0; i < DhtRecord.MAX_ENDPOINTS; i++) {
            eps.add(new RecordEndpoint(EndpointKind.WIREGUARD, new IpEndpoint(V6.address(), 1000 + i)));
        }
        List<RecordRelay> relays = new ArrayList<>();
        for (int i = 0; i < DhtRecord.MAX_RELAYS; i++) {
            relays.add(new RecordRelay(i == 0, key(300 + i).publicKey(), List.of(V6, V6, V6, V6)));
        }
        DhtRecord big = new DhtRecord(A.publicKey(), 1, 600, eps, relays);
        assertEquals(645, DhtCodec.recordLength(big));
        Packet value = new Packet(false, A.publicKey(), TS, 5, null, new Message.Value(1, V6, COOKIE, big), 0);
        Packet store = new Packet(true, A.publicKey(), TS, 5, COOKIE, new Message.Store(big), 0);
        assertEquals(756, DhtCodec.length(value));
        assertEquals(729, DhtCodec.length(store));
        byte[] k = new byte[32];
        assertEquals(value, DhtCodec.decode(DhtCodec.encode(value, k, B.publicKey())));
        assertEquals(store, DhtCodec.decode(DhtCodec.encode(store, k, B.publicKey())));
    }

    @Test
    void malformedRecordRelaysAreRefused() {
        byte[] k = new byte[32];
        DhtRecord r = new DhtRecord(A.publicKey(), 1, 600, List.of(), List.of(new RecordRelay(false, B.publicKey(),
                List.of(V4))));
        byte[] good = DhtCodec.encode(new Packet(false, A.publicKey(), TS, 5, null, new Message.Store(r), 0), k,
                B.publicKey());
        assertEquals(r, ((Message.Store) DhtCodec.decode(good).message()).record());
        int m = 52 + 32 + 8 + 2 + 1 + 1; // the relay count (no endpoints before it)
        assertEquals(1, good[m]);
        int flags = m + 1;
        int n = flags + 1 + 32;
        assertEquals(1, good[n]);
        List<byte[]> bad = new ArrayList<>();
        bad.add(set(good, m, 5)); // more relays than the maximum
        bad.add(set(good, m, 2)); // more relays than bytes
        bad.add(set(good, flags, 2)); // reserved relay flag
        bad.add(set(good, flags, 0x81));
        bad.add(set(good, n, 0)); // no endpoint
        bad.add(set(good, n, 5)); // too many endpoints
        bad.add(set(good, n, 2)); // more endpoints than bytes
        bad.add(set(good, n + 1, 5)); // address family
        bad.add(set(set(good, n + 6, 0), n + 7, 0)); // port 0
        for (byte[] b : bad) {
            assertThrows(MalformedInputException.class, () -> DhtCodec.decode(b), HexFormat.of().formatHex(b));
        }
        // trailing bytes after the record are padding and must be zero
        byte[] padded = DhtCodec.encode(new Packet(false, A.publicKey(), TS, 5, null, new Message.Store(r), 4), k,
                B.publicKey());
        assertEquals(4, DhtCodec.decode(padded).padding());
        assertThrows(MalformedInputException.class, () -> DhtCodec.decode(set(padded, padded.length - 17, 1)));
    }

    static byte[] filled(int b) {
        byte[] x = new byte[32];
        Arrays.fill(x, (byte) b);
        return x;
    }

    @Test
    void encoderRefusesOversizedPackets() {
        List<Contact> many = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            many.add(new Contact(key(100 + i).publicKey(), V6));
        }
        Packet p = new Packet(false, A.publicKey(), TS, 5, null, new Message.Nodes(1, V4, COOKIE, many), 0);
        assertTrue(DhtCodec.length(p) > DhtCodec.MAX_PACKET);
        assertThrows(IllegalArgumentException.class, () -> DhtCodec.encode(p, new byte[32], B.publicKey()));
        assertNull(new Packet(false, A.publicKey(), TS, 5, null, new Message.Ping(), 0).cookie());
    }

    static byte[] set(byte[] b, int i, int v) {
        byte[] c = b.clone();
        c[i] = (byte) v;
        return c;
    }
}
