package io.wirelink.tools.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The relay golden: {@link RelayScenario} (three unmodified cores, three relays, 120 s of virtual time) pinned to
 * committed constants, like {@link GoldenRunsTest} pins the simulator: the {@code decisionHash} of every decision the
 * cores handed their drivers ({@link DecisionDigest}), and readable fields: the relay client's reasons in order, each
 * pair's final path, the relays each agent ends attached to. It covers what the simulator cannot reach: relay offers
 * (configured, and one from a DHT record) and probing, registration (maxAttach 2, lowest RTT), pairs that cannot go
 * direct meeting at the rendezvous relay, the greater key yielding for 1 s (and starting its own handshake after),
 * direct tries at the relay's switch moment that fail (backoff), roam back to the relay and are set again, and one that
 * succeeds, the relay dying and failover, a preshared-key pair moved and never
 * re-added, and a direct path that stops answering going back to the relay.
 *
 * <p>A commit that only restructures code keeps every constant equal. To print the current values in the form below
 * (the assertions still run): {@code mvn -B -q -o -pl tools -am test -Dtest=RelayGoldenTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dwirelink.goldens.print=true}. With {@code -Dwirelink.goldens.decisions=DIR}
 * every decision goes to {@code DIR/RELAY.txt}, to diff before and after; {@code -Dwirelink.goldens.all=true} prints
 * every reason of the run, the core's own among them.
 */
class RelayGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static final String DECISION_HASH = "9f1fbedf184fbb36";

    static final String FIELDS = """
            {
              "decisionHash": "9f1fbedf184fbb36",
              "batches": 213,
              "reasons": 80,
              "paths": {"A->B":"via relay R2","A->C":"via relay R2","B->A":"via relay R2","B->C":"direct","C->A":"via relay R2","C->B":"direct"},
              "attached": {"A":"R1,R2","B":"R1,R2","C":"R1,R2"},
              "presharedKept": true,
              "busiestSecond": "A 106 s: 8 batches"
            }
            """;

    static final String RELAY_REASONS = """
              4.050 A R3: registering with relay of C at 203.0.113.3:51823 (RTT 3.0 ms)
              4.050 A R1: registering with configured relay at 203.0.113.1:51823 (RTT 5.0 ms)
              5.200 B R3: registering with relay of C at 203.0.113.3:51823 (RTT 4.0 ms)
              5.200 B R2: registering with configured relay at 203.0.113.2:51823 (RTT 6.0 ms)
              7.400 C R1: registering with configured relay at 203.0.113.1:51823 (RTT 7.0 ms)
              7.400 C R2: registering with configured relay at 203.0.113.2:51823 (RTT 12.0 ms)
             12.254 B A: via relay R3 at 203.0.113.3:51823 (no direct handshake for 12 s with 3 endpoint candidates (punch timed out))
             12.314 A C: via relay R1 at 203.0.113.1:51823 (no direct handshake for 12 s with 3 endpoint candidates (punch timed out)); waiting up to 1000 ms for its handshake through the relay
             12.314 A B: via relay R3 at 203.0.113.3:51823 (the peer reached us through a relay)
             12.902 B A: relayed via R3, trying direct at 198.51.100.1:51820 (try 1, at the relay's switch moment)
             12.902 A B: relayed via R3, trying direct at 198.51.100.2:51820 (try 1, at the relay's switch moment)
             13.314 A C: no handshake came through relay R1 in 1000 ms; starting our own
             13.565 A C: relayed via R1, trying direct at 198.51.100.3:51820 (try 1, at the relay's switch moment)
             13.615 A C: roamed back to relay R1 during the direct try; direct at 198.51.100.3:51820 again
             13.815 A C: roamed back to relay R1 during the direct try; direct at 198.51.100.3:51820 again
             14.050 A C: roamed back to relay R1 during the direct try; direct at 198.51.100.3:51820 again
             14.100 A C: roamed back to relay R1 during the direct try; direct at 198.51.100.3:51820 again
             14.450 C A: via relay R1 at 203.0.113.1:51823 (the peer reached us through a relay)
             15.604 C A: relayed via R1, trying direct at 198.51.100.1:51820 (try 1, at the relay's switch moment)
             15.854 C A: roamed back to relay R1 during the direct try; direct at 198.51.100.1:51820 again
             15.904 C A: roamed back to relay R1 during the direct try; direct at 198.51.100.1:51820 again
             16.104 C A: roamed back to relay R1 during the direct try; direct at 198.51.100.1:51820 again
             16.354 C A: roamed back to relay R1 during the direct try; direct at 198.51.100.1:51820 again
             19.702 A B: relayed via R3, trying direct at 198.51.100.2:51820 (try 2, at the relay's switch moment)
             19.702 B A: relayed via R3, trying direct at 198.51.100.1:51820 (try 2, at the relay's switch moment)
             20.604 C A: relayed via R1, trying direct at 198.51.100.1:51820 (try 2, at the relay's switch moment)
             20.604 A C: relayed via R1, trying direct at 198.51.100.3:51820 (try 2, at the relay's switch moment)
             28.702 A B: relayed via R3, trying direct at 198.51.100.2:51820 (try 3, at the relay's switch moment)
             28.702 B A: relayed via R3, trying direct at 198.51.100.1:51820 (try 3, at the relay's switch moment)
             30.604 C A: relayed via R1, trying direct at 198.51.100.1:51820 (try 3, at the relay's switch moment)
             30.604 A C: relayed via R1, trying direct at 198.51.100.3:51820 (try 3, at the relay's switch moment)
             46.702 A B: relayed via R3, trying direct at 198.51.100.2:51820 (try 4, at the relay's switch moment)
             46.702 B A: relayed via R3, trying direct at 198.51.100.1:51820 (try 4, at the relay's switch moment)
             48.104 C A: relayed via R1, trying direct at 198.51.100.1:51820 (try 4, at the relay's switch moment)
             48.104 A C: relayed via R1, trying direct at 198.51.100.3:51820 (try 4, at the relay's switch moment)
             49.604 C A: direct again at 198.51.100.1:51820 after 4 tries; relay R1 left
             49.604 A C: direct again at 198.51.100.3:51820 after 4 tries; relay R1 left
             62.050 A R3: relay no longer needed or offered, unregistered
             62.050 A R2: registering with configured relay at 203.0.113.2:51823 (RTT 9.0 ms)
             62.100 A B: relay R3 lost, via relay R2 at 203.0.113.2:51823
             62.220 B A: relay R3 lost, via relay R2 at 203.0.113.2:51823
             62.220 B R3: relay no longer needed or offered, unregistered
             62.220 B R1: registering with configured relay at 203.0.113.1:51823 (RTT 8.0 ms)
             95.705 A B: relayed via R2, trying direct at 198.51.100.2:51820 (try 5, at the relay's switch moment)
             95.705 B A: relayed via R2, trying direct at 198.51.100.1:51820 (try 5, at the relay's switch moment)
            105.000 A C: via relay R2 at 203.0.113.2:51823 (direct path stopped answering); waiting up to 1000 ms for its handshake through the relay
            106.000 A C: no handshake came through relay R2 in 1000 ms; starting our own
            106.001 A C: relayed via R2, trying direct at 198.51.100.3:51820 (try 5, at the relay's switch moment)
            106.251 A C: roamed back to relay R2 during the direct try; direct at 198.51.100.3:51820 again
            106.301 A C: roamed back to relay R2 during the direct try; direct at 198.51.100.3:51820 again
            106.450 C A: via relay R2 at 203.0.113.2:51823 (the peer reached us through a relay)
            106.501 A C: roamed back to relay R2 during the direct try; direct at 198.51.100.3:51820 again
            106.751 A C: roamed back to relay R2 during the direct try; direct at 198.51.100.3:51820 again
            108.106 C A: relayed via R2, trying direct at 198.51.100.1:51820 (try 5, at the relay's switch moment)
            108.356 C A: roamed back to relay R2 during the direct try; direct at 198.51.100.1:51820 again
            108.406 C A: roamed back to relay R2 during the direct try; direct at 198.51.100.1:51820 again
            108.606 C A: roamed back to relay R2 during the direct try; direct at 198.51.100.1:51820 again
            108.856 C A: roamed back to relay R2 during the direct try; direct at 198.51.100.1:51820 again
            113.106 C A: relayed via R2, trying direct at 198.51.100.1:51820 (try 6, at the relay's switch moment)
            113.106 A C: relayed via R2, trying direct at 198.51.100.3:51820 (try 6, at the relay's switch moment)
            """;

    /** One run for both tests (a run takes a few seconds). */
    private static RelayScenario.Result result;

    @Test
    void relayScenario() throws Exception {
        RelayScenario.Result r = run();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("decisionHash", r.decisionHash());
        fields.put("batches", r.batches());
        fields.put("reasons", r.reasons().size());
        fields.put("paths", r.paths());
        fields.put("attached", r.attached());
        fields.put("presharedKept", r.presharedKept());
        fields.put("busiestSecond", r.busiestSecond());
        String json = GoldenRunsTest.lines(fields);
        StringBuilder b = new StringBuilder();
        for (String line : r.reasons()) {
            if (line.contains("relay")) {
                b.append(line).append('\n');
            }
        }
        String relayReasons = b.toString();
        if (Boolean.getBoolean("wirelink.goldens.all")) {
            r.reasons().forEach(System.out::println);
        }
        if (Boolean.getBoolean("wirelink.goldens.print")) {
            System.out.printf("golden RELAY:%n    static final String DECISION_HASH = \"%s\";%n%n"
                    + "    static final String FIELDS = \"\"\"%n%s            \"\"\";%n%n"
                    + "    static final String RELAY_REASONS = \"\"\"%n%s            \"\"\";%n", r.decisionHash(),
                    (json + "\n").indent(12), relayReasons.indent(12));
        }
        String why = " (print the new values with -Dwirelink.goldens.print=true; commit them only for a behaviour "
                + "change, in a commit of its own that says why)";
        assertEquals(DECISION_HASH, r.decisionHash(), "RELAY: decisionHash" + why);
        assertEquals(RELAY_REASONS, relayReasons, "RELAY: the relay client's reasons" + why);
        JsonNode want = JSON.readTree(FIELDS);
        assertEquals(want, JSON.readTree(json), "RELAY: fields" + why);
    }

    /**
     * The scenario still reaches each relay path it is meant to pin, whatever the constants: a behaviour change that
     * loses one must change the scenario, not only the constants.
     */
    @Test
    void theScenarioReachesEveryRelayPath() throws Exception {
        RelayScenario.Result r = run();
        List<String> want = List.of(
                "registering with configured relay",
                "registering with relay of C", // an offer from a DHT record
                "(punch timed out)", // given up on direct
                "(the peer reached us through a relay)",
                "waiting up to 1000 ms for its handshake through the relay", // the greater key yields
                "ms; starting our own", // and nothing came
                "roamed back to relay", // a try set again after WireGuard roamed to the relay
                "at the relay's switch moment", // a coordinated direct try
                "direct again at", // one succeeds
                "lost, via relay", // failover
                "relay no longer needed or offered, unregistered",
                "(direct path stopped answering)");
        for (String w : want) {
            assertTrue(r.reasons().stream().anyMatch(s -> s.contains(w)), "no reason with '" + w + "'");
        }
        assertTrue(r.presharedKept(), "the preshared-key pair was removed and re-added");
        assertEquals("via relay R2", r.paths().get("A->B"));
    }

    /** A second run in the same JVM decides the same: nothing depends on identity hashes or leftover state. */
    @Test
    void aSecondRunDecidesTheSame() throws Exception {
        RelayScenario.Result again = RelayScenario.run(null);
        assertEquals(run().decisionHash(), again.decisionHash());
        assertEquals(run().reasons(), again.reasons());
    }

    private static synchronized RelayScenario.Result run() throws Exception {
        if (result != null) {
            return result;
        }
        String dir = System.getProperty("wirelink.goldens.decisions");
        if (dir == null || dir.isEmpty()) {
            result = RelayScenario.run(null);
            return result;
        }
        Path file = Path.of(dir).resolve("RELAY.txt");
        Files.createDirectories(file.getParent());
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            result = RelayScenario.run(w::println);
        }
        return result;
    }
}
