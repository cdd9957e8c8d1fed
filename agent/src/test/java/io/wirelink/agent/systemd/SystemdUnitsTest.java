package io.wirelink.agent.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both units pass {@code systemd-analyze verify} with no warning at all (it exits 0 on some parse errors, so any
 * output fails the test). ExecStart is pointed at this checkout's launcher, since verify checks it is executable.
 */
class SystemdUnitsTest {
    static final Path UNITS = Path.of("..", "systemd");

    @Test
    void unitsVerifyCleanly(@TempDir Path dir) throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        Assumptions.assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed");
        Path launcher = Path.of("..", "bin", "wirelink").toAbsolutePath().normalize();
        for (String unit : List.of("wirelink@.service", "wl-quick@.service")) {
            String text = Files.readString(UNITS.resolve(unit));
            assertTrue(text.contains("ExecStart=/usr/bin/wirelink --iface %i"), unit);
            assertTrue(text.contains("Type=notify") && text.contains("CapabilityBoundingSet=CAP_NET_ADMIN")
                    && text.contains("Restart=on-failure"), unit);
            Files.writeString(dir.resolve(unit), text.replace("/usr/bin/wirelink", launcher.toString()));
        }
        Path wgQuick = Path.of("/lib/systemd/system/wg-quick@.service");
        if (Files.exists(wgQuick)) {
            Files.copy(wgQuick, dir.resolve("wg-quick@.service"));
        } else {
            Files.writeString(dir.resolve("wg-quick@.service"), "[Unit]\nDescription=stand-in for wg-quick %i\n"
                    + "[Service]\nType=oneshot\nExecStart=/bin/true\n");
        }
        String wlQuick = Files.readString(dir.resolve("wl-quick@.service"));
        assertTrue(wlQuick.contains("PartOf=wg-quick@%i.service") && wlQuick.contains("Requires=wg-quick@%i.service"));
        Process p = new ProcessBuilder(analyze.toString(), "verify", "--man=no", "./wirelink@wg0.service",
                "./wl-quick@wg0.service").directory(dir.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "systemd-analyze finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertEquals("", out.strip(), "no warnings");
    }
}
