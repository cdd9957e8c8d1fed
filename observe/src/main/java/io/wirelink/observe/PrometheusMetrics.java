package io.wirelink.observe;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An agent's state in the Prometheus text format (version 0.0.4), named by the ecosystem's conventions: base units
 * in the name, {@code _total} on counters, labels of bounded cardinality (a peer label has one value per member;
 * paths, channels and reasons are fixed sets). README.md, "Metrics", lists every name; dashboards and alerts rely
 * on them, so a rename is a breaking change.
 */
public final class PrometheusMetrics {
    /** The {@code Content-Type} of {@link #write}'s output. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private PrometheusMetrics() {}

    /** Writes {@code state} to {@code out} in the text format. */
    public static void write(MeshState state, OutputStream out) throws IOException {
        PrometheusTextFormatWriter.create().write(out, snapshots(state), EscapingScheme.UNDERSCORE_ESCAPING);
    }

    /** The metric families for {@code state}, in a stable order. */
    public static MetricSnapshots snapshots(MeshState state) {
        List<MetricSnapshot> m = new ArrayList<>();
        m.add(gauge("wirelink_build_info", "The agent's version; always 1.", null,
                Map.of(Labels.of("version", state.version()), 1.0)));
        m.add(gauge("wirelink_peers", "WireGuard peers by how traffic to them flows now.", null, paths(state)));
        m.add(gauge("wirelink_peer_last_handshake_timestamp_seconds",
                "The last WireGuard handshake with each peer, in seconds since the epoch (absent: none yet).",
                Unit.SECONDS, handshakes(state)));
        m.add(gauge("wirelink_facts", "Facts held, by the channel they came in on.", null,
                byLabel("channel", state.factsByChannel())));
        m.add(counter("wirelink_gossip_sent_bytes", "Gossip datagram bytes sent.", Unit.BYTES,
                Map.of(Labels.EMPTY, (double) state.gossipSentBytes())));
        m.add(counter("wirelink_gossip_received_bytes", "Gossip datagram bytes received.", Unit.BYTES,
                Map.of(Labels.EMPTY, (double) state.gossipReceivedBytes())));
        m.add(counter("wirelink_groups_rejected", "Received gossip datagrams dropped, by reason.", null,
                byLabel("reason", state.groupsRejected())));
        m.add(counter("wirelink_reconcile_changes", "Device changes applied to the WireGuard interface.", null,
                Map.of(Labels.EMPTY, (double) state.reconcileChanges())));
        if (state.relay() != null) {
            m.add(counter("wirelink_relay_forwarded_bytes", "Bytes this node's relay forwarded for others.",
                    Unit.BYTES, Map.of(Labels.EMPTY, (double) state.relay().forwardedBytes())));
        }
        if (state.dhtContacts() != null) {
            m.add(gauge("wirelink_dht_contacts", "Contacts in the DHT routing table.", null,
                    Map.of(Labels.EMPTY, (double) state.dhtContacts())));
        }
        if (state.portMappingUp() != null) {
            m.add(gauge("wirelink_port_mapping_up", "1 when the gateway holds a port mapping for us, else 0.", null,
                    Map.of(Labels.EMPTY, state.portMappingUp() ? 1.0 : 0.0)));
        }
        return new MetricSnapshots(m);
    }

    /** Every path appears, 0 included, so that a dashboard's series do not come and go. */
    private static Map<Labels, Double> paths(MeshState state) {
        Map<MeshState.Path, Double> counts = new EnumMap<>(MeshState.Path.class);
        for (MeshState.Path p : MeshState.Path.values()) {
            counts.put(p, 0.0);
        }
        state.peers().forEach(p -> counts.merge(p.path(), 1.0, Double::sum));
        Map<Labels, Double> out = new java.util.LinkedHashMap<>();
        counts.forEach((p, n) -> out.put(Labels.of("path", p.label()), n));
        return out;
    }

    private static Map<Labels, Double> handshakes(MeshState state) {
        Map<Labels, Double> out = new java.util.LinkedHashMap<>();
        state.peers().stream().filter(p -> p.lastHandshake() != null)
                .sorted(java.util.Comparator.comparing(MeshState.Peer::key))
                .forEach(p -> out.put(Labels.of("peer", p.key(), "name", p.name()),
                        p.lastHandshake().getEpochSecond() + p.lastHandshake().getNano() / 1e9));
        return out;
    }

    private static Map<Labels, Double> byLabel(String label, Map<String, Long> values) {
        Map<Labels, Double> out = new java.util.LinkedHashMap<>();
        new TreeMap<>(values).forEach((k, v) -> out.put(Labels.of(label, k), (double) v));
        return out;
    }

    private static GaugeSnapshot gauge(String name, String help, Unit unit, Map<Labels, Double> points) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        if (unit != null) {
            b.unit(unit);
        }
        points.forEach((l, v) -> b.dataPoint(GaugeDataPointSnapshot.builder().labels(l).value(v).build()));
        return b.build();
    }

    private static CounterSnapshot counter(String name, String help, Unit unit, Map<Labels, Double> points) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        if (unit != null) {
            b.unit(unit);
        }
        points.forEach((l, v) -> b.dataPoint(CounterDataPointSnapshot.builder().labels(l).value(v).build()));
        return b.build();
    }
}
