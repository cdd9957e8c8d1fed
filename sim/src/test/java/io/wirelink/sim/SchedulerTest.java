package io.wirelink.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SchedulerTest {
    @Test
    void tasksRunInTimeOrderThenSchedulingOrder() {
        World w = World.create(1);
        List<String> ran = new ArrayList<>();
        w.schedule(Duration.ofMillis(20), () -> ran.add("c@20"));
        w.schedule(Duration.ofMillis(10), () -> ran.add("a@10"));
        w.schedule(Duration.ofMillis(10), () -> {
            ran.add("b@10");
            // zero delay: after everything already due at this moment
            w.schedule(Duration.ZERO, () -> ran.add("e@10"));
        });
        w.schedule(Duration.ofMillis(10), () -> ran.add("d@10"));
        w.runFor(Duration.ofMillis(15));
        assertEquals(List.of("a@10", "b@10", "d@10", "e@10"), ran);
        assertEquals(15_000_000L, w.nanoTime());
        assertEquals(World.DEFAULT_START.plusMillis(15), w.now());
        w.runFor(Duration.ofMillis(5)); // the boundary is inclusive
        assertEquals(List.of("a@10", "b@10", "d@10", "e@10", "c@20"), ran);
    }

    @Test
    void cancelStopsOnlyPendingTasks() {
        World w = World.create(1);
        List<String> ran = new ArrayList<>();
        Scheduler.Cancellable a = w.schedule(Duration.ofSeconds(1), () -> ran.add("a"));
        Scheduler.Cancellable b = w.schedule(Duration.ofSeconds(1), () -> ran.add("b"));
        assertTrue(a.cancel());
        assertFalse(a.cancel());
        w.runFor(Duration.ofSeconds(2));
        assertFalse(b.cancel());
        assertEquals(List.of("b"), ran);
        assertEquals(1, w.eventsProcessed());
    }

    @Test
    void runUntilStopsAtTheInstantOrTheCondition() {
        World w = World.create(1, Instant.parse("2030-05-05T00:00:00Z"));
        int[] count = {0};
        for (int i = 1; i <= 10; i++) {
            w.schedule(Duration.ofSeconds(i), () -> count[0]++);
        }
        w.runUntil(Instant.parse("2030-05-05T00:00:03Z"));
        assertEquals(3, count[0]);
        assertTrue(w.runUntil(() -> count[0] == 5, Duration.ofMinutes(1)));
        assertEquals(Instant.parse("2030-05-05T00:00:05Z"), w.now());
        assertFalse(w.runUntil(() -> count[0] == 99, Duration.ofSeconds(30)));
        assertEquals(10, count[0]);
        assertEquals(Instant.parse("2030-05-05T00:00:35Z"), w.now());
        assertThrows(IllegalArgumentException.class, () -> w.runUntil(Instant.parse("2030-05-05T00:00:00Z")));
    }

    @Test
    void argumentsAndReentryAreChecked() {
        World w = World.create(1);
        assertThrows(IllegalArgumentException.class, () -> w.schedule(Duration.ofMillis(-1), () -> {}));
        assertThrows(IllegalArgumentException.class, () -> w.schedule(Duration.ZERO, null));
        w.schedule(Duration.ZERO, () -> w.runFor(Duration.ofSeconds(1)));
        assertThrows(IllegalStateException.class, () -> w.runFor(Duration.ofSeconds(1)));
        // the world is usable after a task threw
        int[] ran = {0};
        w.schedule(Duration.ZERO, () -> ran[0]++);
        w.runFor(Duration.ZERO);
        assertEquals(1, ran[0]);
    }

    @Test
    void sameSeedSameTrace() {
        long[] first = run(42);
        long[] again = run(42);
        long[] other = run(43);
        assertEquals(first[0], again[0], "trace hash");
        assertEquals(first[1], again[1], "events");
        assertTrue(first[0] != other[0], "a different seed should give a different run");
    }

    /** Tasks with random delays that schedule more tasks: the trace depends only on the seed. */
    private static long[] run(long seed) {
        World w = World.create(seed);
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        Runnable[] spawn = new Runnable[1];
        int[] budget = {5000};
        spawn[0] = () -> {
            if (budget[0]-- > 0) {
                w.schedule(Duration.ofMillis(r.nextInt(100)), spawn[0]);
                if (r.nextInt(3) == 0) {
                    w.schedule(Duration.ofMillis(r.nextInt(100)), spawn[0]);
                }
            }
        };
        for (int i = 0; i < 10; i++) {
            w.schedule(Duration.ofMillis(i), spawn[0]);
        }
        w.runFor(Duration.ofHours(1));
        return new long[] {w.traceHash(), w.eventsProcessed()};
    }

    @Test
    void eventQueueMatchesAPriorityQueueUnderRandomUse() {
        Random r = new Random(7);
        EventQueue q = new EventQueue();
        PriorityQueue<long[]> ref = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0])
                : Long.compare(a[1], b[1]));
        List<Probe> live = new ArrayList<>();
        for (int step = 0; step < 100_000; step++) {
            int op = r.nextInt(10);
            if (op < 5 || live.isEmpty()) {
                Probe p = live.size() > 10 && r.nextBoolean() ? live.get(r.nextInt(live.size())) : new Probe();
                if (p.queued()) {
                    ref.removeIf(e -> e[2] == p.id);
                } else {
                    live.add(p);
                }
                q.schedule(p, r.nextInt(1000));
                ref.add(new long[] {p.time, p.seq, p.id});
            } else if (op < 8) {
                Event e = q.poll();
                long[] want = ref.poll();
                assertEquals(want[2], ((Probe) e).id);
                live.remove(e);
            } else {
                Probe p = live.remove(r.nextInt(live.size()));
                assertTrue(q.remove(p));
                assertFalse(q.remove(p));
                ref.removeIf(e -> e[2] == p.id);
            }
            assertEquals(ref.size(), q.size());
        }
    }

    private static final class Probe extends Event {
        private static long ids;
        final long id = ids++;

        @Override
        void fire() {}
    }
}
