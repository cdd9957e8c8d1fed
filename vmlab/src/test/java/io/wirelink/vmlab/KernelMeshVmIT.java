package io.wirelink.vmlab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A hub and two leaves with agents inside a VM (scenarios/mesh.sh): the leaves know only the hub, find each other
 * through it, handshake directly and ping with the hub forwarding none of it. On kernel WireGuard throughout, and as
 * a mixed pair: leaf b on wireguard-go, so the direct a-b pair is kernel WireGuard on one end and wireguard-go on the
 * other. Each run boots its own VM with three JVMs, which is about what TCG affords.
 */
@Timeout(value = 25, unit = TimeUnit.MINUTES)
class KernelMeshVmIT {
    static final Duration VM_TIMEOUT = Duration.ofMinutes(12);

    @Test
    void leavesOnKernelWireGuardFindEachOtherAndGoDirect() throws Exception {
        Map<String, String> r = mesh("mesh-kernel", "kernel", "kernel", "kernel");
        System.out.printf("KernelMeshVmIT: kernel WireGuard: time-to-direct %s ms (both leaves handshook with the hub"
                + " -> a and b handshook directly), %s ms from agent start; agents ready after %s ms%n",
                r.get("time_to_direct_ms"), r.get("start_to_direct_ms"), r.get("agents_ready_ms"));
    }

    @Test
    void aKernelLeafAndAWireGuardGoLeafGoDirect() throws Exception {
        Map<String, String> r = mesh("mesh-mixed", "kernel", "kernel", "go");
        System.out.printf("KernelMeshVmIT: kernel a <-> wireguard-go b: time-to-direct %s ms, %s ms from agent start%n",
                r.get("time_to_direct_ms"), r.get("start_to_direct_ms"));
    }

    private static Map<String, String> mesh(String name, String hub, String a, String b) throws Exception {
        Vm.assumeAvailable();
        Vm.Run run = Vm.run9p(name, VM_TIMEOUT, Vm.scenario("mesh.sh"), Vm.launcher().toString(),
                Vm.agentJar().toString(), hub, a, b);
        assertEquals(0, run.status(), "the mesh scenario failed in the VM:\n" + run.output());
        Map<String, String> r = run.properties("mesh.txt");
        assertEquals(hub + " " + a + " " + b, r.get("kinds"));
        assertEquals("yes", r.get("direct"), "a and b direct: " + r);
        assertEquals("192.0.2.3:51820", r.get("endpoint_b_on_a"), "a reaches b at b's own address");
        assertEquals("192.0.2.2:51820", r.get("endpoint_a_on_b"), "b reaches a at a's own address");
        assertEquals("0", r.get("hub_forwarded_icmp"), "the pings did not pass through the hub");
        return r;
    }
}
