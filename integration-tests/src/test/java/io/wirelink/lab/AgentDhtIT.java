package io.wirelink.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * Issue #7's: the same behind symmetric NATs, where only a relay helps, and only one of them knows the relay; the
 * other finds it in the first one's DHT record.
 */
@ExtendWith(LabExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AgentDhtIT {
    /**
     * Two peers behind symmetric NATs (no punch can work), each configured with the other's key and the bootstrap
     * node; b's config also names a stand-alone relay ({@code RelayMain}, whose operator paired the two keys), a's
     * does not, and nobody gossips it (there is no tunnel to gossip over). b registers with the relay and its DHT
     * record lists it; a finds it there, registers too, and the pair meets at it by the rendezvous rule.
     */
    @Test
    void aPeerFindsTheOthersRelayInItsDhtRecordAndPingsThroughIt(Lab lab) throws Exception {
        Host bootHost = lab.publicHost("boot");
        Host relayHost = lab.publicHost("rl");
        Nat natA = lab.nat("natA", NatType.SYMMETRIC);
        Nat natB = lab.nat("natB", NatType.SYMMETRIC);
        Host a = lab.hostBehind(natA, "a");
        Host b = lab.hostBehind(natB, "b");
        PrivateKey bootKey = PrivateKey.generate(new SecureRandom());
        String bootAddr = bootHost.address().getHostAddress() + ":51822";
        LabProcess boot = bootNode(lab, bootHost, bootKey, bootAddr);

        WgInterface wa = lab.startWireGuard(a).addAddress("198.18.0.2/24");
        WgInterface wb = lab.startWireGuard(b).addAddress("198.18.0.3/24");
        PrivateKey relayKey = PrivateKey.generate(new SecureRandom());
        PublicKey relayPub = relayKey.publicKey();
        Path keyFile = lab.runDir().resolve("relay.key");
        Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(keyFile, relayKey.toBase64() + "\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        int relayPort = AgentConfiguredRelayIT.RELAY_PORT;
        LabProcess relay = lab.spawn(relayHost, "relaymain", Map.of(), java, "-Xmx64m", "-cp",
                LabAgent.jar().toAbsolutePath().toString(), "io.wirelink.relay.RelayMain", "--private-key",
                keyFile.toString(), "--listen", relayHost.address().getHostAddress() + ":" + relayPort, "--pair",
                wa.publicKey().toBase64() + "," + wb.publicKey().toBase64());
        IpEndpoint relayEp = new IpEndpoint(relayHost.address(), relayPort);

        String common = commonConfig(bootKey, bootAddr);
        Path configA = lab.runDir().resolve("a.yaml");
        Files.writeString(configA, common + "peers:\n  - publicKey: " + wb.publicKey().toBase64()
                + "\n    allowedIps: [198.18.0.3/32]\n");
        Path configB = lab.runDir().resolve("b.yaml");
        Files.writeString(configB, common + "relay:\n  servers: [\"" + relayPub.toBase64() + "@" + relayEp
                + "\"]\npeers:\n  - publicKey: " + wa.publicKey().toBase64() + "\n    allowedIps: [198.18.0.2/32]\n");

        long start = System.nanoTime();
        LabAgent agentA = new LabAgent(lab, a, wa).config(configA).start();
        LabAgent agentB = new LabAgent(lab, b, wb).config(configB).start();
        List<LabAgent> all = List.of(agentA, agentB);
        for (LabAgent ag : all) {
            await("agent on " + ag.host.name()).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!ag.process.isAlive()) {
                            throw new AssertionError("agent died: " + ag.log());
                        }
                        return ag.ready();
                    });
        }
        try {
            await("a reaches b through the relay it found in b's DHT record").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> relayEp.equals(wa.endpointOf(wb.publicKey()).orElse(null))
                            && a.ping("198.18.0.3", 1, Duration.ofMillis(800)));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            AgentRelayIT.dump(all);
            System.out.println("--- relaymain ---\n" + relay.logTail(4000) + "\n--- boot ---\n" + boot.logTail(3000));
            throw e;
        }
        System.out.printf("AgentDhtIT: first ping through the relay found in the DHT %.1f s after the agents"
                + " started%n", (System.nanoTime() - start) / 1e9);
        assertTrue(b.ping("198.18.0.2", 5, Duration.ofSeconds(10)), "b pings a through the relay");
        assertEquals(relayEp, wb.endpointOf(wa.publicKey()).orElseThrow(), "both ends use the relay");

        JsonNode statusA = agentA.status();
        System.out.printf("AgentDhtIT: a's relays %s; a's view of b: path '%s'%n", statusA.get("relays"),
                AgentRelayIT.peer(statusA, wb.publicKey().toBase64()).get("path").asText());
        JsonNode ro = null;
        for (JsonNode r : statusA.get("relays")) {
            if (r.get("publicKey").asText().equals(relayPub.toBase64())) {
                ro = r;
            }
        }
        assertTrue(ro != null && ro.path("dht").asBoolean() && !ro.get("configured").asBoolean()
                && ro.get("attached").asBoolean(), "a knows the relay only from the DHT: " + statusA.get("relays"));
        assertFalse(ro.has("operator"), "nobody offers it: " + ro);
        assertEquals("via relay " + relayPub.toBase64(), AgentRelayIT.peer(statusA, wb.publicKey().toBase64())
                .get("path").asText());
        ExecResult show = agentA.cli("show", "--iface", wa.name());
        assertTrue(show.stdout().contains("relay found in the DHT: " + relayPub.toBase64() + " at " + relayEp),
                show.stdout() + show.stderr());
    }

    static LabProcess bootNode(Lab lab, Host host, PrivateKey key, String listen) throws Exception {
        Path keyFile = lab.runDir().resolve("boot.key");
        Files.writeString(keyFile, key.toBase64() + "\n");
        return lab.spawn(host, "dht-boot", LabAgent.launcherEnv(), LabAgent.launcher(), "dht-node", "--listen", listen, "--private-key", keyFile.toString(), "--network", "test",
                "--workbit", "0", "--stats-every", "0");
    }

    static String commonConfig(PrivateKey bootKey, String bootAddr) {
        return "network: test\nworkbit: 0\nboot: [\"" + bootKey.publicKey().toBase64() + "@" + bootAddr + "\"]\n";
    }

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
        LabProcess boot = lab.spawn(bootHost, "dht-boot", LabAgent.launcherEnv(), LabAgent.launcher(), "dht-node", "--listen", bootAddr, "--private-key",
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
