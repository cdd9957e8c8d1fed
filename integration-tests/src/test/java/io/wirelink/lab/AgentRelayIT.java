package io.wirelink.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.relay.Disclosure;
import io.wirelink.relay.Probe;
import io.wirelink.relay.WireFormat;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #7's proof: a public hub, two public agents that run relays ({@code public: true}), and two leaves behind
 * symmetric NATs, all zero-config around the hub (as wg-quick would set them up). The leaves cannot punch through
 * each other's NATs; they must register with the relays, pick the same one, and ping over the overlay through it.
 * The relay forwards only WireGuard messages (its counters by type), and a capture on both relays' hosts proves it
 * on the wire: while the leaves ping each other with a known plaintext pattern, every datagram on a relay port is a
 * WireGuard message of a valid type and length or a relay probe, the forwarded ones leave exactly as they arrived,
 * and the pattern (which a capture on a leaf does see in its tunnel) never appears. Then the agent running the relay
 * in use is stopped: the pair must move to the other relay within 5 s.
 */
@ExtendWith(LabExtension.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AgentRelayIT {
    static final Duration POLL = Duration.ofMillis(100);
    /** The plaintext the marked pings carry (ping -p), which must never be seen on a relay port. */
    static final String MARKER_HEX = "deadbeefcafef00d";
    static final byte[] MARKER = HexFormat.of().parseHex(MARKER_HEX);
    /** Marked pings each way; each echo and each reply crosses the relay once as a WireGuard data message. */
    static final int MARKED_PINGS = 10;

    @Test
    void symmetricPeersPingThroughARelayAndFailOverToTheOther(Lab lab) throws Exception {
        // the capture is part of the proof: without tcpdump the test fails (CI installs it), it does not skip
        Lab.tcpdumpUnavailableReason().ifPresent(r -> fail("AgentRelayIT captures the relays' traffic: " + r));
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

        // capture both relay ports from before the agents start (probes, registrations, the relayed handshake and
        // data), and a's tunnel (plaintext) to show the marker is really in the pings
        int relayPort1 = w1.listenPort() + 3;
        int relayPort2 = w2.listenPort() + 3;
        Path cap1 = lab.runDir().resolve("relay-r1.pcap");
        Path cap2 = lab.runDir().resolve("relay-r2.pcap");
        Path capA = lab.runDir().resolve("tunnel-a.pcap");
        List<LabProcess> captures = new ArrayList<>();
        captures.add(lab.startCapture(r1Host, "any", cap1, "udp port " + relayPort1));
        captures.add(lab.startCapture(r2Host, "any", cap2, "udp port " + relayPort2));
        captures.add(lab.startCapture(a, wa.name(), capA, "icmp"));

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
        IpEndpoint relay1 = new IpEndpoint(r1Host.address(), relayPort1);
        IpEndpoint relay2 = new IpEndpoint(r2Host.address(), relayPort2);
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

        // the relay forwarded WireGuard messages only: initiations, responses and data, nothing else. The pings
        // carry the marker in their plaintext; the captures stop right after them, even when they fail
        JsonNode before = usedAgent.status().get("relay");
        try {
            assertTrue(a.ping("198.18.0.3", MARKED_PINGS, Duration.ofSeconds(10), MARKER_HEX),
                    "a pings b through the relay");
            assertTrue(b.ping("198.18.0.2", MARKED_PINGS, Duration.ofSeconds(10), MARKER_HEX),
                    "b pings a through the relay");
        } finally {
            for (LabProcess p : captures) {
                p.stop(3000);
            }
        }
        JsonNode after = usedAgent.status().get("relay");
        checkCaptures(inUse.equals(relay1) ? cap1 : cap2, inUse.equals(relay1) ? cap2 : cap1, inUse.port(),
                inUse.equals(relay1) ? relayPort2 : relayPort1, capA, List.of(natA.wanAddress(),
                        natB.wanAddress()));
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
     * The capture proof. On the relay in use: every UDP payload on its port is a WireGuard message (type 1..4, three
     * zero bytes, the type's length) or a relay probe request (in) or reply (out); at least {@code 4 *
     * MARKED_PINGS} datagrams were forwarded (sent on exactly as received, from one leaf's NAT to the other's) and
     * they are all WireGuard messages; the marker appears in no frame. On the other relay: the same formats, no
     * marker. On a's tunnel: the marker does appear (the pings carried it in plaintext).
     */
    static void checkCaptures(Path used, Path other, int usedPort, int otherPort, Path tunnel,
            List<InetAddress> leafNats) throws Exception {
        Map<String, Integer> usedCounts = relayCapture(used, usedPort, leafNats);
        Map<String, Integer> otherCounts = relayCapture(other, otherPort, leafNats);
        int markedInTunnel = 0;
        List<Pcap.Frame> plain = Pcap.read(tunnel);
        for (Pcap.Frame f : plain) {
            if (f.contains(MARKER)) {
                markedInTunnel++;
            }
        }
        System.out.printf("AgentRelayIT: capture on the relay in use (port %d): %s%n", usedPort, usedCounts);
        System.out.printf("AgentRelayIT: capture on the other relay (port %d): %s%n", otherPort, otherCounts);
        System.out.printf("AgentRelayIT: capture on a's tunnel: %d ICMP frames, %d with the marker %s%n",
                plain.size(), markedInTunnel, MARKER_HEX);
        assertTrue(markedInTunnel >= 4 * MARKED_PINGS, "the marked pings carry " + MARKER_HEX + " in plaintext on"
                + " a's tunnel (else the capture check below proves nothing): " + markedInTunnel + " of "
                + plain.size());
        assertTrue(usedCounts.get("forwarded") >= 4 * MARKED_PINGS, "forwarded datagrams captured: " + usedCounts);
        assertTrue(usedCounts.get("forwarded transport") >= 4 * MARKED_PINGS, "forwarded data: " + usedCounts);
    }

    /**
     * Reads one relay's capture and checks every datagram on {@code port}; returns counts by kind. A datagram is
     * <i>forwarded</i> when the relay sent exactly the bytes it received earlier from another address, from one leaf
     * NAT to the other.
     */
    static Map<String, Integer> relayCapture(Path file, int port, List<InetAddress> leafNats) throws Exception {
        List<Pcap.Frame> frames = Pcap.read(file);
        Map<String, Integer> counts = new TreeMap<>();
        counts.put("frames", frames.size());
        counts.put("forwarded", 0);
        counts.put("forwarded transport", 0);
        Map<String, InetAddress> received = new HashMap<>(); // payload (hex) -> sender address
        for (Pcap.Frame f : frames) {
            if (f.contains(MARKER)) {
                fail(file.getFileName() + " record " + f.index() + " carries the plaintext marker " + MARKER_HEX + ": "
                        + HexFormat.of().formatHex(f.bytes()));
            }
            Pcap.Udp u = Pcap.udp(f);
            if (u == null) {
                fail(file.getFileName() + " record " + f.index() + " is not a UDP datagram: "
                        + HexFormat.of().formatHex(f.bytes()));
            }
            boolean in = u.dstPort() == port;
            boolean out = u.srcPort() == port;
            if (in == out) {
                fail(file.getFileName() + " record " + f.index() + ": ports " + u.srcPort() + " -> " + u.dstPort());
            }
            String kind = relayPortMessage(u.payload(), in);
            if (kind == null) {
                fail(file.getFileName() + " record " + f.index() + " (" + (in ? "to" : "from") + " the relay, "
                        + u.payload().length + " bytes) is neither a WireGuard message nor a relay probe: "
                        + HexFormat.of().formatHex(u.payload()));
            }
            counts.merge((in ? "in " : "out ") + kind, 1, Integer::sum);
            String key = HexFormat.of().formatHex(u.payload());
            if (in) {
                received.put(key, u.src());
            } else {
                InetAddress from = received.get(key);
                if (from != null && !from.equals(u.dst()) && leafNats.contains(from) && leafNats.contains(u.dst())) {
                    counts.merge("forwarded", 1, Integer::sum);
                    counts.merge("forwarded " + kind, 1, Integer::sum);
                    counts.merge("forwarded bytes", u.payload().length, Integer::sum);
                }
            }
        }
        return counts;
    }

    /**
     * What a payload on a relay port is: "initiation", "response", "cookie", "transport" (WireGuard, whose first
     * byte is the type and the next three zero, with the type's length: 148, 92, 64, or at least 32 and a multiple
     * of 16 for transport, as WireGuard pads), "probe" (a {@link Probe} request, only towards the relay) or "probe
     * reply" (only from it), "disclosure query" (a {@link Disclosure} query, only towards the relay) or "disclosure
     * answer" (only from it); null for anything else.
     */
    static String relayPortMessage(byte[] p, boolean toRelay) {
        if (p.length >= 4 && p[1] == 0 && p[2] == 0 && p[3] == 0) {
            switch (p[0]) {
                case WireFormat.TYPE_INITIATION:
                    return p.length == WireFormat.INITIATION_LENGTH ? "initiation" : null;
                case WireFormat.TYPE_RESPONSE:
                    return p.length == WireFormat.RESPONSE_LENGTH ? "response" : null;
                case WireFormat.TYPE_COOKIE_REPLY:
                    return p.length == WireFormat.COOKIE_REPLY_LENGTH ? "cookie" : null;
                case WireFormat.TYPE_TRANSPORT:
                    return p.length >= WireFormat.TRANSPORT_MIN_LENGTH && p.length % 16 == 0 ? "transport" : null;
                default:
                    return null;
            }
        }
        if (p.length >= 4 && p[1] == 1 && p[2] == 0 && p[3] == 0) {
            // endpoint disclosure: a query (to the relay) and its sealed answer (from it), never larger
            if (toRelay && p[0] == (byte) 0xF4 && p.length == Disclosure.QUERY_LENGTH) {
                return "disclosure query";
            }
            if (!toRelay && p[0] == (byte) 0xF5 && p.length == Disclosure.ANSWER_LENGTH) {
                return "disclosure answer";
            }
        }
        if (p.length != Probe.LENGTH || p[1] != 1 || p[2] != 0 || p[3] != 0) {
            return null;
        }
        if (toRelay && p[0] == (byte) 0xF2 && zeros(p, 4 + Probe.NONCE_LENGTH, Probe.LENGTH)) {
            return "probe";
        }
        if (!toRelay && p[0] == (byte) 0xF3 && Probe.parseReply(p, p.length) != null
                && zeros(p, p[20] == 4 ? 25 : 37, 37) && zeros(p, 39, Probe.LENGTH)) {
            return "probe reply";
        }
        return null;
    }

    private static boolean zeros(byte[] p, int from, int to) {
        for (int i = from; i < to; i++) {
            if (p[i] != 0) {
                return false;
            }
        }
        return true;
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
