package io.wirelink.dht;

import java.util.List;

/**
 * How a lookup ended.
 *
 * @param closest up to k nodes that answered, closest to the target first
 * @param record the value found (FIND_VALUE), a hint to be confirmed by a probe; otherwise null
 * @param hops the lookup depth at which the answer came: 1 for a node from our own table, d + 1 for a node learned
 *     from a depth-d reply
 * @param queried requests sent
 * @param timeouts requests that got no answer
 * @param elapsedMillis from start to finish
 */
public record LookupResult(NodeId target, Outcome outcome, List<Contact> closest, DhtRecord record, int hops,
        int queried, int timeouts, long elapsedMillis) {
    public enum Outcome {
        /** The node whose ID is the target answered us (it is among {@code closest}, first). */
        FOUND_TARGET,
        /** A FIND_VALUE got the record. */
        FOUND_VALUE,
        /** The k closest nodes all answered; the target node or value is not among them. */
        CLOSEST,
        /** Nobody answered. */
        FAILED,
        /** The lookup's time ran out. */
        TIMED_OUT
    }

    public LookupResult {
        closest = List.copyOf(closest);
    }

    public boolean found() {
        return outcome == Outcome.FOUND_TARGET || outcome == Outcome.FOUND_VALUE;
    }
}
