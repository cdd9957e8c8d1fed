package io.wirelink.agent.config;

import io.wirelink.facts.PublicKey;
import java.nio.file.Path;
import java.util.List;

/**
 * The agent's effective configuration after layering defaults, the file, {@code WIRELINK_*} variables and flags.
 *
 * @param source the config file that was read, or null when there was none
 * @param portMapping whether the listen port is mapped on the gateway (PCP, NAT-PMP, UPnP-IGD)
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
        Path source,
        PortMappingMode portMapping) {
    public AgentConfig {
        reportIfaces = List.copyOf(reportIfaces);
        hideIfaces = List.copyOf(hideIfaces);
        peers = List.copyOf(peers);
        portMapping = portMapping == null ? PortMappingMode.AUTO : portMapping;
    }

    /** A configuration with the default port mapping ({@code auto}). */
    public AgentConfig(String iface, int port, RouterMode router, boolean chatty, boolean debug,
            List<String> reportIfaces, List<String> hideIfaces, Path stateDir, Path runDir, Timers timers, Dht dht,
            RelayConfig relay, List<PeerConfig> peers, Path source) {
        this(iface, port, router, chatty, debug, reportIfaces, hideIfaces, stateDir, runDir, timers, dht, relay, peers,
                source, PortMappingMode.AUTO);
    }

    /** A configuration with the default relay settings and port mapping. */
    public AgentConfig(String iface, int port, RouterMode router, boolean chatty, boolean debug,
            List<String> reportIfaces, List<String> hideIfaces, Path stateDir, Path runDir, Timers timers, Dht dht,
            List<PeerConfig> peers, Path source) {
        this(iface, port, router, chatty, debug, reportIfaces, hideIfaces, stateDir, runDir, timers, dht,
                RelayConfig.DEFAULTS, peers, source, PortMappingMode.AUTO);
    }

    /** The same configuration with another peer list (for tests and the simulator). */
    public AgentConfig withPeers(List<PeerConfig> p) {
        return new AgentConfig(iface, port, router, chatty, debug, reportIfaces, hideIfaces, stateDir, runDir, timers,
                dht, relay, p, source, portMapping);
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
