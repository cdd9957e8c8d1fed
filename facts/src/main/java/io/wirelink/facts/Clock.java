package io.wirelink.facts;

import java.time.Instant;

/**
 * The one source of time. Production reads the system clock; tests and the simulator advance a
 * {@link ManualClock}. State machines take {@code now} as a parameter and never call this themselves.
 */
public interface Clock {
    /** Wall-clock time, used for fact expiry and provenance. */
    Instant now();

    /** Monotonic nanoseconds, for intervals and timeouts. */
    long nanoTime();

    static Clock system() {
        return SystemClock.INSTANCE;
    }
}
