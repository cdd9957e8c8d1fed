package io.wirelink.tools.sim;

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
 * {@code mvn -B -q -o -pl tools -am test -Dtest=GoldenRunsTest -Dsurefire.failIfNoSpecifiedTests=false
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
                  "controlBytesPerNodePerSecond": 343.115,
                  "controlBytesPerNodePerSecondMax": 2112.583,
                  "controlBytesPerHubPerSecond": 2112.583,
                  "steadyControlBytesPerNodePerSecond": 67.773,
                  "steadyControlBytesPerNodePerSecondMax": 338.667,
                  "steadyControlBytesPerHubPerSecond": 338.667,
                  "underlayBytesPerNodePerSecond": 762.841,
                  "underlayBytesPerNodePerSecondMax": 3286.667,
                  "underlayBytesPerHubPerSecond": 3286.667,
                  "gossipDatagramsPerNodePerSecond": 2.266,
                  "passesPerNodePerSecond": 0.722,
                  "quickStepsPerNodePerSecond": 0.741,
                  "factsPerNodeMean": 75.3,
                  "factsPerNodeMax": 122,
                  "factsPerHub": 122.0,
                  "standInFactsMean": null,
                  "events": 10893,
                  "traceHash": "1225dedb6d503565",
                  "decisionHash": "1283aac011140d77",
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
                  "controlBytesPerNodePerSecond": 307.447,
                  "controlBytesPerNodePerSecondMax": 1662.883,
                  "controlBytesPerHubPerSecond": 1662.883,
                  "steadyControlBytesPerNodePerSecond": 47.135,
                  "steadyControlBytesPerNodePerSecondMax": 275.167,
                  "steadyControlBytesPerHubPerSecond": 275.167,
                  "underlayBytesPerNodePerSecond": 684.504,
                  "underlayBytesPerNodePerSecondMax": 2600.933,
                  "underlayBytesPerHubPerSecond": 2600.933,
                  "gossipDatagramsPerNodePerSecond": 2.003,
                  "passesPerNodePerSecond": 0.749,
                  "quickStepsPerNodePerSecond": 0.715,
                  "factsPerNodeMean": 63.0,
                  "factsPerNodeMax": 98,
                  "factsPerHub": 98.0,
                  "standInFactsMean": null,
                  "events": 7957,
                  "traceHash": "1b1d8ae72fa11973",
                  "decisionHash": "7b56cf2dc477c42c",
                  "drops": {"LOSS":85,"NO_ROUTE":301,"NAT_FILTERED":326},
                  "wake": {"pairs":64,"direct":64,"medianSeconds":0.4,"maxSeconds":22.3}
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
                  "convergenceSeconds": 0.444,
                  "directConvergenceSeconds": 0.544,
                  "pairs": 120,
                  "punchablePairs": 15,
                  "directShare": 0.042,
                  "idleShare": 0.333,
                  "routedShare": 0.625,
                  "unreachableShare": 0.0,
                  "punchableDirectShare": 0.2,
                  "punchableReadyShare": 1.0,
                  "pairsByNat": {"public-public":{"pairs":3,"direct":3,"idle":0,"routed":0,"unreachable":0},"public-cone":{"pairs":9,"direct":0,"idle":9,"routed":0,"unreachable":0},"cone-cone":{"pairs":3,"direct":0,"idle":3,"routed":0,"unreachable":0},"public-symmetric":{"pairs":30,"direct":2,"idle":28,"routed":0,"unreachable":0},"cone-symmetric":{"pairs":30,"direct":0,"idle":0,"routed":30,"unreachable":0},"symmetric-symmetric":{"pairs":45,"direct":0,"idle":0,"routed":45,"unreachable":0}},
                  "controlBytesPerNodePerSecond": 559.439,
                  "controlBytesPerNodePerSecondMax": 2984.083,
                  "controlBytesPerHubPerSecond": 2902.233,
                  "steadyControlBytesPerNodePerSecond": 131.775,
                  "steadyControlBytesPerNodePerSecondMax": 287.867,
                  "steadyControlBytesPerHubPerSecond": 285.75,
                  "underlayBytesPerNodePerSecond": 1070.548,
                  "underlayBytesPerNodePerSecondMax": 4723.467,
                  "underlayBytesPerHubPerSecond": 4637.1,
                  "gossipDatagramsPerNodePerSecond": 3.218,
                  "passesPerNodePerSecond": 0.833,
                  "quickStepsPerNodePerSecond": 0.843,
                  "factsPerNodeMean": 142.625,
                  "factsPerNodeMax": 281,
                  "factsPerHub": 235.5,
                  "standInFactsMean": null,
                  "events": 12271,
                  "traceHash": "267dc7c84114c570",
                  "decisionHash": "37e9803b4767f0a4",
                  "drops": {"LOSS":42,"NO_ROUTE":411,"NAT_FILTERED":1202,"WG_STALE_RESPONSE":2},
                  "wake": {"pairs":12,"direct":12,"medianSeconds":0.5,"maxSeconds":0.6}
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
                  "controlBytesPerNodePerSecond": 1256.579,
                  "controlBytesPerNodePerSecondMax": 15152.7,
                  "controlBytesPerHubPerSecond": 15152.7,
                  "steadyControlBytesPerNodePerSecond": 264.733,
                  "steadyControlBytesPerNodePerSecondMax": 2508.4,
                  "steadyControlBytesPerHubPerSecond": 2508.4,
                  "underlayBytesPerNodePerSecond": 2640.948,
                  "underlayBytesPerNodePerSecondMax": 22521.6,
                  "underlayBytesPerHubPerSecond": 22521.6,
                  "gossipDatagramsPerNodePerSecond": 8.162,
                  "passesPerNodePerSecond": 0.907,
                  "quickStepsPerNodePerSecond": 0.863,
                  "factsPerNodeMean": 175.167,
                  "factsPerNodeMax": 242,
                  "factsPerHub": 242.0,
                  "standInFactsMean": 32.118,
                  "events": 12508,
                  "traceHash": "10cff2dae2668bdc",
                  "decisionHash": "aefdac3a0d90adc9",
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
