package io.wirelink.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #7's basic peer: a relay must work "with a basic (WireGuard-only) peer". Peer {@code bp} is plain
 * wireguard-go configured with {@code wg setconf} only, no agent, behind a symmetric NAT: one [Peer] is the relay
 * (its key, its address, a persistent keepalive, no allowed IPs), which registers it; the other is member {@code m}
 * with the relay's address as its Endpoint. {@code m} runs a wirelink agent behind another symmetric NAT, with the
 * relay in {@code relay.servers} and {@code bp} as a config peer with {@code basic: true} and no endpoint. The relay
 * is a stand-alone {@code RelayMain} told the pair. {@code m}'s agent registers with the relay at once (the peer has
 * no endpoint of its own), learns from the relay's disclosure answers that {@code bp} is registered there, and sets
 * {@code bp}'s endpoint to the relay. Both ping each other over the overlay through the relay; a capture on the relay
 * port shows only WireGuard messages (and the agent's probes and disclosure queries), the forwarded ones unchanged,
 * and never the pings' plaintext marker. Printed: the time from the agent's start to the first ping reply each way.
 */
@ExtendWith(LabExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AgentRelayBasicIT {
    static final int RELAY_PORT = 51823;

    @Test
    void aBasicPeerBehindASymmetricNatReachesAMemberThroughARelay(Lab lab) throws Exception {
        Lab.tcpdumpUnavailableReason().ifPresent(r -> fail("AgentRelayBasicIT captures the relay's traffic: " + r));
        Host relayHost = lab.publicHost("rl");
        Nat natM = lab.nat("natM", NatType.SYMMETRIC);
        Nat natB = lab.nat("natB", NatType.SYMMETRIC);
        Host m = lab.hostBehind(natM, "m");
        Host bp = lab.hostBehind(natB, "bp");
        WgInterface wm = lab.startWireGuard(m).addAddress("198.18.0.2/24");
        WgInterface wb = lab.startWireGuard(bp).addAddress("198.18.0.3/24");

        // the stand-alone relay: its own key, admitting and pairing exactly m and the basic peer
        StandaloneRelay standalone = StandaloneRelay.start(lab, relayHost, RELAY_PORT, wm.publicKey(),
                wb.publicKey());
        PublicKey relayPub = standalone.publicKey();
        LabProcess relay = standalone.process();
        IpEndpoint relayEp = standalone.endpoint();

        // capture the relay port and m's tunnel (where the marker is plaintext) from before anything registers
        Path capRelay = lab.runDir().resolve("relay.pcap");
        List<LabProcess> captures = captureRelayAndTunnel(lab, relayHost, RELAY_PORT, m, wm, capRelay);

        // the basic peer: wireguard-go and wg only. The relay as a peer registers it; m is reached at the relay
        configureBasicPeer(wb, relayPub, relayEp, wm);

        Path configM = lab.runDir().resolve("m.yaml");
        Files.writeString(configM, "relay:\n  servers: [\"" + relayPub.toBase64() + "@" + relayEp + "\"]\n"
                + "peers:\n  - publicKey: " + wb.publicKey().toBase64() + "\n    name: basic\n    basic: true\n"
                + "    allowedIps: [198.18.0.3/32]\n");

        exercise(lab, "RelayMain", m, bp, wm, wb, natM, natB, relayEp, relayPub, capRelay, captures, configM,
                List.of(), () -> "--- relaymain ---\n" + relay.logTail(4000));
    }

    /** Captures the relay port (to {@code capRelay}) and ICMP on m's tunnel, where the marker is plaintext. */
    static List<LabProcess> captureRelayAndTunnel(Lab lab, Host relayHost, int relayPort, Host m, WgInterface wm,
            Path capRelay) throws Exception {
        List<LabProcess> captures = new ArrayList<>();
        captures.add(lab.startCapture(relayHost, "any", capRelay, "udp port " + relayPort));
        captures.add(lab.startCapture(m, wm.name(), lab.runDir().resolve("tunnel-m.pcap"), "icmp"));
        return captures;
    }

    /** The basic peer's whole config, as {@code wg setconf}: the relay as a peer registers it; m is at the relay. */
    static void configureBasicPeer(WgInterface wb, PublicKey relayPub, IpEndpoint relayEp, WgInterface wm)
            throws Exception {
        wb.setConf("[Peer]\nPublicKey = " + relayPub.toBase64() + "\nEndpoint = " + relayEp
                + "\nPersistentKeepalive = 25\n\n[Peer]\nPublicKey = " + wm.publicKey().toBase64() + "\nEndpoint = "
                + relayEp + "\nAllowedIPs = 198.18.0.2/32\n");
    }

    /**
     * The same with a member agent's relay: agent {@code r} ({@code public: true}, its relay key from
     * {@code relay.keyFile}) counts {@code m} and the basic peer as members because its config lists them, the basic
     * peer with {@code basic: true}; {@code m} knows {@code r} from its config and learns its relay from r's offer.
     */
    @Test
    void aBasicPeerReachesAMemberThroughAMemberAgentsRelay(Lab lab) throws Exception {
        Lab.tcpdumpUnavailableReason().ifPresent(r -> fail("AgentRelayBasicIT captures the relay's traffic: " + r));
        Host relayHost = lab.publicHost("rl");
        Nat natM = lab.nat("natM", NatType.SYMMETRIC);
        Nat natB = lab.nat("natB", NatType.SYMMETRIC);
        Host m = lab.hostBehind(natM, "m");
        Host bp = lab.hostBehind(natB, "bp");
        WgInterface wr = lab.startWireGuard(relayHost).addAddress("198.18.0.1/24");
        WgInterface wm = lab.startWireGuard(m).addAddress("198.18.0.2/24");
        WgInterface wb = lab.startWireGuard(bp).addAddress("198.18.0.3/24");

        PrivateKey relayKey = PrivateKey.generate(new SecureRandom());
        PublicKey relayPub = relayKey.publicKey();
        Path keyFile = lab.runDir().resolve("relay.key");
        Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(keyFile, relayKey.toBase64() + "\n");
        int relayPort = wr.listenPort() + 3;
        IpEndpoint relayEp = new IpEndpoint(relayHost.address(), relayPort);
        Path configR = lab.runDir().resolve("r.yaml");
        Files.writeString(configR, "public: true\nworkbit: 0\nrelay:\n  keyFile: " + keyFile + "\npeers:\n"
                + "  - publicKey: " + wm.publicKey().toBase64() + "\n    allowedIps: [198.18.0.2/32]\n"
                + "  - publicKey: " + wb.publicKey().toBase64() + "\n    basic: true\n"
                + "    allowedIps: [198.18.0.3/32]\n");
        LabAgent agentR = new LabAgent(lab, relayHost, wr).config(configR).start();
        await("agent on r").atMost(Duration.ofSeconds(60)).pollInterval(AgentRelayIT.POLL).until(() -> {
            if (!agentR.process.isAlive()) {
                throw new AssertionError("agent died: " + agentR.log());
            }
            return agentR.ready();
        });

        Path capRelay = lab.runDir().resolve("relay.pcap");
        List<LabProcess> captures = captureRelayAndTunnel(lab, relayHost, relayPort, m, wm, capRelay);

        configureBasicPeer(wb, relayPub, relayEp, wm);
        Path configM = lab.runDir().resolve("m.yaml");
        Files.writeString(configM, "peers:\n  - publicKey: " + wr.publicKey().toBase64() + "\n    endpoints: [\""
                + wr.underlayEndpoint() + "\"]\n    allowedIps: [198.18.0.1/32]\n"
                + "  - publicKey: " + wb.publicKey().toBase64() + "\n    name: basic\n    basic: true\n"
                + "    allowedIps: [198.18.0.3/32]\n");
        exercise(lab, "member relay", m, bp, wm, wb, natM, natB, relayEp, relayPub, capRelay, captures, configM,
                List.of(agentR), () -> "");
    }

    static void exercise(Lab lab, String what, Host m, Host bp, WgInterface wm, WgInterface wb, Nat natM, Nat natB,
            IpEndpoint relayEp, PublicKey relayPub, Path capRelay, List<LabProcess> captures, Path configM,
            List<LabAgent> others, java.util.function.Supplier<String> relayLog) throws Exception {
        Path capTunnel = lab.runDir().resolve("tunnel-m.pcap");
        // both ping each other every 200 ms from the start, with timestamps: the first reply is the first ping through
        long startWall = System.currentTimeMillis();
        LabProcess pingM = lab.spawn(m, "ping-bp", Map.of(), "ping", "-n", "-D", "-i", "0.2", "-W", "1",
                "198.18.0.3");
        LabProcess pingB = lab.spawn(bp, "ping-m", Map.of(), "ping", "-n", "-D", "-i", "0.2", "-W", "1",
                "198.18.0.2");
        LabAgent agentM = new LabAgent(lab, m, wm).config(configM).start();
        List<LabAgent> all = new ArrayList<>(others);
        all.add(agentM);
        await("agent on m").atMost(Duration.ofSeconds(60)).pollInterval(AgentRelayIT.POLL).until(() -> {
            if (!agentM.process.isAlive()) {
                throw new AssertionError("agent died: " + agentM.log());
            }
            return agentM.ready();
        });
        long readyWall = System.currentTimeMillis();
        long firstM;
        long firstB;
        try {
            await("m and the basic peer ping each other through the relay").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> relayEp.equals(wm.endpointOf(wb.publicKey()).orElse(null))
                            && AgentRelayIT.firstReplyAfter(Files.readString(pingM.logFile()), 0) > 0
                            && AgentRelayIT.firstReplyAfter(Files.readString(pingB.logFile()), 0) > 0);
            firstM = AgentRelayIT.firstReplyAfter(Files.readString(pingM.logFile()), 0);
            firstB = AgentRelayIT.firstReplyAfter(Files.readString(pingB.logFile()), 0);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            AgentRelayIT.dump(all);
            System.out.println(relayLog.get());
            System.out.println("--- bp wg ---\n" + wb.wg("show", wb.name()).stdout());
            System.out.println("--- m wg ---\n" + wm.wg("show", wm.name()).stdout());
            throw e;
        } finally {
            pingM.stop(500);
            pingB.stop(500);
        }
        System.out.printf("AgentRelayBasicIT (%s): first ping reply m -> basic peer %.2f s, basic peer -> m %.2f s"
                + " after m's agent was started (%.2f s after it answered /status)%n", what, (firstM - startWall) / 1e3,
                (firstB - startWall) / 1e3, (Math.max(firstM, firstB) - readyWall) / 1e3);

        // the overlay works both ways through the relay, with a plaintext marker in the pings
        try {
            assertTrue(m.ping("198.18.0.3", AgentRelayIT.MARKED_PINGS, Duration.ofSeconds(15),
                    AgentRelayIT.MARKER_HEX), "m pings the basic peer through the relay");
            assertTrue(bp.ping("198.18.0.2", AgentRelayIT.MARKED_PINGS, Duration.ofSeconds(15),
                    AgentRelayIT.MARKER_HEX), "the basic peer pings m through the relay");
        } finally {
            for (LabProcess p : captures) {
                p.stop(3000);
            }
        }
        assertEquals(relayEp, wm.endpointOf(wb.publicKey()).orElseThrow(), "m sends to the basic peer via the relay");
        assertEquals(relayEp, wb.endpointOf(wm.publicKey()).orElseThrow(), "the basic peer still sends via the relay");
        JsonNode peerB = AgentRelayIT.peer(agentM.status(), wb.publicKey().toBase64());
        System.out.printf("AgentRelayBasicIT (%s): m's view of the basic peer: path '%s' since %s, not direct"
                + " because '%s'%n", what, peerB.get("path").asText(), peerB.path("pathSince").asText(),
                peerB.path("notDirect").asText());
        assertTrue(peerB.get("path").asText().startsWith("via relay"), peerB.toString());
        assertTrue(peerB.toString().contains(relayPub.toBase64()), "through the relay: " + peerB);
        String log = agentM.log();
        for (String line : log.split("\n")) {
            if (line.contains(": via relay") || line.contains("trying direct") || line.contains("direct again")
                    || line.contains("roamed back")) {
                System.out.println("AgentRelayBasicIT (" + what + "): m: " + line.strip());
            }
        }
        // behind a symmetric NAT the basic peer is never reached directly: a try must not be taken for success
        assertFalse(log.contains("direct again"), "m never took a failed direct try for a direct path: " + log);

        // the capture: every datagram on the relay port is a WireGuard message or a probe/disclosure message, no
        // marker anywhere; the forwarded ones (from one NAT to the other, byte for byte) are WireGuard messages
        List<InetAddress> nats = List.of(natM.wanAddress(), natB.wanAddress());
        Map<String, Integer> counts = AgentRelayIT.relayCapture(capRelay, RELAY_PORT, nats);
        int marked = 0;
        List<Pcap.Frame> plain = Pcap.read(capTunnel);
        for (Pcap.Frame f : plain) {
            if (f.contains(AgentRelayIT.MARKER)) {
                marked++;
            }
        }
        System.out.printf("AgentRelayBasicIT (%s): capture on the relay port: %s%n", what, counts);
        System.out.printf("AgentRelayBasicIT (%s): capture on m's tunnel: %d ICMP frames, %d with the marker %s%n",
                what, plain.size(), marked, AgentRelayIT.MARKER_HEX);
        assertTrue(marked >= 4 * AgentRelayIT.MARKED_PINGS, "the marked pings carry the marker in plaintext on m's"
                + " tunnel: " + marked + " of " + plain.size());
        assertTrue(counts.get("forwarded transport") >= 4 * AgentRelayIT.MARKED_PINGS, "forwarded data: " + counts);
        assertTrue(counts.getOrDefault("forwarded initiation", 0) >= 1
                && counts.getOrDefault("forwarded response", 0) >= 1, "the handshake went through the relay: "
                + counts);
        assertEquals(counts.get("forwarded"), counts.get("forwarded transport")
                + counts.getOrDefault("forwarded initiation", 0) + counts.getOrDefault("forwarded response", 0)
                + counts.getOrDefault("forwarded cookie", 0), "only WireGuard messages forwarded: " + counts);
    }
}
