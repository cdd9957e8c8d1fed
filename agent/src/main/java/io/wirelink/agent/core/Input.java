package io.wirelink.agent.core;

import io.wirelink.agent.config.AgentConfig;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.HostNetwork;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.RelayAttachment;
import io.wirelink.traversal.RelayPlanner;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the world tells the core between ticks, as {@link Driver#input} takes it. Each is a value read or received by
 * the layer that does I/O (the runtime's I/O thread, a socket, the simulator's world) and handed to the core's thread.
 */
public sealed interface Input {

    /** A read of the WireGuard device. */
    record DeviceRead(DeviceState state) implements Input {}

    /** A read of the host's links and addresses. */
    record HostRead(List<HostNetwork.Link> links, List<HostNetwork.InterfaceAddress> addresses) implements Input {
        public HostRead {
            links = List.copyOf(links);
            addresses = List.copyOf(addresses);
        }
    }

    /** A gossip datagram from {@code source} (a link-local address on the WireGuard interface). */
    record Datagram(IpEndpoint source, byte[] data) implements Input {}

    /**
     * A DHT record of {@code owner}, seen by the DHT at {@code seen}: its WireGuard endpoints and relays, valid for
     * {@code ttl} (PROTOCOL.md §7.10).
     */
    record DhtResult(PublicKey owner, IpEndpoint seen, List<IpEndpoint> wireGuard, List<RelayAttachment> relays,
            Duration ttl) implements Input {}

    /**
     * A relay's disclosure about {@code peer} (PROTOCOL.md §6.4): where the relay at {@code relayEndpoint} sees the
     * peer's WireGuard port (null when the peer is not registered there) and the switch moment for a direct try.
     */
    record RelayDisclosure(PublicKey relay, IpEndpoint relayEndpoint, PublicKey peer, IpEndpoint endpoint,
            Instant moment) implements Input {}

    /** A relay answered a probe after {@code rtt}, seeing us at {@code observed}. */
    record RelayProbeReply(RelayPlanner.ProbeTarget target, Duration rtt, IpEndpoint observed) implements Input {}

    /**
     * The relay probes and disclosure queries of one {@link RelayPlanner#PROBE_INTERVAL} went out: the planner may
     * want a pass (a relay came alive or died, a direct try is due or ended).
     */
    record RelayProbesSent() implements Input {}

    /** The endpoints a gateway maps to our listen port (port mapping); empty when the mapping was lost. */
    record MappedEndpoints(List<IpEndpoint> endpoints) implements Input {
        public MappedEndpoints {
            endpoints = List.copyOf(endpoints);
        }
    }

    /** A reloaded configuration: a full pass follows at once. */
    record ConfigReload(AgentConfig config) implements Input {}
}
