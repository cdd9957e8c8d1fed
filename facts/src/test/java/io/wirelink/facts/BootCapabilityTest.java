package io.wirelink.facts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BootCapabilityTest {
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void aStampedBootIdAnnouncesItsVersionAndKeepsTheRestRandom() {
        UUID r = new UUID(0x0123_4567_89ab_cdefL, 0xfedc_ba98_7654_3210L);
        UUID s = BootCapability.stamp(r, 3);
        assertEquals("776c0367-89ab-8def-bedc-ba9876543210", s.toString());
        assertEquals(8, s.version(), "RFC 9562 version 8: custom");
        assertEquals(2, s.variant(), "RFC variant");
        assertEquals(3, BootCapability.version(s));
        assertEquals(2, BootCapability.version(BootCapability.stamp(r, 2)));
        assertEquals(255, BootCapability.version(BootCapability.stamp(r, 255)));
        assertThrows(IllegalArgumentException.class, () -> BootCapability.stamp(r, 1));
        // 98 random bits survive: different random IDs stay different
        Random rnd = new Random(7);
        Set<UUID> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            seen.add(BootCapability.stamp(new UUID(rnd.nextLong(), rnd.nextLong()), 3));
        }
        assertEquals(10_000, seen.size());
    }

    @Test
    void randomBootIdsAndNearMissesReadAsV1() {
        for (int i = 0; i < 1000; i++) {
            assertEquals(1, BootCapability.version(UUID.randomUUID()), "v4, as Go and older agents make them");
        }
        UUID s = BootCapability.stamp(UUID.randomUUID(), 3);
        // the mark, the UUID version or the variant wrong: no capability
        assertEquals(1, BootCapability.version(new UUID(s.getMostSignificantBits() ^ (1L << 48),
                s.getLeastSignificantBits())));
        assertEquals(1, BootCapability.version(new UUID(s.getMostSignificantBits() ^ 0x4000L,
                s.getLeastSignificantBits())));
        assertEquals(1, BootCapability.version(new UUID(s.getMostSignificantBits(),
                s.getLeastSignificantBits() ^ (1L << 62))));
        assertEquals(1, BootCapability.version(new UUID(0x776c_0100_0000_8000L, 0x8000_0000_0000_0000L)),
                "a stamp below 2 announces nothing");
    }

    @Test
    void everyGoBootIdInTheCaptureReadsAsV1() throws Exception {
        int alive = 0;
        for (byte[] d : GoCapture.packets()) {
            SignedGroupValue g = (SignedGroupValue) FactCodec.decodeDatagram(d, NOW).value();
            for (Fact f : g.facts()) {
                if (f.value() instanceof FactValue.BootId b) {
                    assertEquals(1, BootCapability.version(b.id()), b.id().toString());
                    alive++;
                }
            }
        }
        assertEquals(66, alive);
    }

    @Test
    void aStampedAliveIsAPlainV1AliveOnTheWire() {
        PublicKey k = PublicKey.of(new byte[32]);
        UUID s = BootCapability.stamp(new UUID(1, 2), 3);
        Fact alive = Fact.alive(k, s, NOW.plusSeconds(35));
        ByteSink out = new ByteSink(64);
        FactCodec.encodeV1(out, alive, NOW);
        byte[] b = out.toByteArray();
        assertEquals(1 + 1 + 32 + 16, b.length, "attribute, TTL 35, subject, 16-byte UUID");
        assertEquals('!', b[0]);
        assertArrayEquals(new byte[] {0x77, 0x6c, 0x03}, java.util.Arrays.copyOfRange(b, 34, 37));
        assertNotEquals(new UUID(1, 2), s);
    }
}
