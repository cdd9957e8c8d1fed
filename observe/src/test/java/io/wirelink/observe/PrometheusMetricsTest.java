package io.wirelink.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrometheusMetricsTest {
    static final String A = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
    static final String B = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";

    static MeshState sample(boolean optional) {
        return new MeshState("0.1.0", List.of(
                new MeshState.Peer(A, "alpha", MeshState.Path.DIRECT, Instant.ofEpochSecond(1_800_000_000L, 500_000_000)),
                new MeshState.Peer(B, "", MeshState.Path.RELAY, null)),
                Map.of("gossip", 12L, "local", 5L), 4096, 8192, Map.of("wrong_source", 2L, "unverified", 1L), 7,
                optional ? new MeshState.RelayServed(123456) : null, optional ? 17 : null, optional ? true : null);
    }

    static String text(MeshState s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusMetrics.write(s, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyNamedSeriesIsThere() throws IOException {
        String t = text(sample(true));
        for (String line : List.of("wirelink_build_info{version=\"0.1.0\"} 1.0",
                "wirelink_peers{path=\"direct\"} 1.0", "wirelink_peers{path=\"relay\"} 1.0",
                "wirelink_peers{path=\"router\"} 0.0", "wirelink_peers{path=\"none\"} 0.0",
                "wirelink_peer_last_handshake_timestamp_seconds{name=\"alpha\",peer=\"" + A + "\"} 1.8000000005E9",
                "wirelink_facts{channel=\"gossip\"} 12.0", "wirelink_facts{channel=\"local\"} 5.0",
                "wirelink_gossip_sent_bytes_total 4096.0", "wirelink_gossip_received_bytes_total 8192.0",
                "wirelink_groups_rejected_total{reason=\"unverified\"} 1.0",
                "wirelink_groups_rejected_total{reason=\"wrong_source\"} 2.0",
                "wirelink_reconcile_changes_total 7.0", "wirelink_relay_forwarded_bytes_total 123456.0",
                "wirelink_dht_contacts 17.0", "wirelink_port_mapping_up 1.0")) {
            assertTrue(t.lines().anyMatch(line::equals), line + " in\n" + t);
        }
        assertTrue(t.contains("# TYPE wirelink_gossip_sent_bytes_total counter"), t);
        assertFalse(t.contains(B + "\""), "a peer without a handshake has no timestamp series");
    }

    @Test
    void optionalFamiliesAreAbsentWhenTheirPartIsOff() throws IOException {
        String t = text(sample(false));
        assertFalse(t.contains("wirelink_relay_forwarded_bytes"), t);
        assertFalse(t.contains("wirelink_dht_contacts"), t);
        assertFalse(t.contains("wirelink_port_mapping_up"), t);
    }

    @Test
    void labelValuesAreEscaped() throws IOException {
        MeshState s = new MeshState("0.1.0", List.of(new MeshState.Peer(A, "a \"quoted\" \\ name\nx",
                MeshState.Path.DIRECT, Instant.ofEpochSecond(1))), Map.of(), 0, 0, Map.of(), 0, null, null, null);
        assertTrue(text(s).contains("name=\"a \\\"quoted\\\" \\\\ name\\nx\""), text(s));
    }

    @Test
    void theSameStateGivesTheSameText() throws IOException {
        assertEquals(text(sample(true)), text(sample(true)));
    }

    /** Prometheus's own linter: names, units, help, types. CI installs it (Debian's prometheus package). */
    @Test
    void promtoolFindsNoProblem(@TempDir Path dir) throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        Assumptions.assumeTrue(Files.isExecutable(promtool) || System.getenv("CI") != null,
                "promtool is not installed (apt-get install prometheus)");
        Path f = dir.resolve("metrics.txt");
        Files.writeString(f, text(sample(true)));
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectInput(f.toFile())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool finished");
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), said);
        assertEquals("", said.strip(), "promtool found problems");
    }
}
