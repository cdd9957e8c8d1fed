package io.wirelink.dht.sim;

import io.wirelink.dht.Contact;
import io.wirelink.dht.DhtConfig;
import io.wirelink.dht.DhtIdentity;
import io.wirelink.dht.DhtRecord;
import io.wirelink.dht.DhtStats;
import io.wirelink.dht.EndpointKind;
import io.wirelink.dht.LookupResult;
import io.wirelink.dht.RecordEndpoint;
import io.wirelink.dht.sim.DhtSimulation.SimNode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A DHT-only benchmark under churn, in virtual time. Not a test: run it by hand.
 *
 * <pre>
 * mvn -B -q -ntp -pl dht -am package -DskipTests
 * java -Xmx12g -cp dht/target/classes:facts/target/classes:$HOME/.m2/repository/org/bouncycastle/bcprov-jdk18on/1.86/bcprov-jdk18on-1.86.jar \
 *      io.wirelink.dht.sim.DhtBench --nodes 10000 --churn 0.3 --lookups 4000 --fast-dh
 * </pre>
 *
 * Phases: 5 boot nodes; the other nodes join through two of them at {@code --join-rate} per second, each announcing
 * its record once joined; {@code --warmup} seconds of quiet; then {@code --duration} seconds during which
 * {@code churn × nodes} nodes leave silently (crash-like) and as many new ones join, at uniformly random moments,
 * while {@code --lookups} lookups run from random live nodes (up 30 s or more) to random live targets (up 60 s or
 * more): half FIND_NODE that must reach the target node itself, half FIND_VALUE that must return its record. A
 * lookup whose target leaves before it ends is not counted. Reports success, hops, latency and cost.
 */
public final class DhtBench {
    private record Sample(boolean value, boolean ok, LookupResult.Outcome outcome, int hops, long millis, int queried,
            int timeouts) {}

    public static void main(String[] args) {
        int nodes = 10_000;
        double churn = 0.3;
        int lookups = 4000;
        long seed = 1;
        boolean fast = false;
        double loss = 0.01;
        int joinRate = 100;
        int warmup = 120;
        int duration = 600;
        int workbit = 4;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--nodes" -> nodes = Integer.parseInt(args[++i]);
                case "--churn" -> churn = Double.parseDouble(args[++i]);
                case "--lookups" -> lookups = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--fast-dh" -> fast = true;
                case "--loss" -> loss = Double.parseDouble(args[++i]);
                case "--join-rate" -> joinRate = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--duration" -> duration = Integer.parseInt(args[++i]);
                case "--workbit" -> workbit = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        new DhtBench(nodes, churn, lookups, seed, fast, loss, joinRate, warmup, duration, workbit).run();
    }

    private static final String NET = "bench";
    private final int n;
    private final double churn;
    private final int lookups;
    private final boolean fast;
    private final double loss;
    private final int joinRate;
    private final int warmup;
    private final int duration;
    private final int workbit;
    private final DhtSimulation sim;
    private final Random keys;
    private final Random choice;
    private final DhtConfig cfg;
    private final List<SimNode> alive = new ArrayList<>();
    private final List<SimNode> boots = new ArrayList<>();
    private final List<Sample> samples = new ArrayList<>();
    private int targetLeft;
    private int unfinished;
    private int announced;
    private int announceAcks;

    DhtBench(int n, double churn, int lookups, long seed, boolean fast, double loss, int joinRate, int warmup,
            int duration, int workbit) {
        this.n = n;
        this.churn = churn;
        this.lookups = lookups;
        this.fast = fast;
        this.loss = loss;
        this.joinRate = joinRate;
        this.warmup = warmup;
        this.duration = duration;
        this.workbit = workbit;
        this.sim = new DhtSimulation(seed, 5, 100, loss);
        this.keys = new Random(seed * 31 + 7);
        this.choice = new Random(seed * 17 + 3);
        this.cfg = DhtConfig.builder(NET, workbit).build();
    }

    private DhtIdentity identity() {
        return fast ? SimIdentities.fast(keys, workbit, NET) : SimIdentities.real(keys, workbit, NET);
    }

    private SimNode join() {
        SimNode s = sim.add(cfg, identity());
        List<Contact> seeds = new ArrayList<>();
        if (!boots.isEmpty()) {
            SimNode a = boots.get(choice.nextInt(boots.size()));
            SimNode b = boots.get(choice.nextInt(boots.size()));
            seeds.add(new Contact(a.node().publicKey(), a.address()));
            if (b != a) {
                seeds.add(new Contact(b.node().publicKey(), b.address()));
            }
        }
        sim.at(sim.now(), s, (node, now, out) -> node.bootstrap(seeds, now, out, r -> {
            DhtRecord rec = new DhtRecord(node.publicKey(), now, 1800, List.of(new RecordEndpoint(
                    EndpointKind.WIREGUARD, s.address())), List.of());
            node.announce(rec, sim.now(), s.outbox, acks -> {
                announced++;
                announceAcks += acks;
            });
        }));
        alive.add(s);
        return s;
    }

    private SimNode pick(long minAge, SimNode not) {
        for (int tries = 0; tries < 1000; tries++) {
            SimNode s = alive.get(choice.nextInt(alive.size()));
            if (s != not && sim.now() - s.joined() >= minAge) {
                return s;
            }
        }
        return null;
    }

    void run() {
        long wallStart = System.nanoTime();
        System.out.printf(Locale.ROOT, "DHT bench: %d nodes, churn %.0f%% over %d s, %d lookups, loss %.1f%%, "
                + "workbit %d, %s, k=%d alpha=%d%n", n, churn * 100, duration, lookups, loss * 100, workbit,
                fast ? "simulated DH (--fast-dh)" : "real X25519", cfg.k(), cfg.alpha());
        for (int i = 0; i < 5 && i < n; i++) {
            SimNode b = join();
            boots.add(b);
            sim.runFor(200);
        }
        long joinInterval = Math.max(1, 1000 / joinRate);
        for (int i = boots.size(); i < n; i++) {
            join();
            sim.runFor(joinInterval);
            if (i % 2000 == 0 && i > 0) {
                progress("joined " + i, wallStart);
            }
        }
        sim.runFor(warmup * 1000L);
        progress("warm-up done", wallStart);

        // the measured phase: churn and lookups at random moments
        int churnEvents = (int) Math.round(churn * n);
        long start = sim.now();
        long span = duration * 1000L;
        List<long[]> plan = new ArrayList<>(); // {time, kind}: 0 leave, 1 join, 2 node lookup, 3 value lookup
        for (int i = 0; i < churnEvents; i++) {
            plan.add(new long[] {start + (long) (choice.nextDouble() * span), 0});
            plan.add(new long[] {start + (long) (choice.nextDouble() * span), 1});
        }
        for (int i = 0; i < lookups; i++) {
            plan.add(new long[] {start + (long) (choice.nextDouble() * span), 2 + (i & 1)});
        }
        plan.sort((a, b) -> Long.compare(a[0], b[0]));
        int done = 0;
        for (long[] ev : plan) {
            sim.runUntil(ev[0]);
            switch ((int) ev[1]) {
                case 0 -> {
                    SimNode victim = pick(0, null);
                    if (victim != null && !boots.contains(victim)) {
                        alive.remove(victim);
                        sim.remove(victim);
                    }
                }
                case 1 -> join();
                default -> lookup(ev[1] == 3);
            }
            if (++done % 2000 == 0) {
                progress("measured events " + done + "/" + plan.size(), wallStart);
            }
        }
        int before = samples.size() + targetLeft;
        sim.runFor(30_000);
        unfinished = lookups - (samples.size() + targetLeft);
        report(wallStart, before);
    }

    private void lookup(boolean value) {
        SimNode src = pick(30_000, null);
        SimNode dst = pick(60_000, src);
        if (src == null || dst == null) {
            return;
        }
        if (value) {
            sim.at(sim.now(), src, (node, now, out) -> node.findValue(dst.node().publicKey(), now, out,
                    r -> record(true, r, dst)));
        } else {
            sim.at(sim.now(), src, (node, now, out) -> node.findNode(dst.node().id(), true, now, out,
                    r -> record(false, r, dst)));
        }
    }

    private void record(boolean value, LookupResult r, SimNode target) {
        if (!target.alive()) {
            targetLeft++;
            return;
        }
        boolean ok = value ? r.outcome() == LookupResult.Outcome.FOUND_VALUE
                : r.outcome() == LookupResult.Outcome.FOUND_TARGET;
        samples.add(new Sample(value, ok, r.outcome(), r.hops(), r.elapsedMillis(), r.queried(), r.timeouts()));
    }

    private void progress(String what, long wallStart) {
        Runtime rt = Runtime.getRuntime();
        System.out.printf(Locale.ROOT, "  %-28s virtual %6.0f s, wall %6.1f s, heap %5d MB, datagrams %,d%n", what,
                (sim.now() - DhtSimulation.EPOCH) / 1000.0, (System.nanoTime() - wallStart) / 1e9,
                (rt.totalMemory() - rt.freeMemory()) >> 20, sim.delivered());
    }

    private void report(long wallStart, int before) {
        System.out.println();
        for (int v = 0; v < 2; v++) {
            boolean value = v == 1;
            List<Sample> all = samples.stream().filter(s -> s.value == value).toList();
            List<Sample> ok = all.stream().filter(Sample::ok).toList();
            if (all.isEmpty()) {
                continue;
            }
            int[] hops = ok.stream().mapToInt(Sample::hops).sorted().toArray();
            long[] ms = ok.stream().mapToLong(Sample::millis).sorted().toArray();
            System.out.printf(Locale.ROOT, "%s lookups: %d, success %d (%.2f%%)%n",
                    value ? "FIND_VALUE (record)" : "FIND_NODE (reach target)", all.size(), ok.size(),
                    100.0 * ok.size() / all.size());
            Map<LookupResult.Outcome, Integer> failed = new EnumMap<>(LookupResult.Outcome.class);
            all.stream().filter(x -> !x.ok()).forEach(x -> failed.merge(x.outcome(), 1, Integer::sum));
            if (!failed.isEmpty()) {
                System.out.println("  failures by outcome: " + failed);
            }
            if (ok.isEmpty()) {
                continue;
            }
            System.out.printf(Locale.ROOT, "  hops: median %d, p90 %d, max %d; histogram %s%n", pct(hops, 50),
                    pct(hops, 90), hops[hops.length - 1], histogram(hops));
            System.out.printf(Locale.ROOT, "  latency (simulated ms): p50 %d, p90 %d, p99 %d, max %d%n",
                    pct(ms, 50), pct(ms, 90), pct(ms, 99), ms[ms.length - 1]);
            System.out.printf(Locale.ROOT, "  per lookup: %.1f requests, %.2f timeouts%n",
                    ok.stream().mapToInt(Sample::queried).average().orElse(0),
                    all.stream().mapToInt(Sample::timeouts).average().orElse(0));
        }
        System.out.printf(Locale.ROOT, "excluded (target left during the lookup): %d; unfinished: %d%n", targetLeft,
                unfinished);
        System.out.printf(Locale.ROOT, "announces: %d, mean STORE acks %.1f%n", announced,
                announced == 0 ? 0.0 : (double) announceAcks / announced);
        Map<DhtStats.Counter, Long> totals = new EnumMap<>(DhtStats.Counter.class);
        long tableSum = 0;
        int liveCount = 0;
        for (SimNode s : sim.nodes()) {
            for (Map.Entry<DhtStats.Counter, Long> e : s.node().stats().snapshot().entrySet()) {
                totals.merge(e.getKey(), e.getValue(), Long::sum);
            }
            if (s.alive()) {
                tableSum += s.node().routingTableSize();
                liveCount++;
            }
        }
        System.out.printf(Locale.ROOT, "live nodes %d, mean routing table %.0f contacts%n", liveCount,
                (double) tableSum / Math.max(1, liveCount));
        System.out.println("node counters (all nodes): " + totals);
        Runtime rt = Runtime.getRuntime();
        System.out.printf(Locale.ROOT, "virtual %.0f s, wall %.1f s, datagrams delivered %,d, dropped %,d, heap %d MB%n",
                (sim.now() - DhtSimulation.EPOCH) / 1000.0, (System.nanoTime() - wallStart) / 1e9, sim.delivered(),
                sim.dropped(), (rt.totalMemory() - rt.freeMemory()) >> 20);
    }

    private static String histogram(int[] sorted) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (i < sorted.length) {
            int v = sorted[i];
            int j = i;
            while (j < sorted.length && sorted[j] == v) {
                j++;
            }
            b.append(b.length() == 0 ? "" : " ").append(v).append(':').append(j - i);
            i = j;
        }
        return b.toString();
    }

    static int pct(int[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
