package io.wirelink.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Grafana dashboard in observe/grafana uses only metrics the agent writes, every one of them, in valid PromQL. */
class DashboardTest {
    static final Path DASHBOARD = Path.of("grafana/wirelink-mesh.json");
    static final Pattern METRIC = Pattern.compile("\\bwirelink_[a-z_]+");

    static List<String> expressions() throws Exception {
        JsonNode d = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> out = new ArrayList<>();
        for (JsonNode panel : d.get("panels")) {
            for (JsonNode t : panel.get("targets")) {
                out.add(t.get("expr").asText());
            }
        }
        return out;
    }

    /** The series names the agent writes for a state with every optional part present. */
    static Set<String> written() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        PrometheusMetrics.write(PrometheusMetricsTest.sample(true), out);
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(out.toString(StandardCharsets.UTF_8));
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    @Test
    void everyMetricTheDashboardUsesIsWrittenAndEveryWrittenOneIsUsed() throws Exception {
        Set<String> used = new TreeSet<>();
        for (String e : expressions()) {
            Matcher m = METRIC.matcher(e);
            while (m.find()) {
                used.add(m.group());
            }
        }
        assertEquals(written(), used);
    }

    /** promtool checks PromQL in rule files: each panel's query becomes a recording rule. */
    @Test
    void everyQueryIsValidPromql(@TempDir Path dir) throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        Assumptions.assumeTrue(Files.isExecutable(promtool) || System.getenv("CI") != null,
                "promtool is not installed (apt-get install prometheus)");
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int i = 0;
        for (String e : expressions()) {
            // Grafana's variables are not PromQL: give them a value first
            String q = e.replace("$instance", ".*");
            rules.append("      - record: dashboard:q").append(i++).append("\n        expr: '")
                    .append(q.replace("'", "''")).append("'\n");
        }
        Path f = dir.resolve("rules.yml");
        Files.writeString(f, rules);
        Process p = new ProcessBuilder(promtool.toString(), "check", "rules", f.toString()).redirectErrorStream(true)
                .start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool finished");
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), said);
        assertTrue(said.contains("SUCCESS: " + i + " rules found"), said);
    }
}
