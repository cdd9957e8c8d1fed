package io.wirelink.facts;

import java.time.Duration;
import java.time.Instant;

/** A clock that moves only when told to: for tests and the simulator. Not thread-safe by design. */
public final class ManualClock implements Clock {
    private Instant now;
    private long nanos;

    public ManualClock(Instant start) {
        this.now = start;
    }

    @Override
    public Instant now() {
        return now;
    }

    @Override
    public long nanoTime() {
        return nanos;
    }

    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("time does not run backwards: " + d);
        }
        now = now.plus(d);
        nanos += d.toNanos();
    }
}
