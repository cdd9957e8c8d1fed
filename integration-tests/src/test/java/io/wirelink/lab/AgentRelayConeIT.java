package io.wirelink.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.relay.Disclosure;
import io.wirelink.relay.WireFormat;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
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
 * Issue #7's punch through a relay: two agents behind cone NATs with no hub, each configured with nothing but the
 * other's key and overlay address and a stand-alone relay ({@code RelayMain}, {@code relay.servers}). Nobody can
 * tell them each other's endpoint but the relay, which sees both NAT mappings when they register. They are relayed
 * first (the first ping goes through the relay, whose capture shows the forwarded datagrams); the relay then tells
 * each the other's mapping and a moment to switch (endpoint disclosure, relay/Disclosure), both set it and send at
 * that moment, and the path becomes direct. Printed: the time from the later of the two registrations (the first
 * transport datagram a client sends the relay after its handshake, in the relay's capture) to the first direct
 * datagram each way (in captures on the two hosts); the issue's goal is 2 s, which is reported, not asserted.
 */
@ExtendWith(LabExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AgentRelayConeIT {
    static final int RELAY_PORT = 51823;

    @Test
    void conePeersKnownOnlyToARelayAreRelayedThenGoDirectAtTheRelaysMoment(Lab lab) throws Exception {
        Lab.tcpdumpUnavailableReason().ifPresent(r -> fail("AgentRelayConeIT measures with captures: " + r));
        Host relayHost = lab.publicHost("rl");
        Nat natA = lab.nat("natA", NatType.CONE);
        Nat natB = lab.nat("natB", NatType.CONE);
        Host a = lab.hostBehind(natA, "a");
        Host b = lab.hostBehind(natB, "b");
        WgInterface wa = lab.startWireGuard(a).addAddress("198.18.0.2/24");
        WgInterface wb = lab.startWireGuard(b).addAddress("198.18.0.3/24");

        StandaloneRelay standalone = StandaloneRelay.start(lab, relayHost, RELAY_PORT, wa.publicKey(),
                wb.publicKey());
        PublicKey relayPub = standalone.publicKey();
        LabProcess relay = standalone.process();
        IpEndpoint relayEp = standalone.endpoint();
        String servers = "relay:\n  servers: [\"" + relayPub.toBase64() + "@" + relayEp + "\"]\n";
        Path configA = lab.runDir().resolve("a.yaml");
        Files.writeString(configA, servers + "peers:\n  - publicKey: " + wb.publicKey().toBase64()
                + "\n    allowedIps: [198.18.0.3/32]\n");
        Path configB = lab.runDir().resolve("b.yaml");
        Files.writeString(configB, servers + "peers:\n  - publicKey: " + wa.publicKey().toBase64()
                + "\n    allowedIps: [198.18.0.2/32]\n");

        // the relay port (registrations, forwarding, disclosures) and each host's traffic with the other's NAT
        // (direct only: relayed datagrams come from the relay's address)
        Path capRelay = lab.runDir().resolve("relay.pcap");
        Path capA = lab.runDir().resolve("a-direct.pcap");
        Path capB = lab.runDir().resolve("b-direct.pcap");
        List<LabProcess> captures = new ArrayList<>();
        captures.add(lab.startCapture(relayHost, "any", capRelay, "udp port " + RELAY_PORT));
        captures.add(lab.startCapture(a, "any", capA, "udp and host " + natB.wanAddress().getHostAddress()));
        captures.add(lab.startCapture(b, "any", capB, "udp and host " + natA.wanAddress().getHostAddress()));
        // a pings b every 50 ms from the start, with timestamps: the first reply is the first ping that got through
        LabProcess pinger = lab.spawn(a, "ping-b", Map.of(), "ping", "-n", "-D", "-i", "0.05", "-W", "1",
                "198.18.0.3");

        LabAgent agentA = new LabAgent(lab, a, wa).config(configA).start();
        LabAgent agentB = new LabAgent(lab, b, wb).config(configB).start();
        List<LabAgent> all = List.of(agentA, agentB);
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
            await("a and b direct").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> wa.endpointOf(wb.publicKey()).map(e -> e.address().equals(natB.wanAddress()))
                            .orElse(false) && wb.endpointOf(wa.publicKey()).map(e -> e.address().equals(
                                    natA.wanAddress())).orElse(false)
                            && "direct".equals(AgentRelayIT.peer(agentA.status(), wb.publicKey().toBase64())
                                    .get("path").asText())
                            && "direct".equals(AgentRelayIT.peer(agentB.status(), wa.publicKey().toBase64())
                                    .get("path").asText()));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            AgentRelayIT.dump(all);
            System.out.println("--- relaymain ---\n" + relay.logTail(4000));
            throw e;
        } finally {
            pinger.stop(500);
            for (LabProcess p : captures) {
                p.stop(3000);
            }
        }
        assertTrue(a.ping("198.18.0.3", 3, Duration.ofSeconds(5)), "a pings b directly");
        assertTrue(b.ping("198.18.0.2", 3, Duration.ofSeconds(5)), "b pings a directly");

        List<InetAddress> nats = List.of(natA.wanAddress(), natB.wanAddress());
        Relayed r = relayCapture(capRelay, nats);
        long directA = firstFrom(capA, natB.wanAddress()); // b's datagrams reach a directly
        long directB = firstFrom(capB, natA.wanAddress());
        long direct = Math.max(directA, directB);
        long registered = Math.max(r.registered.getOrDefault(natA.wanAddress(), 0L),
                r.registered.getOrDefault(natB.wanAddress(), 0L));
        long firstPing = AgentRelayIT.firstReplyAfter(Files.readString(pinger.logFile()), 0) * 1_000_000L;
        System.out.printf("AgentRelayConeIT: relay capture %s%n", r.counts);
        System.out.printf("AgentRelayConeIT: registered a %+.3f s, b %+.3f s; first forwarded transport %+.3f s;"
                + " first ping reply %+.3f s; first direct datagram b->a %+.3f s, a->b %+.3f s (from the later"
                + " registration)%n", sec(r.registered.get(natA.wanAddress()) - registered),
                sec(r.registered.get(natB.wanAddress()) - registered), sec(r.firstForwardedTransport - registered),
                sec(firstPing - registered), sec(directA - registered), sec(directB - registered));
        System.out.printf("AgentRelayConeIT: handshake messages on the relay port:%s%n", r.handshakeTimeline(registered,
                natA.wanAddress()));
        System.out.printf("AgentRelayConeIT: direct both ways %.3f s after the later registration (goal: 2 s);"
                + " direct handshake: %s%n", sec(direct - registered), r.firstDirectHandshake(capA, capB,
                        registered));
        for (LabAgent ag : all) {
            for (String line : ag.log().split("\n")) {
                if (line.contains(" sees ") || line.contains("switch moment") || line.contains("direct again")
                        || line.contains(": via relay") || line.contains("roamed back")) {
                    System.out.println("AgentRelayConeIT: " + ag.host.name() + ": " + line.strip());
                }
            }
        }

        // behaviour: registered both, relayed first (forwarded data, the first ping before the direct path), the
        // relay answered disclosure queries, then direct at the NAT mappings the relay saw
        assertTrue(registered > 0 && r.registered.size() == 2, "both registered: " + r.registered);
        assertTrue(r.counts.getOrDefault("forwarded transport", 0) > 0, "the relay carried the pair: " + r.counts);
        assertTrue(r.firstForwardedTransport < direct, "relayed before direct");
        assertTrue(firstPing > 0 && firstPing < direct, "the first ping went through the relay (before any direct"
                + " datagram both ways)");
        assertTrue(r.counts.getOrDefault("in disclosure query", 0) > 0 && r.counts.getOrDefault(
                "out disclosure answer", 0) > 0, "disclosure queries answered: " + r.counts);
        assertTrue(directA > 0 && directB > 0, "direct datagrams both ways");
        assertEquals(natB.wanAddress(), wa.endpointOf(wb.publicKey()).orElseThrow().address());
        JsonNode peerB = AgentRelayIT.peer(agentA.status(), wb.publicKey().toBase64());
        assertEquals("direct", peerB.get("path").asText(), peerB.toString());
        assertTrue(agentA.log().contains("switch moment") || agentB.log().contains("switch moment"),
                "a direct try at the relay's switch moment");
    }

    static double sec(long nanos) {
        return nanos / 1e9;
    }

    /** What the relay's capture shows. Times are capture times in epoch nanoseconds. */
    static final class Relayed {
        final Map<String, Integer> counts = new TreeMap<>();
        /** Per NAT address: the first transport datagram to the relay after the relay's handshake response. */
        final Map<InetAddress, Long> registered = new HashMap<>();
        long firstForwardedTransport = Long.MAX_VALUE;
        /** Every WireGuard handshake message on the relay port: time, direction, type, NAT address. */
        final List<Object[]> handshakes = new ArrayList<>();

        /** The handshake messages relative to {@code from}, one line, with "a"/"b" for the two NATs. */
        String handshakeTimeline(long from, InetAddress natA) {
            StringBuilder b = new StringBuilder();
            for (Object[] h : handshakes) {
                b.append(String.format(" %+.3f %s %s %s;", sec((Long) h[0] - from), h[2], (Boolean) h[1] ? "from"
                        : "to", natA.equals(h[3]) ? "a" : "b"));
            }
            return b.toString();
        }

        /** The first WireGuard handshake message (initiation or response) seen directly, or "none". */
        String firstDirectHandshake(Path capA, Path capB, long from) throws Exception {
            long first = Long.MAX_VALUE;
            for (Path p : List.of(capA, capB)) {
                for (Pcap.Frame f : Pcap.read(p)) {
                    Pcap.Udp u = Pcap.udp(f);
                    int type = u == null ? 0 : WireFormat.classify(u.payload());
                    if ((type == WireFormat.TYPE_INITIATION || type == WireFormat.TYPE_RESPONSE)
                            && f.epochNanos() < first) {
                        first = f.epochNanos();
                    }
                }
            }
            return first == Long.MAX_VALUE ? "none (the session made through the relay moved to the direct path)"
                    : String.format("+%.3f s", sec(first - from));
        }
    }

    static Relayed relayCapture(Path file, List<InetAddress> nats) throws Exception {
        Relayed r = new Relayed();
        Map<InetAddress, Boolean> responded = new HashMap<>();
        Map<String, InetAddress> received = new HashMap<>();
        for (Pcap.Frame f : Pcap.read(file)) {
            Pcap.Udp u = Pcap.udp(f);
            if (u == null) {
                continue;
            }
            boolean in = u.dstPort() == RELAY_PORT;
            byte[] p = u.payload();
            int type = WireFormat.classify(p);
            String kind = type != 0 ? List.of("", "initiation", "response", "cookie", "transport").get(type)
                    : p.length == Disclosure.QUERY_LENGTH && (p[0] & 0xff) == 0xF4 ? "disclosure query"
                    : p.length == Disclosure.ANSWER_LENGTH && (p[0] & 0xff) == 0xF5 ? "disclosure answer"
                    : (p[0] & 0xff) == 0xF2 ? "probe" : (p[0] & 0xff) == 0xF3 ? "probe reply" : "other";
            r.counts.merge((in ? "in " : "out ") + kind, 1, Integer::sum);
            if (type == WireFormat.TYPE_INITIATION || type == WireFormat.TYPE_RESPONSE) {
                r.handshakes.add(new Object[] {f.epochNanos(), in, kind, in ? u.src() : u.dst()});
            }
            if (!in && type == WireFormat.TYPE_RESPONSE && nats.contains(u.dst())) {
                responded.put(u.dst(), true);
            }
            if (in && type == WireFormat.TYPE_TRANSPORT && responded.containsKey(u.src())
                    && !r.registered.containsKey(u.src())) {
                r.registered.put(u.src(), f.epochNanos());
            }
            String key = HexFormat.of().formatHex(p);
            if (in) {
                received.put(key, u.src());
            } else {
                InetAddress from = received.get(key);
                if (from != null && !from.equals(u.dst()) && nats.contains(from) && nats.contains(u.dst())) {
                    r.counts.merge("forwarded " + kind, 1, Integer::sum);
                    if (type == WireFormat.TYPE_TRANSPORT) {
                        r.firstForwardedTransport = Math.min(r.firstForwardedTransport, f.epochNanos());
                    }
                }
            }
        }
        return r;
    }

    /** The capture time of the first datagram from {@code src} in {@code file}, or 0. */
    static long firstFrom(Path file, InetAddress src) throws Exception {
        for (Pcap.Frame f : Pcap.read(file)) {
            Pcap.Udp u = Pcap.udp(f);
            if (u != null && u.src().equals(src)) {
                return f.epochNanos();
            }
        }
        return 0;
    }
}
