package io.wirelink.observe;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one agent knows of its mesh at one moment, as the metrics and the live view read it. The agent builds it
 * from its core's snapshot and counters; nothing here reads a clock or the network.
 *
 * @param version the agent's version (the {@code wirelink_build_info} label)
 * @param peers every WireGuard peer of the interface, relay peers excluded
 * @param factsByChannel the facts held, by the channel they came in on (gossip, local, dht, relay, config)
 * @param gossipSentBytes gossip datagram bytes sent since start
 * @param gossipReceivedBytes gossip datagram bytes received since start
 * @param groupsRejected received datagrams dropped, by reason (bounded: the reasons are an enum)
 * @param reconcileChanges device changes applied since start
 * @param relay the relay this node runs, or null
 * @param dhtContacts the DHT routing table's size, or null when the DHT is off
 * @param portMappingUp whether a port mapping is held, or null when port mapping is off
 */
public record MeshState(String version, List<Peer> peers, Map<String, Long> factsByChannel, long gossipSentBytes,
        long gossipReceivedBytes, Map<String, Long> groupsRejected, long reconcileChanges, RelayServed relay,
        Integer dhtContacts, Boolean portMappingUp) {

    public MeshState {
        Objects.requireNonNull(version, "version");
        peers = List.copyOf(peers);
        factsByChannel = Map.copyOf(factsByChannel);
        groupsRejected = Map.copyOf(groupsRejected);
    }

    /** How traffic to a peer flows now. */
    public enum Path {
        /** Straight to the peer's endpoint. */
        DIRECT,
        /** Through a relay that forwards the WireGuard packets without decrypting them. */
        RELAY,
        /** Through a router of the mesh (the peer's allowed IPs sit on the router). */
        ROUTER,
        /** No working path. */
        NONE;

        /** The label value: lower case. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One peer.
     *
     * @param key its public key (base64)
     * @param name its name, or "" when it has none
     * @param path how traffic to it flows now
     * @param lastHandshake the last WireGuard handshake, or null when there has been none
     */
    public record Peer(String key, String name, Path path, Instant lastHandshake) {
        public Peer {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(path, "path");
            name = name == null ? "" : name;
        }
    }

    /** The relay this node runs for others: what it forwarded since start. */
    public record RelayServed(long forwardedBytes) {}
}
