package io.wirelink.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.PrivateKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #6's proof: one public bootstrap node ({@code wirelink dht-node}); two peers behind separate cone NATs, each
 * configured with nothing but the other's key and overlay address and the bootstrap node. Their WireGuard
 * interfaces start with no peers at all. They must find each other through the DHT and ping over the overlay.
 */
@ExtendWith(LabExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AgentDhtIT {
    @Test
    void peersThatShareOnlyABootstrapNodeFindEachOtherAndPing(Lab lab) throws Exception {
        Host bootHost = lab.publicHost("boot");
        Nat natA = lab.nat("natA", NatType.CONE);
        Nat natB = lab.nat("natB", NatType.CONE);
        Host a = lab.hostBehind(natA, "a");
        Host b = lab.hostBehind(natB, "b");

        PrivateKey bootKey = PrivateKey.generate(new SecureRandom());
        Path bootKeyFile = lab.runDir().resolve("boot.key");
        Files.writeString(bootKeyFile, bootKey.toBase64() + "\n");
        String bootAddr = bootHost.address().getHostAddress() + ":51822";
        String launcher = Path.of(System.getProperty("wirelink.launcher", "../bin/wirelink")).toAbsolutePath()
                .toString();
        LabProcess boot = lab.spawn(bootHost, "dht-boot", Map.of("WIRELINK_JAR", LabAgent.jar().toAbsolutePath()
                        .toString()), launcher, "dht-node", "--listen", bootAddr, "--private-key",
                bootKeyFile.toString(), "--network", "test", "--workbit", "0", "--stats-every", "0");

        WgInterface wa = lab.startWireGuard(a).addAddress("198.18.0.2/24");
        WgInterface wb = lab.startWireGuard(b).addAddress("198.18.0.3/24");
        String common = """
                network: test
                workbit: 0
                boot: ["%s@%s"]
                """.formatted(bootKey.publicKey().toBase64(), bootAddr);
        Path configA = lab.runDir().resolve("a.yaml");
        Files.writeString(configA, common + "peers:\n  - publicKey: " + wb.publicKey().toBase64()
                + "\n    allowedIps: [198.18.0.3/32]\n");
        Path configB = lab.runDir().resolve("b.yaml");
        Files.writeString(configB, common + "peers:\n  - publicKey: " + wa.publicKey().toBase64()
                + "\n    allowedIps: [198.18.0.2/32]\n");
        assertTrue(wa.dump().peers().isEmpty() && wb.dump().peers().isEmpty(), "WireGuard starts with no peers");

        long start = System.nanoTime();
        LabAgent agentA = new LabAgent(lab, a, wa).config(configA).start();
        LabAgent agentB = new LabAgent(lab, b, wb).config(configB).start();
        for (LabAgent ag : List.of(agentA, agentB)) {
            await("agent on " + ag.host.name()).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!ag.process.isAlive()) {
                            throw new AssertionError("agent died: " + ag.log());
                        }
                        return ag.ready();
                    });
        }
        long ready = System.nanoTime();
        try {
            await("a pings b over the overlay").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> a.ping("198.18.0.3", 1, Duration.ofSeconds(1)));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            System.out.println("--- a ---\n" + agentA.log() + "\n--- b ---\n" + agentB.log() + "\n--- boot ---\n"
                    + boot.logTail(3000));
            throw e;
        }
        long pinged = System.nanoTime();
        System.out.printf("AgentDhtIT: first overlay ping %.1f s after the agents started (%.1f s after both"
                + " answered their control sockets)%n", (pinged - start) / 1e9, (pinged - ready) / 1e9);
        assertEquals(natB.wanAddress(), wa.endpointOf(wb.publicKey()).orElseThrow().address(),
                "a reaches b directly at b's NAT mapping");
        assertTrue(b.ping("198.18.0.2", 2, Duration.ofSeconds(5)), "and b pings a");
    }
}
