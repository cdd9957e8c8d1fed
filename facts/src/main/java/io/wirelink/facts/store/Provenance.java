package io.wirelink.facts.store;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Who asserted a fact and how it reached us.
 *
 * @param author the key that signed or asserted the fact: the signer of a gossip group, the DHT record's owner, the
 *     relay; for LOCAL and CONFIG facts the local node's key
 * @param channel how the fact arrived
 * @param source the underlay address it came from, or null when there is none (LOCAL, CONFIG, usually DHT)
 * @param receivedAt when it arrived; truncated to whole milliseconds, the precision the store persists
 */
public record Provenance(PublicKey author, Channel channel, IpEndpoint source, Instant receivedAt) {
    public Provenance {
        if (author == null) {
            throw new IllegalArgumentException("provenance needs an author");
        }
        if (channel == null) {
            throw new IllegalArgumentException("provenance needs a channel");
        }
        if (receivedAt == null) {
            throw new IllegalArgumentException("provenance needs receivedAt");
        }
        receivedAt = millis(receivedAt, "receivedAt");
    }

    /** A provenance for this node's own facts (no source address). */
    public static Provenance local(PublicKey self, Channel channel, Instant receivedAt) {
        if (channel != null && !channel.isLocal()) {
            throw new IllegalArgumentException(channel + " is not a local channel");
        }
        return new Provenance(self, channel, null, receivedAt);
    }

    /** About 31 000 years either side of 1970: far from overflow even after adding a lifetime. */
    private static final long MAX_MILLIS = 1_000_000_000_000_000L;

    /** {@code t} truncated to milliseconds; rejects instants so far out that millisecond sums could overflow. */
    static Instant millis(Instant t, String what) {
        long ms;
        try {
            ms = t.toEpochMilli();
        } catch (ArithmeticException e) {
            ms = Long.MAX_VALUE;
        }
        if (Math.abs(ms) > MAX_MILLIS) {
            throw new IllegalArgumentException(what + " out of range: " + t);
        }
        return t.truncatedTo(ChronoUnit.MILLIS);
    }

    @Override
    public String toString() {
        return channel.jsonName() + " by " + author + (source == null ? "" : " from " + source) + " at " + receivedAt;
    }
}
