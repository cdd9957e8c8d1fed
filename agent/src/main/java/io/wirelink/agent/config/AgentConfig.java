package io.wirelink.agent.config;

import io.wirelink.facts.PublicKey;
import java.nio.file.Path;
import java.util.List;

/**
 * The agent's effective configuration after layering defaults, the file, {@code WIRELINK_*} variables and flags.
 *
 * @param source the config file that was read, or null when there was none
 */
public record AgentConfig(
        String iface,
        int port,
        RouterMode router,
        boolean chatty,
        boolean debug,
        List<String> reportIfaces,
        List<String> hideIfaces,
        Path stateDir,
        Path runDir,
        Timers timers,
        Dht dht,
        RelayConfig relay,
        List<PeerConfig> peers,
        Path source) {
    public AgentConfig {
        reportIfaces = List.copyOf(reportIfaces);
        hideIfaces = List.copyOf(hideIfaces);
        peers = List.copyOf(peers);
    }

    /** The same configuration with another peer list (for tests and the simulator). */
    public AgentConfig withPeers(List<PeerConfig> p) {
        return new AgentConfig(iface, port, router, chatty, debug, reportIfaces, hideIfaces, stateDir, runDir, timers,
                dht, relay, p, source);
    }

    /** The fact log file for this interface. */
    public Path stateFile() {
        return stateDir.resolve(iface + ".facts");
    }

    /** The control socket for this interface. */
    public Path controlSocket() {
        return runDir.resolve(iface + ".sock");
    }

    public PeerConfig peer(PublicKey key) {
        for (PeerConfig p : peers) {
            if (p.publicKey().equals(key)) {
                return p;
            }
        }
        return null;
    }
}
