package io.wirelink.vmlab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A hub and three leaves with agents inside a VM (scenarios/mesh.sh): the hub and leaves a and b on kernel
 * WireGuard, leaf c on wireguard-go. The leaves know only the hub; every pair must find each other through it,
 * handshake directly (each end reaching the other at its own address) and ping with the hub forwarding none of it.
 * So a-b is a kernel pair and a-c, b-c are mixed pairs, kernel WireGuard on one end and wireguard-go on the other.
 * Four JVMs share the VM's two TCG CPUs: the scenario's waits are long, and it prints what it measured.
 */
@Timeout(value = 25, unit = TimeUnit.MINUTES)
class KernelMeshVmIT {
    static final Duration VM_TIMEOUT = Duration.ofMinutes(15);

    @Test
    void leavesOnKernelWireGuardAndWireGuardGoFindEachOtherThroughTheHubAndGoDirect() throws Exception {
        Vm.assumeAvailable();
        Vm.Run run = Vm.run9p("mesh", VM_TIMEOUT, Vm.scenario("mesh.sh"), Vm.launcher().toString(),
                Vm.agentJar().toString(), "kernel", "kernel", "kernel", "go");
        assertEquals(0, run.status(), "the mesh scenario failed in the VM:\n" + run.output());
        Map<String, String> r = run.properties("mesh.txt");
        assertEquals("kernel kernel kernel go", r.get("kinds"));
        assertEquals("yes", r.get("direct"), "every pair of leaves direct: " + r);
        String[][] pairs = {{"a", "b"}, {"a", "c"}, {"b", "c"}};
        for (String[] p : pairs) {
            assertEquals(address(p[1]), r.get("endpoint_" + p[1] + "_on_" + p[0]), p[0] + " reaches " + p[1] + " directly");
            assertEquals(address(p[0]), r.get("endpoint_" + p[0] + "_on_" + p[1]), p[1] + " reaches " + p[0] + " directly");
        }
        assertEquals("0", r.get("hub_forwarded_icmp"), "the pings did not pass through the hub");
        System.out.printf("KernelMeshVmIT: time-to-direct (every leaf handshook with the hub -> the pair handshook"
                + " directly): kernel a-b %s ms, mixed a-c %s ms, mixed b-c %s ms; agents ready %s ms after start,"
                + " all pairs direct %s ms after start%n", r.get("direct_a_b_ms"), r.get("direct_a_c_ms"),
                r.get("direct_b_c_ms"), r.get("agents_ready_ms"), r.get("start_to_direct_ms"));
    }

    private static String address(String leaf) {
        return "192.0.2." + (2 + "abc".indexOf(leaf)) + ":51820";
    }
}
