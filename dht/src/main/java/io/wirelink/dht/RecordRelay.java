package io.wirelink.dht;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import java.util.List;

/**
 * One relay in a {@link DhtRecord}: enough for a reader who knows nothing else to probe and register with it. The
 * encoding is that of a RelayAttachment value (PROTOCOL.md §3.1) with at least one endpoint:
 *
 * <pre>
 * flags (1: 01 operator; other bits 0) | relay public key (32) | n (1, 1..4) | n × address
 * </pre>
 *
 * @param operator the record's owner runs this relay (an offer); otherwise the owner is registered with it
 * @param relay the relay's WireGuard public key
 * @param endpoints where the relay listens: 1 to {@link #MAX_ENDPOINTS}; for an attachment, the one the owner uses
 */
public record RecordRelay(boolean operator, PublicKey relay, List<IpEndpoint> endpoints) {
    public static final int MAX_ENDPOINTS = 4;
    static final int FLAG_OPERATOR = 1;

    public RecordRelay {
        if (relay == null) {
            throw new IllegalArgumentException("record relay key is missing");
        }
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty() || endpoints.size() > MAX_ENDPOINTS) {
            throw new IllegalArgumentException("a record relay has 1.." + MAX_ENDPOINTS + " endpoints, got "
                    + endpoints.size());
        }
        for (IpEndpoint e : endpoints) {
            if (e.port() == 0) {
                throw new IllegalArgumentException("record relay endpoint " + e + " has port 0");
            }
        }
    }
}
