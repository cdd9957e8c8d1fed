package io.wirelink.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.dht.sim.DhtSimulation;
import io.wirelink.dht.sim.DhtSimulation.SimNode;
import io.wirelink.dht.sim.SimIdentities;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DhtSimulationTest {
    static final String NET = "sim-test";

    static DhtConfig config() {
        return DhtConfig.builder(NET, 4).build();
    }

    /** 200 nodes join one by one through node 0; returns the simulation after a minute of settling. */
    static DhtSimulation bootstrap(long seed, int n, double loss) {
        DhtSimulation sim = new DhtSimulation(seed, 5, 100, loss);
        Random keys = new Random(seed);
        SimNode boot = sim.add(config(), SimIdentities.real(keys, 4, NET));
        Contact seedContact = new Contact(boot.node().publicKey(), boot.address());
        for (int i = 1; i < n; i++) {
            SimNode s = sim.add(config(), SimIdentities.real(keys, 4, NET));
            sim.at(sim.now(), s, (node, now, out) -> node.bootstrap(List.of(seedContact), now, out, null));
            sim.runFor(50);
        }
        sim.runFor(60_000);
        return sim;
    }

    @Test
    void twoHundredNodesBootstrapAndFindEachOther() {
        DhtSimulation sim = bootstrap(1, 200, 0.0);
        List<SimNode> nodes = sim.nodes();
        int minTable = Integer.MAX_VALUE;
        for (SimNode s : nodes) {
            minTable = Math.min(minTable, s.node().routingTableSize());
        }
        assertTrue(minTable >= 20, "every node knows at least k others, min " + minTable);

        Random r = new Random(2);
        List<LookupResult> results = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            SimNode src = nodes.get(r.nextInt(nodes.size()));
            SimNode dst = nodes.get(r.nextInt(nodes.size()));
            if (src == dst) {
                continue;
            }
            sim.at(sim.now(), src, (node, now, out) -> node.findNode(dst.node().id(), true, now, out, results::add));
            sim.runFor(100);
        }
        sim.runFor(20_000);
        assertTrue(results.size() >= 95, "lookups finished: " + results.size());
        int[] hops = new int[results.size()];
        for (int i = 0; i < results.size(); i++) {
            LookupResult res = results.get(i);
            assertEquals(LookupResult.Outcome.FOUND_TARGET, res.outcome(), res.toString());
            hops[i] = res.hops();
        }
        java.util.Arrays.sort(hops);
        assertTrue(hops[hops.length / 2] <= 3, "median hops " + hops[hops.length / 2]);
    }

    @Test
    void recordsAreAnnouncedFoundAndVerified() {
        DhtSimulation sim = bootstrap(3, 100, 0.01);
        List<SimNode> nodes = sim.nodes();
        SimNode owner = nodes.get(42);
        DhtRecord rec = new DhtRecord(owner.node().publicKey(), 1, 600,
                List.of(new RecordEndpoint(EndpointKind.WIREGUARD, io.wirelink.facts.IpEndpoint.parse(
                        "198.51.100.9:51820"))), List.of());
        int[] acks = {-1};
        sim.at(sim.now(), owner, (node, now, out) -> node.announce(rec, now, out, n -> acks[0] = n));
        sim.runFor(10_000);
        assertTrue(acks[0] >= 15, "stored at most of the k closest: " + acks[0]);

        SimNode asker = nodes.get(7);
        DhtNode.Resolution[] res = new DhtNode.Resolution[1];
        sim.at(sim.now(), asker, (node, now, out) -> node.resolve(owner.node().publicKey(), now, out,
                x -> res[0] = x));
        sim.runFor(10_000);
        assertNotNull(res[0]);
        assertEquals(LookupResult.Outcome.FOUND_VALUE, res[0].lookup().outcome());
        assertEquals(owner.node().publicKey(), res[0].record().owner());
        // the storing node put the address it saw the STORE from first: the owner's DHT endpoint
        assertEquals(new RecordEndpoint(EndpointKind.DHT, owner.address()), res[0].record().endpoints().get(0));
        assertEquals(owner.address(), res[0].verified(), "the owner answered a PING at its DHT endpoint");
        assertEquals(owner.address(), owner.node().observedEndpoint(), "replies told the owner its address");
    }

    /** Nodes whose keys fall short of the workbit try to join and to be found: no honest table ever holds them. */
    @Test
    void sybilsBelowTheWorkbitNeverEnterRoutingTables() {
        DhtSimulation sim = bootstrap(5, 60, 0.0);
        List<SimNode> honest = new ArrayList<>(sim.nodes());
        Contact seed = new Contact(honest.get(0).node().publicKey(), honest.get(0).address());
        Random r = new Random(6);
        List<SimNode> sybils = new ArrayList<>();
        List<LookupResult> theirs = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            io.wirelink.facts.PrivateKey k;
            do {
                k = SimIdentities.mine(r, 0, NET);
            } while (Workbit.of(k.publicKey(), NET) >= 4);
            // the attacker runs the same code with a lower bar for itself
            SimNode s = sim.add(DhtConfig.builder(NET, 0).build(), DhtIdentity.of(k));
            sybils.add(s);
            sim.at(sim.now(), s, (node, now, out) -> node.bootstrap(List.of(seed), now, out, theirs::add));
            sim.runFor(100);
        }
        sim.runFor(30_000);
        for (SimNode h : honest) {
            for (SimNode s : sybils) {
                assertFalse(h.node().inRoutingTable(s.node().publicKey()), "sybil in a table");
            }
        }
        long rejected = honest.stream().mapToLong(h -> h.node().stats().get(DhtStats.Counter.BELOW_WORKBIT)).sum();
        assertTrue(rejected >= 30, "every sybil was turned away: " + rejected);
        for (LookupResult res : theirs) {
            assertEquals(LookupResult.Outcome.FAILED, res.outcome(), "nobody answered the sybils");
        }
        assertEquals(30, theirs.size());
    }

    @Test
    void aSeedDeterminesTheRun() {
        String a = fingerprint(bootstrap(9, 40, 0.05));
        String b = fingerprint(bootstrap(9, 40, 0.05));
        assertEquals(a, b);
    }

    static String fingerprint(DhtSimulation sim) {
        StringBuilder sb = new StringBuilder();
        for (SimNode s : sim.nodes()) {
            sb.append(s.node().routingTableSize()).append(s.node().stats()).append('\n');
        }
        return sb.append(sim.delivered()).toString();
    }

    /** A third of the nodes crash; lookups from and to the survivors still succeed. */
    @Test
    void lookupsSurviveChurn() {
        DhtSimulation sim = bootstrap(11, 150, 0.01);
        List<SimNode> nodes = new ArrayList<>(sim.nodes());
        Random r = new Random(12);
        List<SimNode> alive = new ArrayList<>(nodes);
        for (int i = 0; i < 50; i++) {
            SimNode victim = alive.remove(1 + r.nextInt(alive.size() - 1));
            sim.remove(victim);
        }
        List<LookupResult> results = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            SimNode src = alive.get(r.nextInt(alive.size()));
            SimNode dst = alive.get(r.nextInt(alive.size()));
            if (src != dst) {
                sim.at(sim.now(), src, (node, now, out) -> node.findNode(dst.node().id(), true, now, out,
                        results::add));
            }
            sim.runFor(200);
        }
        sim.runFor(20_000);
        long found = results.stream().filter(LookupResult::found).count();
        assertEquals(results.size(), found, "all found despite dead contacts: " + results);
        assertTrue(results.stream().mapToInt(LookupResult::timeouts).sum() > 0, "dead contacts were met");
    }
}
