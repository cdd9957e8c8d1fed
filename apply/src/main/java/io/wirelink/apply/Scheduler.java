package io.wirelink.apply;

import io.wirelink.facts.Clock;
import java.time.Duration;

/**
 * Time and timers for the agent's event loop. The real runtime implements it with Vert.x timers on the agent's
 * context; the simulator ({@code io.wirelink.sim.World}) with its virtual clock.
 *
 * <p>Tasks run one at a time on the thread that owns the agent, never concurrently with each other or with received
 * datagrams, and never inside the call to {@link #schedule}. {@link #now()} and {@link #nanoTime()} are the only
 * time the agent reads (G3); a task that wants to know how late it runs compares them with its own deadline.
 */
public interface Scheduler extends Clock {
    /**
     * Runs {@code task} once, {@code delay} from now. A zero delay runs it after the work already due at this
     * moment, in the order tasks were scheduled.
     *
     * @throws IllegalArgumentException when {@code delay} is negative
     */
    Cancellable schedule(Duration delay, Runnable task);

    /** A scheduled task that has not run yet can be stopped. */
    @FunctionalInterface
    interface Cancellable {
        /** Stops the task; true when this call stopped it, false when it had already run or been cancelled. */
        boolean cancel();
    }
}
