package io.wirelink.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A whole world, with NATs, jitter, loss and in-tunnel traffic, runs the same way twice for a seed. */
class DeterminismTest {
    private record Outcome(long traceHash, long events, TrafficStats traffic, String drops, int direct, long gossip) {}

    private static Outcome run(long seed) throws Exception {
        Mesh m = new Mesh(seed, 3, 40, Duration.ofSeconds(5), Duration.ofSeconds(2), 100);
        m.world.internet().jitter(Duration.ofMillis(5)).loss(0.02);
        m.world.runFor(Duration.ofSeconds(90));
        return new Outcome(m.world.traceHash(), m.world.eventsProcessed(), m.world.totalTraffic(),
                m.world.drops().toString(), m.directPairs(), m.gossipReceived);
    }

    @Test
    void sameSeedSameRunDifferentSeedDifferentRun() throws Exception {
        Outcome a = run(99);
        Outcome b = run(99);
        assertEquals(a, b);
        assertTrue(a.direct() >= 40 * 3 - 3, "nearly every leaf-hub pair is direct despite loss: " + a);
        assertTrue(a.gossip() > 40 * 3 * 40, "gossip flows: " + a);
        assertNotEquals(a.traceHash(), run(100).traceHash());
    }
}
