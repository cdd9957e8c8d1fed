package io.wirelink.vmlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The netlink backend's live tests on Debian's kernel, which has the wireguard module this host lacks: the
 * {@code apply} module's {@code NetlinkWireGuardLiveTest} and {@code RtNetlinkLiveTest} run inside a VM from the
 * built test classes, and the tests that skip here must have run and passed there.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class NetlinkLiveVmIT {
    static final String WG_TEST = "io.wirelink.apply.netlink.NetlinkWireGuardLiveTest";
    static final String RT_TEST = "io.wirelink.apply.netlink.RtNetlinkLiveTest";

    @Test
    void netlinkLiveTestsRunAndPassOnAKernelWithWireGuard() throws Exception {
        Vm.assumeAvailable();
        Path testClasses = Path.of(System.getProperty("wirelink.applyTestClasses", "../apply/target/test-classes"))
                .toAbsolutePath();
        assertTrue(Files.isRegularFile(testClasses.resolve(WG_TEST.replace('.', '/') + ".class")),
                "apply's test classes are not built at " + testClasses);
        String classpath = testClasses + File.pathSeparator + System.getProperty("java.class.path");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        Vm.Run run = Vm.run9p("netlink-live", Duration.ofMinutes(10), Vm.scenario("netlink-live.sh"),
                java, classpath, WG_TEST, RT_TEST);
        assertEquals(0, run.status(), "the VM run failed:\n" + run.output());

        Map<String, String> results = new LinkedHashMap<>();
        for (String line : run.file("junit.txt").split("\n")) {
            String[] parts = line.split(" ", 3);
            if (parts.length >= 2) {
                results.put(parts[1], parts[0]);
            }
        }
        System.out.println("NetlinkLiveVmIT: in the VM: " + results);
        assertFalse(results.containsValue("FAILED"), "a test failed in the VM: " + run.file("junit.txt"));
        assertEquals("SUCCESSFUL", results.get("NetlinkWireGuardLiveTest#kernelRoundTrip"),
                "the kernel WireGuard round trip must run and pass in the VM: " + run.file("junit.txt"));
        assertEquals("SUCCESSFUL", results.get("NetlinkWireGuardLiveTest#resolvesTheControllerFamilyThroughARealSocket"));
        // the VM's kernel has WireGuard: the test for kernels without it steps aside
        assertEquals("ABORTED", results.get("NetlinkWireGuardLiveTest#withoutKernelSupportOpenFailsWithEnoent"));
        long rt = results.entrySet().stream().filter(e -> e.getKey().startsWith("RtNetlinkLiveTest#")).count();
        long rtPassed = results.entrySet().stream()
                .filter(e -> e.getKey().startsWith("RtNetlinkLiveTest#") && e.getValue().equals("SUCCESSFUL")).count();
        assertTrue(rt >= 2 && rtPassed == rt, "every RtNetlinkLiveTest test must run and pass: " + run.file("junit.txt"));
    }
}
