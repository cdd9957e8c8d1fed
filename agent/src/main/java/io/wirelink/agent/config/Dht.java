package io.wirelink.agent.config;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import java.util.List;

/**
 * The DHT settings: {@code network}, {@code workbit}, {@code boot}, {@code public}, {@code dhtPort}.
 *
 * @param dhtPort 0 = WireGuard listen port + 2
 */
public record Dht(String network, int workbit, List<Boot> boot, boolean isPublic, int dhtPort) {
    /** A bootstrap node: {@code key@ip:port}. */
    public record Boot(PublicKey key, IpEndpoint endpoint) {
        public static Boot parse(String s) {
            int at = s.indexOf('@');
            if (at <= 0) {
                throw new IllegalArgumentException("'" + s + "' is not <base64 key>@<ip>:<port>");
            }
            return new Boot(PublicKey.parse(s.substring(0, at)), IpEndpoint.parse(s.substring(at + 1)));
        }
    }

    public Dht {
        boot = List.copyOf(boot);
    }

    /** The DHT runs when there is somewhere to join or something to serve. */
    public boolean enabled() {
        return isPublic || !boot.isEmpty();
    }
}
