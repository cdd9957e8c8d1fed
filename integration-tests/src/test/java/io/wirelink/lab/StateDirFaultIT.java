package io.wirelink.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirelink.agent.cli.ControlClient;
import io.wirelink.agent.cli.JsonTree;
import io.wirelink.facts.Clock;
import io.wirelink.facts.store.FactStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fault 5 (issue "Observe and survive"): leaf a's state directory, a small tmpfs, fills up while the mesh runs. The
 * agent must keep serving (status, pings, a member that joins meanwhile), say so once at ERROR, and be persistent
 * again within its back-off once there is space; what it learned meanwhile is then in its file. The figure: from
 * space freed until {@code /status} says persistent. Then the directory turns read-only while the store retries, and
 * writable again. (The kernel refuses {@code remount,ro} while the agent holds its file open for writing, so the
 * read-only spell starts after a failure; FactStoreRecoveryTest covers a first failure on a read-only directory.)
 */
@ExtendWith(LabExtension.class)
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class StateDirFaultIT {
    static final Duration POLL = Duration.ofMillis(100);
    static final Pattern RETRY_IN = Pattern.compile("rewriting it in (\\d+) s");

    private Path mounted;

    @AfterEach
    void unmount() throws Exception {
        if (mounted != null) {
            // lazy: the agent may still hold its file open; the mount goes when the last user does
            host("umount", "-l", mounted.toString());
            mounted = null;
        }
    }

    /** Runs a command in the test's own (root) namespace; returns its exit code. */
    static int host(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IOException("timed out: " + List.of(command));
        }
        return p.exitValue();
    }

    /** Fills the tmpfs to the last block (dd stops at ENOSPC, which is the point). */
    static void fill(Path file) throws Exception {
        host("dd", "if=/dev/zero", "of=" + file, "bs=16k");
        host("sync");
    }

    static JsonNode factLog(LabAgent agent) {
        JsonNode s = agent.status();
        return s == null ? null : s.get("factLog");
    }

    static boolean persistent(LabAgent agent) {
        JsonNode f = factLog(agent);
        return f != null && f.get("persistent").asBoolean();
    }

    static boolean knows(LabAgent agent, String subject) throws IOException {
        ControlClient.Response r = ControlClient.call(agent.socket(), "GET", "/facts");
        for (JsonNode f : JsonTree.read(r.body()).get("facts")) {
            if (subject.equals(f.path("subject").asText())) {
                return true;
            }
        }
        return false;
    }

    /** The agent's log lines at ERROR. */
    static List<String> errors(LabAgent agent) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(agent.process.logFile(), StandardCharsets.UTF_8)) {
            if (line.contains(" ERROR ")) {
                out.add(line);
            }
        }
        return out;
    }

    static long retrySeconds(String errorLine) {
        Matcher m = RETRY_IN.matcher(errorLine);
        assertTrue(m.find(), errorLine);
        return Long.parseLong(m.group(1));
    }

    static LabAgent started(LabAgent agent) {
        agent.start();
        await("agent on " + agent.host.name() + " ready").atMost(Duration.ofSeconds(60)).pollInterval(POLL)
                .until(() -> {
                    if (!agent.process.isAlive()) {
                        throw new AssertionError("agent died: " + agent.log());
                    }
                    return agent.ready();
                });
        return agent;
    }

    /**
     * The hub mesh with a's state directory on a 1 MiB tmpfs (mounted before a starts), a and b configured and direct;
     * c's agent runs but c is configured later.
     */
    LabAgent meshWithSmallStateDir(Lab lab, HubMesh h) throws Exception {
        LabAgent a = new LabAgent(lab, h.a(), h.wa());
        Files.createDirectories(a.stateDir);
        assertEquals(0, host("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", a.stateDir.toString()));
        mounted = a.stateDir;
        started(new LabAgent(lab, h.hubHost(), h.hub()));
        started(a);
        started(new LabAgent(lab, h.b(), h.wb()));
        started(new LabAgent(lab, h.c(), h.wc()));
        for (WgInterface leaf : List.of(h.wa(), h.wb())) {
            h.hub().setPeer(leaf, null, null, h.overlayOf(leaf) + "/32");
            leaf.setPeer(h.hub(), h.hub().underlayEndpoint(), 5, HubMesh.OVERLAY);
        }
        await("a and b go direct").atMost(Duration.ofSeconds(60)).pollInterval(POLL)
                .until(() -> AgentMeshIT.direct(h.wa(), h.wb()) && AgentMeshIT.direct(h.wb(), h.wa()));
        assertTrue(persistent(a), String.valueOf(factLog(a)));
        return a;
    }

    /**
     * Full again, then read-only while the store retries (its file is deleted at the failure, so nothing holds the
     * tmpfs open for writing and the remount is allowed), then writable: the next retry succeeds.
     *
     * @return ms from rw until persistent
     */
    long readOnlyWhileRetrying(Lab lab, HubMesh h, LabAgent a) throws Exception {
        fill(a.stateDir.resolve("filler"));
        await("a's fact log fails again").atMost(Duration.ofSeconds(240)).pollInterval(POLL)
                .until(() -> !persistent(a));
        host("rm", "-f", a.stateDir.resolve("filler").toString());
        assertEquals(0, host("mount", "-o", "remount,ro", a.stateDir.toString()));
        long rwAt;
        try {
            await("read-only past the first retry").pollDelay(Duration.ofSeconds(15)).atMost(Duration.ofSeconds(16))
                    .until(() -> true);
            assertTrue(!persistent(a), "a read-only directory keeps the log in memory: " + factLog(a));
            assertTrue(a.status() != null && lab.ping(h.a(), "198.18.0.3", 1, Duration.ofSeconds(5)), "a serves");
        } finally {
            host("mount", "-o", "remount,rw", a.stateDir.toString());
            rwAt = System.nanoTime();
        }
        await("persistent again after rw").atMost(Duration.ofSeconds(330)).pollInterval(POLL)
                .until(() -> persistent(a));
        long ms = (System.nanoTime() - rwAt) / 1_000_000;
        assertEquals(1, errors(a).size(), "one error in the restarted agent's log: " + errors(a));
        return ms;
    }

    @Test
    void aFullOrReadOnlyStateDirectoryCostsTheMeshNothingAndTheLogComesBack(Lab lab) throws Exception {
        HubMesh h = HubMesh.build(lab);
        LabAgent a = meshWithSmallStateDir(lab, h);

        // full: the file cannot grow; the store deletes it at the failure, so a second filler takes that space too;
        // c joins meanwhile
        fill(a.stateDir.resolve("filler"));
        long t0 = System.nanoTime();
        await("a's fact log fails on the full disk").atMost(Duration.ofSeconds(240)).pollInterval(POLL)
                .until(() -> !persistent(a) && factLog(a).get("writeFailures").asLong() == 1);
        long failedMs = (System.nanoTime() - t0) / 1_000_000;
        fill(a.stateDir.resolve("filler2"));
        h.hub().setPeer(h.wc(), null, null, h.overlayOf(h.wc()) + "/32");
        h.wc().setPeer(h.hub(), h.hub().underlayEndpoint(), 5, HubMesh.OVERLAY);
        String c = h.wc().publicKey().toBase64();
        await("a learns c while its disk is full").atMost(Duration.ofSeconds(60)).pollInterval(POLL)
                .until(() -> knows(a, c));
        assertTrue(lab.ping(h.a(), "198.18.0.3", 2, Duration.ofSeconds(10)), "a still pings b");
        assertTrue(lab.ping(h.a(), "198.18.0.4", 2, Duration.ofSeconds(15)), "a pings c through the hub");
        assertTrue(a.process.isAlive() && a.status() != null, "a keeps serving");
        assertTrue(!persistent(a), "still full: " + factLog(a));
        List<String> errors = errors(a);
        assertEquals(1, errors.size(), "one error: " + errors);
        assertTrue(errors.get(0).contains("fact store") && errors.get(0).contains("No space left"), errors.get(0));
        long firstRetry = retrySeconds(errors.get(0));

        host("rm", "-f", a.stateDir.resolve("filler").toString(), a.stateDir.resolve("filler2").toString());
        long freed = System.nanoTime();
        await("a's fact log is persistent again").atMost(Duration.ofSeconds(330))
                .pollInterval(POLL).until(() -> persistent(a));
        long fullMs = (System.nanoTime() - freed) / 1_000_000;
        assertTrue(a.log().contains("persistent again"), a.log());
        assertEquals(10, firstRetry, "the first retry comes 10 s after the failure");

        assertTrue(lab.ping(h.a(), "198.18.0.3", 2, Duration.ofSeconds(10)), "a still pings b");

        // what a learned while full is in its file: a restart replays it
        a.stop();
        Path copy = lab.runDir().resolve("a-facts-copy");
        Files.copy(a.stateDir.resolve(h.wa().name() + ".facts"), copy);
        try (FactStore s = FactStore.open(copy, FactStore.Options.DEFAULTS, Clock.system())) {
            assertTrue(s.events().stream().anyMatch(e -> e.fact().subject().toBase64().equals(c)),
                    "c's facts are in a's file");
        }
        started(a);
        Matcher replayed = Pattern.compile("(\\d+) facts replayed").matcher(a.log());
        assertTrue(replayed.find() && Integer.parseInt(replayed.group(1)) > 0, a.log());
        assertTrue(knows(a, c), "a knows c right after its restart");

        long roMs = readOnlyWhileRetrying(lab, h, a);
        System.out.printf("StateDirFaultIT: state dir full: failure seen %d ms after the fill; persistent again %d ms "
                + "after space was freed; read-only during retries: persistent again %d ms after rw%n", failedMs,
                fullMs, roMs);
    }
}
