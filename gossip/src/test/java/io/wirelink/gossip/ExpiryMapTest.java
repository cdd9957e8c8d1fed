package io.wirelink.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.Fact;
import io.wirelink.facts.FactKey;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** ExpiryMap against a HashMap doing the same operations, seeded. */
class ExpiryMapTest {
    static List<FactKey> keys(int n) {
        PublicKey subject = PrivateKey.generate(new java.security.SecureRandom()).publicKey();
        List<FactKey> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Fact.endpoint(subject, IpEndpoint.parse("198.51.100." + (1 + i / 250) + ":" + (1000 + i % 250)),
                    Instant.EPOCH).key());
        }
        return out;
    }

    @Test
    void behavesLikeAHashMapUnderRandomOperations() {
        List<FactKey> keys = keys(300);
        for (long seed = 1; seed <= 20; seed++) {
            Random r = new Random(seed);
            ExpiryMap m = new ExpiryMap();
            Map<FactKey, Long> model = new HashMap<>();
            for (int op = 0; op < 5_000; op++) {
                FactKey k = keys.get(r.nextInt(r.nextBoolean() ? 40 : keys.size()));
                int what = r.nextInt(100);
                if (what < 55) {
                    long v = r.nextInt(1_000);
                    m.put(k, v);
                    model.put(k, v);
                } else if (what < 85) {
                    assertEquals(model.remove(k) != null, m.remove(k), "remove, seed " + seed);
                } else if (what < 90) {
                    long now = r.nextInt(1_000);
                    model.values().removeIf(v -> v <= now);
                    long min = m.removeExpired(now);
                    assertEquals(model.values().stream().mapToLong(Long::longValue).min().orElse(ExpiryMap.ABSENT),
                            min);
                } else if (what < 93) {
                    Set<FactKey> keep = new HashSet<>();
                    for (FactKey x : keys) {
                        if (r.nextInt(4) > 0) {
                            keep.add(x);
                        }
                    }
                    model.keySet().retainAll(keep);
                    m.retainAll(keep);
                } else if (what < 95 && !model.isEmpty()) {
                    long min = model.values().stream().mapToLong(Long::longValue).min().orElseThrow();
                    m.removeSoonest();
                    FactKey gone = null;
                    for (FactKey x : model.keySet()) {
                        if (model.get(x) == min && m.get(x) == ExpiryMap.ABSENT) {
                            gone = x;
                        }
                    }
                    assertTrue(gone != null, "the soonest one went");
                    model.remove(gone);
                }
                assertEquals(model.size(), m.size());
                for (FactKey x : keys.subList(0, 40)) {
                    assertEquals(model.getOrDefault(x, ExpiryMap.ABSENT), m.get(x), "get, seed " + seed);
                }
            }
            Map<FactKey, Long> seen = new HashMap<>();
            m.forEach(seen::put);
            assertEquals(model, seen);
        }
    }

    @Test
    void ticksAreWholeSecondsRoundedUpAndSaturate() {
        Knowledge k = new Knowledge(1, 1);
        Instant t = Instant.parse("2026-11-22T18:00:00Z");
        assertEquals(ExpiryMap.MAX, k.tick(Instant.MAX), "the far future first does not become the origin");
        assertEquals(0, k.tick(t), "the first second seen is tick 0");
        assertEquals(1, k.tick(t.plusNanos(1)), "rounded up");
        assertEquals(2_040, k.tick(t.plusSeconds(2_040)));
        assertEquals(-5, k.tick(t.minusSeconds(5)));
        assertEquals(t.plusSeconds(7), k.instantOf(k.tick(t.plusMillis(6_500))));
        assertEquals(ExpiryMap.MAX, k.tick(Instant.MAX));
        assertEquals(Instant.MAX, k.instantOf(ExpiryMap.MAX));
        assertEquals(ExpiryMap.MIN, k.tick(Instant.MIN));
        ExpiryMap m = new ExpiryMap();
        assertTrue(m.isEmpty());
        assertEquals(ExpiryMap.ABSENT, m.min());
        assertFalse(m.remove(keys(1).get(0)));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> m.put(keys(1).get(0), ExpiryMap.MAX + 1));
    }
}
