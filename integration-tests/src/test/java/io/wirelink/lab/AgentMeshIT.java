package io.wirelink.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpPrefix;
import io.wirelink.linklocal.LinkLocal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agent in the lab, zero-config: a public hub and three leaves, two behind cone NATs and one behind a symmetric
 * NAT, each leaf configured (as wg-quick would) with only the hub. The agents must find each other through the
 * hub, go direct where the NATs allow it, stay routed through the hub where they do not, survive a restart without
 * dropping a route, and keep direct pairs working when the hub dies.
 */
@ExtendWith(LabExtension.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AgentMeshIT {
    static final Duration POLL = Duration.ofMillis(100);

    record Mesh(HubMesh lab, Host hubHost, Host a, Host b, Host c, WgInterface hub, WgInterface wa, WgInterface wb, WgInterface wc,
            LabAgent hubAgent, LabAgent agentA, LabAgent agentB, LabAgent agentC, Nat natB) {}

    static Mesh build(Lab lab) {
        HubMesh h = HubMesh.build(lab);
        LabAgent hubAgent = new LabAgent(lab, h.hubHost(), h.hub()).start();
        LabAgent agentA = new LabAgent(lab, h.a(), h.wa()).start();
        LabAgent agentB = new LabAgent(lab, h.b(), h.wb()).start();
        LabAgent agentC = new LabAgent(lab, h.c(), h.wc()).start();
        for (LabAgent ag : List.of(hubAgent, agentA, agentB, agentC)) {
            await("agent on " + ag.host.name() + " ready").atMost(Duration.ofSeconds(60)).pollInterval(POLL)
                    .until(() -> {
                        if (!ag.process.isAlive()) {
                            throw new AssertionError("agent died: " + ag.log());
                        }
                        return ag.ready();
                    });
        }
        return new Mesh(h, h.hubHost(), h.a(), h.b(), h.c(), h.hub(), h.wa(), h.wb(), h.wc(), hubAgent, agentA,
                agentB, agentC, h.natB());
    }

    static boolean direct(WgInterface x, WgInterface y) {
        return x.peer(y.publicKey()).map(p -> p.lastHandshake().isAfter(Instant.EPOCH)).orElse(false);
    }

    @Test
    void leavesFindEachOtherGoDirectThroughConeNatsAndSurviveRestartsAndTheHubDying(Lab lab) throws Exception {
        Mesh m = build(lab);
        m.lab().configureLikeWgQuick();

        // time-to-direct: from both cone leaves' first handshake with the hub to their first direct handshake
        await("cone leaves handshake with the hub").atMost(Duration.ofSeconds(20)).pollInterval(POLL)
                .until(() -> direct(m.hub(), m.wa()) && direct(m.hub(), m.wb()));
        long t0 = System.nanoTime();
        await("leaves a and b handshake directly").atMost(Duration.ofSeconds(30)).pollInterval(POLL)
                .until(() -> direct(m.wa(), m.wb()) && direct(m.wb(), m.wa()));
        long ttdMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("AgentMeshIT: time-to-direct %d ms (handshakes with the hub -> direct a<->b)%n", ttdMillis);
        if (ttdMillis > 2000 || Boolean.getBoolean("wirelink.lab.verbose")) {
            System.out.println("--- agent a ---\n" + m.agentA().log() + "\n--- agent b ---\n" + m.agentB().log());
        }

        PeerState bOnA = m.wa().peer(m.wb().publicKey()).orElseThrow();
        assertEquals(m.natB().wanAddress(), bOnA.endpoint().address(), "a reaches b at b's NAT mapping");
        await("b's /32 installed on a").atMost(Duration.ofSeconds(15)).pollInterval(POLL).until(() -> m.wa()
                .peer(m.wb().publicKey()).orElseThrow().allowedIps().contains(IpPrefix.parse("198.18.0.3/32")));
        assertTrue(m.a().ping("198.18.0.3", 2, Duration.ofSeconds(10)), "a pings b");
        assertTrue(m.b().ping("198.18.0.2", 2, Duration.ofSeconds(10)), "b pings a");

        // the symmetric leaf is learned but stays routed through the hub, and still answers
        await("a learned c").atMost(Duration.ofSeconds(15)).pollInterval(POLL)
                .until(() -> m.wa().peer(m.wc().publicKey()).isPresent());
        assertTrue(m.a().ping("198.18.0.4", 3, Duration.ofSeconds(15)), "a pings c through the hub");
        assertTrue(m.c().ping("198.18.0.3", 3, Duration.ofSeconds(15)), "c pings b through the hub");
        PeerState cOnA = m.wa().peer(m.wc().publicKey()).orElseThrow();
        assertEquals(List.of(LinkLocal.hostPrefix(m.wc().publicKey())), cOnA.allowedIps(),
                "no direct path to c: only its link-local, so 198.18.0.4 goes via the hub's /24");
        JsonNode status = m.agentA().status();
        String pathToC = "";
        for (JsonNode p : status.get("peers")) {
            if (p.get("publicKey").asText().equals(m.wc().publicKey().toBase64())) {
                pathToC = p.get("path").asText();
            }
        }
        assertEquals("via router", pathToC);

        // at rest: control bytes per peer per minute, and memory
        long out0 = m.agentA().status().get("counters").get("bytesOut").asLong();
        long start = System.nanoTime();
        await().pollDelay(Duration.ofSeconds(30)).atMost(Duration.ofSeconds(31)).until(() -> true);
        long out1 = m.agentA().status().get("counters").get("bytesOut").asLong();
        double minutes = (System.nanoTime() - start) / 60e9;
        int peersOfA = m.wa().dump().peers().size();
        System.out.printf("AgentMeshIT: at rest, leaf a sent %.0f gossip bytes per peer per minute (%d peers,"
                + " payload only, over %.1f s)%n", (out1 - out0) / minutes / peersOfA, peersOfA, minutes * 60);
        for (LabAgent ag : List.of(m.hubAgent(), m.agentA(), m.agentB(), m.agentC())) {
            System.out.printf("AgentMeshIT: agent on %s RSS %d KiB%n", ag.host.name(), ag.rssKiB());
        }

        // restart a's agent: no allowed IP is dropped while it replays its log
        m.agentA().stop();
        assertFalse(m.agentA().process.isAlive());
        m.agentA().start();
        long until = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        while (System.nanoTime() < until) {
            assertTrue(m.wa().peer(m.wb().publicKey()).orElseThrow().allowedIps()
                    .contains(IpPrefix.parse("198.18.0.3/32")), "b's route stays on a across the restart");
            await().pollDelay(Duration.ofMillis(250)).atMost(Duration.ofSeconds(1)).until(() -> true);
        }
        assertTrue(m.agentA().ready(), "the restarted agent answers");

        // kill the hub (agent and WireGuard): the direct pair keeps working
        m.hubAgent().stop();
        m.hubHost().exec("kill", "-KILL", Long.toString(m.hub().pid()));
        assertTrue(m.a().ping("198.18.0.3", 3, Duration.ofSeconds(10)), "a still pings b with the hub gone");
    }
}
