package io.wirelink.lab;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wirelink.facts.IpEndpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Port mapping against a real miniupnpd on a lab NAT gateway (symmetric: {@code masquerade random}, and dropping
 * every unsolicited packet on its WAN side). (a) {@code wirelink portmap} maps the WireGuard port with PCP, NAT-PMP
 * and UPnP-IGD in turn: the external endpoint is the NAT's WAN address, a datagram from the internet reaches the
 * LAN host through it, a renewal refreshes the lifetime, and deletion (also when the holder is terminated) removes
 * the forwarding. (b) Two wireguard-go peers behind symmetric NATs, one of which maps its port: the other side,
 * given the mapped endpoint, handshakes directly. (c) The same with agents and a hub: the agent maps its listen
 * port, publishes the mapping, and the pair goes direct.
 */
@ExtendWith(LabExtension.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PortMappingIT {
    private static final Logger log = LoggerFactory.getLogger(PortMappingIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(200);

    @BeforeAll
    static void needsMiniupnpd() {
        LabExtension.assumeAvailable();
        org.junit.jupiter.api.Assumptions.assumeTrue(Lab.miniupnpdUnavailableReason().isEmpty(),
                () -> Lab.miniupnpdUnavailableReason().orElse(""));
    }

    /** Runs {@code bin/wirelink ARGS} in {@code host}'s namespace. */
    static ExecResult wirelink(Lab lab, Host host, String... args) {
        List<String> cmd = new ArrayList<>(List.of("env"));
        LabAgent.launcherEnv().forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.add(LabAgent.launcher());
        cmd.addAll(List.of(args));
        return lab.tryExec(host.ns(), Duration.ofSeconds(60), cmd.toArray(new String[0]));
    }

    static List<JsonNode> events(String out) throws Exception {
        List<JsonNode> r = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("{")) {
                r.add(JSON.readTree(line));
            }
        }
        return r;
    }

    /** Counts UDP datagrams to {@code port} arriving at {@code host} (an nftables counter in its namespace). */
    static void countArrivals(Host host, int port) {
        host.exec("nft", "add table inet wlcount; add chain inet wlcount input { type filter hook input priority 0; };"
                + " add rule inet wlcount input udp dport " + port + " counter");
    }

    static long arrivals(Host host) {
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(host.exec("nft", "list", "table", "inet",
                "wlcount").stdout());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** Sends one datagram from {@code from} to {@code to} (bash's /dev/udp, so no extra tool is needed). */
    static void sendDatagram(Host from, IpEndpoint to) {
        from.exec("bash", "-c", "echo wirelink-portmap-test > /dev/udp/" + to.address().getHostAddress() + "/"
                + to.port());
    }

    static long renewals(LabProcess holder) throws Exception {
        return events(holder.logTail(100_000)).stream().filter(e -> e.get("event").asText().equals("renewed")).count();
    }

    static String natRules(Lab lab, Nat nat) {
        return lab.exec(nat.ns(), "nft", "list", "chain", "inet", "wlnat", "prerouting_miniupnpd").stdout();
    }

    @Test
    void eachProtocolMapsRenewsForwardsAndDeletes(Lab lab) throws Exception {
        Nat nat = lab.nat("nat", NatType.SYMMETRIC);
        Host a = lab.hostBehind(nat, "a");
        Host internet = lab.publicHost("inet");
        lab.startMiniupnpd(nat, Duration.ofSeconds(4));
        countArrivals(a, 51820);
        for (String protocol : List.of("pcp", "nat-pmp", "upnp")) {
            // one shot: map, renew at once, delete
            ExecResult r = wirelink(lab, a, "portmap", "--protocol", protocol, "--port", "51820", "--lifetime", "60",
                    "--renew", "--delete");
            assertTrue(r.ok(), protocol + ": " + r.stderr());
            List<JsonNode> ev = events(r.stdout());
            assertEquals(List.of("mapped", "renewed", "deleted"), ev.stream().map(e -> e.get("event").asText())
                    .toList(), r.stdout());
            JsonNode mapped = ev.get(0);
            JsonNode renewed = ev.get(1);
            IpEndpoint ext = IpEndpoint.parse(mapped.get("external").asText());
            assertEquals(nat.wanAddress(), ext.address(), protocol + ": the external address is the NAT's WAN");
            assertTrue(mapped.get("lifetime").asLong() >= 30, protocol + ": lifetime " + mapped);
            assertEquals(ext, IpEndpoint.parse(renewed.get("external").asText()), protocol + ": renewal keeps the port");
            assertFalse(Instant.parse(renewed.get("expires").asText()).isBefore(Instant.parse(mapped.get("expires")
                    .asText())), protocol + ": the renewal refreshes the lifetime");
            log.info("{}: mapped {} in {} ms (JVM start not included), renewed in {} ms, deleted in {} ms", protocol,
                    ext, mapped.get("ms"), renewed.get("ms").asLong(), ev.get(2).get("ms").asLong());
            assertFalse(natRules(lab, nat).contains("dnat"), protocol + ": deleted: " + natRules(lab, nat));

            // held: the forwarding works while the mapping is held and goes when the holder is terminated
            LabProcess holder = lab.spawn(a, "portmap-" + protocol, LabAgent.launcherEnv(), LabAgent.launcher(),
                    "portmap", "--hold", "--protocol", protocol, "--port",
                    "51820", "--lifetime", "4");
            await(protocol + " mapping held").atMost(WAIT).pollInterval(POLL)
                    .until(() -> holder.logTail(100_000).contains("\"event\":\"mapped\"") || !holder.isAlive());
            JsonNode held = events(holder.logTail(100_000)).get(0);
            IpEndpoint heldExt = IpEndpoint.parse(held.get("external").asText());
            assertEquals(nat.wanAddress(), heldExt.address());
            assertEquals(4, held.get("lifetime").asLong(), protocol + ": a 4 s lease: " + held);
            // the keeper renews at half-life: two renewals, and the mapping has outlived its first lease
            await(protocol + " renewed twice").atMost(WAIT).pollInterval(POLL).until(() -> renewals(holder) >= 2);
            assertTrue(events(holder.logTail(100_000)).stream().filter(e -> e.get("event").asText().equals("renewed"))
                    .allMatch(e -> e.get("external").asText().equals(heldExt.toString())), holder.logTail(3000));
            long before = arrivals(a);
            sendDatagram(internet, heldExt); // after the first lease ran out: the renewals kept the forwarding
            await(protocol + ": a datagram from the internet reaches a through the mapping").atMost(WAIT)
                    .pollInterval(POLL).until(() -> arrivals(a) > before);
            holder.stop(5000);
            assertTrue(holder.logTail(100_000).contains("\"event\":\"deleted\""), holder.logTail(3000));
            assertFalse(natRules(lab, nat).contains("dnat"), protocol + ": deleted on exit: " + natRules(lab, nat));
            long dropsBefore = lab.unsolicitedDrops(nat);
            long arrivalsAfter = arrivals(a);
            sendDatagram(internet, heldExt);
            await(protocol + ": after deletion the NAT drops it").atMost(WAIT).pollInterval(POLL)
                    .until(() -> lab.unsolicitedDrops(nat) > dropsBefore);
            assertEquals(arrivalsAfter, arrivals(a), protocol + ": nothing more reached a");
        }
    }

    /** Holds a mapping of {@code port} on {@code host}'s gateway until the lab closes; returns its external endpoint. */
    static IpEndpoint holdMapping(Lab lab, Host host, int port, String protocol) throws Exception {
        LabProcess holder = lab.spawn(host, "portmap-" + host.name(), LabAgent.launcherEnv(), LabAgent.launcher(),
                "portmap", "--hold", "--protocol", protocol, "--port",
                Integer.toString(port), "--lifetime", "120");
        await("mapping held").atMost(WAIT).pollInterval(POLL)
                .until(() -> holder.logTail(100_000).contains("\"event\":\"mapped\"") || !holder.isAlive());
        assertTrue(holder.isAlive(), holder.logTail(3000));
        return IpEndpoint.parse(events(holder.logTail(100_000)).get(0).get("external").asText());
    }

    @Test
    void aPeerBehindASymmetricNatThatMapsItsPortIsReachedDirectly(Lab lab) throws Exception {
        Nat natA = lab.nat("natA", NatType.SYMMETRIC);
        Nat natB = lab.nat("natB", NatType.SYMMETRIC);
        Host hostA = lab.hostBehind(natA, "a");
        Host hostB = lab.hostBehind(natB, "b");
        lab.startMiniupnpd(natA, Duration.ofSeconds(30));
        WgInterface a = lab.startWireGuard(hostA).addAddress("198.18.0.2/24");
        WgInterface b = lab.startWireGuard(hostB).addAddress("198.18.0.3/24");
        long t0 = System.nanoTime();
        IpEndpoint mapped = holdMapping(lab, hostA, a.listenPort(), "pcp");
        long mappedMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(natA.wanAddress(), mapped.address());
        // a knows b's key but not where it is (b is behind a symmetric NAT without mapping); b is given a's mapping
        a.setPeer(b, null, null, "198.18.0.3/32");
        long t1 = System.nanoTime();
        b.setPeer(a, mapped, 1, "198.18.0.2/32");
        await("direct handshake through the mapping").atMost(WAIT).pollInterval(POLL)
                .until(() -> a.hasHandshakeWith(b) && b.hasHandshakeWith(a));
        long directMs = (System.nanoTime() - t1) / 1_000_000;
        assertTrue(hostB.ping("198.18.0.2", 3, Duration.ofSeconds(10)), "ping b -> a over the direct tunnel");
        assertTrue(hostA.ping("198.18.0.3", 3, Duration.ofSeconds(10)), "ping a -> b over the direct tunnel");
        assertEquals(mapped, b.endpointOf(a.publicKey()).orElseThrow(), "b reaches a at the mapped endpoint");
        assertEquals(natB.wanAddress(), a.endpointOf(b.publicKey()).orElseThrow().address(),
                "a answers b at b's NAT (learned by roaming)");
        log.info("wireguard-go through symmetric NATs: mapping held {} ms after launch (JVM start included), "
                + "direct handshake {} ms after b was given the mapping", mappedMs, directMs);
    }

    @Test
    void agentsBehindSymmetricNatsGoDirectWhenOneGatewayMapsThePort(Lab lab) throws Exception {
        Host hubHost = lab.publicHost("hub");
        Nat natA = lab.nat("natA", NatType.SYMMETRIC);
        Nat natB = lab.nat("natB", NatType.SYMMETRIC);
        Host hostA = lab.hostBehind(natA, "a");
        Host hostB = lab.hostBehind(natB, "b");
        hubHost.exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        lab.startMiniupnpd(natA, Duration.ofSeconds(30));
        WgInterface hub = lab.startWireGuard(hubHost).addAddress("198.18.0.1/24");
        WgInterface a = lab.startWireGuard(hostA).addAddress("198.18.0.2/24");
        WgInterface b = lab.startWireGuard(hostB).addAddress("198.18.0.3/24");
        for (WgInterface leaf : List.of(a, b)) {
            hub.setPeer(leaf, null, null, (leaf == a ? "198.18.0.2" : "198.18.0.3") + "/32");
            leaf.setPeer(hub, hub.underlayEndpoint(), 5, HubMesh.OVERLAY);
        }
        long t0 = System.nanoTime();
        List<LabAgent> agents = List.of(new LabAgent(lab, hubHost, hub).start(), new LabAgent(lab, hostA, a).start(),
                new LabAgent(lab, hostB, b).start());
        for (LabAgent ag : agents) {
            await("agent on " + ag.host.name() + " ready").atMost(Duration.ofSeconds(60)).pollInterval(POLL)
                    .until(() -> {
                        if (!ag.process.isAlive()) {
                            throw new AssertionError("agent died: " + ag.log());
                        }
                        return ag.ready();
                    });
        }
        LabAgent agentA = agents.get(1);
        await("agent a maps its listen port").atMost(WAIT).pollInterval(POLL)
                .until(() -> agentA.status().get("portMapping").has("external"));
        JsonNode pm = agentA.status().get("portMapping");
        IpEndpoint mapped = IpEndpoint.parse(pm.get("external").asText());
        long mappedMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(natA.wanAddress(), mapped.address(), "mapped on natA's WAN address: " + pm);
        assertTrue(List.of("PCP", "NAT-PMP", "UPnP-IGD").contains(pm.get("protocol").asText()));
        ExecResult show = agentA.cli("show", "--iface", a.name());
        assertTrue(show.stdout().contains("port mapping: " + pm.get("protocol").asText() + " " + mapped),
                show.stdout() + show.stderr());
        assertTrue(agents.get(2).status().get("portMapping").has("error"), "b's gateway maps nothing");

        await("a and b handshake directly").atMost(Duration.ofSeconds(60)).pollInterval(POLL)
                .until(() -> a.hasHandshakeWith(b) && b.hasHandshakeWith(a));
        long directMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(mapped, b.endpointOf(a.publicKey()).orElseThrow(), "wg show on b: a is at its mapped endpoint");
        assertEquals(natB.wanAddress(), a.endpointOf(b.publicKey()).orElseThrow().address());
        assertTrue(hostB.ping("198.18.0.2", 2, Duration.ofSeconds(10)), "b pings a");
        assertTrue(hostA.ping("198.18.0.3", 2, Duration.ofSeconds(10)), "a pings b");
        log.info("agents behind symmetric NATs: a's mapping ({}) {} ms after the agents were launched, direct a<->b "
                + "after {} ms", pm.get("protocol").asText(), mappedMs, directMs);

        // the agent deletes its mapping when it stops
        agentA.stop();
        await("a's mapping deleted on exit").atMost(WAIT).pollInterval(POLL)
                .until(() -> !natRules(lab, natA).contains("dnat"));
    }
}
