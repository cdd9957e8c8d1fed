package io.wirelink.facts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.bouncycastle.crypto.modes.XChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

class SigningTest {
    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    static final byte[] KEY = Hex.of("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    static final byte[] NONCE = Hex.of("404142434445464748494a4b4c4d4e4f5051525354555657");
    static final byte[] AAD = Hex.of("50515253c0c1c2c3c4c5c6c7");
    static final byte[] PLAIN = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the"
                    + " future, sunscreen would be it.")
            .getBytes(StandardCharsets.US_ASCII);
    static final String CT_PREFIX = "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6";
    static final String TAG = "c0875924c1c7987947deafd8780acf49";

    @Test
    void hchacha20DraftVector() {
        byte[] key = Hex.of("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] nonce = Hex.of("000000090000004a0000000031415927");
        assertEquals("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc",
                Hex.of(XChaChaReference.hchacha20(key, nonce)));
    }

    @Test
    void xchachaDraftVectorA31ThroughBouncyCastleAndTheReference() throws Exception {
        XChaCha20Poly1305 bc = new XChaCha20Poly1305();
        bc.init(true, new AEADParameters(new KeyParameter(KEY), 128, NONCE, AAD));
        byte[] out = new byte[bc.getOutputSize(PLAIN.length)];
        int n = bc.processBytes(PLAIN, 0, PLAIN.length, out, 0);
        bc.doFinal(out, n);
        String hex = Hex.of(out);
        assertTrue(hex.startsWith(CT_PREFIX));
        assertTrue(hex.endsWith(TAG));
        assertEquals(hex, Hex.of(XChaChaReference.seal(KEY, NONCE, AAD, PLAIN)));
    }

    @Test
    void groupTagIsXChaChaOfAnEmptyPlaintextWithTheGroupAsAd() throws Exception {
        Random r = new Random(7);
        for (int i = 0; i < 50; i++) {
            byte[] key = new byte[32];
            byte[] nonce = new byte[24];
            byte[] ad = new byte[r.nextInt(1200)];
            r.nextBytes(key);
            r.nextBytes(nonce);
            r.nextBytes(ad);
            assertArrayEquals(XChaChaReference.seal(key, nonce, ad, new byte[0]),
                    GroupSigner.get().tag(key, nonce, ad, 0, ad.length));
        }
    }

    @Test
    void x25519SharedSecretIsSymmetricAndMatchesRfc7748() {
        // RFC 7748 §6.1
        PrivateKey alice = PrivateKey.of(Hex.of("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        PrivateKey bob = PrivateKey.of(Hex.of("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
        assertEquals("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", Hex.of(alice.publicKey().toBytes()));
        assertEquals("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
                Hex.of(alice.sharedSecret(bob.publicKey())));
        assertArrayEquals(alice.sharedSecret(bob.publicKey()), bob.sharedSecret(alice.publicKey()));
        assertFalse(alice.toString().contains(alice.toBase64()), "toString never prints the private key");
    }

    static List<Fact> sampleFacts(PublicKey subject, int n) {
        List<Fact> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Fact.endpoint(subject, IpEndpoint.parse("198.51.100." + (i % 250) + ":" + (51820 + i)),
                    NOW.plusSeconds(255)));
            out.add(Fact.allowedIp(subject, IpPrefix.parse("2001:db8::" + Integer.toHexString(i) + "/128"),
                    NOW.plusSeconds(255)));
        }
        out.add(Fact.alive(subject, new UUID(1, 2), NOW.plusSeconds(30)));
        out.add(Fact.member(subject, MemberMetadata.of("hub", false), NOW.plusSeconds(255)));
        return out;
    }

    @Test
    void sealAndOpenRoundTripBothVersions() {
        Random r = new Random(1);
        PrivateKey a = PrivateKey.generate(new java.security.SecureRandom());
        PrivateKey b = PrivateKey.generate(new java.security.SecureRandom());
        SignedGroups sa = new SignedGroups(a, 16);
        SignedGroups sb = new SignedGroups(b, 16);
        List<Fact> facts = sampleFacts(a.publicKey(), 60);
        for (int version = 1; version <= 2; version++) {
            List<byte[]> ds = sa.seal(version, b.publicKey(), facts, NOW, r);
            assertTrue(ds.size() > 1, "60 endpoints + 60 /128s need several groups");
            List<Fact> back = new ArrayList<>();
            for (byte[] d : ds) {
                assertTrue(d.length <= FactCodec.MAX_DATAGRAM, "datagram of " + d.length + " bytes");
                SignedGroups.Opened o = sb.open(d, NOW);
                assertTrue(o.verified());
                assertEquals(a.publicKey(), o.signer());
                assertEquals(version, o.group().version());
                back.addAll(o.facts());
            }
            assertEquals(facts, back);
            // a third party holding neither key cannot verify
            SignedGroups sc = new SignedGroups(PrivateKey.generate(new java.security.SecureRandom()), 4);
            assertFalse(sc.open(ds.get(0), NOW).verified());
        }
    }

    @Test
    void anyTamperedByteFailsVerificationOrDecoding() {
        Random r = new Random(2);
        PrivateKey a = PrivateKey.generate(new java.security.SecureRandom());
        PrivateKey b = PrivateKey.generate(new java.security.SecureRandom());
        SignedGroups sa = new SignedGroups(a, 4);
        SignedGroups sb = new SignedGroups(b, 4);
        for (int version = 1; version <= 2; version++) {
            byte[] d = sa.seal(version, b.publicKey(), sampleFacts(a.publicKey(), 3), NOW, r).get(0);
            for (int i = 0; i < d.length; i++) {
                byte[] t = d.clone();
                t[i] ^= (byte) (1 << r.nextInt(8));
                boolean accepted;
                try {
                    accepted = sb.open(t, NOW).verified();
                } catch (MalformedInputException e) {
                    accepted = false;
                }
                assertFalse(accepted, "v" + version + ": flipping a bit of byte " + i + " must not verify");
            }
        }
    }

    @Test
    void packingKeepsEveryGroupWithinTheLimitAndPreservesOrder() {
        PrivateKey a = PrivateKey.generate(new java.security.SecureRandom());
        SignedGroups sa = new SignedGroups(a, 4);
        List<Fact> facts = sampleFacts(a.publicKey(), 200);
        // an oversized fact gets a group of its own
        byte[] bigName = new byte[1500];
        Arrays.fill(bigName, (byte) 'x');
        facts.add(5, Fact.member(a.publicKey(), MemberMetadata.of(java.util.Map.of(MemberMetadata.NAME, bigName)),
                NOW.plusSeconds(9)));
        List<byte[]> ds = sa.seal(1, a.publicKey(), facts, NOW, new Random(3));
        int oversize = 0;
        List<Fact> back = new ArrayList<>();
        for (byte[] d : ds) {
            SignedGroupValue g = (SignedGroupValue) FactCodec.decodeDatagram(d, NOW).value();
            if (g.inner().length > FactCodec.MAX_INNER) {
                oversize++;
                assertEquals(1, g.facts().size());
            }
            back.addAll(g.facts());
        }
        assertEquals(1, oversize);
        assertEquals(facts, back);
    }

    @Test
    void v2SkipsUnknownAttributesInsteadOfDroppingTheGroup() {
        PrivateKey a = PrivateKey.generate(new java.security.SecureRandom());
        PrivateKey b = PrivateKey.generate(new java.security.SecureRandom());
        Fact e = Fact.endpoint(a.publicKey(), IpEndpoint.parse("203.0.113.5:51820"), NOW.plusSeconds(60));
        ByteSink rec = new ByteSink(200);
        FactCodec.encodeV2(rec, e, NOW);
        // a record of a future attribute 'z' with a 5-byte value, between two known ones
        rec.writeByte('z');
        rec.writeUvarint(60);
        rec.write(a.publicKey().toBytes());
        rec.writeUvarint(5);
        rec.write(new byte[] {1, 2, 3, 4, 5});
        FactCodec.encodeV2(rec, e, NOW);
        byte[] records = rec.toByteArray();
        byte[] ad = FactCodec.v2Ad(0, records, 0, records.length);
        byte[] nonce = new byte[24];
        byte[] tag = GroupSigner.get().tag(a.sharedSecret(b.publicKey()), nonce, ad, 0, ad.length);
        ByteSink d = new ByteSink(300);
        d.writeByte('G');
        d.writeByte(0);
        d.write(a.publicKey().toBytes());
        d.writeByte(2);
        d.writeByte(0);
        d.write(nonce);
        d.write(tag);
        d.write(records);
        SignedGroups.Opened o = new SignedGroups(b, 4).open(d.toByteArray(), NOW);
        assertTrue(o.verified());
        assertEquals(List.of(e, e), o.facts());
        assertEquals(1, o.group().skippedUnknown());
        // the same unknown attribute inside a v1 group drops the whole group, as wirelink does
        ByteSink v1 = new ByteSink(200);
        v1.write(new byte[] {'S', 0});
        v1.write(a.publicKey().toBytes());
        v1.write(new byte[40]);
        FactCodec.encodeV1(v1, e, NOW);
        v1.write(new byte[] {'z', 0});
        v1.write(a.publicKey().toBytes());
        org.junit.jupiter.api.Assertions.assertThrows(
                MalformedInputException.class, () -> FactCodec.decodeDatagram(v1.toByteArray(), NOW));
    }

    @Test
    void trustGrantTravelsOnlyInV2() {
        PrivateKey a = PrivateKey.generate(new java.security.SecureRandom());
        PrivateKey b = PrivateKey.generate(new java.security.SecureRandom());
        Fact grant = new Fact(Attribute.TRUST_GRANT, b.publicKey(), new FactValue.Grant(3), NOW.plusSeconds(60));
        SignedGroups sa = new SignedGroups(a, 4);
        List<byte[]> v2 = sa.seal(2, b.publicKey(), List.of(grant), NOW, new Random(9));
        assertEquals(List.of(grant), new SignedGroups(b, 4).open(v2.get(0), NOW).facts());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> sa.seal(1, b.publicKey(), List.of(grant), NOW, new Random(9)));
        // a 'T' inside a v1 group is an unknown attribute to wirelink, and to us
        V1CodecTest.assertMalformed("53" + "00" + "11".repeat(32) + "00".repeat(40) + "54" + "3c" + "22".repeat(32) + "03");
        // a level out of range is malformed in v2
        org.junit.jupiter.api.Assertions.assertThrows(MalformedInputException.class, () -> FactCodec.decodeV2Records(
                Hex.of("54" + "3c" + "22".repeat(32) + "01" + "05"), 0, 36, NOW, new int[1]));
    }

    @Test
    void observedEndpointsTravelOnlyInV2AndAnnouncingV2FitsInV1() {
        PrivateKey a = PrivateKey.generate(new java.security.SecureRandom());
        PrivateKey b = PrivateKey.generate(new java.security.SecureRandom());
        Fact o4 = Fact.observed(b.publicKey(), IpEndpoint.parse("198.51.100.3:40001"), NOW.plusSeconds(60));
        Fact o6 = Fact.observed(b.publicKey(), IpEndpoint.parse("[2001:db8::3]:40001"), NOW.plusSeconds(60));
        SignedGroups sa = new SignedGroups(a, 4);
        List<byte[]> v2 = sa.seal(2, b.publicKey(), List.of(o4, o6), NOW, new Random(9));
        assertEquals(List.of(o4, o6), new SignedGroups(b, 4).open(v2.get(0), NOW).facts());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> sa.seal(1, b.publicKey(), List.of(o4), NOW, new Random(10)));
        org.junit.jupiter.api.Assertions.assertThrows(MalformedInputException.class, () -> FactCodec.decodeV2Records(
                Hex.of("6f" + "3c" + "22".repeat(32) + "05" + "c633640300"), 0, 39, NOW, new int[1]));
        // the v2 announcement is a v1 MemberMetadata with an extra sub-attribute, as a Go node would forward it
        Fact hello = Fact.member(a.publicKey(), MemberMetadata.EMPTY.withVersion(2), NOW.plusSeconds(60));
        byte[] d = sa.seal(1, b.publicKey(), List.of(hello), NOW, new Random(11)).get(0);
        Fact back = new SignedGroups(b, 4).open(d, NOW).facts().get(0);
        assertEquals(2, ((MemberMetadata) back.value()).version());
        assertEquals(1, MemberMetadata.of("x", false).version());
    }

    @Test
    void relayAttachmentTravelsOnlyInV2WithAnExactLayout() {
        PrivateKey a = PrivateKey.generate(new java.security.SecureRandom());
        PrivateKey b = PrivateKey.generate(new java.security.SecureRandom());
        PublicKey relay = PublicKey.of(Hex.of("22".repeat(32)));
        RelayAttachment offer = new RelayAttachment(true, relay, List.of(IpEndpoint.parse("198.51.100.7:51823"),
                IpEndpoint.parse("[2001:db8::7]:51823")));
        // flags | key | n | 04 ip port | 06 ip port
        assertEquals("01" + "22".repeat(32) + "02" + "04" + "c6336407" + "ca6f" + "06" + "20010db8" + "00".repeat(11)
                + "07" + "ca6f", Hex.of(offer.toBytes()));
        Fact f = Fact.relay(a.publicKey(), offer, NOW.plusSeconds(60));
        Fact g = Fact.relay(a.publicKey(), new RelayAttachment(false, relay, List.of()), NOW.plusSeconds(60));
        SignedGroups sa = new SignedGroups(a, 4);
        List<byte[]> v2 = sa.seal(2, b.publicKey(), List.of(f, g), NOW, new Random(9));
        assertEquals(List.of(f, g), new SignedGroups(b, 4).open(v2.get(0), NOW).facts());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> sa.seal(1, b.publicKey(), List.of(f), NOW, new Random(10)));
        // an 'r' inside a v1 group is unknown there
        V1CodecTest.assertMalformed("53" + "00" + "11".repeat(32) + "00".repeat(40) + "72" + "3c" + "22".repeat(32)
                + "00" + "22".repeat(32) + "00");
        for (String bad : new String[] {
                "02" + "22".repeat(32) + "00", // unknown flag bit
                "00" + "22".repeat(32) + "05" + ("04c6336407ca6f").repeat(5), // five endpoints
                "00" + "22".repeat(32) + "01" + "05c6336407ca6f", // family 5
                "00" + "22".repeat(32) + "01" + "04c63364070000", // port 0
                "00" + "22".repeat(32) + "01" + "06" + "00".repeat(10) + "ffffc6336407" + "ca6f", // v4-mapped
                "00" + "22".repeat(32) + "01" + "04c6336407ca", // truncated
                "00" + "22".repeat(32) + "00" + "00", // trailing byte
                "00" + "22".repeat(31)}) { // short key
            byte[] v = Hex.of(bad);
            org.junit.jupiter.api.Assertions.assertThrows(MalformedInputException.class,
                    () -> RelayAttachment.decode(v, 0, v.length), bad);
        }
    }

    @Test
    void acksTravelOnlyInV2AndTrackedSealsNameEachDatagramsFactsAndId() {
        PrivateKey a = PrivateKey.generate(new java.security.SecureRandom());
        PrivateKey b = PrivateKey.generate(new java.security.SecureRandom());
        SignedGroups sa = new SignedGroups(a, 4);
        SignedGroups sb = new SignedGroups(b, 4);
        Fact ack = new Fact(Attribute.ACK, a.publicKey(), new FactValue.Acks(List.of(1L, -2L, 0x0102030405060708L)),
                NOW);
        List<Fact> facts = new ArrayList<>(sampleFacts(a.publicKey(), 60));
        facts.add(0, ack);
        List<SignedGroups.Sealed> sealed = sa.sealTracked(2, b.publicKey(), facts, NOW, new Random(3),
                SignedGroupValue.FLAG_ACK_REQUEST);
        assertTrue(sealed.size() > 1);
        List<Fact> back = new ArrayList<>();
        for (SignedGroups.Sealed s : sealed) {
            SignedGroups.Opened o = sb.open(s.datagram(), NOW);
            assertTrue(o.verified());
            assertEquals(s.facts(), o.facts(), "each datagram carries exactly the facts its record names");
            assertEquals(s.id(), o.group().id());
            assertEquals(SignedGroupValue.FLAG_ACK_REQUEST, o.group().flags());
            back.addAll(o.facts());
            // the flags are covered by the tag: clearing the ack request breaks verification
            byte[] d = s.datagram().clone();
            d[35] = 0;
            assertFalse(sb.open(d, NOW).verified());
        }
        assertEquals(facts, back);
        assertEquals(0, sb.open(sa.seal(2, b.publicKey(), facts, NOW, new Random(4)).get(0), NOW).group().flags());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> sa.seal(1, b.publicKey(), List.of(ack), NOW, new Random(10)));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> sa.sealTracked(1, b.publicKey(), List.of(), NOW, new Random(10), 1));
        // an Ack must carry 1 to 64 whole ids
        for (String v : new String[] {"", "0102030405060708ff", "00".repeat(8 * 65)}) {
            String rec = "6b" + "00" + "22".repeat(32) + String.format("%02x", v.length() / 2 > 127
                    ? 0 : v.length() / 2) + v;
            if (v.length() / 2 > 127) {
                rec = "6b" + "00" + "22".repeat(32) + "8804" + v; // uvarint 520
            }
            byte[] raw = Hex.of(rec);
            org.junit.jupiter.api.Assertions.assertThrows(MalformedInputException.class,
                    () -> FactCodec.decodeV2Records(raw, 0, raw.length, NOW, new int[1]), rec.substring(0, 8));
        }
        assertThrows(IllegalArgumentException.class, () -> new FactValue.Acks(List.of()));
    }
}
