package io.wirelink.gossip;

import java.time.Duration;

/**
 * Gossip timing. Defaults are never slower than wirelink's (FactTTL 255 s, Alive every 30 s, a 5 s pass): Alive
 * is sent every 10 s and lives 35 s, so it expires well before the 255 s facts it vouches for (wirelink gave both
 * 255 s), and changes go out at once rather than at the next 5 s tick.
 *
 * @param factTtl lifetime of local facts
 * @param aliveTtl lifetime of Alive facts; must be shorter than {@code factTtl}
 * @param alivePeriod how often Alive is re-sent to each peer
 * @param antiEntropy the periodic pass that re-sends what a peer is missing
 */
public record GossipSettings(Duration factTtl, Duration aliveTtl, Duration alivePeriod, Duration antiEntropy) {
    public static final GossipSettings DEFAULTS =
            new GossipSettings(Duration.ofSeconds(255), Duration.ofSeconds(35), Duration.ofSeconds(10),
                    Duration.ofSeconds(5));

    public GossipSettings {
        if (aliveTtl.compareTo(alivePeriod) <= 0 || aliveTtl.compareTo(factTtl) >= 0) {
            throw new IllegalArgumentException("need alivePeriod < aliveTtl < factTtl");
        }
        if (factTtl.toSeconds() > 65535) {
            throw new IllegalArgumentException("factTtl must fit the 16-bit wire TTL");
        }
    }

    /** A fact is re-sent when what the peer holds expires within this window (wirelink: TTL/2 + one pass). */
    public Duration factWindow() {
        return factTtl.dividedBy(2).plus(antiEntropy);
    }

    /** Alive is re-sent when what the peer holds expires within this window. */
    public Duration aliveWindow() {
        return aliveTtl.minus(alivePeriod);
    }
}
