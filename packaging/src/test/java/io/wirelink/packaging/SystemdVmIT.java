package io.wirelink.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The systemd scenario (src/test/vm/systemd.sh) on vmlab's systemd image: the package installed offline, wg-quick@wg0
 * and wl-quick@wg0 enabled, READY, learning a member from the hub and pinging it, reload, kill -9, upgrade, stop,
 * reboot, wirelink@ on a hand-made interface, no keys in the journal, remove and purge. A lab test: runs with -Dlab
 * as root with qemu (10-14 minutes under TCG on a busy 2-core host), like vmlab's ITs.
 */
class SystemdVmIT {
    @Test
    void packageUnderSystemdOnKernelWireGuard() throws Exception {
        assumeTrue("false".equals(System.getProperty("wirelink.skipLab", "true")), "lab tests run with -Dlab");
        assumeTrue("root".equals(System.getProperty("user.name")), "the VM lab needs root");
        assumeTrue(Deb.onPath("qemu-system-x86_64"),
                "qemu-system-x86_64 is missing: scripts/install-deps installs qemu-system-x86");
        Path root = Path.of(System.getProperty("wirelink.repoRoot", "..")).toAbsolutePath().normalize();
        Path vm = root.resolve("vmlab/vm");
        assertTrue(Files.isExecutable(vm), vm + " (the VM lab) is missing");
        Path deb = Deb.theDeb().toAbsolutePath();
        Path target = Deb.debDir().toAbsolutePath();
        Path out = target.resolve("vmlab-systemd");
        Path log = target.resolve("vmlab-systemd.log");
        Deb.run(List.of("rm", "-rf", out.toString()));

        int image = run(List.of(vm.toString(), "image-systemd"), target.resolve("vmlab-image.txt"), 20);
        assertEquals(0, image, () -> "vmlab/vm image-systemd failed: " + read(target.resolve("vmlab-image.txt")));
        List<String> lines = Files.readAllLines(target.resolve("vmlab-image.txt"));
        String img = lines.get(lines.size() - 1).strip();

        long t0 = System.nanoTime();
        int status = run(List.of(vm.toString(), "runimg", "-t", "1800", "-o", out.toString(), "-f", deb.toString(), img,
                System.getProperty("wirelink.vmScript", "src/test/vm/systemd.sh")), log, 35);
        long wall = (System.nanoTime() - t0) / 1_000_000_000L;
        String results = read(out.resolve("systemd.txt"));
        System.out.println("systemd scenario: status " + status + " in " + wall + " s\n" + results);
        assertEquals(0, status, () -> "the systemd scenario failed; its output:\n" + read(log));
        assertTrue(results.contains("result=pass"), results);
    }

    private static int run(List<String> command, Path log, int minutes) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish within " + minutes + " minutes");
        }
        return p.exitValue();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(cannot read " + p + ": " + e + ")";
        }
    }
}
