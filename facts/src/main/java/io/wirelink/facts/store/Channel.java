package io.wirelink.facts.store;

/**
 * How a fact reached this node. The channel is provenance, not trust: the trust policy that reads the view decides
 * what each channel may assert. LOCAL and CONFIG facts are this node's own and are never evicted to make room for
 * remote ones.
 */
public enum Channel {
    /** Observed on this host: the device, its interfaces, its own Alive. */
    LOCAL(1),
    /** Read from the static configuration file. */
    CONFIG(2),
    /** Received in a verified signed group from a peer. */
    GOSSIP(3),
    /** Learned from a DHT record (a hint until the peer proves itself). */
    DHT(4),
    /** Reported by a relay (e.g. a NAT-mapped endpoint it observed). */
    RELAY(5);

    private static final Channel[] BY_CODE = new Channel[8];

    static {
        for (Channel c : values()) {
            BY_CODE[c.code] = c;
        }
    }

    private final int code;

    Channel(int code) {
        this.code = code;
    }

    /** True for this node's own facts (LOCAL, CONFIG). */
    public boolean isLocal() {
        return this == LOCAL || this == CONFIG;
    }

    /** The name used in JSON and {@code --dump-facts}: {@code local}, {@code config}, {@code gossip}, … */
    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses {@link #jsonName()} (case-insensitive). */
    public static Channel fromJsonName(String name) {
        for (Channel c : values()) {
            if (c.jsonName().equalsIgnoreCase(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown channel '" + name + "'");
    }

    /** The stable byte used in the persisted event encoding (never the ordinal). */
    int code() {
        return code;
    }

    /** The channel for a persisted byte, or null if unknown. */
    static Channel fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
