package io.wirelink.agent.config;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code relay} block: whether this node runs a relay for its mesh, on which port, with which key, whether it
 * uses other nodes' relays for peers it cannot reach directly, and relays it knows from the config.
 *
 * @param enabled {@code AUTO}: run a relay when {@code public} is true
 * @param port the relay's UDP port outside the tunnel; 0 = WireGuard listen port + 3
 * @param keyFile the relay's WireGuard private key (created, mode 0600, when missing); null = derived from the
 *     device's private key (PROTOCOL.md §6.4)
 * @param use register with relays other nodes offer, for peers that cannot be reached directly
 * @param maxAttach how many relays to register with at once (the ones with the lowest RTT)
 * @param servers relays nobody needs to offer: used exactly like offered ones (probed, registered with, chosen)
 */
public record RelayConfig(RouterMode enabled, int port, Path keyFile, boolean use, int maxAttach,
        List<Server> servers) {
    public static final RelayConfig DEFAULTS = new RelayConfig(RouterMode.AUTO, 0, null, true, 3, List.of());
    /** At most this many {@code servers} (the planner probes at most 8 relays in all). */
    public static final int MAX_SERVERS = 8;

    /** A configured relay: {@code <base64 relay public key>@<ip>:<port>}. */
    public record Server(PublicKey key, IpEndpoint endpoint) {
        public static Server parse(String s) {
            String t = s.strip();
            int at = t.indexOf('@');
            if (at <= 0 || at == t.length() - 1) {
                throw new IllegalArgumentException("'" + s + "' is not <base64 relay public key>@<ip>:<port>");
            }
            IpEndpoint ep = IpEndpoint.parse(t.substring(at + 1));
            if (ep.port() == 0) {
                throw new IllegalArgumentException("'" + s + "': port 0");
            }
            return new Server(PublicKey.parse(t.substring(0, at)), ep);
        }

        @Override
        public String toString() {
            return key + "@" + endpoint;
        }
    }

    public RelayConfig {
        servers = List.copyOf(servers);
    }

    /** Without servers, as before {@code relay.servers} existed. */
    public RelayConfig(RouterMode enabled, int port, Path keyFile, boolean use, int maxAttach) {
        this(enabled, port, keyFile, use, maxAttach, List.of());
    }

    /** Whether this node runs a relay, given its {@code public} setting. */
    public boolean runs(boolean isPublic) {
        return enabled == RouterMode.TRUE || (enabled == RouterMode.AUTO && isPublic);
    }
}
