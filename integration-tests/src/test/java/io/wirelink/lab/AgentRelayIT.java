package io.wirelink.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #7's proof: a public hub, two public agents that run relays ({@code public: true}), and two leaves behind
 * symmetric NATs, all zero-config around the hub (as wg-quick would set them up). The leaves cannot punch through
 * each other's NATs; they must register with the relays, pick the same one, and ping over the overlay through it.
 * The relay forwards only WireGuard messages (its counters by type). Then the agent running the relay in use is
 * stopped: the pair must move to the other relay within 5 s.
 */
@ExtendWith(LabExtension.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AgentRelayIT {
    static final Duration POLL = Duration.ofMillis(100);

    @Test
    void symmetricPeersPingThroughARelayAndFailOverToTheOther(Lab lab) throws Exception {
        Host hubHost = lab.publicHost("hub");
        Host r1Host = lab.publicHost("r1");
        Host r2Host = lab.publicHost("r2");
        Nat natA = lab.nat("natA", NatType.SYMMETRIC);
        Nat natB = lab.nat("natB", NatType.SYMMETRIC);
        Host a = lab.hostBehind(natA, "a");
        Host b = lab.hostBehind(natB, "b");
        hubHost.exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        WgInterface hub = lab.startWireGuard(hubHost).addAddress("198.18.0.1/24");
        WgInterface wa = lab.startWireGuard(a).addAddress("198.18.0.2/24");
        WgInterface wb = lab.startWireGuard(b).addAddress("198.18.0.3/24");
        WgInterface w1 = lab.startWireGuard(r1Host).addAddress("198.18.0.11/24");
        WgInterface w2 = lab.startWireGuard(r2Host).addAddress("198.18.0.12/24");
        List<WgInterface> leaves = List.of(wa, wb, w1, w2);
        List<String> overlay = List.of("198.18.0.2", "198.18.0.3", "198.18.0.11", "198.18.0.12");
        for (int i = 0; i < leaves.size(); i++) {
            hub.setPeer(leaves.get(i), null, null, overlay.get(i) + "/32");
            leaves.get(i).setPeer(hub, hub.underlayEndpoint(), 5, "198.18.0.0/24");
        }
        Path relayConfig = lab.runDir().resolve("relay.yaml");
        Files.writeString(relayConfig, "public: true\nworkbit: 0\n");

        long start = System.nanoTime();
        LabAgent hubAgent = new LabAgent(lab, hubHost, hub).start();
        LabAgent agent1 = new LabAgent(lab, r1Host, w1).config(relayConfig).start();
        LabAgent agent2 = new LabAgent(lab, r2Host, w2).config(relayConfig).start();
        LabAgent agentA = new LabAgent(lab, a, wa).start();
        LabAgent agentB = new LabAgent(lab, b, wb).start();
        List<LabAgent> all = List.of(hubAgent, agent1, agent2, agentA, agentB);
        for (LabAgent ag : all) {
            await("agent on " + ag.host.name()).atMost(Duration.ofSeconds(60)).pollInterval(POLL).until(() -> {
                if (!ag.process.isAlive()) {
                    throw new AssertionError("agent died: " + ag.log());
                }
                return ag.ready();
            });
        }
        int relayPort1 = w1.listenPort() + 3;
        IpEndpoint relay1 = new IpEndpoint(r1Host.address(), relayPort1);
        IpEndpoint relay2 = new IpEndpoint(r2Host.address(), w2.listenPort() + 3);
        try {
            await("a reaches b through a relay").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        IpEndpoint ep = wa.endpointOf(wb.publicKey()).orElse(null);
                        return (relay1.equals(ep) || relay2.equals(ep))
                                && wa.peer(wb.publicKey()).orElseThrow().allowedIps().contains(
                                        IpPrefix.parse("198.18.0.3/32"))
                                && a.ping("198.18.0.3", 1, Duration.ofMillis(800));
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            dump(all);
            throw e;
        }
        long relayedAt = System.nanoTime();
        System.out.printf("AgentRelayIT: first ping through a relay %.1f s after the agents started%n",
                (relayedAt - start) / 1e9);
        IpEndpoint inUse = wa.endpointOf(wb.publicKey()).orElseThrow();
        assertEquals(inUse, wb.endpointOf(wa.publicKey()).orElseThrow(), "both ends use the same relay");
        LabAgent usedAgent = inUse.equals(relay1) ? agent1 : agent2;
        LabAgent otherAgent = usedAgent == agent1 ? agent2 : agent1;
        IpEndpoint other = inUse.equals(relay1) ? relay2 : relay1;

        // the relay forwarded WireGuard messages only: initiations, responses and data, nothing else
        JsonNode before = usedAgent.status().get("relay");
        assertTrue(b.ping("198.18.0.2", 5, Duration.ofSeconds(10)), "b pings a through the relay");
        JsonNode after = usedAgent.status().get("relay");
        long dataBefore = before.get("forwardedByType").get(3).asLong();
        long data = after.get("forwardedByType").get(3).asLong() - dataBefore;
        long total = 0;
        for (JsonNode n : after.get("forwardedByType")) {
            total += n.asLong();
        }
        System.out.printf("AgentRelayIT: relay %s: %d clients, forwarded by type (init, resp, cookie, data) %s, %d"
                + " bytes, dropped %s%n", inUse, after.get("clients").asLong(), after.get("forwardedByType"),
                after.get("forwardedBytes").asLong(), after.get("dropped"));
        assertTrue(data >= 10 || after.get("forwardedByType").get(3).asLong() > 0, "data forwarded: " + after);
        assertTrue(after.get("forwardedByType").get(0).asLong() >= 1 && after.get("forwardedByType").get(1)
                .asLong() >= 1, "the handshake went through the relay: " + after);
        assertTrue(total > 0);
        JsonNode peerB = peer(agentA.status(), wb.publicKey().toBase64());
        System.out.printf("AgentRelayIT: a's view of b: path '%s' since %s, not direct because '%s'%n",
                peerB.get("path").asText(), peerB.path("pathSince").asText(), peerB.path("notDirect").asText());
        assertTrue(peerB.get("path").asText().startsWith("via relay"), peerB.toString());

        // stop the agent running the relay in use: traffic resumes through the other within 5 s. A ping every
        // 100 ms with timestamps (-D) measures when the first reply comes back.
        LabProcess pinger = lab.spawn(a, "ping-b", java.util.Map.of(), "ping", "-n", "-D", "-i", "0.1", "-W", "1",
                "198.18.0.3");
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> true);
        long killedWall = System.currentTimeMillis();
        long killed = System.nanoTime();
        usedAgent.stop();
        assertTrue(!usedAgent.process.isAlive(), "the relay's agent exited");
        // replies stamped after the process exited went through the other relay; the failover counts from the stop
        long goneWall = System.currentTimeMillis() + 50;
        await("a pings b through the other relay").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> other.equals(wa.endpointOf(wb.publicKey()).orElse(null))
                        && firstReplyAfter(Files.readString(pinger.logFile()), goneWall) > 0);
        double failover = (firstReplyAfter(Files.readString(pinger.logFile()), goneWall) - killedWall) / 1e3;
        System.out.printf("AgentRelayIT: the relay's agent took %d ms to exit%n", goneWall - 50 - killedWall);
        pinger.stop(500);
        System.out.printf("AgentRelayIT: failover %.2f s (relay agent stopped -> first ping reply through the other"
                + " relay; detected by the agents %.2f s after the stop)%n", failover, (System.nanoTime() - killed)
                / 1e9);
        if (failover > 5) {
            dump(all);
        }
        assertEquals(other, wa.endpointOf(wb.publicKey()).orElseThrow(), "a uses the other relay");
        assertNotEquals(inUse, wb.endpointOf(wa.publicKey()).orElseThrow(), "b left the dead relay");
        assertTrue(failover <= 5.0, "failover took " + failover + " s");
        assertTrue(b.ping("198.18.0.2", 3, Duration.ofSeconds(5)), "b pings a through the other relay");
        // the relay's counters reach /status after its agent's next pass (every 5 s)
        await("the other relay counts the data it forwarded").atMost(Duration.ofSeconds(15)).pollInterval(POLL)
                .until(() -> otherAgent.status().get("relay").get("forwardedByType").get(3).asLong() > 0);
    }

    /**
     * The wall time (ms) of the first ping reply stamped after {@code afterMillis}, or 0. Lines look like
     * {@code [1700000000.123456] 64 bytes from 198.18.0.3: icmp_seq=12 ttl=64 time=0.9 ms}.
     */
    static long firstReplyAfter(String log, long afterMillis) {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("^\\[(\\d+)\\.(\\d+)\\] \\d+ bytes from");
        for (String line : log.split("\n")) {
            java.util.regex.Matcher m = p.matcher(line);
            if (m.find()) {
                long t = Long.parseLong(m.group(1)) * 1000 + Long.parseLong((m.group(2) + "000").substring(0, 3));
                if (t > afterMillis) {
                    return t;
                }
            }
        }
        return 0;
    }

    static JsonNode peer(JsonNode status, String key) {
        for (JsonNode p : status.get("peers")) {
            if (p.get("publicKey").asText().equals(key)) {
                return p;
            }
        }
        throw new AssertionError("no peer " + key + " in " + status);
    }

    static void dump(List<LabAgent> agents) {
        for (LabAgent ag : agents) {
            System.out.println("--- " + ag.host.name() + " ---\n" + ag.log());
            System.out.println(String.valueOf(ag.status()));
        }
    }
}
