package io.wirelink.vmlab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs a scenario script in a VM through the {@code vmlab/vm} harness and hands back its exit status, its output
 * and the files it left on the results share. Skips, with the reason, where the lab cannot run (not root, no qemu);
 * anything else that stops the VM fails the test.
 */
final class Vm {
    /** Time a first run may spend building the kernel and initramfs before the VM's own timeout starts. */
    static final Duration BUILD_MARGIN = Duration.ofMinutes(5);

    private Vm() {}

    record Run(int status, String output, Path outDir) {
        String file(String name) {
            try {
                return Files.readString(outDir.resolve(name));
            } catch (IOException e) {
                throw new UncheckedIOException("the scenario left no " + name + " in " + outDir + "; output:\n" + output, e);
            }
        }

        /** A key=value file the scenario wrote to $VMLAB_OUT. */
        Map<String, String> properties(String name) {
            Map<String, String> m = new LinkedHashMap<>();
            for (String line : file(name).split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    m.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return m;
        }
    }

    static void assumeAvailable() {
        Assumptions.assumeTrue(isRoot(), "the VM lab needs root (qemu's 9p shares of /, the kernel cache in /var/cache)");
        Assumptions.assumeTrue(onPath("qemu-system-x86_64"),
                "qemu-system-x86_64 is missing: scripts/install-deps installs qemu-system-x86");
    }

    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static Path scenario(String name) {
        return Path.of(System.getProperty("wirelink.vmlab.scenarios", "scenarios"), name).toAbsolutePath();
    }

    static Path agentJar() {
        Path p = Path.of(System.getProperty("wirelink.agentJar", "../agent/target/wirelink-all.jar")).toAbsolutePath();
        if (!Files.exists(p)) {
            throw new IllegalStateException("agent jar missing at " + p + " (build the agent first)");
        }
        return p;
    }

    static Path launcher() {
        return Path.of(System.getProperty("wirelink.launcher", "../bin/wirelink")).toAbsolutePath();
    }

    /** Boots a host-root VM ({@code vm run9p}) that runs {@code script args}; {@code name} names its results. */
    static Run run9p(String name, Duration timeout, Path script, String... args) throws Exception {
        return run9p(name, timeout, Map.of(), script, args);
    }

    /** Like {@link #run9p(String, Duration, Path, String...)}, with extra environment for the harness. */
    static Run run9p(String name, Duration timeout, Map<String, String> env, Path script, String... args)
            throws Exception {
        Path out = Path.of(System.getProperty("wirelink.vmlab.out", "target/vmlab"), name).toAbsolutePath();
        deleteTree(out);
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("wirelink.vmlab.harness", "vm")).toAbsolutePath().toString(),
                "run9p", "-t", Long.toString(timeout.toSeconds()), "-o", out.toString(), script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    System.out.println("[vm " + name + "] " + line);
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                // the process is gone; what was read stays
            }
        }, "vm-" + name);
        reader.start();
        if (!p.waitFor(timeout.plus(BUILD_MARGIN).toSeconds(), TimeUnit.SECONDS)) {
            p.destroy(); // SIGTERM: the harness kills qemu by its pid and removes its run directory
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        reader.join(10_000);
        synchronized (output) {
            return new Run(p.isAlive() ? -1 : p.exitValue(), output.toString(), out);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
