package io.wirelink.facts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class V1CodecTest {
    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    @Test
    void everyCapturedGoDatagramDecodesAndReEncodesToTheSameBytes() throws Exception {
        List<byte[]> packets = GoCapture.packets();
        assertEquals(66, packets.size());
        Map<Attribute, Integer> counts = new EnumMap<>(Attribute.class);
        Set<PublicKey> signers = new HashSet<>();
        for (byte[] d : packets) {
            Fact top = FactCodec.decodeDatagram(d, NOW);
            assertEquals(Attribute.SIGNED_GROUP, top.attribute());
            assertEquals(NOW, top.expires(), "outer TTL is 0");
            signers.add(top.subject());
            SignedGroupValue g = (SignedGroupValue) top.value();
            ByteSink inner = new ByteSink(512);
            for (Fact f : g.facts()) {
                counts.merge(f.attribute(), 1, Integer::sum);
                FactCodec.encodeV1(inner, f, NOW);
            }
            assertArrayEquals(g.inner(), inner.toByteArray(), "inner facts re-encode byte for byte");
            assertArrayEquals(d, FactCodec.encodeV1(top, NOW), "whole datagram re-encodes byte for byte");
        }
        assertEquals(Map.of(Attribute.MEMBER_METADATA, 103, Attribute.ENDPOINT_V4, 90, Attribute.ALIVE, 66,
                Attribute.ALLOWED_CIDR_V4, 27), counts);
        assertEquals(Set.of(PublicKey.parse("GbDu12ebM9LOq3a/rRsGNYQpgVSx6AL684WEy/eohFk="),
                PublicKey.parse("wdPJvx60EN64jFRMXzyRXufHSEvnPjDF8qf1CmFOpHs="),
                PublicKey.parse("x9XnbJsnF64OxxOAWqr4yvghymMZAYGo+dYGc8tzcRw=")), signers);
    }

    @Test
    void firstCapturedDatagramSaysWhatTheSpecSays() throws Exception {
        byte[] d = GoCapture.packets().get(0);
        assertEquals(176, d.length);
        SignedGroupValue g = (SignedGroupValue) FactCodec.decodeDatagram(d, NOW).value();
        PublicKey client2 = PublicKey.parse("x9XnbJsnF64OxxOAWqr4yvghymMZAYGo+dYGc8tzcRw=");
        Fact m = g.facts().get(0);
        assertEquals(Attribute.MEMBER_METADATA, m.attribute());
        assertEquals(client2, m.subject());
        assertEquals(NOW.plusSeconds(8), m.expires());
        assertEquals("client2@self", ((MemberMetadata) m.value()).name());
        assertEquals(Boolean.FALSE, ((MemberMetadata) m.value()).basic());
        Fact alive = g.facts().get(1);
        assertEquals(Attribute.ALIVE, alive.attribute());
        assertEquals(NOW.plusSeconds(9), alive.expires());
        assertEquals("ca95556f-8f5d-4224-b9e2-1a628d56fa41", alive.value().toString());
    }

    @Test
    void workedExamplesFromTheSpec() {
        PublicKey k = PublicKey.of(new byte[32]);
        Fact e = Fact.endpoint(k, IpEndpoint.parse("10.0.0.1:51280"), NOW.plusSeconds(255));
        assertEquals("0a000001c850", Hex.of(e.value().toBytes()));
        Fact a = Fact.allowedIp(k, IpPrefix.parse("10.0.0.0/24"), NOW.plusSeconds(255));
        assertEquals("0a00000018", Hex.of(a.value().toBytes()));
        byte[] enc = FactCodec.encodeV1(e, NOW);
        assertEquals("65" + "ff01" + "00".repeat(32) + "0a000001c850", Hex.of(enc));
        assertEquals(e, FactCodec.decodeDatagram(enc, NOW));
    }

    @Test
    void ttlIsFlooredAndClamped() {
        assertEquals(0, FactCodec.ttlSeconds(NOW.minusSeconds(5), NOW));
        assertEquals(4, FactCodec.ttlSeconds(NOW.plusMillis(4999), NOW));
        assertEquals(65535, FactCodec.ttlSeconds(NOW.plusSeconds(1_000_000), NOW));
    }

    @Test
    void goFuzzCorpusRegressions() {
        String subj = "30".repeat(32);
        // M with a sub-attribute whose length varint is 10 bytes long: error
        assertMalformed("4d30" + subj + "14" + "30" + "ffffffffffffffffff01" + "00".repeat(9));
        // E carrying ::ffff:48.48.48.48: error
        assertMalformed("4530" + subj + "00000000000000000000ffff30303030" + "3030");
        // a with prefix 48 > 32: error
        assertMalformed("6130" + subj + "3030303030");
        // A carrying ::ffff:48.48.48.48/48: error
        assertMalformed("4130" + subj + "00000000000000000000ffff30303030" + "30");
        // M with a huge payload length: error (> 1 MiB)
        assertMalformed("4d30" + subj + "f0f0f0f0f0d530");
        // M with non-canonical length 80 00 = 0: decodes, re-encodes shorter
        Fact m = FactCodec.decodeDatagram(Hex.of("4d30" + subj + "8000"), NOW);
        assertEquals(MemberMetadata.EMPTY, m.value());
        assertEquals(35, FactCodec.encodeV1(m, NOW).length, "re-encodes shorter than its 36 input bytes");
        // ! with non-canonical TTL BE 00 = 62: decodes, re-encodes shorter
        Fact alive = FactCodec.decodeDatagram(Hex.of("21be00" + subj + "30".repeat(16)), NOW);
        assertEquals(NOW.plusSeconds(62), alive.expires());
        assertEquals(50, FactCodec.encodeV1(alive, NOW).length);
        // M with sub-attributes '0' and ' ', both empty: decodes; re-encoding sorts them
        Fact sorted = FactCodec.decodeDatagram(Hex.of("4d30" + subj + "04" + "3000" + "2000"), NOW);
        assertEquals("4d30" + subj + "04" + "2000" + "3000", Hex.of(FactCodec.encodeV1(sorted, NOW)));
    }

    @Test
    void rejectsWhatWirelinkRejects() {
        String subj = "11".repeat(32);
        assertMalformed("00" + "00" + subj); // legacy ping
        assertMalformed("7a" + "00" + subj); // unknown attribute
        assertMalformed("21" + "808004" + subj + "00".repeat(16)); // TTL 65536
        assertMalformed("21" + "00" + subj + "00".repeat(15)); // short UUID
        assertMalformed("4d00" + subj + "06" + "6e0141" + "6e0142"); // duplicate name
        assertMalformed("4d00" + subj + "03" + "620102"); // basic = 2
        assertMalformed("4d00" + subj + "03" + "6e01ff"); // name not UTF-8
        assertMalformed("65" + "00" + subj + "0a000001c850" + "00"); // trailing byte
        // nested group inside a group
        String nested = "53" + "00" + subj + "00".repeat(40);
        assertMalformed("53" + "00" + subj + "00".repeat(40) + nested.substring(0));
    }

    @Test
    void metadataEncodesNameFirstThenAscending() {
        MemberMetadata md = MemberMetadata.of(Map.of(0x62, new byte[] {1}, 0x6e, "hub".getBytes(), 0x20, new byte[0]));
        assertEquals("6e03687562" + "2000" + "620101", Hex.of(md.encodeEntries()));
        assertEquals("hub", md.name());
        assertTrue(md.basic());
    }

    static void assertMalformed(String hex) {
        assertThrows(MalformedInputException.class, () -> FactCodec.decodeDatagram(Hex.of(hex), NOW), hex);
    }
}
