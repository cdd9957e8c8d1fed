package io.wirelink.agent.config;

import java.nio.file.Path;

/**
 * The {@code relay} block: whether this node runs a relay for its mesh, on which port, with which key, and whether
 * it uses other nodes' relays for peers it cannot reach directly.
 *
 * @param enabled {@code AUTO}: run a relay when {@code public} is true
 * @param port the relay's UDP port outside the tunnel; 0 = WireGuard listen port + 3
 * @param keyFile the relay's WireGuard private key (created, mode 0600, when missing); null = derived from the
 *     device's private key (PROTOCOL.md §6.4)
 * @param use register with relays other nodes offer, for peers that cannot be reached directly
 * @param maxAttach how many relays to register with at once (the ones with the lowest RTT)
 */
public record RelayConfig(RouterMode enabled, int port, Path keyFile, boolean use, int maxAttach) {
    public static final RelayConfig DEFAULTS = new RelayConfig(RouterMode.AUTO, 0, null, true, 3);

    /** Whether this node runs a relay, given its {@code public} setting. */
    public boolean runs(boolean isPublic) {
        return enabled == RouterMode.TRUE || (enabled == RouterMode.AUTO && isPublic);
    }
}
