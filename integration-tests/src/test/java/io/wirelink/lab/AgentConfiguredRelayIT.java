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
 * {@code relay.servers}: a stand-alone relay ({@code io.wirelink.relay.RelayMain}, no agent, so nobody offers it)
 * that only the two leaves' configs name. The leaves, behind symmetric NATs and zero-config around a hub that runs
 * no relay, register with it, publish their attachments, pick it by the rendezvous hash and ping through it.
 */
@ExtendWith(LabExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AgentConfiguredRelayIT {
    static final int RELAY_PORT = 51823;

    @Test
    void leavesUseARelayOnlyTheirConfigNames(Lab lab) throws Exception {
        Host hubHost = lab.publicHost("hub");
        Host relayHost = lab.publicHost("rl");
        Nat natA = lab.nat("natA", NatType.SYMMETRIC);
        Nat natB = lab.nat("natB", NatType.SYMMETRIC);
        Host a = lab.hostBehind(natA, "a");
        Host b = lab.hostBehind(natB, "b");
        hubHost.exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        WgInterface hub = lab.startWireGuard(hubHost).addAddress("198.18.0.1/24");
        WgInterface wa = lab.startWireGuard(a).addAddress("198.18.0.2/24");
        WgInterface wb = lab.startWireGuard(b).addAddress("198.18.0.3/24");
        hub.setPeer(wa, null, null, "198.18.0.2/32");
        hub.setPeer(wb, null, null, "198.18.0.3/32");
        wa.setPeer(hub, hub.underlayEndpoint(), 5, "198.18.0.0/24");
        wb.setPeer(hub, hub.underlayEndpoint(), 5, "198.18.0.0/24");

        // the stand-alone relay: its own key, admitting and pairing exactly the two leaves
        StandaloneRelay standalone = StandaloneRelay.start(lab, relayHost, RELAY_PORT, wa.publicKey(),
                wb.publicKey());
        PublicKey relayPub = standalone.publicKey();
        LabProcess relay = standalone.process();
        IpEndpoint relayEp = standalone.endpoint();
        Path leafConfig = lab.runDir().resolve("leaf.yaml");
        Files.writeString(leafConfig, "relay:\n  servers: [\"" + relayPub.toBase64() + "@" + relayEp + "\"]\n");

        long start = System.nanoTime();
        LabAgent hubAgent = new LabAgent(lab, hubHost, hub).start();
        LabAgent agentA = new LabAgent(lab, a, wa).config(leafConfig).start();
        LabAgent agentB = new LabAgent(lab, b, wb).config(leafConfig).start();
        List<LabAgent> all = List.of(hubAgent, agentA, agentB);
        for (LabAgent ag : all) {
            await("agent on " + ag.host.name()).atMost(Duration.ofSeconds(60)).pollInterval(AgentRelayIT.POLL)
                    .until(() -> {
                        if (!ag.process.isAlive()) {
                            throw new AssertionError("agent died: " + ag.log());
                        }
                        return ag.ready();
                    });
        }
        try {
            await("a reaches b through the configured relay").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> relayEp.equals(wa.endpointOf(wb.publicKey()).orElse(null))
                            && a.ping("198.18.0.3", 1, Duration.ofMillis(800)));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            AgentRelayIT.dump(all);
            System.out.println("--- relaymain ---\n" + relay.logTail(4000));
            throw e;
        }
        System.out.printf("AgentConfiguredRelayIT: first ping through the configured relay %.1f s after the agents"
                + " started%n", (System.nanoTime() - start) / 1e9);
        assertTrue(b.ping("198.18.0.2", 5, Duration.ofSeconds(10)), "b pings a through the relay");
        // a direct try (at the relay's switch moment, then backing off) may be under way: it ends within 1.5 s
        await("both ends use the relay").atMost(Duration.ofSeconds(5)).pollInterval(AgentRelayIT.POLL)
                .until(() -> relayEp.equals(wb.endpointOf(wa.publicKey()).orElse(null)));

        JsonNode statusA = agentA.status();
        JsonNode ro = statusA.get("relays").get(0);
        System.out.printf("AgentConfiguredRelayIT: a's relays %s; a's view of b: path '%s'%n", statusA.get("relays"),
                AgentRelayIT.peer(statusA, wb.publicKey().toBase64()).get("path").asText());
        assertEquals(relayPub.toBase64(), ro.get("publicKey").asText());
        assertTrue(ro.get("configured").asBoolean() && ro.get("attached").asBoolean() && ro.get("alive")
                .asBoolean(), ro.toString());
        assertFalse(ro.has("operator"), "nobody offers it: " + ro);
        assertEquals("via relay " + relayPub.toBase64(), AgentRelayIT.peer(statusA, wb.publicKey().toBase64())
                .get("path").asText());
        assertEquals(0, hubAgent.status().get("relays").size(), "the hub knows of no relay: nothing was offered");
        assertFalse(hubAgent.status().has("relay"), "the hub runs none");
        ExecResult show = agentA.cli("show", "--iface", wa.name());
        assertTrue(show.stdout().contains("relay configured: " + relayPub.toBase64() + " at " + relayEp),
                show.stdout() + show.stderr());
    }
}
