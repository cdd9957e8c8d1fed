package io.wirelink.vmlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness itself: a script's exit status and results come back, arguments arrive intact, and a run that outlives
 * its timeout ends with 124 and leaves no qemu and no run directory behind.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class HarnessVmIT {
    @Test
    void theScriptsStatusArgumentsAndResultsComeBack(@TempDir Path tmp) throws Exception {
        Vm.assumeAvailable();
        Vm.Run run = Vm.run9p("exit-7", Duration.ofMinutes(5), Map.of("TMPDIR", tmp.toString()),
                Vm.scenario("exit-with.sh"), "7", "two words", "");
        assertEquals(7, run.status(), run.output());
        assertEquals("7\ntwo words\n\n", run.file("args.txt"));
        assertTrue(run.output().contains("kind 9p, root on overlay"), run.output());
        assertNothingLeft(tmp);
    }

    @Test
    void aRunPastItsTimeoutIsKilledAndLeavesNothingBehind(@TempDir Path tmp) throws Exception {
        Vm.assumeAvailable();
        Vm.Run run = Vm.run9p("timeout", Duration.ofSeconds(15), Map.of("TMPDIR", tmp.toString()),
                Vm.scenario("exit-with.sh"), "sleep");
        assertEquals(124, run.status(), run.output());
        assertTrue(run.output().contains("timed out after 15s"), run.output());
        assertNothingLeft(tmp);
    }

    /** The harness made its run directory under {@code tmp}: it must be gone, and no process may still use it. */
    private static void assertNothingLeft(Path tmp) throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            List<Path> left = s.toList();
            assertEquals(List.of(), left, "run directories left behind");
        }
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                String cmdline;
                try {
                    cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    continue; // gone meanwhile
                }
                assertTrue(!cmdline.contains(tmp.toString()), "still running: " + cmdline.replace('\0', ' '));
            }
        }
    }
}
