package io.wirelink.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.IpPrefix;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The faults a running mesh meets, each on the lab's hub mesh (AgentMeshIT's: a public hub, cone leaves a and b, a
 * symmetric leaf c, each configured as wg-quick would with only the hub), each with the figure it prints: how long
 * until the mesh is whole again. BENCHMARKS.md ("Faults") collects the figures.
 */
@ExtendWith(LabExtension.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FaultsIT {
    static final Duration POLL = Duration.ofMillis(100);
    static final IpPrefix B_HOST = IpPrefix.parse("198.18.0.3/32");

    /** The mesh up, and leaves a and b direct and pinging each other. */
    static AgentMeshIT.Mesh directMesh(Lab lab) {
        AgentMeshIT.Mesh m = AgentMeshIT.build(lab);
        m.lab().configureLikeWgQuick();
        await("a and b go direct").atMost(Duration.ofSeconds(60)).pollInterval(POLL)
                .until(() -> AgentMeshIT.direct(m.wa(), m.wb()) && AgentMeshIT.direct(m.wb(), m.wa())
                        && m.wa().peer(m.wb().publicKey()).orElseThrow().allowedIps().contains(B_HOST));
        assertTrue(m.a().ping("198.18.0.3", 2, Duration.ofSeconds(10)), "a pings b");
        return m;
    }

    /**
     * Fault 1: WireGuard restarted under a running agent, as {@code systemctl restart wg-quick@wg0} does: the
     * interface comes back with only its key, port, address and the hub. The agent must notice, put back what it
     * learned (b, with b's endpoint and /32), and a must reach b directly again.
     */
    @Test
    void wireGuardRestartedUnderTheAgentComesBackDirect(Lab lab) {
        AgentMeshIT.Mesh m = directMesh(lab);
        WgInterface wa = lab.restartWireGuard(m.wa());
        wa.setPeer(m.hub(), m.hub().underlayEndpoint(), 5, HubMesh.OVERLAY);
        long t0 = System.nanoTime();
        Instant restartedAt = Instant.now();
        await("the agent puts b back on the restarted interface, directly").atMost(Duration.ofSeconds(60))
                .pollInterval(POLL).until(() -> wa.peer(m.wb().publicKey())
                        .map(p -> p.allowedIps().contains(B_HOST) && p.lastHandshake().isAfter(restartedAt))
                        .orElse(false));
        await("a pings b").atMost(Duration.ofSeconds(30)).pollInterval(POLL)
                .until(() -> m.a().ping("198.18.0.3", 1, Duration.ofSeconds(1)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(m.agentA().process.isAlive(), "the agent kept running: " + m.agentA().log());
        System.out.printf("FaultsIT: WireGuard restarted under the agent: first direct ping a->b after %d ms%n", ms);
        if (Boolean.getBoolean("wirelink.lab.verbose")) {
            System.out.println("--- agent a ---\n" + m.agentA().log() + "\n--- agent b ---\n" + m.agentB().log());
        }
    }

    /**
     * Fault 4: the hub's agent restarted with its fact log. While it is down and while it replays, no leaf loses a
     * route (a keeps b's /32 and the hub's overlay /24); the figure is the time from the new process's start until
     * the hub gossips again.
     */
    @Test
    void hubAgentRestartKeepsEveryRouteAndGossipsAgainSoon(Lab lab) {
        AgentMeshIT.Mesh m = directMesh(lab);
        m.hubAgent().stop();
        assertRoutesHeld(m, Duration.ofSeconds(5));
        long t0 = System.nanoTime();
        m.hubAgent().start();
        await("the restarted hub sends gossip").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    var s = m.hubAgent().status();
                    return s != null && s.get("counters").get("datagramsOut").asLong() > 0;
                });
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertRoutesHeld(m, Duration.ofSeconds(15));
        assertTrue(m.a().ping("198.18.0.3", 2, Duration.ofSeconds(10)), "a still pings b");
        assertTrue(m.a().ping("198.18.0.4", 2, Duration.ofSeconds(15)), "a still pings c through the hub");
        System.out.printf("FaultsIT: hub agent restarted: gossiping again %d ms after its start%n", ms);
    }

    /**
     * Fault 3: leaf a's NAT changes its public address and port while a and b are direct. b's NAT drops a's packets
     * from the new mapping until b sends there, so WireGuard's roaming alone cannot repair the path: the agents must
     * learn the new mapping (the hub sees it first) and punch again. The figure: from the rebinding until b's device
     * has a at the new mapping (with a's /32) and b pings a.
     */
    @Test
    void natRebindingWhileDirectGoesDirectAgain(Lab lab) {
        AgentMeshIT.Mesh m = directMesh(lab);
        java.net.InetAddress fresh = lab.rebind(m.lab().natA(), 41234);
        long t0 = System.nanoTime();
        io.wirelink.facts.IpEndpoint mapping = new io.wirelink.facts.IpEndpoint(fresh, 41234);
        // a's /32 on b's peer a: b's pings go straight to a (the session survives; roaming moves the endpoint)
        await("b has a at its new mapping").atMost(Duration.ofSeconds(120)).pollInterval(POLL)
                .until(() -> m.wb().peer(m.wa().publicKey()).map(p -> mapping.equals(p.endpoint())
                        && p.allowedIps().contains(IpPrefix.parse("198.18.0.2/32"))).orElse(false));
        await("b pings a").atMost(Duration.ofSeconds(30)).pollInterval(POLL)
                .until(() -> m.b().ping("198.18.0.2", 1, Duration.ofSeconds(1)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("FaultsIT: NAT rebinding (new address and port) while direct: direct again after %d ms%n",
                ms);
        if (Boolean.getBoolean("wirelink.lab.verbose")) {
            System.out.println("--- agent a ---\n" + m.agentA().log() + "\n--- agent b ---\n" + m.agentB().log());
        }
    }

    /**
     * Fault 2: all traffic between leaf a and the hub dropped for five minutes ({@code -Dwirelink.faults.partition=S}
     * seconds), then healed. Throughout, the hub keeps a and a keeps the hub (both configured, as wg-quick does), and
     * the leaves keep each other for as long as the membership rules say (a member's facts outlive their last refresh
     * by their TTL); the figures are when each learned peer was removed, and the time from the heal until the mesh is
     * whole again: a and b direct and pinging, c reaching a through the hub.
     */
    @Test
    @Timeout(value = 900, unit = TimeUnit.SECONDS)
    void partitionFromTheHubHealsFully(Lab lab) {
        Duration length = Duration.ofSeconds(Long.getLong("wirelink.faults.partition", 300));
        AgentMeshIT.Mesh m = directMesh(lab);
        await("c learned a").atMost(Duration.ofSeconds(30)).pollInterval(POLL)
                .until(() -> m.wc().peer(m.wa().publicKey()).isPresent());
        java.util.Map<String, Long> removedAfter = new java.util.TreeMap<>();
        long t0 = System.nanoTime();
        try (Partition p = Partition.between(lab, m.hubHost(), m.lab().natA().wanAddress())) {
            while (System.nanoTime() - t0 < length.toNanos()) {
                assertTrue(m.hub().peer(m.wa().publicKey()).isPresent(), "the hub keeps a (configured)");
                assertTrue(m.wa().peer(m.hub().publicKey()).isPresent(), "a keeps the hub (configured)");
                long s = (System.nanoTime() - t0) / 1_000_000_000L;
                noteRemoval(removedAfter, "b removed a", m.wb(), m.wa(), s);
                noteRemoval(removedAfter, "a removed b", m.wa(), m.wb(), s);
                noteRemoval(removedAfter, "c removed a", m.wc(), m.wa(), s);
                await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> true);
            }
            assertTrue(p.dropped() > 0, "the partition dropped packets");
        }
        long healed = System.nanoTime();
        Instant healedAt = Instant.now();
        await("a handshakes with the hub again").atMost(Duration.ofSeconds(120)).pollInterval(POLL)
                .until(() -> m.hub().latestHandshake(m.wa().publicKey()).isAfter(healedAt.minusSeconds(1)));
        await("a and b have each other's /32 again").atMost(Duration.ofSeconds(180)).pollInterval(POLL)
                .until(() -> m.wa().peer(m.wb().publicKey()).map(x -> x.allowedIps().contains(B_HOST)).orElse(false)
                        && m.wb().peer(m.wa().publicKey()).map(x -> x.allowedIps()
                                .contains(IpPrefix.parse("198.18.0.2/32"))).orElse(false));
        await("a pings b").atMost(Duration.ofSeconds(30)).pollInterval(POLL)
                .until(() -> m.a().ping("198.18.0.3", 1, Duration.ofSeconds(1)));
        System.out.printf("FaultsIT: partition: a and b direct again %d ms after the heal%n",
                (System.nanoTime() - healed) / 1_000_000);
        await("c learned a again").atMost(Duration.ofSeconds(120)).pollInterval(POLL)
                .until(() -> m.wc().peer(m.wa().publicKey()).isPresent());
        await("c pings a").atMost(Duration.ofSeconds(180)).pollInterval(POLL)
                .until(() -> m.c().ping("198.18.0.2", 1, Duration.ofSeconds(1)));
        long ms = (System.nanoTime() - healed) / 1_000_000;
        System.out.printf("FaultsIT: partition a|hub for %d s: removals %s; whole again %d ms after the heal%n",
                length.toSeconds(), removedAfter.isEmpty() ? "none" : removedAfter, ms);
        if (Boolean.getBoolean("wirelink.lab.verbose")) {
            System.out.println("--- agent a ---\n" + m.agentA().log() + "\n--- agent b ---\n" + m.agentB().log()
                    + "\n--- hub ---\n" + m.hubAgent().log());
        }
    }

    /** Records the first second at which {@code on} no longer has {@code peer} as a device peer. */
    static void noteRemoval(java.util.Map<String, Long> removed, String what, WgInterface on, WgInterface peer,
            long second) {
        if (!removed.containsKey(what) && on.peer(peer.publicKey()).isEmpty()) {
            removed.put(what, second);
        }
    }

    /** For {@code d}: every leaf keeps its routes (checked every 250 ms). */
    static void assertRoutesHeld(AgentMeshIT.Mesh m, Duration d) {
        long until = System.nanoTime() + d.toNanos();
        IpPrefix overlay = IpPrefix.parse(HubMesh.OVERLAY);
        while (System.nanoTime() < until) {
            for (WgInterface leaf : List.of(m.wa(), m.wb(), m.wc())) {
                assertTrue(leaf.peer(m.hub().publicKey()).orElseThrow().allowedIps().contains(overlay),
                        leaf.name() + " keeps the hub's overlay route");
            }
            assertTrue(m.wa().peer(m.wb().publicKey()).orElseThrow().allowedIps().contains(B_HOST),
                    "a keeps b's /32");
            await().pollDelay(Duration.ofMillis(250)).atMost(Duration.ofSeconds(1)).until(() -> true);
        }
    }
}
