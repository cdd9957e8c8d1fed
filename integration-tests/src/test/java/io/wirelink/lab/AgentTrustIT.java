package io.wirelink.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirelink.agent.cli.JsonTree;
import io.wirelink.facts.Fact;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.MemberMetadata;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.SignedGroups;
import io.wirelink.linklocal.LinkLocal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Trust and membership with real agents: forged, untrusted and unknown facts sent over the real tunnel change
 * nothing; a peer the hub stops vouching for is removed from the leaves once the guards allow; and the CLI's exact
 * forms ({@code show}, {@code --dump-facts --json}, {@code reload}) work against running agents. Short timers come
 * from a config file, as an operator would set them.
 */
@ExtendWith(LabExtension.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AgentTrustIT {
    static final Duration POLL = Duration.ofMillis(100);

    @Test
    void untrustedFactsChangeNothingAndAPeerTheHubDropsIsRemoved(Lab lab) throws Exception {
        Path config = lab.runDir().resolve("wirelink.yaml");
        Files.writeString(config, """
                # short timers so membership expiry fits in a test
                timers:
                  factTtl: 20s
                  aliveTtl: 6s
                  alivePeriod: 2s
                  antiEntropy: 2s
                  startupGrace: 6s
                  membershipSettle: 8s
                """);
        Host hubHost = lab.publicHost("hub");
        Host a = lab.publicHost("a");
        Host b = lab.publicHost("b");
        WgInterface hub = lab.startWireGuard(hubHost).addAddress("198.18.0.1/24");
        WgInterface wa = lab.startWireGuard(a).addAddress("198.18.0.2/24");
        WgInterface wb = lab.startWireGuard(b).addAddress("198.18.0.3/24");
        LabAgent hubAgent = new LabAgent(lab, hubHost, hub).config(config).start();
        LabAgent agentA = new LabAgent(lab, a, wa).config(config).start();
        LabAgent agentB = new LabAgent(lab, b, wb).config(config).start();
        for (LabAgent ag : List.of(hubAgent, agentA, agentB)) {
            await("agent on " + ag.host.name()).atMost(Duration.ofSeconds(60)).pollInterval(POLL).until(ag::ready);
        }
        hub.setPeer(wa, null, null, "198.18.0.2/32");
        hub.setPeer(wb, null, null, "198.18.0.3/32");
        wa.setPeer(hub, hub.underlayEndpoint(), 5, "198.18.0.0/24");
        wb.setPeer(hub, hub.underlayEndpoint(), 5, "198.18.0.0/24");
        await("a and b go direct").atMost(Duration.ofSeconds(30)).pollInterval(POLL)
                .until(() -> wa.peer(wb.publicKey()).map(p -> p.allowedIps().contains(IpPrefix.parse(
                        "198.18.0.3/32"))).orElse(false));

        // --- the CLI forms, against running agents
        ExecResult show = agentA.cli("show", "--iface", wa.name());
        assertEquals(0, show.exitCode(), show.stderr());
        assertTrue(show.stdout().contains("interface: " + wa.name()) && show.stdout().contains("path: direct"),
                show.stdout());
        ExecResult dump = agentA.cli("--dump-facts", "--iface", wa.name(), "--json");
        assertEquals(0, dump.exitCode(), dump.stderr());
        JsonNode facts = JsonTree.read(dump.stdout());
        assertEquals(wa.publicKey().toBase64(), facts.get("self").asText());
        assertTrue(facts.get("facts").size() > 0);
        boolean gossipFromHub = false;
        for (JsonNode f : facts.get("facts")) {
            for (JsonNode p : f.get("provenance")) {
                gossipFromHub |= p.get("channel").asText().equals("gossip")
                        && p.get("author").asText().equals(hub.publicKey().toBase64());
            }
        }
        assertTrue(gossipFromHub, "facts carry provenance: some came from the hub by gossip");
        ExecResult reload = agentA.cli("reload", "--iface", wa.name());
        assertEquals(0, reload.exitCode(), reload.stderr());
        assertTrue(reload.stdout().contains("reloaded"), reload.stdout());
        long reloadsBefore = agentA.log().lines().filter(l -> l.contains("configuration reloaded")).count();
        a.exec("kill", "-HUP", Long.toString(agentA.process.pid()));
        await("SIGHUP reloads the configuration").atMost(Duration.ofSeconds(10)).pollInterval(POLL).until(() ->
                agentA.log().lines().filter(l -> l.contains("configuration reloaded")).count() > reloadsBefore);
        assertTrue(wa.peer(wb.publicKey()).orElseThrow().allowedIps().contains(IpPrefix.parse("198.18.0.3/32")),
                "reloading dropped no working peer");

        // --- forged, untrusted and unknown facts, sent over the real tunnel from b's namespace to a
        JsonNode before = agentA.status().get("counters");
        PrivateKey stranger = PrivateKey.generate(new SecureRandom());
        Instant now = Instant.now();
        Fact newMember = Fact.member(stranger.publicKey(), MemberMetadata.of("evil", false), now.plusSeconds(60));
        Fact unknownEndpoint = Fact.endpoint(stranger.publicKey(), IpEndpoint.parse("203.0.113.66:51820"),
                now.plusSeconds(60));
        SecureRandom rnd = new SecureRandom();
        // 1. b (a leaf: Endpoint trust) claims a new member, and an endpoint of a peer nobody vouched for
        byte[] fromB = new SignedGroups(wb.privateKey(), 4).seal(1, wa.publicKey(), List.of(newMember,
                unknownEndpoint), now, rnd).get(0);
        // 2. the hub's key, but sent from b's address
        byte[] hubKeyFromB = new SignedGroups(hub.privateKey(), 4).seal(1, wa.publicKey(), List.of(newMember), now,
                rnd).get(0);
        // 3. a key a does not know
        byte[] unknownSigner = new SignedGroups(stranger, 4).seal(1, wa.publicKey(), List.of(newMember), now, rnd)
                .get(0);
        // 4. b's group with one byte of the tag changed
        byte[] forged = fromB.clone();
        forged[2 + 32 + 24] ^= 1;
        // 5. garbage
        byte[] garbage = new byte[] {'S', 0, 1, 2, 3};
        int port = agentA.status().get("gossipPort").asInt();
        for (byte[] d : List.of(fromB, hubKeyFromB, unknownSigner, forged, garbage)) {
            sendFrom(lab, b, wb, wa.publicKey(), port, d);
        }
        await("a counted every bad datagram").atMost(Duration.ofSeconds(10)).pollInterval(POLL).until(() -> {
            JsonNode c = agentA.status().get("counters");
            return c.get("factsRejected").asLong() >= before.get("factsRejected").asLong() + 2
                    && c.get("wrongSource").asLong() > before.get("wrongSource").asLong()
                    && c.get("unknownSigner").asLong() > before.get("unknownSigner").asLong()
                    && c.get("unverified").asLong() > before.get("unverified").asLong()
                    && c.get("malformed").asLong() > before.get("malformed").asLong();
        });
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
        assertFalse(wa.peer(stranger.publicKey()).isPresent(), "nothing of it reached a's device");
        JsonNode dumpAfter = JsonTree.read(agentA.cli("--dump-facts", "--iface", wa.name(), "--json")
                .stdout());
        for (JsonNode f : dumpAfter.get("facts")) {
            assertNotEquals(stranger.publicKey().toBase64(), f.get("subject").asText(), "not even stored");
        }

        // --- the hub stops vouching for b: after its facts expire and the guards pass, a removes b
        hub.removePeer(wb.publicKey());
        long t0 = System.nanoTime();
        try {
            await("a removes b").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> wa.peer(wb.publicKey()).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            System.out.println("--- a's log ---\n" + agentA.log() + "\n--- a's facts ---\n"
                    + agentA.cli("--dump-facts", "--iface", wa.name()).stdout() + "\n--- a's show ---\n"
                    + agentA.cli("show", "--iface", wa.name()).stdout());
            throw e;
        }
        System.out.printf("AgentTrustIT: b removed from a %.1f s after the hub dropped it (factTtl 20 s)%n",
                (System.nanoTime() - t0) / 1e9);
        assertTrue(wa.peer(hub.publicKey()).isPresent(), "the hub stays");

        // --- without a running agent the CLI says so and fails
        agentA.stop();
        ExecResult none = agentA.cli("--dump-facts", "--iface", wa.name());
        assertNotEquals(0, none.exitCode());
        assertTrue(none.stderr().contains("no agent is running"), none.stderr());
    }

    /** Sends {@code payload} from {@code from}'s namespace to {@code to}'s link-local gossip address over wg. */
    static void sendFrom(Lab lab, Host from, WgInterface fromWg, PublicKey to, int port, byte[] payload)
            throws Exception {
        Path f = Files.createTempFile(lab.runDir(), "datagram", ".bin");
        Files.write(f, payload);
        String dst = LinkLocal.format(to) + "%" + fromWg.name();
        lab.exec(from.ns(), "bash", "-c", "cat " + f + " > /dev/udp/" + dst + "/" + port);
    }
}
