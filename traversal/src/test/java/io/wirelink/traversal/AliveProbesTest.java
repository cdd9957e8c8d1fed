package io.wirelink.traversal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Alive probe schedule of paths that do not work, on an injected clock. */
class AliveProbesTest {
    static final Duration PERIOD = Duration.ofSeconds(10);
    final PublicKey low = PeerPathTest.key(1);
    final PublicKey high = PeerPathTest.key(2);
    Instant now = Instant.parse("2026-11-22T10:00:00Z");

    @Test
    void theSmallerKeyProbesAtOnceThenBacksOffDoublingUpToTheCap() {
        AliveProbes probes = new AliveProbes(low);
        assertTrue(probes.probe(high, PERIOD, now), "first probe at once");
        assertEquals(now.plus(PERIOD), probes.nextProbeDue(now));
        assertFalse(probes.probe(high, PERIOD, now.plus(PERIOD).minusMillis(1)), "not before the back-off");
        Duration b = PERIOD;
        for (int i = 0; i < 10; i++) {
            now = now.plus(b);
            assertTrue(probes.isDue(high, now));
            assertTrue(probes.probe(high, PERIOD, now));
            b = b.multipliedBy(2).compareTo(PERIOD.multipliedBy(AliveProbes.MAX_PROBE_BACKOFF)) > 0
                    ? PERIOD.multipliedBy(AliveProbes.MAX_PROBE_BACKOFF) : b.multipliedBy(2);
            assertEquals(now.plus(b), probes.nextProbeDue(now), "after probe " + (i + 2));
        }
        assertEquals(PERIOD.multipliedBy(AliveProbes.MAX_PROBE_BACKOFF), b);
    }

    @Test
    void theGreaterKeyWaitsDesyncSoInitiationsDoNotCross() {
        AliveProbes probes = new AliveProbes(high);
        assertFalse(probes.probe(low, PERIOD, now));
        assertEquals(now.plus(AliveProbes.DESYNC), probes.nextProbeDue(now));
        assertFalse(probes.isDue(low, now));
        assertTrue(probes.probe(low, PERIOD, now.plus(AliveProbes.DESYNC)));
    }

    @Test
    void anEndpointSwitchProbesAtOnceWithHalfTheBackOff() {
        AliveProbes probes = new AliveProbes(low);
        probes.probe(high, PERIOD, now);
        probes.probeNow(high, now.plusSeconds(1));
        assertTrue(probes.isDue(high, now.plusSeconds(1)));
        assertEquals(Set.of(high), probes.due(now.plusSeconds(1)));
        assertTrue(probes.probe(high, PERIOD, now.plusSeconds(1)));
        assertEquals(now.plusSeconds(1).plus(PERIOD), probes.nextProbeDue(now.plusSeconds(1)),
                "halved, then doubled by the probe");
        AliveProbes none = new AliveProbes(low);
        none.probeNow(high, now);
        assertNull(none.nextProbeDue(now.minusSeconds(1)), "nothing scheduled: nothing to advance");
    }

    @Test
    void aScheduleNotConsultedByAPassIsDropped() {
        AliveProbes probes = new AliveProbes(low);
        PublicKey other = PeerPathTest.key(3);
        probes.startPass();
        probes.probe(high, PERIOD, now);
        probes.probe(other, PERIOD, now);
        probes.endPass();
        assertTrue(probes.anyDue(now.plus(PERIOD)));
        probes.startPass();
        probes.probe(high, PERIOD, now.plusSeconds(1));
        probes.endPass();
        assertTrue(probes.dueOrUnscheduled(other, now), "other's schedule is gone");
        assertFalse(probes.dueOrUnscheduled(high, now.plusSeconds(1)));
        probes.retain(Set.of());
        assertFalse(probes.anyDue(now.plusSeconds(3600)));
        assertNull(probes.nextProbeDue(now));
    }
}
