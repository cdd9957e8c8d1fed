package io.wirelink.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scenario d: the lab leaves nothing behind (namespaces with its token, wireguard-go processes, UAPI sockets, the
 * run directory) after {@code close()}, when the test body throws, when the closing thread is interrupted, and when
 * the JVM exits without closing (shutdown hook).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LabCleanupIT {
    @BeforeAll
    static void labAvailable() {
        LabExtension.assumeAvailable();
    }

    /** What a lab made, recorded while it was open. */
    private record Made(String token, List<String> namespaces, List<Long> pids, List<Path> sockets, Path runDir) {
        static Made of(Lab lab) {
            return new Made(lab.token(), lab.namespaces(),
                    lab.processes().stream().map(LabProcess::pid).toList(),
                    lab.wireGuardInterfaces().stream().map(WgInterface::socket).toList(), lab.runDir());
        }
    }

    /** Builds a small lab with two wireguard-go interfaces (one behind a NAT) and checks that it all exists. */
    private static Made populate(Lab lab) {
        Host pub = lab.publicHost("pub");
        Nat nat = lab.nat("nat", NatType.SYMMETRIC);
        Host priv = lab.hostBehind(nat, "priv");
        lab.startWireGuard(pub);
        lab.startWireGuard(priv);
        Made made = Made.of(lab);
        assertEquals(List.of(made.token() + "-wan", made.token() + "-pub", made.token() + "-nat",
                made.token() + "-priv"), made.namespaces());
        assertEquals(made.namespaces().stream().sorted().toList(),
                Lab.listNamespaces(made.token() + "-").stream().sorted().toList());
        assertEquals(2, made.pids().size());
        for (long pid : made.pids()) {
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " runs");
        }
        assertEquals(2, runningWithToken(made.token()).size(), "two wireguard-go processes carry the token");
        for (Path s : made.sockets()) {
            assertTrue(Files.exists(s), s + " exists");
        }
        String diagnostics = lab.diagnostics();
        for (String expected : List.of(made.token() + "-priv", "table inet wlnat", "masquerade random",
                lab.ifname("pub"), "listening port: 51820")) {
            assertTrue(diagnostics.contains(expected), "diagnostics mention " + expected + ":\n" + diagnostics);
        }
        return made;
    }

    private static void assertNothingLeft(Made made) {
        assertEquals(List.of(), Lab.listNamespaces(made.token()), "namespaces with the run token");
        for (long pid : made.pids()) {
            assertFalse(ProcessHandle.of(pid).map(h -> h.isAlive() && h.info().commandLine().orElse("")
                    .contains(made.token())).orElse(false), "wireguard-go pid " + pid + " is gone");
        }
        assertEquals(List.of(), runningWithToken(made.token()), "processes whose command line has the token");
        for (Path s : made.sockets()) {
            assertFalse(Files.exists(s), s + " is removed");
        }
        assertFalse(Files.exists(made.runDir()), made.runDir() + " is removed");
    }

    /** Live processes whose command line names the token (wireguard-go -f TOKEN-x, ip netns exec TOKEN-x ...). */
    private static List<ProcessHandle> runningWithToken(String token) {
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().orElse("").contains(token))
                .filter(h -> h.pid() != ProcessHandle.current().pid())
                .toList();
    }

    @Test
    void closeRemovesEverythingEvenWhenTheBodyThrows() {
        AtomicReference<Made> made = new AtomicReference<>();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> {
            try (Lab lab = Lab.create()) {
                made.set(populate(lab));
                throw new IllegalStateException("simulated test failure");
            }
        });
        assertEquals("simulated test failure", thrown.getMessage());
        assertNothingLeft(made.get());
    }

    @Test
    void closeRemovesEverythingWhenTheThreadIsInterrupted() {
        Lab lab = Lab.create();
        Made made = populate(lab);
        Thread.currentThread().interrupt();
        lab.close();
        assertTrue(Thread.interrupted(), "close() keeps the interrupt for the caller");
        assertTrue(lab.isClosed());
        assertNothingLeft(made);
        lab.close(); // idempotent
    }

    @Test
    void shutdownHookCleansUpWhenTheJvmExitsWithoutClosing() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path out = Files.createTempFile("lab-child-", ".log");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LabShutdownHookChild.class.getName()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        String token = null;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (token == null && child.isAlive() && System.nanoTime() < deadline) {
                token = Files.readAllLines(out, StandardCharsets.UTF_8).stream()
                        .filter(l -> l.startsWith(LabShutdownHookChild.READY))
                        .map(l -> l.substring(LabShutdownHookChild.READY.length()).strip())
                        .findFirst().orElse(null);
                Thread.sleep(50); // polling the child's output file, with a deadline
            }
            assertTrue(token != null && Lab.isToken(token), "child lab started: " + Files.readString(out));
            assertEquals(4, Lab.listNamespaces(token + "-").size(), "the child's lab exists");
            assertEquals(1, runningWithToken(token).size(), "the child's wireguard-go runs");

            child.destroy(); // SIGTERM: the JVM runs its shutdown hooks
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child JVM exits");
            String log = Files.readString(out);
            assertTrue(log.contains("cleaning up from the shutdown hook"), log);
            assertEquals(List.of(), Lab.listNamespaces(token), "namespaces left by the child: " + log);
            assertEquals(List.of(), runningWithToken(token), "processes left by the child: " + log);
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
            if (token != null) {
                removeLeftovers(token);
            }
            Files.deleteIfExists(out);
        }
    }

    /** Backstop if the child failed to clean up: its token names everything it made. */
    private static void removeLeftovers(String token) throws IOException {
        for (ProcessHandle h : runningWithToken(token)) {
            h.destroyForcibly();
        }
        for (String ns : Lab.listNamespaces(token + "-")) {
            Lab.run(List.of("ip", "netns", "del", ns), null, Lab.COMMAND_TIMEOUT);
        }
        try (var s = Files.list(Lab.WG_SOCKET_DIR)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(token)).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
