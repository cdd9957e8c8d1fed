package io.wirelink.tools.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.wirelink.tools.sim.Simulation;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wirelink simulate}: real agents on a simulated network with a virtual clock; prints what they achieved. */
@Command(
        name = "simulate",
        mixinStandardHelpOptions = true,
        description = {
            "Run real wirelink agents, zero-config, on a simulated network with a virtual clock: H public hubs whose "
                    + "devices hold every node (wg-quick style, a /32 of 172.16.0.0/12 each) and N nodes whose "
                    + "devices hold only the hubs (endpoint, the hub's overlay prefix, persistent keepalive 25), "
                    + "each behind a cone NAT, a symmetric NAT or public. Nodes come up at random moments in the "
                    + "first 10 s (--join-spread). Deterministic for a seed; needs no root and touches no network.",
            "With --sample K only K nodes (a random draw) run the full agent and are measured; the others are "
                    + "stand-ins: the same agent keeping facts only about the hubs, the sample and itself. Towards "
                    + "the hubs and the sample they behave as full agents, so the hubs carry the whole mesh and each "
                    + "sampled node sees every node; their traffic among themselves is left out. A full agent holds "
                    + "every member, so memory grows with the square of the mesh: this is how 10,000 nodes fit."},
        footerHeading = "%nReported (the --json field names in brackets; times in simulated seconds):%n",
        footer = {
            "  everyone knows everyone   [convergenceSeconds] from the last node's start until every node has every "
                    + "other node on its device; null if not within the run. [lastJoinSeconds] is when the last "
                    + "node started.",
            "  punchable pairs direct    [directConvergenceSeconds] from the last node's start until every pair of "
                    + "nodes not behind a symmetric NAT is direct (a live session through open NATs, the world's "
                    + "ground truth) or idle (below); null if not.",
            "  pairs at the end          [directShare] [idleShare] [routedShare] [unreachableShare] of all node "
                    + "pairs ([pairs]): direct session; else idle: both devices still route each other's overlay "
                    + "address straight to each other but the session or the NATs' holes lapsed for want of traffic "
                    + "(traffic wakes them: see the wake test); else each side's device routes the other's overlay "
                    + "address to a hub that has sessions with both; else unreachable. [punchableDirectShare] and "
                    + "[punchableReadyShare] (direct or idle) over the [punchablePairs]; [pairsByNat] the counts by "
                    + "NAT kinds.",
            "  control bytes             [controlBytesPerNodePerSecond] gossip payload bytes the agent sent plus "
                    + "received, per second of its uptime, mean over nodes; [controlBytesPerNodePerSecondMax] the "
                    + "highest agent, hubs included; [controlBytesPerHubPerSecond] mean over hubs; the steady* fields "
                    + "the same over the second half of the run only.",
            "  underlay bytes            [underlayBytesPerNodePerSecond] (Max, PerHub) IPv4 bytes on the node's "
                    + "link, both ways, headers included: WireGuard handshakes, keepalives and encapsulated gossip "
                    + "(there is no other traffic). [gossipDatagramsPerNodePerSecond] gossip datagrams in plus out. "
                    + "[passesPerNodePerSecond] full passes (derive, fold, reconcile, plan) per agent per simulated "
                    + "second; [quickStepsPerNodePerSecond] quick steps (only owed Acks and due probes).",
            "  facts held                [factsPerNodeMean] fact-store events (one per fact and asserting author) "
                    + "at the end, mean over nodes; [factsPerNodeMax] the highest agent, hubs included; "
                    + "[factsPerHub] mean over hubs.",
            "  CPU                       [cpuMicrosPerNodeSecond] CPU time of the simulating thread (agents and "
                    + "world) per agent (nodes + hubs, stand-ins included) per simulated second; [cpuSeconds] "
                    + "[wallSeconds] in total.",
            "  memory                    [heapBytes] Java heap in use after a full collection at half the run (the "
                    + "world and every agent); [heapBytesPerNode] that per agent (nodes + hubs), null with --sample.",
            "  sample                    [sample] K with --sample, else null: every per-node figure above (pairs, "
                    + "convergence, control bytes of nodes, facts of nodes) is then over the K sampled nodes; "
                    + "[standInFactsMean] what a stand-in holds (null without --sample).",
            "  also                      [nodes] [hubs] [seed] [durationSeconds] [loss] [nat] (nodes per kind) "
                    + "[events] (simulator events) [traceHash] (equal for equal runs) [decisionHash] (a digest of "
                    + "every decision of the agents' cores: device changes, the fact keys of each datagram sent, the "
                    + "reasons; wake test included) [drops] (packets dropped by reason).",
            "  wake test                 [wake] after the run, up to 100 punchable pairs that are not direct at the "
                    + "end (idle: sessions lapsed) get a datagram each second to an echo on the other's overlay "
                    + "address for 30 s: [pairs], how many went [direct], [medianSeconds] and [maxSeconds] to direct.",
            "Same options, same output, apart from cpuSeconds, cpuMicrosPerNodeSecond, wallSeconds, heapBytes and "
                    + "heapBytesPerNode."})
public final class SimulateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--nodes", required = true, paramLabel = "N", description = "nodes besides the hubs")
    int nodes;

    @Option(names = "--hubs", paramLabel = "H", defaultValue = "1", description = "public hubs (default ${DEFAULT-VALUE})")
    int hubs;

    @Option(names = "--nat", paramLabel = "KIND=SHARE,...", defaultValue = "cone=0.5,symmetric=0.2,public=0.3",
            description = "shares of nodes behind a cone NAT, a symmetric NAT, or public; they add up to 1 "
                    + "(default ${DEFAULT-VALUE})")
    String nat;

    @Option(names = "--loss", paramLabel = "P", defaultValue = "0.01",
            description = "packet loss per hop on the public network (default ${DEFAULT-VALUE})")
    double loss;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--duration", paramLabel = "D", defaultValue = "120s",
            description = "simulated time: 500ms, 120s, 5m, 1h or ISO-8601 (default ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--join-spread", paramLabel = "D", defaultValue = "10s",
            description = "nodes come up at random moments within this time (default ${DEFAULT-VALUE})")
    String joinSpread;

    @Option(names = "--sample", paramLabel = "K", defaultValue = "0", description = "run only K nodes as full "
            + "agents and measure those; the rest are stand-ins (above). 0: every node (default)")
    int sample;

    @Option(names = "--json", description = "one JSON object instead of text")
    boolean json;

    @Option(names = "--progress", description = "a line on stderr every 10 simulated seconds and every 30 s of "
            + "wall time")
    boolean progress;

    @Option(names = "--breakdown", description = "decode every gossip datagram sent and report bytes by direction "
            + "(hub>node, node>hub, node>node, hub>hub) and fact attribute, for the run and its second half "
            + "(JSON: [breakdown])")
    boolean breakdown;

    @Option(names = "--trace", paramLabel = "HOST", split = ",", description = "print on stderr, with the simulated "
            + "time, every packet sent, moved or dropped that involves HOST (node7, hub0; repeatable), and what its "
            + "agent and the others changed about it and why")
    List<String> trace = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Simulation.Options o;
        try {
            double[] shares = parseNat(nat);
            o = Simulation.Options.defaults(nodes).withHubs(hubs).withNat(shares[0], shares[1], shares[2])
                    .withLoss(loss).withSeed(seed).withDuration(parseDuration(duration))
                    .withJoinSpread(parseDuration(joinSpread)).withBreakdown(breakdown).withSample(sample);
        } catch (IllegalArgumentException e) {
            err.println("wirelink simulate: " + e.getMessage());
            return 2;
        }
        if (progress) {
            o = o.withProgress(line -> {
                err.println(line);
                err.flush();
            });
        }
        if (!trace.isEmpty()) {
            for (String h : trace) {
                if (!traceable(h, o.nodes(), o.hubs())) {
                    err.println("wirelink simulate: --trace " + h + ": no such host (hosts are hub0..hub"
                            + (o.hubs() - 1) + " and node0..node" + (o.nodes() - 1) + ")");
                    return 2;
                }
            }
            o = o.withTrace(new Simulation.Trace(java.util.Set.copyOf(trace), err::println));
        }
        Simulation.Result r;
        try {
            r = Simulation.run(o);
        } catch (OutOfMemoryError e) {
            long max = Runtime.getRuntime().maxMemory() >> 20;
            // BENCHMARKS.md: about 7 MB of live heap per agent at 1,000 nodes
            err.println("wirelink simulate: out of memory with a " + max + " MB heap for " + nodes + " nodes; give it "
                    + "about 10 MB a node: WIRELINK_JAVA_OPTS='-XX:+UseG1GC -Xmx" + Math.max(nodes * 10L, 512)
                    + "m' (bin/wirelink; or java -Xmx... -jar)");
            return 1;
        }
        err.flush();
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(r.toMap()));
        } else {
            print(out, r);
        }
        out.flush();
        return 0;
    }

    /** Whether {@code host} names a host of the simulated world: hub0..hub(hubs-1), node0..node(nodes-1). */
    static boolean traceable(String host, int nodes, int hubs) {
        Matcher m = Pattern.compile("(hub|node)(0|[1-9][0-9]{0,8})").matcher(host);
        if (!m.matches()) {
            return false;
        }
        long i = Long.parseLong(m.group(2));
        return i < (m.group(1).equals("hub") ? hubs : nodes);
    }

    /** {@code cone=0.5,symmetric=0.2,public=0.3} as {cone, symmetric, public}; kinds left out are 0. */
    static double[] parseNat(String spec) {
        double[] s = new double[3];
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("--nat: expected KIND=SHARE, got '" + part + "'");
            }
            double v;
            try {
                v = Double.parseDouble(kv[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--nat: not a number: '" + kv[1] + "'");
            }
            switch (kv[0].trim().toLowerCase(Locale.ROOT)) {
                case "cone" -> s[0] = v;
                case "symmetric" -> s[1] = v;
                case "public" -> s[2] = v;
                default -> throw new IllegalArgumentException("--nat: unknown kind '" + kv[0]
                        + "' (cone, symmetric, public)");
            }
        }
        if (s[0] < 0 || s[1] < 0 || s[2] < 0 || Math.abs(s[0] + s[1] + s[2] - 1) > 1e-6) {
            throw new IllegalArgumentException("--nat: shares must be non-negative and add up to 1");
        }
        return s;
    }

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

    static Duration parseDuration(String text) {
        Matcher m = SIMPLE_DURATION.matcher(text.trim());
        if (m.matches()) {
            double v = Double.parseDouble(m.group(1));
            double nanos = switch (m.group(2)) {
                case "ms" -> v * 1e6;
                case "s" -> v * 1e9;
                case "m" -> v * 60e9;
                default -> v * 3600e9;
            };
            return Duration.ofNanos(Math.round(nanos));
        }
        try {
            return Duration.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--duration: expected e.g. 120s, 5m or PT2M, got '" + text + "'");
        }
    }

    private static void print(PrintWriter out, Simulation.Result r) {
        Map<String, Integer> nat = r.nat();
        out.printf(Locale.ROOT, "wirelink simulate: %,d nodes (%d cone, %d symmetric, %d public) and %d hub%s, "
                        + "loss %s, seed %d, %s s simulated%n", r.nodes(), nat.get("cone"), nat.get("symmetric"),
                nat.get("public"), r.hubs(), r.hubs() == 1 ? "" : "s", pct(r.loss()), r.seed(),
                num(r.durationSeconds()));
        if (r.sample() != null) {
            out.printf(Locale.ROOT, "  sampled: %,d nodes run the full agent and are measured; the rest are "
                    + "stand-ins%n", r.sample());
        }
        out.printf(Locale.ROOT, "  last node started           at %s s%n", num(r.lastJoinSeconds()));
        out.printf(Locale.ROOT, "  everyone knows everyone     %s%n", since(r.convergenceSeconds()));
        out.printf(Locale.ROOT, "  punchable pairs direct      %s%n", since(r.directConvergenceSeconds()));
        out.printf(Locale.ROOT, "  pairs at the end            %,d: direct %s, idle %s, routed via a hub %s, "
                        + "unreachable %s (punchable: %,d, %s direct, %s direct or idle)%n", r.pairs(),
                pct(r.directShare()), pct(r.idleShare()), pct(r.routedShare()), pct(r.unreachableShare()),
                r.punchablePairs(), pct(r.punchableDirectShare()), pct(r.punchableReadyShare()));
        r.pairsByNat().forEach((k, c) -> out.printf(Locale.ROOT,
                "    %-24s  %,9d pairs: %,9d direct, %,9d idle, %,9d routed, %,9d unreachable%n", k, c.pairs(),
                c.direct(), c.idle(), c.routed(), c.unreachable()));
        out.printf(Locale.ROOT, "  control bytes/node/s        gossip sent+received: mean %s, max %s, hub %s%n",
                bytes(r.controlBytesPerNodePerSecond()), bytes(r.controlBytesPerNodePerSecondMax()),
                bytes(r.controlBytesPerHubPerSecond()));
        out.printf(Locale.ROOT, "    second half only          mean %s, max %s, hub %s%n",
                bytes(r.steadyControlBytesPerNodePerSecond()), bytes(r.steadyControlBytesPerNodePerSecondMax()),
                bytes(r.steadyControlBytesPerHubPerSecond()));
        out.printf(Locale.ROOT, "    underlay (IPv4, both ways) mean %s, max %s, hub %s; %s gossip datagrams/node/s%n",
                bytes(r.underlayBytesPerNodePerSecond()), bytes(r.underlayBytesPerNodePerSecondMax()),
                bytes(r.underlayBytesPerHubPerSecond()), num(r.gossipDatagramsPerNodePerSecond()));
        out.printf(Locale.ROOT, "  facts held per node         mean %s, max %,d, hub %s%s%n", num(r.factsPerNodeMean()),
                r.factsPerNodeMax(), num(r.factsPerHub()), r.standInFactsMean() == null ? ""
                        : ", stand-in " + num(r.standInFactsMean()));
        out.printf(Locale.ROOT, "  CPU                         %s µs per simulated node-second (%s s CPU, %s s wall, "
                        + "%,d events)%n", num(r.cpuMicrosPerNodeSecond()), num(r.cpuSeconds()),
                num(r.wallSeconds()), r.events());
        if (r.heapBytesPerNode() != null) {
            out.printf(Locale.ROOT, "  memory                      %s heap per agent (after a full collection at half "
                    + "the run)%n", size(r.heapBytesPerNode()));
        } else {
            out.printf(Locale.ROOT, "  memory                      %s heap in all (after a full collection at half "
                    + "the run)%n", size(r.heapBytes()));
        }
        if (r.wake() != null) {
            out.printf(Locale.ROOT, "  wake test                   %d idle punchable pairs given traffic: %d direct within %d s"
                    + " (median %s s, max %s s)%n", r.wake().pairs(), r.wake().direct(),
                    Simulation.WAKE_FOR.toSeconds(), r.wake().medianSeconds() == null ? "-" : num(r.wake()
                    .medianSeconds()), r.wake().maxSeconds() == null ? "-" : num(r.wake().maxSeconds()));
        }
        if (r.breakdown() != null) {
            for (String window : new String[] {"run", "secondHalf"}) {
                out.printf(Locale.ROOT, "  gossip sent by direction    %s%n", window.equals("run") ? "whole run"
                        : "second half");
                printBreakdown(out, (Map<?, ?>) r.breakdown().get(window));
            }
        }
        if (!r.drops().isEmpty()) {
            out.printf(Locale.ROOT, "  packets dropped             %s%n", r.drops());
        }
    }

    private static void printBreakdown(PrintWriter out, Map<?, ?> flows) {
        flows.forEach((flow, v) -> {
            Map<?, ?> f = (Map<?, ?>) v;
            long total = ((Number) f.get("bytes")).longValue();
            StringBuilder attrs = new StringBuilder();
            ((Map<?, ?>) f.get("byAttribute")).forEach((attr, a) -> {
                Map<?, ?> c = (Map<?, ?>) a;
                long b = ((Number) c.get("bytes")).longValue();
                attrs.append(String.format(Locale.ROOT, "%s%s %s (%,d)", attrs.length() == 0 ? "" : ", ", attr,
                        pct(total == 0 ? 0 : (double) b / total), ((Number) c.get("count")).longValue()));
            });
            out.printf(Locale.ROOT, "    %-10s %,12d datagrams %,15d bytes: %s%n", flow,
                    ((Number) f.get("datagrams")).longValue(), total, attrs);
        });
    }

    private static String since(Double s) {
        return s == null ? "not within the run" : num(s) + " s after the last node started";
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    private static String num(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String size(double v) {
        return v >= 1e6 ? String.format(Locale.ROOT, "%,.2f MB", v / 1e6) : String.format(Locale.ROOT, "%,.0f kB",
                v / 1e3);
    }

    private static String bytes(double v) {
        if (v >= 10_000) {
            return String.format(Locale.ROOT, "%,.1f kB/s", v / 1000);
        }
        return String.format(Locale.ROOT, "%,.0f B/s", v);
    }
}
