package io.wirelink.facts.store;

import io.wirelink.facts.Fact;
import io.wirelink.facts.FactKey;
import java.time.Instant;

/**
 * One entry of the fact log: a fact as one author asserted it, with the store's sequence number. The event expires
 * when its fact does.
 *
 * @param seq the store's sequence number: unique, increasing in append order, never reused by a store file
 * @param fact the fact, with its absolute expiry
 * @param provenance who asserted it and how it arrived
 */
public record FactEvent(long seq, Fact fact, Provenance provenance) {
    public FactEvent {
        if (seq < 0) {
            throw new IllegalArgumentException("seq must not be negative: " + seq);
        }
        if (fact == null || provenance == null) {
            throw new IllegalArgumentException("event needs a fact and a provenance");
        }
    }

    public Instant expires() {
        return fact.expires();
    }

    public FactKey key() {
        return fact.key();
    }

    /** True when the event no longer counts at {@code now} (expiry is exclusive: expires <= now). */
    public boolean expiredAt(Instant now) {
        return !fact.expires().isAfter(now);
    }

    /**
     * Whether this event beats {@code other} as the assertion of the same key by the same author: the later expiry
     * wins; on equal expiry the earlier sequence number stays (a re-received duplicate changes nothing).
     */
    boolean beats(FactEvent other) {
        int c = fact.expires().compareTo(other.fact.expires());
        return c > 0 || (c == 0 && seq < other.seq);
    }

    @Override
    public String toString() {
        return "#" + seq + " " + fact + " [" + provenance + "]";
    }
}
