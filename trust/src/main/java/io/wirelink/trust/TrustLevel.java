package io.wirelink.trust;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How far a peer's word is taken, in increasing order: each level includes the ones below it. The names are
 * wirelink's, used in config files and output.
 */
public enum TrustLevel {
    /** Nothing the peer says is accepted. */
    Untrusted,
    /** May tell us endpoints of peers we know. */
    Endpoint,
    /** May also tell us allowed IPs. */
    AllowedIPs,
    /** May also add and remove peers (membership). */
    Membership,
    /** May also vouch for other peers' trust levels, up to its own level minus one. */
    DelegateTrust;

    public boolean atLeast(TrustLevel other) {
        return compareTo(other) >= 0;
    }

    /** Parses a level name, case-insensitively; the error lists the valid names. */
    public static TrustLevel parse(String s) {
        for (TrustLevel t : values()) {
            if (t.name().equalsIgnoreCase(s.strip())) {
                return t;
            }
        }
        throw new IllegalArgumentException("'" + s + "' is not a trust level (one of "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")) + ")");
    }
}
