package io.wirelink.tools.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Seeded runs of real agents on the simulator, asserting behaviour, never wall-clock time. The mesh: one public
 * hub, 50 zero-config nodes (half behind cone NATs, a fifth behind symmetric NATs, the rest public) configured only
 * with the hub, coming up within 2 s.
 */
class SimulationTest {
    static final Simulation.Options MESH = Simulation.Options.defaults(50).withLoss(0).withSeed(5)
            .withJoinSpread(Duration.ofSeconds(2)).withDuration(Duration.ofSeconds(60));

    static Simulation.Result mesh;

    static synchronized Simulation.Result mesh() {
        if (mesh == null) {
            mesh = Simulation.run(MESH);
        }
        return mesh;
    }

    @Test
    void everyNodeLearnsEveryNodeFromTheHub() {
        Simulation.Result r = mesh();
        assertEquals(Map.of("cone", 25, "symmetric", 10, "public", 15), r.nat());
        assertNotNull(r.convergenceSeconds(), "every node has every other node on its device");
        assertTrue(r.convergenceSeconds() < 10, "within 10 simulated seconds of the last start: " + r
                .convergenceSeconds());
    }

    @Test
    void punchablePairsGoDirect() {
        Simulation.Result r = mesh();
        assertEquals(25 * 24 / 2 + 15 * 14 / 2 + 25 * 15, r.punchablePairs());
        assertNotNull(r.directConvergenceSeconds(), "every pair of cone or public nodes went direct");
        assertEquals(1.0, r.punchableReadyShare(), "and still is, or is idle, at the end");
        for (String kind : new String[] {"public-public", "public-cone", "cone-cone"}) {
            Simulation.PairCounts c = r.pairsByNat().get(kind);
            assertEquals(c.pairs(), c.direct() + c.idle(), kind + ": " + c);
        }
    }

    @Test
    void idlePairsGoDirectAgainWhenTrafficResumes() {
        Simulation.Wake w = mesh().wake();
        assertTrue(w.pairs() > 0, "quiet paths lapse within a minute: there are idle pairs to wake");
        assertEquals(w.pairs(), w.direct(), "every idle punchable pair given traffic went direct again: " + w);
        assertTrue(w.maxSeconds() < 10, "within seconds, through a coordinated punch: " + w);
    }

    @Test
    void directPairsStopPingingEachOther() {
        // steady state: quiet paths cost nothing, so a node's traffic is its hub's Alive and refreshes
        Simulation.Result r = mesh();
        assertTrue(r.steadyControlBytesPerNodePerSecond() < 400, "second half: " + r
                .steadyControlBytesPerNodePerSecond() + " B/s per node");
    }

    @Test
    void pairsBehindSymmetricNatsAreRoutedThroughTheHubNotDirect() {
        Simulation.Result r = mesh();
        for (String kind : new String[] {"cone-symmetric", "symmetric-symmetric"}) {
            Simulation.PairCounts c = r.pairsByNat().get(kind);
            assertTrue(c.pairs() > 0, kind);
            assertEquals(0, c.direct(), kind + " cannot be punched: " + c);
            assertEquals(c.pairs(), c.routed(), kind + " reach each other through the hub: " + c);
        }
        // a symmetric node reaches a public one by initiating to its real address
        Simulation.PairCounts ps = r.pairsByNat().get("public-symmetric");
        assertEquals(ps.pairs(), ps.direct() + ps.idle() + ps.routed(), ps.toString());
        assertEquals(0.0, r.unreachableShare(), "every pair can talk, directly or through the hub");
        assertEquals(1.0, r.directShare() + r.idleShare() + r.routedShare(), 1e-9);
    }

    @Test
    void lostDatagramsAreRepairedSoEveryoneStillConverges() {
        // 2% loss per hop: without acknowledged delivery a lost fact waited for its refresh (~2 minutes)
        Simulation.Result r = Simulation.run(Simulation.Options.defaults(30).withLoss(0.02).withSeed(11)
                .withJoinSpread(Duration.ofSeconds(2)).withDuration(Duration.ofSeconds(40)));
        assertTrue(r.drops().getOrDefault("LOSS", 0L) > 0, "the world lost datagrams: " + r.drops());
        assertNotNull(r.convergenceSeconds(), "every node has every other node on its device");
        assertTrue(r.convergenceSeconds() < 10, "within 10 simulated seconds: " + r.convergenceSeconds());
        assertNotNull(r.directConvergenceSeconds(), "every punchable pair went direct");
    }

    @Test
    void aSampledRunMeasuresTheSampleInAMeshOfEveryNode() {
        // the same mesh, 10 of its 50 nodes full agents: they still learn all 50 from the hub, and go direct
        Simulation.Result r = Simulation.run(MESH.withSample(10).withDuration(Duration.ofSeconds(30)));
        assertEquals(10, r.sample());
        assertEquals(10 * 9 / 2, r.pairs(), "pairs of sampled nodes only");
        assertNotNull(r.convergenceSeconds(), "every sampled node has all 50 nodes and the hub on its device");
        assertNotNull(r.directConvergenceSeconds(), "every punchable sampled pair went direct");
        assertTrue(r.factsPerNodeMean() > 4 * 50, "a sampled node holds facts about every node: "
                + r.factsPerNodeMean());
        assertTrue(r.standInFactsMean() < r.factsPerNodeMean() / 3, "a stand-in only about the hub, the sample and "
                + "itself: " + r.standInFactsMean() + " against " + r.factsPerNodeMean());
        assertTrue(r.factsPerHub() > 4 * 50, "the hub carries the whole mesh: " + r.factsPerHub());
        assertEquals(null, mesh().sample());
        assertEquals(null, mesh().standInFactsMean());
        assertNotNull(mesh().heapBytesPerNode(), "memory per node only when every node is a full agent");
    }

    @Test
    void countsTrafficAndFacts() {
        Simulation.Result r = mesh();
        assertTrue(r.controlBytesPerNodePerSecond() > 0);
        assertTrue(r.controlBytesPerNodePerSecondMax() >= r.controlBytesPerHubPerSecond());
        assertTrue(r.controlBytesPerHubPerSecond() > r.controlBytesPerNodePerSecond(), "the hub gossips most");
        assertTrue(r.underlayBytesPerNodePerSecond() > r.controlBytesPerNodePerSecond(),
                "underlay adds WireGuard headers, handshakes and keepalives");
        assertTrue(r.factsPerNodeMean() > 50, "each node holds facts about the others: " + r.factsPerNodeMean());
        assertTrue(r.factsPerNodeMax() >= r.factsPerNodeMean());
        assertTrue(r.cpuSeconds() > 0);
        assertEquals(50 * 49 / 2, r.pairs());
    }

    @Test
    void aRunIsAFunctionOfItsSeed() {
        Simulation.Options small = Simulation.Options.defaults(12).withSeed(3).withDuration(Duration.ofSeconds(20));
        Simulation.Result one = Simulation.run(small);
        Simulation.Result two = Simulation.run(small);
        assertEquals(one.deterministicFields(), two.deterministicFields());
        assertEquals(one.traceHash(), two.traceHash());
        assertTrue(one.events() > 1000);
        Simulation.Result other = Simulation.run(small.withSeed(4));
        assertNotEquals(one.traceHash(), other.traceHash());
        assertEquals(one.decisionHash(), two.decisionHash());
        assertNotEquals(one.decisionHash(), other.decisionHash());
    }

    @Test
    void progressReportingDoesNotChangeTheRun() {
        Simulation.Options small = Simulation.Options.defaults(6).withSeed(9).withDuration(Duration.ofSeconds(12));
        StringBuilder lines = new StringBuilder();
        Simulation.Result quiet = Simulation.run(small);
        Simulation.Result chatty = Simulation.run(small.withProgress(l -> lines.append(l).append('\n')));
        assertEquals(quiet.deterministicFields(), chatty.deterministicFields());
        assertTrue(lines.toString().contains("simulated 10.0 s"), lines.toString());
    }

    @Test
    void severalHubsSplitTheOverlay() {
        Simulation.Result r = Simulation.run(Simulation.Options.defaults(16).withHubs(3).withLoss(0).withSeed(2)
                .withJoinSpread(Duration.ofSeconds(2)).withDuration(Duration.ofSeconds(30)));
        assertNotNull(r.convergenceSeconds());
        assertEquals(0.0, r.unreachableShare());
        assertEquals(1.0, r.punchableReadyShare());
        assertEquals(3, r.hubs());
    }

    @Test
    void aRunShorterThanTheJoinSpreadCountsOnlyStartedNodes() {
        Simulation.Result r = Simulation.run(Simulation.Options.defaults(10).withDuration(Duration.ofSeconds(3)));
        assertEquals(null, r.convergenceSeconds(), "not everyone started");
        assertTrue(r.lastJoinSeconds() > 3);
        assertEquals(45, r.pairs());
    }
}
