package io.wirelink.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AlivenessTest {
    static final Instant T = Instant.parse("2026-11-22T10:00:00Z");
    static final Duration SETTLE = Duration.ofSeconds(30);
    static final PublicKey K = PathHealthTest.key(1);

    @Test
    void aliveForCountsFromTheFirstAliveAndABreakStartsAgain() {
        Aliveness a = new Aliveness();
        assertEquals(T.plusSeconds(60), a.observe(K, T.plusSeconds(60), T));
        assertFalse(a.aliveFor(K, SETTLE, T.plusSeconds(29)));
        a.observe(K, T.plusSeconds(90), T.plusSeconds(30));
        assertTrue(a.aliveFor(K, SETTLE, T.plusSeconds(30)), "alive since T, not since the newer Alive");

        assertNull(a.observe(K, T.plusSeconds(90), T.plusSeconds(90)), "expired at now: not alive");
        assertFalse(a.aliveFor(K, SETTLE, T.plusSeconds(200)));
        a.observe(K, T.plusSeconds(200), T.plusSeconds(100));
        assertFalse(a.aliveFor(K, SETTLE, T.plusSeconds(129)), "counted again from the new start");
        assertTrue(a.aliveFor(K, SETTLE, T.plusSeconds(130)));
    }

    @Test
    void retainForgetsOthersAndNoAliveIsNotAlive() {
        Aliveness a = new Aliveness();
        assertNull(a.observe(K, null, T));
        a.observe(K, T.plusSeconds(60), T);
        a.retain(Set.of(PathHealthTest.key(2)));
        assertFalse(a.aliveFor(K, Duration.ZERO, T.plusSeconds(1)));
    }
}
