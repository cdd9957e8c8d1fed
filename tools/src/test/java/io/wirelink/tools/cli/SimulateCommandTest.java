package io.wirelink.tools.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wirelink.agent.cli.WirelinkCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SimulateCommandTest {
    record Result(int code, String out, String err) {}

    /** {@code wirelink ARGS} with the simulator, as the tools jar runs it. */
    static Result run(String... args) {
        CommandLine cl = WirelinkCommand.commandLine(List.of(new SimulateCommand()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static final List<String> FIELDS = List.of("nodes", "hubs", "sample", "seed", "durationSeconds", "loss", "nat",
            "lastJoinSeconds", "convergenceSeconds", "directConvergenceSeconds", "pairs", "punchablePairs",
            "directShare", "idleShare", "routedShare", "unreachableShare", "punchableDirectShare",
            "punchableReadyShare", "pairsByNat",
            "controlBytesPerNodePerSecond", "controlBytesPerNodePerSecondMax", "controlBytesPerHubPerSecond",
            "steadyControlBytesPerNodePerSecond", "steadyControlBytesPerNodePerSecondMax",
            "steadyControlBytesPerHubPerSecond", "underlayBytesPerNodePerSecond", "underlayBytesPerNodePerSecondMax",
            "underlayBytesPerHubPerSecond", "gossipDatagramsPerNodePerSecond", "passesPerNodePerSecond",
            "quickStepsPerNodePerSecond", "factsPerNodeMean", "factsPerNodeMax",
            "factsPerHub", "standInFactsMean", "events", "traceHash", "decisionHash", "drops", "cpuSeconds", "cpuMicrosPerNodeSecond",
            "wallSeconds", "heapBytes", "heapBytesPerNode", "wake");

    @Test
    void jsonHasTheDocumentedFieldsAndIsDeterministic() throws Exception {
        String[] args = {"simulate", "--nodes", "8", "--duration", "20s", "--loss", "0", "--seed", "4", "--json"};
        Result r = run(args);
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        List<String> names = new java.util.ArrayList<>();
        j.fieldNames().forEachRemaining(names::add);
        assertEquals(FIELDS, names);
        assertEquals(8, j.get("nodes").asInt());
        assertEquals(20.0, j.get("durationSeconds").asDouble());
        assertTrue(j.get("convergenceSeconds").isNumber(), r.out());
        assertTrue(j.get("directShare").asDouble() > 0.5, r.out());
        assertTrue(j.get("controlBytesPerNodePerSecond").asDouble() > 0);
        JsonNode again = new ObjectMapper().readTree(run(args).out());
        for (String f : FIELDS) {
            if (!List.of("cpuSeconds", "cpuMicrosPerNodeSecond", "wallSeconds", "heapBytes", "heapBytesPerNode")
                    .contains(f)) {
                assertEquals(j.get(f), again.get(f), f);
            }
        }
    }

    @Test
    void textOutputNamesWhatItMeasured() {
        Result r = run("simulate", "--nodes", "4", "--duration", "15s", "--nat", "cone=1");
        assertEquals(0, r.code(), r.err());
        for (String s : List.of("4 nodes (4 cone, 0 symmetric, 0 public) and 1 hub", "everyone knows everyone",
                "punchable pairs direct", "pairs at the end", "control bytes/node/s", "facts held per node",
                "µs per simulated node-second")) {
            assertTrue(r.out().contains(s), s + " in:\n" + r.out());
        }
    }

    @Test
    void helpDocumentsTheJsonFields() {
        Result r = run("simulate", "--help");
        assertEquals(0, r.code());
        for (String f : List.of("convergenceSeconds", "directShare", "controlBytesPerNodePerSecond",
                "directConvergenceSeconds", "routedShare", "unreachableShare", "factsPerNodeMean",
                "cpuMicrosPerNodeSecond")) {
            assertTrue(r.out().contains("[" + f + "]"), f);
        }
    }

    @Test
    void badOptionsAreOneLineErrors() {
        Result r = run("simulate", "--nodes", "10", "--nat", "cone=0.5,symmetric=0.2");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("add up to 1"), r.err());
        assertEquals(2, run("simulate", "--nodes", "10", "--nat", "tunnel=1").code());
        assertEquals(2, run("simulate", "--nodes", "10", "--duration", "soon").code());
        assertEquals(2, run("simulate", "--nodes", "1").code());
        Result sample = run("simulate", "--nodes", "10", "--sample", "11");
        assertEquals(2, sample.code());
        assertTrue(sample.err().contains("--sample must be between 2 and --nodes"), sample.err());
    }

    @Test
    void traceShowsOneHostsPacketsAndReasonsAndChangesNothing() throws Exception {
        String[] args = {"simulate", "--nodes", "6", "--duration", "15s", "--nat", "cone=0.5,public=0.5", "--seed",
            "3", "--json"};
        Result plain = run(args);
        List<String> traced = new java.util.ArrayList<>(List.of(args));
        traced.addAll(List.of("--trace", "node2"));
        Result r = run(traced.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        ObjectMapper m = new ObjectMapper();
        assertEquals(m.readTree(plain.out()).get("traceHash"), m.readTree(r.out()).get("traceHash"),
                "tracing changes nothing in the run");
        List<String> lines = r.err().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.contains("wg-initiation") && l.contains("node2")), r.err());
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\d+\\.\\d{9} node2: .*")), "its agent's reasons");
        assertTrue(lines.stream().allMatch(l -> l.matches("\\d+\\.\\d{9} .*")), "every line has the time");
        // packets between other hosts are left out: every line names node2, its NAT, or the address it is seen at
        String toHub = lines.stream().filter(l -> l.matches("\\S+ node2(-nat)? -> hub0 .*")).findFirst().orElseThrow();
        String outside = toHub.split(" ")[5].split(":")[0];
        assertTrue(lines.stream().filter(l -> !l.contains(": ")).allMatch(l -> l.contains("node2")
                || l.contains(" " + outside + ":")), r.err());
        assertTrue(lines.stream().anyMatch(l -> l.contains("node0") && !l.contains("node2")), "packets from another"
                + " host to node2's address are in");
        Result bad = run("simulate", "--nodes", "6", "--trace", "node6");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("node0..node5"), bad.err());
    }

    @Test
    void parsesNatSharesAndDurations() {
        assertArrayEquals(new double[] {0.5, 0.2, 0.3}, SimulateCommand.parseNat("cone=0.5,symmetric=0.2,public=0.3"));
        assertArrayEquals(new double[] {0, 0, 1}, SimulateCommand.parseNat("public=1"));
        assertThrows(IllegalArgumentException.class, () -> SimulateCommand.parseNat("cone=2,public=-1"));
        assertEquals(Duration.ofSeconds(120), SimulateCommand.parseDuration("120s"));
        assertEquals(Duration.ofMillis(500), SimulateCommand.parseDuration("500ms"));
        assertEquals(Duration.ofMinutes(5), SimulateCommand.parseDuration("5m"));
        assertEquals(Duration.ofHours(1), SimulateCommand.parseDuration("1h"));
        assertEquals(Duration.ofMinutes(2), SimulateCommand.parseDuration("PT2M"));
    }
}
