package io.wirelink.agent.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Golden runs: the simulator on a handful of option sets, each pinned to committed constants: the run's deterministic
 * fields, among them {@code traceHash} (a hash of every event the world ran, with its time) and
 * {@code decisionHash} (every decision the agents' cores handed their drivers: device changes, the fact keys of each
 * datagram, the reasons; see {@link DecisionDigest}).
 *
 * <p>A commit that only restructures code keeps every constant equal. A commit that changes behaviour updates them in
 * a commit of its own that says why. To print the current values in the form below (the assertions still run):
 * {@code mvn -B -q -o -pl agent -am test -Dtest=GoldenRunsTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dwirelink.goldens.print=true}. To find the first decision that moved, write every decision of each run to
 * {@code DIR/NAME.txt} with {@code -Dwirelink.goldens.decisions=DIR}, before and after, and diff them.
 */
class GoldenRunsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** 20 nodes of the default NAT mix, no loss: joining, punching, quiet paths and the wake test. */
    static final Simulation.Options SMALL_MESH = Simulation.Options.defaults(20).withLoss(0).withSeed(1)
            .withDuration(Duration.ofSeconds(60));

    /** 5% loss per hop: retransmission of unacknowledged facts, handshakes lost and retried. */
    static final Simulation.Options LOSS = Simulation.Options.defaults(16).withLoss(0.05).withSeed(2)
            .withDuration(Duration.ofSeconds(60));

    /**
     * Mostly symmetric NATs and two hubs: pairs that cannot be punched are routed through the hubs, which relay their
     * traffic (the simulator has no relay servers of the relay module; the hubs are the relays it has).
     */
    static final Simulation.Options SYMMETRIC = Simulation.Options.defaults(16).withHubs(2).withNat(0.2, 0.6, 0.2)
            .withLoss(0.01).withSeed(3).withDuration(Duration.ofSeconds(60));

    /** {@code --sample 6} of 40 nodes: stand-ins with a narrow view beside full agents. */
    static final Simulation.Options SAMPLE = Simulation.Options.defaults(40).withSample(6).withSeed(4)
            .withDuration(Duration.ofSeconds(30));

    @Test
    void smallMesh() throws Exception {
        golden("SMALL_MESH", SMALL_MESH, """
                {
                  "nodes": 20,
                  "hubs": 1,
                  "sample": null,
                  "seed": 1,
                  "durationSeconds": 60.0,
                  "loss": 0.0,
                  "nat": {"cone":10,"symmetric":4,"public":6},
                  "lastJoinSeconds": 9.38,
                  "convergenceSeconds": 0.22,
                  "directConvergenceSeconds": 0.82,
                  "pairs": 190,
                  "punchablePairs": 120,
                  "directShare": 0.084,
                  "idleShare": 0.674,
                  "routedShare": 0.242,
                  "unreachableShare": 0.0,
                  "punchableDirectShare": 0.125,
                  "punchableReadyShare": 1.0,
                  "pairsByNat": {"public-public":{"pairs":15,"direct":15,"idle":0,"routed":0,"unreachable":0},"public-cone":{"pairs":60,"direct":0,"idle":60,"routed":0,"unreachable":0},"cone-cone":{"pairs":45,"direct":0,"idle":45,"routed":0,"unreachable":0},"public-symmetric":{"pairs":24,"direct":1,"idle":23,"routed":0,"unreachable":0},"cone-symmetric":{"pairs":40,"direct":0,"idle":0,"routed":40,"unreachable":0},"symmetric-symmetric":{"pairs":6,"direct":0,"idle":0,"routed":6,"unreachable":0}},
                  "controlBytesPerNodePerSecond": 372.371,
                  "controlBytesPerNodePerSecondMax": 2130.133,
                  "controlBytesPerHubPerSecond": 2130.133,
                  "steadyControlBytesPerNodePerSecond": 78.368,
                  "steadyControlBytesPerNodePerSecondMax": 338.667,
                  "steadyControlBytesPerHubPerSecond": 338.667,
                  "underlayBytesPerNodePerSecond": 783.794,
                  "underlayBytesPerNodePerSecondMax": 3302.933,
                  "underlayBytesPerHubPerSecond": 3302.933,
                  "gossipDatagramsPerNodePerSecond": 2.266,
                  "passesPerNodePerSecond": 0.722,
                  "quickStepsPerNodePerSecond": 0.741,
                  "factsPerNodeMean": 75.65,
                  "factsPerNodeMax": 122,
                  "factsPerHub": 122.0,
                  "standInFactsMean": null,
                  "events": 10893,
                  "traceHash": "6b40318f04b5fce5",
                  "decisionHash": "9da2ba095187b009",
                  "drops": {"NO_ROUTE":538,"NAT_FILTERED":554},
                  "wake": {"pairs":100,"direct":100,"medianSeconds":0.4,"maxSeconds":0.6}
                }
                """);
    }

    @Test
    void loss() throws Exception {
        golden("LOSS", LOSS, """
                {
                  "nodes": 16,
                  "hubs": 1,
                  "sample": null,
                  "seed": 2,
                  "durationSeconds": 60.0,
                  "loss": 0.05,
                  "nat": {"cone":8,"symmetric":3,"public":5},
                  "lastJoinSeconds": 9.931,
                  "convergenceSeconds": 4.269,
                  "directConvergenceSeconds": 20.369,
                  "pairs": 120,
                  "punchablePairs": 78,
                  "directShare": 0.142,
                  "idleShare": 0.633,
                  "routedShare": 0.225,
                  "unreachableShare": 0.0,
                  "punchableDirectShare": 0.179,
                  "punchableReadyShare": 1.0,
                  "pairsByNat": {"public-public":{"pairs":10,"direct":10,"idle":0,"routed":0,"unreachable":0},"public-cone":{"pairs":40,"direct":3,"idle":37,"routed":0,"unreachable":0},"cone-cone":{"pairs":28,"direct":1,"idle":27,"routed":0,"unreachable":0},"public-symmetric":{"pairs":15,"direct":3,"idle":12,"routed":0,"unreachable":0},"cone-symmetric":{"pairs":24,"direct":0,"idle":0,"routed":24,"unreachable":0},"symmetric-symmetric":{"pairs":3,"direct":0,"idle":0,"routed":3,"unreachable":0}},
                  "controlBytesPerNodePerSecond": 330.27,
                  "controlBytesPerNodePerSecondMax": 1673.933,
                  "controlBytesPerHubPerSecond": 1673.933,
                  "steadyControlBytesPerNodePerSecond": 53.023,
                  "steadyControlBytesPerNodePerSecondMax": 275.167,
                  "steadyControlBytesPerHubPerSecond": 275.167,
                  "underlayBytesPerNodePerSecond": 702.425,
                  "underlayBytesPerNodePerSecondMax": 2609.0,
                  "underlayBytesPerHubPerSecond": 2609.0,
                  "gossipDatagramsPerNodePerSecond": 2.003,
                  "passesPerNodePerSecond": 0.749,
                  "quickStepsPerNodePerSecond": 0.716,
                  "factsPerNodeMean": 63.188,
                  "factsPerNodeMax": 98,
                  "factsPerHub": 98.0,
                  "standInFactsMean": null,
                  "events": 7951,
                  "traceHash": "632e9fa0a838efaa",
                  "decisionHash": "b441302be2e75d1d",
                  "drops": {"LOSS":84,"NO_ROUTE":301,"NAT_FILTERED":327},
                  "wake": {"pairs":64,"direct":64,"medianSeconds":0.4,"maxSeconds":12.7}
                }
                """);
    }

    @Test
    void symmetricNatsRoutedThroughHubs() throws Exception {
        golden("SYMMETRIC", SYMMETRIC, """
                {
                  "nodes": 16,
                  "hubs": 2,
                  "sample": null,
                  "seed": 3,
                  "durationSeconds": 60.0,
                  "loss": 0.01,
                  "nat": {"cone":3,"symmetric":10,"public":3},
                  "lastJoinSeconds": 9.456,
                  "convergenceSeconds": 0.244,
                  "directConvergenceSeconds": 11.944,
                  "pairs": 120,
                  "punchablePairs": 15,
                  "directShare": 0.05,
                  "idleShare": 0.325,
                  "routedShare": 0.625,
                  "unreachableShare": 0.0,
                  "punchableDirectShare": 0.267,
                  "punchableReadyShare": 1.0,
                  "pairsByNat": {"public-public":{"pairs":3,"direct":3,"idle":0,"routed":0,"unreachable":0},"public-cone":{"pairs":9,"direct":1,"idle":8,"routed":0,"unreachable":0},"cone-cone":{"pairs":3,"direct":0,"idle":3,"routed":0,"unreachable":0},"public-symmetric":{"pairs":30,"direct":2,"idle":28,"routed":0,"unreachable":0},"cone-symmetric":{"pairs":30,"direct":0,"idle":0,"routed":30,"unreachable":0},"symmetric-symmetric":{"pairs":45,"direct":0,"idle":0,"routed":45,"unreachable":0}},
                  "controlBytesPerNodePerSecond": 574.223,
                  "controlBytesPerNodePerSecondMax": 2846.783,
                  "controlBytesPerHubPerSecond": 2843.967,
                  "steadyControlBytesPerNodePerSecond": 147.979,
                  "steadyControlBytesPerNodePerSecondMax": 292.1,
                  "steadyControlBytesPerHubPerSecond": 287.867,
                  "underlayBytesPerNodePerSecond": 1069.797,
                  "underlayBytesPerNodePerSecondMax": 4623.133,
                  "underlayBytesPerHubPerSecond": 4592.867,
                  "gossipDatagramsPerNodePerSecond": 3.217,
                  "passesPerNodePerSecond": 0.808,
                  "quickStepsPerNodePerSecond": 0.84,
                  "factsPerNodeMean": 147.563,
                  "factsPerNodeMax": 211,
                  "factsPerHub": 209.0,
                  "standInFactsMean": null,
                  "events": 12289,
                  "traceHash": "feef1c5796913e63",
                  "decisionHash": "92c12151d7146f00",
                  "drops": {"LOSS":42,"NO_ROUTE":415,"NAT_FILTERED":1203,"WG_STALE_RESPONSE":2},
                  "wake": {"pairs":11,"direct":11,"medianSeconds":0.1,"maxSeconds":0.6}
                }
                """);
    }

    @Test
    void sample() throws Exception {
        golden("SAMPLE", SAMPLE, """
                {
                  "nodes": 40,
                  "hubs": 1,
                  "sample": 6,
                  "seed": 4,
                  "durationSeconds": 30.0,
                  "loss": 0.01,
                  "nat": {"cone":20,"symmetric":8,"public":12},
                  "lastJoinSeconds": 9.395,
                  "convergenceSeconds": 14.205,
                  "directConvergenceSeconds": 0.005,
                  "pairs": 15,
                  "punchablePairs": 6,
                  "directShare": 0.533,
                  "idleShare": 0.0,
                  "routedShare": 0.467,
                  "unreachableShare": 0.0,
                  "punchableDirectShare": 1.0,
                  "punchableReadyShare": 1.0,
                  "pairsByNat": {"public-cone":{"pairs":3,"direct":3,"idle":0,"routed":0,"unreachable":0},"cone-cone":{"pairs":3,"direct":3,"idle":0,"routed":0,"unreachable":0},"public-symmetric":{"pairs":2,"direct":2,"idle":0,"routed":0,"unreachable":0},"cone-symmetric":{"pairs":6,"direct":0,"idle":0,"routed":6,"unreachable":0},"symmetric-symmetric":{"pairs":1,"direct":0,"idle":0,"routed":1,"unreachable":0}},
                  "controlBytesPerNodePerSecond": 1349.311,
                  "controlBytesPerNodePerSecondMax": 15216.4,
                  "controlBytesPerHubPerSecond": 15216.4,
                  "steadyControlBytesPerNodePerSecond": 298.967,
                  "steadyControlBytesPerNodePerSecondMax": 2511.0,
                  "steadyControlBytesPerHubPerSecond": 2511.0,
                  "underlayBytesPerNodePerSecond": 2712.773,
                  "underlayBytesPerNodePerSecondMax": 22579.2,
                  "underlayBytesPerHubPerSecond": 22579.2,
                  "gossipDatagramsPerNodePerSecond": 8.162,
                  "passesPerNodePerSecond": 0.907,
                  "quickStepsPerNodePerSecond": 0.863,
                  "factsPerNodeMean": 175.167,
                  "factsPerNodeMax": 242,
                  "factsPerHub": 242.0,
                  "standInFactsMean": 32.382,
                  "events": 12508,
                  "traceHash": "207fa58d9407f73c",
                  "decisionHash": "2e6fbe341d183d11",
                  "drops": {"LOSS":33,"NO_ROUTE":206,"NAT_FILTERED":594},
                  "wake": {"pairs":0,"direct":0,"medianSeconds":null,"maxSeconds":null}
                }
                """);
    }

    /**
     * Runs {@code o} and compares its deterministic fields with {@code expected} (JSON), the two hashes first so a
     * failure names the one that moved.
     */
    private static void golden(String name, Simulation.Options o, String expected) throws Exception {
        String dir = System.getProperty("wirelink.goldens.decisions");
        Simulation.Result r;
        if (dir == null || dir.isEmpty()) {
            r = Simulation.run(o);
        } else {
            Path file = Path.of(dir).resolve(name + ".txt");
            Files.createDirectories(file.getParent());
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
                r = Simulation.run(o, w::println);
            }
        }
        Map<String, Object> fields = r.deterministicFields();
        String json = lines(fields);
        if (Boolean.getBoolean("wirelink.goldens.print")) {
            System.out.printf("golden %s:%n        golden(\"%s\", %s, \"\"\"%n%s                \"\"\");%n", name, name,
                    name, json.indent(16));
        }
        String why = " (print the new values with -Dwirelink.goldens.print=true; commit them only for a behaviour "
                + "change, in a commit of its own that says why)";
        JsonNode want = JSON.readTree(expected);
        JsonNode got = JSON.readTree(json);
        assertEquals(want.get("traceHash"), got.get("traceHash"), name + ": traceHash" + why);
        assertEquals(want.get("decisionHash"), got.get("decisionHash"), name + ": decisionHash" + why);
        assertEquals(want, got, name + ": deterministic fields" + why);
    }

    /** JSON with one top-level field a line, so a diff of the constants shows which fields moved. */
    static String lines(Map<String, Object> fields) throws Exception {
        StringBuilder b = new StringBuilder("{\n");
        int i = 0;
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            b.append("  ").append(JSON.writeValueAsString(e.getKey())).append(": ")
                    .append(JSON.writeValueAsString(e.getValue())).append(++i < fields.size() ? ",\n" : "\n");
        }
        return b.append("}").toString();
    }
}
