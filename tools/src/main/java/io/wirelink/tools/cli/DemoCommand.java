package io.wirelink.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirelink.agent.cli.ControlClient;
import io.wirelink.agent.cli.JsonTree;
import io.wirelink.lab.Host;
import io.wirelink.lab.HubMesh;
import io.wirelink.lab.Lab;
import io.wirelink.lab.LabProcess;
import io.wirelink.lab.WgInterface;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wirelink demo} (root): a lab mesh in network namespaces with real wireguard-go and nftables NATs: a public
 * hub, two leaves behind cone NATs and one behind a symmetric NAT, each leaf configured (as wg-quick would) with the
 * hub alone. It starts a real agent per host, prints a timeline of what happens and a ping matrix, and tears it all
 * down.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Build a lab mesh in network namespaces "
        + "(root), run an agent per host, print a timeline and a ping matrix, tear it down.")
public final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--time", paramLabel = "SECONDS", defaultValue = "30",
            description = "how long to wait for the mesh to settle (default ${DEFAULT-VALUE} s)")
    int seconds;

    record Node(String name, Host host, WgInterface wg, String overlay, Path runDir, LabProcess agent) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<String> why = Lab.unavailableReason();
        if (why.isPresent()) {
            err.println("wirelink demo: the lab cannot run here: " + why.get());
            return 1;
        }
        Path jar = ownJar();
        if (jar == null) {
            err.println("wirelink demo: run it from the built jar (bin/wirelink demo)");
            return 1;
        }
        try (Lab lab = Lab.create()) {
            out.println("Building the lab " + lab.token() + " (network namespaces, wireguard-go, nftables NATs):");
            HubMesh mesh = HubMesh.build(lab);
            out.printf("  hub  %-15s public%n", mesh.hubHost().address().getHostAddress());
            out.printf("  a    %-15s behind a cone NAT (%s)%n", mesh.a().address().getHostAddress(),
                    mesh.natA().wanAddress().getHostAddress());
            out.printf("  b    %-15s behind a cone NAT (%s)%n", mesh.b().address().getHostAddress(),
                    mesh.natB().wanAddress().getHostAddress());
            out.printf("  c    %-15s behind a symmetric NAT (%s)%n", mesh.c().address().getHostAddress(),
                    mesh.natC().wanAddress().getHostAddress());
            Map<String, Node> nodes = new LinkedHashMap<>();
            List<WgInterface> all = List.of(mesh.hub(), mesh.wa(), mesh.wb(), mesh.wc());
            List<String> names = List.of("hub", "a", "b", "c");
            for (int i = 0; i < all.size(); i++) {
                WgInterface wg = all.get(i);
                String name = names.get(i);
                Path runDir = lab.runDir().resolve("run-" + name);
                LabProcess agent = lab.spawn(wg.host(), "agent-" + name,
                        Map.of("WIRELINK_STATE_DIR", lab.runDir().resolve("state-" + name).toString(),
                                "WIRELINK_RUN_DIR", runDir.toString(), "WIRELINK_JAR", jar.toString()),
                        "java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx64m", "-Xss256k",
                        "-Dio.netty.allocator.type=unpooled", "-jar", jar.toString(), "--iface", wg.name());
                nodes.put(name, new Node(name, wg.host(), wg, mesh.overlayOf(wg), runDir, agent));
            }
            long start = System.nanoTime();
            for (Node n : nodes.values()) {
                while (status(n) == null) {
                    if (!n.agent().isAlive() || System.nanoTime() - start > Duration.ofSeconds(60).toNanos()) {
                        err.println("wirelink demo: the agent on " + n.name() + " did not start:\n"
                                + n.agent().logTail(2000));
                        return 1;
                    }
                    LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
                }
            }
            out.printf("Agents ready after %.1f s. Configuring WireGuard as wg-quick would: the hub knows the"
                    + " leaves' keys, each leaf knows only the hub.%n%n", (System.nanoTime() - start) / 1e9);
            mesh.configureLikeWgQuick();
            timeline(out, nodes, Duration.ofSeconds(seconds));
            pingMatrix(out, nodes);
            out.println("\nTearing down the lab.");
        }
        return 0;
    }

    static Path ownJar() throws URISyntaxException {
        Path p = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return Files.isRegularFile(p) ? p : null;
    }

    static JsonNode status(Node n) {
        try {
            ControlClient.Response r = ControlClient.call(n.runDir().resolve(n.wg().name() + ".sock"), "GET",
                    "/status");
            return r.status() == 200 ? JsonTree.read(r.body()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Polls every host and prints each new handshake, learned peer, installed route and path change. */
    static void timeline(PrintWriter out, Map<String, Node> nodes, Duration limit) {
        Map<String, String> names = new LinkedHashMap<>();
        nodes.values().forEach(n -> names.put(n.wg().publicKey().toBase64(), n.name()));
        Set<String> seen = new HashSet<>();
        long t0 = System.nanoTime();
        out.println("Timeline (seconds since WireGuard was configured):");
        long settledSince = -1;
        while (System.nanoTime() - t0 < limit.toNanos()) {
            List<String> events = new ArrayList<>();
            boolean allDone = true;
            for (Node n : nodes.values()) {
                JsonNode s = status(n);
                if (s == null) {
                    continue;
                }
                for (JsonNode p : s.get("peers")) {
                    String other = names.getOrDefault(p.get("publicKey").asText(), "?");
                    if (!n.name().equals("hub") && !other.equals("hub")
                            && !p.get("onDevice").asBoolean()) {
                        allDone = false;
                    }
                    if (p.get("onDevice").asBoolean() && seen.add(n.name() + " knows " + other)) {
                        events.add(n.name() + " has " + other + " on its device"
                                + (p.has("endpoint") ? " at " + p.get("endpoint").asText() : ""));
                    }
                    if (p.has("latestHandshake") && seen.add(n.name() + " hs " + other)) {
                        events.add(n.name() + " handshook with " + other + (p.has("endpoint") ? " at "
                                + p.get("endpoint").asText() : ""));
                    }
                    String path = p.get("path").asText();
                    if (seen.add(n.name() + " path " + other + " " + path) && !path.equals("none")) {
                        events.add(n.name() + " -> " + other + ": " + path);
                    }
                    if (p.has("allowedIps")) {
                        for (JsonNode aip : p.get("allowedIps")) {
                            String t = aip.asText();
                            if (!t.startsWith("fe80:") && seen.add(n.name() + " route " + other + " " + t)) {
                                events.add(n.name() + " routes " + t + " to " + other);
                            }
                        }
                    }
                }
            }
            double t = (System.nanoTime() - t0) / 1e9;
            for (String e : events) {
                out.printf("  %5.1f  %s%n", t, e);
            }
            out.flush();
            if (allDone && events.isEmpty()) {
                if (settledSince < 0) {
                    settledSince = System.nanoTime();
                } else if (System.nanoTime() - settledSince > Duration.ofSeconds(5).toNanos()) {
                    out.printf("  %5.1f  settled: no change for 5 s%n", t);
                    return;
                }
            } else {
                settledSince = -1;
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }

    /** Pings every overlay address from every host; says whether the path is direct or through the hub. */
    static void pingMatrix(PrintWriter out, Map<String, Node> nodes) {
        out.println("\nPing matrix over the overlay (198.18.0.0/24):");
        out.printf("  %-6s", "from");
        nodes.keySet().forEach(k -> out.printf("%-12s", k));
        out.println();
        for (Node from : nodes.values()) {
            out.printf("  %-6s", from.name());
            JsonNode s = status(from);
            for (Node to : nodes.values()) {
                if (from == to) {
                    out.printf("%-12s", "-");
                    continue;
                }
                boolean ok = from.host().ping(to.overlay(), 1, Duration.ofSeconds(3));
                String path = "";
                if (s != null) {
                    for (JsonNode p : s.get("peers")) {
                        if (p.get("publicKey").asText().equals(to.wg().publicKey().toBase64())) {
                            path = p.get("path").asText().equals("direct") ? "direct" : "via hub";
                        }
                    }
                }
                out.printf("%-12s", ok ? "ok " + path : "FAIL");
            }
            out.println();
        }
        out.flush();
    }
}
