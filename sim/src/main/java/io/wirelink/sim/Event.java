package io.wirelink.sim;

/**
 * Something that happens at one moment of virtual time. Subclasses carry their own data (a packet in flight is its
 * own event), so the queue allocates nothing per event. An event is in the queue at most once.
 */
abstract class Event {
    /** Virtual nanoseconds since the world started. */
    long time;
    /** Insertion order: breaks ties between events at the same time. */
    long seq;
    /** Position in the heap, or -1 when not queued. */
    int heapIndex = -1;

    abstract void fire();

    /** A few bits describing the event for the world's trace hash; the same run gives the same codes. */
    long traceCode() {
        return 0;
    }

    final boolean queued() {
        return heapIndex >= 0;
    }
}
