package io.wirelink.tools.sim;

import io.wirelink.agent.core.CoreSettings;
import io.wirelink.agent.core.Counters;
import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.PeerChange;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import io.wirelink.sim.DropReason;
import io.wirelink.sim.Host;
import io.wirelink.sim.NatType;
import io.wirelink.sim.Path;
import io.wirelink.sim.SimWireGuard;
import io.wirelink.sim.TrafficStats;
import io.wirelink.sim.World;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * {@code wirelink simulate}: real agents, zero-config, on a simulated hub-and-leaves WireGuard network.
 *
 * <p>Topology, as a user would set it up with wg-quick: {@code hubs} public hubs and {@code nodes} leaves (the
 * nodes), each leaf alone behind a cone NAT, alone behind a symmetric NAT, or public, in the given proportions. The
 * overlay is {@value #OVERLAY}; with {@code H} hubs it is split into {@code P} equal slices ({@code P} the power of
 * two at least {@code H}) and hub {@code h} owns slice {@code h}: its interface address is the slice's first host
 * with the slice's prefix, and the leaves are numbered into the hubs' slices round robin. Every hub's device holds
 * every leaf (no endpoint, the leaf's /32) and every other hub (endpoint, /32, persistent keepalive 25 s); every
 * leaf's device holds only the hubs (endpoint, the hub's slice, persistent keepalive 25 s) and its interface has its
 * address with the overlay's prefix. No agent has any wirelink peer configured. Hubs start at time 0; each leaf comes
 * up (device configured, then the agent started) at a seeded random moment within {@code joinSpread}.
 *
 * <p>Underlay: the world's public network with {@code loss} on every hop and 20 ms (+ up to 5 ms jitter) one way;
 * LANs 1 ms.
 *
 * <p><b>Sampled runs</b> ({@code sample} K &gt; 0): only nodes 0..K-1 (a random draw, since NAT kinds are shuffled)
 * run the full agent; the others are <em>stand-ins</em>, the same agent on the same world with a narrow view
 * ({@link SimAgent#onlySubjects}): they keep only facts about the hubs, the K sampled nodes
 * and themselves. Towards the hubs and the sample a stand-in does what a full agent does (joins, gossips its own facts, acknowledges, punches
 * and answers punches), so the hubs carry the whole mesh's load and each sampled node sees a mesh of every node; what
 * is left out is stand-ins' traffic among themselves, which no measured agent sees. Everything per node (convergence,
 * pairs, control bytes, facts) is measured over the sample; the hubs' figures are the hubs' own. A full agent holds
 * every member's facts, so memory grows with the square of the mesh: this is what makes 10,000 nodes fit.
 *
 * <p>Everything is a function of the options: the same options give the same {@link Result} apart from the
 * wall-clock and CPU figures.
 */
public final class Simulation {
    /** The overlay the hubs route: RFC 1918, disjoint from the simulator's LANs (10/8) and public network. */
    public static final String OVERLAY = "172.16.0.0/12";
    static final int WG_PORT = 51820;
    static final int KEEPALIVE = 25;
    static final int IP_UDP_HEADER = 28;
    private static final int OVERLAY_BASE = 0xac100000;
    private static final int OVERLAY_LENGTH = 12;

    /**
     * What to simulate.
     *
     * @param nodes leaves (the mesh's members besides the hubs)
     * @param hubs public hubs every leaf is configured with
     * @param cone share of leaves behind a cone NAT
     * @param symmetric share behind a symmetric NAT
     * @param publicShare share with a public address
     * @param loss loss probability per hop on the public network
     * @param seed seeds everything random
     * @param duration simulated time
     * @param joinSpread leaves come up at random moments in [0, joinSpread)
     * @param sampleEvery how often convergence is checked (the resolution of the convergence times)
     * @param progress receives a line every 10 simulated seconds (null: none)
     * @param breakdown decode every gossip datagram sent and count bytes by direction and fact attribute
     */
    public record Options(int nodes, int hubs, double cone, double symmetric, double publicShare, double loss,
            long seed, Duration duration, Duration joinSpread, Duration sampleEvery, Consumer<String> progress,
            boolean breakdown, Trace trace, int sample) {
        public Options {
            if (nodes < 2) {
                throw new IllegalArgumentException("--nodes must be at least 2");
            }
            if (hubs < 1 || hubs > 64) {
                throw new IllegalArgumentException("--hubs must be between 1 and 64");
            }
            if (cone < 0 || symmetric < 0 || publicShare < 0
                    || Math.abs(cone + symmetric + publicShare - 1.0) > 1e-6) {
                throw new IllegalArgumentException("NAT shares must be non-negative and add up to 1");
            }
            if (!(loss >= 0 && loss < 1)) {
                throw new IllegalArgumentException("--loss must be in [0, 1)");
            }
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("--duration must be positive");
            }
            if (sample != 0 && (sample < 2 || sample > nodes)) {
                throw new IllegalArgumentException("--sample must be between 2 and --nodes");
            }
        }

        /** The defaults of {@code wirelink simulate} for {@code nodes} leaves. */
        public static Options defaults(int nodes) {
            return new Options(nodes, 1, 0.5, 0.2, 0.3, 0.01, 1, Duration.ofSeconds(120), Duration.ofSeconds(10),
                    Duration.ofMillis(100), null, false, null, 0);
        }

        public Options withHubs(int h) {
            return new Options(nodes, h, cone, symmetric, publicShare, loss, seed, duration, joinSpread, sampleEvery,
                    progress, breakdown, trace, sample);
        }

        public Options withNat(double c, double s, double p) {
            return new Options(nodes, hubs, c, s, p, loss, seed, duration, joinSpread, sampleEvery, progress,
                    breakdown, trace, sample);
        }

        public Options withLoss(double l) {
            return new Options(nodes, hubs, cone, symmetric, publicShare, l, seed, duration, joinSpread, sampleEvery,
                    progress, breakdown, trace, sample);
        }

        public Options withSeed(long s) {
            return new Options(nodes, hubs, cone, symmetric, publicShare, loss, s, duration, joinSpread, sampleEvery,
                    progress, breakdown, trace, sample);
        }

        public Options withDuration(Duration d) {
            return new Options(nodes, hubs, cone, symmetric, publicShare, loss, seed, d, joinSpread, sampleEvery,
                    progress, breakdown, trace, sample);
        }

        public Options withJoinSpread(Duration d) {
            return new Options(nodes, hubs, cone, symmetric, publicShare, loss, seed, duration, d, sampleEvery,
                    progress, breakdown, trace, sample);
        }

        public Options withBreakdown(boolean b) {
            return new Options(nodes, hubs, cone, symmetric, publicShare, loss, seed, duration, joinSpread,
                    sampleEvery, progress, b, trace, sample);
        }

        public Options withProgress(Consumer<String> p) {
            return new Options(nodes, hubs, cone, symmetric, publicShare, loss, seed, duration, joinSpread,
                    sampleEvery, p, breakdown, trace, sample);
        }

        /** Only {@code k} nodes run the full agent; see {@link Simulation}'s sampled runs. 0: every node. */
        public Options withSample(int k) {
            return new Options(nodes, hubs, cone, symmetric, publicShare, loss, seed, duration, joinSpread,
                    sampleEvery, progress, breakdown, trace, k);
        }

        public Options withTrace(Trace t) {
            return new Options(nodes, hubs, cone, symmetric, publicShare, loss, seed, duration, joinSpread,
                    sampleEvery, progress, breakdown, t, sample);
        }
    }

    /**
     * Tracing of some hosts ({@code wirelink simulate --trace node7}): every packet the world moves or drops that
     * involves one of them (the host, its NAT, or the NAT's public address), their agents' reasons (what they
     * changed on the device and why), and the other agents' reasons that name one of their keys. Lines start with the
     * simulated time in seconds. Tracing reads the run; it changes nothing in it.
     *
     * @param hosts host names: {@code hub0}, {@code node7}
     * @param sink receives the lines
     */
    public record Trace(java.util.Set<String> hosts, Consumer<String> sink) {}

    /** Pairs of leaves of one kind (e.g. cone-symmetric) and how they reach each other at the end. */
    /**
     * Pairs by state at the end: direct (packets pass now on a live session), idle (both sides still route to each
     * other directly, but the session or the NATs' holes lapsed for want of traffic: traffic wakes it, see
     * {@link Wake}), routed through a hub, or unreachable.
     */
    public record PairCounts(long pairs, long direct, long idle, long routed, long unreachable) {}

    /**
     * What a run measured; see README ("Simulator") for each field. Times are simulated seconds; a convergence that
     * did not happen within the run is null. Byte rates are per second of each agent's own uptime.
     */
    public record Result(
            int nodes,
            int hubs,
            Integer sample,
            long seed,
            double durationSeconds,
            double loss,
            Map<String, Integer> nat,
            double lastJoinSeconds,
            Double convergenceSeconds,
            Double directConvergenceSeconds,
            long pairs,
            long punchablePairs,
            double directShare,
            double idleShare,
            double routedShare,
            double unreachableShare,
            double punchableDirectShare,
            double punchableReadyShare,
            Map<String, PairCounts> pairsByNat,
            double controlBytesPerNodePerSecond,
            double controlBytesPerNodePerSecondMax,
            double controlBytesPerHubPerSecond,
            double steadyControlBytesPerNodePerSecond,
            double steadyControlBytesPerNodePerSecondMax,
            double steadyControlBytesPerHubPerSecond,
            double underlayBytesPerNodePerSecond,
            double underlayBytesPerNodePerSecondMax,
            double underlayBytesPerHubPerSecond,
            double gossipDatagramsPerNodePerSecond,
            double passesPerNodePerSecond,
            double quickStepsPerNodePerSecond,
            double factsPerNodeMean,
            long factsPerNodeMax,
            double factsPerHub,
            Double standInFactsMean,
            long events,
            String traceHash,
            String decisionHash,
            Map<String, Long> drops,
            Map<String, Object> breakdown,
            double cpuSeconds,
            double cpuMicrosPerNodeSecond,
            double wallSeconds,
            double heapBytes,
            Double heapBytesPerNode,
            Wake wake) {

        /** The same result with the wake test's outcome and the digest of the decisions of both. */
        Result withWake(Wake w, String decisions) {
            return new Result(nodes, hubs, sample, seed, durationSeconds, loss, nat, lastJoinSeconds,
                    convergenceSeconds,
                    directConvergenceSeconds, pairs, punchablePairs, directShare, idleShare, routedShare,
                    unreachableShare, punchableDirectShare, punchableReadyShare, pairsByNat,
                    controlBytesPerNodePerSecond, controlBytesPerNodePerSecondMax, controlBytesPerHubPerSecond,
                    steadyControlBytesPerNodePerSecond, steadyControlBytesPerNodePerSecondMax,
                    steadyControlBytesPerHubPerSecond, underlayBytesPerNodePerSecond, underlayBytesPerNodePerSecondMax,
                    underlayBytesPerHubPerSecond, gossipDatagramsPerNodePerSecond, passesPerNodePerSecond,
                    quickStepsPerNodePerSecond, factsPerNodeMean, factsPerNodeMax,
                    factsPerHub, standInFactsMean, events, traceHash, decisions, drops, breakdown, cpuSeconds,
                    cpuMicrosPerNodeSecond, wallSeconds, heapBytes, heapBytesPerNode, w);
        }

        /** The fields as JSON-ready values, in a fixed order. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("nodes", nodes);
            m.put("hubs", hubs);
            m.put("sample", sample);
            m.put("seed", seed);
            m.put("durationSeconds", durationSeconds);
            m.put("loss", loss);
            m.put("nat", nat);
            m.put("lastJoinSeconds", round(lastJoinSeconds));
            m.put("convergenceSeconds", convergenceSeconds == null ? null : round(convergenceSeconds));
            m.put("directConvergenceSeconds", directConvergenceSeconds == null ? null
                    : round(directConvergenceSeconds));
            m.put("pairs", pairs);
            m.put("punchablePairs", punchablePairs);
            m.put("directShare", round(directShare));
            m.put("idleShare", round(idleShare));
            m.put("routedShare", round(routedShare));
            m.put("unreachableShare", round(unreachableShare));
            m.put("punchableDirectShare", round(punchableDirectShare));
            m.put("punchableReadyShare", round(punchableReadyShare));
            Map<String, Object> byNat = new LinkedHashMap<>();
            pairsByNat.forEach((k, v) -> {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("pairs", v.pairs());
                c.put("direct", v.direct());
                c.put("idle", v.idle());
                c.put("routed", v.routed());
                c.put("unreachable", v.unreachable());
                byNat.put(k, c);
            });
            m.put("pairsByNat", byNat);
            m.put("controlBytesPerNodePerSecond", round(controlBytesPerNodePerSecond));
            m.put("controlBytesPerNodePerSecondMax", round(controlBytesPerNodePerSecondMax));
            m.put("controlBytesPerHubPerSecond", round(controlBytesPerHubPerSecond));
            m.put("steadyControlBytesPerNodePerSecond", round(steadyControlBytesPerNodePerSecond));
            m.put("steadyControlBytesPerNodePerSecondMax", round(steadyControlBytesPerNodePerSecondMax));
            m.put("steadyControlBytesPerHubPerSecond", round(steadyControlBytesPerHubPerSecond));
            m.put("underlayBytesPerNodePerSecond", round(underlayBytesPerNodePerSecond));
            m.put("underlayBytesPerNodePerSecondMax", round(underlayBytesPerNodePerSecondMax));
            m.put("underlayBytesPerHubPerSecond", round(underlayBytesPerHubPerSecond));
            m.put("gossipDatagramsPerNodePerSecond", round(gossipDatagramsPerNodePerSecond));
            m.put("passesPerNodePerSecond", round(passesPerNodePerSecond));
            m.put("quickStepsPerNodePerSecond", round(quickStepsPerNodePerSecond));
            m.put("factsPerNodeMean", round(factsPerNodeMean));
            m.put("factsPerNodeMax", factsPerNodeMax);
            m.put("factsPerHub", round(factsPerHub));
            m.put("standInFactsMean", standInFactsMean == null ? null : round(standInFactsMean));
            m.put("events", events);
            m.put("traceHash", traceHash);
            m.put("decisionHash", decisionHash);
            m.put("drops", drops);
            if (breakdown != null) {
                m.put("breakdown", breakdown);
            }
            m.put("cpuSeconds", round(cpuSeconds));
            m.put("cpuMicrosPerNodeSecond", round(cpuMicrosPerNodeSecond));
            m.put("wallSeconds", round(wallSeconds));
            m.put("heapBytes", Math.round(heapBytes));
            m.put("heapBytesPerNode", heapBytesPerNode == null ? null : Math.round(heapBytesPerNode));
            m.put("wake", wake == null ? null : wake.toMap());
            return m;
        }

        /** The same result without the fields that depend on the machine (wall clock and CPU time). */
        public Map<String, Object> deterministicFields() {
            Map<String, Object> m = toMap();
            m.remove("cpuSeconds");
            m.remove("cpuMicrosPerNodeSecond");
            m.remove("wallSeconds");
            m.remove("heapBytes");
            m.remove("heapBytesPerNode");
            return m;
        }
    }

    /**
     * Gossip sent, by direction ("hub>node", "node>hub", "node>node", "hub>hub"): datagrams and bytes, and within
     * them facts and their encoded bytes by attribute; "overhead" is each datagram's header, nonce and tag.
     */
    static final class Tally {
        final Map<String, long[]> flows = new java.util.TreeMap<>();
        final Map<String, Map<String, long[]>> facts = new java.util.TreeMap<>();

        void add(String flow, byte[] payload, java.time.Instant now) {
            long[] f = flows.computeIfAbsent(flow, k -> new long[2]);
            f[0]++;
            f[1] += payload.length;
            Map<String, long[]> byAttr = facts.computeIfAbsent(flow, k -> new java.util.TreeMap<>());
            int inFacts = 0;
            try {
                if (io.wirelink.facts.FactCodec.decodeDatagram(payload, now).value()
                        instanceof io.wirelink.facts.SignedGroupValue g) {
                    for (io.wirelink.facts.Fact fact : g.facts()) {
                        int size = io.wirelink.facts.FactCodec.encodedSize(fact, now, g.version());
                        long[] a = byAttr.computeIfAbsent(fact.attribute().specName(), k -> new long[2]);
                        a[0]++;
                        a[1] += size;
                        inFacts += size;
                    }
                }
            } catch (RuntimeException undecodable) {
                // counted as overhead below
            }
            long[] o = byAttr.computeIfAbsent("overhead", k -> new long[2]);
            o[0]++;
            o[1] += payload.length - inFacts;
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            flows.forEach((flow, f) -> {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("datagrams", f[0]);
                x.put("bytes", f[1]);
                Map<String, Object> attrs = new LinkedHashMap<>();
                facts.get(flow).forEach((attr, a) -> {
                    Map<String, Object> c = new LinkedHashMap<>();
                    c.put("count", a[0]);
                    c.put("bytes", a[1]);
                    attrs.put(attr, c);
                });
                x.put("byAttribute", attrs);
                m.put(flow, x);
            });
            return m;
        }
    }

    /**
     * The wake test after the run: punchable pairs that were not direct at the end (their sessions idle) get
     * traffic, a 64-byte datagram each second from one side to an echo on the other's overlay address, for
     * {@link #WAKE_FOR}; how many went direct, and how fast.
     */
    public record Wake(int pairs, int direct, Double medianSeconds, Double maxSeconds) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pairs", pairs);
            m.put("direct", direct);
            m.put("medianSeconds", medianSeconds == null ? null : round(medianSeconds));
            m.put("maxSeconds", maxSeconds == null ? null : round(maxSeconds));
            return m;
        }
    }

    public static final Duration WAKE_FOR = Duration.ofSeconds(30);
    static final int WAKE_PAIRS = 100;

    static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    private final Options o;
    private final World world;
    /** Simulated time and control bytes (leaves, hubs) at the last progress line. */
    private long progressNanos;
    private long progressLeaf;
    private long progressHub;
    /** Heap in use after a full collection at half the run ({@link #snapshotHalf}). */
    private long halfHeapBytes;
    /** Public keys (base64) of the traced hosts. */
    private final List<String> tracedKeys = new ArrayList<>();
    private final List<Host> hubs = new ArrayList<>();
    private final List<Host> leaves = new ArrayList<>();
    private final List<NatType> types = new ArrayList<>();
    private final List<InetAddress> hubOverlay = new ArrayList<>();
    private final List<InetAddress> leafOverlay = new ArrayList<>();
    private final List<SimAgent> hubAgents = new ArrayList<>();
    private final SimAgent[] leafAgents;
    /** The nodes measured, 0..measured-1: all of them, or the sample. */
    private final int measured;
    /** What a stand-in keeps facts about: the hubs and the sampled nodes (null: no stand-ins). */
    private java.util.Set<PublicKey> sampledKeys;
    private final long[] joinNanos;
    private final Map<PublicKey, Integer> hubIndex = new HashMap<>();
    private final Map<Integer, io.wirelink.apply.DatagramPort> echoes = new HashMap<>();
    static final int WAKE_ECHO_PORT = 7;
    static final int WAKE_SEND_PORT = 9;
    private final int[] punchable;
    private final long expectedPeers;
    private long lastJoinNanos;
    private int joined;
    private Long convergedNanos;
    private Long directNanos;
    private int memberCursor;
    private int pairI;
    private int pairJ = 1;
    private long[] halfControl;
    private long[] halfUnderlay;
    private final Tally tallyRun = new Tally();
    private final Tally tallySecondHalf = new Tally();
    private long gossipHash = 0xcbf29ce484222325L;
    private final DecisionDigest decisions;
    private long startWall;
    private long lastProgressWall;

    private Simulation(Options o, Consumer<String> decisionLog) {
        this.o = o;
        this.decisions = new DecisionDigest(decisionLog);
        this.world = World.create(o.seed());
        this.leafAgents = new SimAgent[o.nodes()];
        this.measured = o.sample() == 0 ? o.nodes() : o.sample();
        this.joinNanos = new long[o.nodes()];
        this.expectedPeers = o.nodes() - 1L + o.hubs();
        world.internet().latency(Duration.ofMillis(20)).jitter(Duration.ofMillis(5)).loss(o.loss());
        assignNatTypes();
        List<Integer> p = new ArrayList<>();
        for (int i = 0; i < measured; i++) {
            if (types.get(i) != NatType.SYMMETRIC) {
                p.add(i);
            }
        }
        punchable = p.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Builds the world and runs it for {@code o.duration()}. */
    public static Result run(Options o) {
        return run(o, null);
    }

    /**
     * As {@link #run(Options)}, and {@code decisionLog} (unless null) receives every decision that goes into the
     * result's {@code decisionHash}, a line each (see {@link DecisionDigest}); it changes nothing in the run.
     */
    public static Result run(Options o, Consumer<String> decisionLog) {
        try {
            return new Simulation(o, decisionLog).execute();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Exact counts by largest remainder, then a seeded shuffle, so the shares hold for any N. */
    private void assignNatTypes() {
        int n = o.nodes();
        double[] shares = {o.cone(), o.symmetric(), o.publicShare()};
        NatType[] kinds = {NatType.CONE, NatType.SYMMETRIC, NatType.PUBLIC};
        int[] counts = new int[3];
        int given = 0;
        for (int k = 0; k < 3; k++) {
            counts[k] = (int) Math.floor(shares[k] * n);
            given += counts[k];
        }
        while (given < n) {
            int best = 0;
            double bestRem = -1;
            for (int k = 0; k < 3; k++) {
                double rem = shares[k] * n - counts[k];
                if (rem > bestRem) {
                    bestRem = rem;
                    best = k;
                }
            }
            counts[best]++;
            given++;
        }
        for (int k = 0; k < 3; k++) {
            for (int c = 0; c < counts[k]; c++) {
                types.add(kinds[k]);
            }
        }
        SplittableRandom r = new SplittableRandom(o.seed() ^ 0x6e61745f74797065L);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            NatType t = types.get(i);
            types.set(i, types.get(j));
            types.set(j, t);
        }
    }

    private Result execute() throws Exception {
        int slices = Integer.highestOneBit(o.hubs() - 1) << 1;
        if (o.hubs() == 1) {
            slices = 1;
        }
        int sliceBits = Integer.numberOfTrailingZeros(slices);
        int sliceLength = OVERLAY_LENGTH + sliceBits;
        int sliceSize = 1 << (32 - sliceLength);
        int perSlice = (o.nodes() + o.hubs() - 1) / o.hubs();
        if (perSlice + 3 > sliceSize) {
            throw new IllegalArgumentException("too many nodes for the overlay " + OVERLAY + " split " + slices
                    + " ways");
        }
        // hosts and devices, in a fixed order (the world splits its random generator per component)
        for (int h = 0; h < o.hubs(); h++) {
            Host hub = world.addPublicHost("hub" + h);
            hub.addWireGuard("wg0", WG_PORT);
            hubs.add(hub);
            hubOverlay.add(ip4(OVERLAY_BASE + h * sliceSize + 1));
            hubIndex.put(hub.wireGuard().publicKey(), h);
        }
        for (int i = 0; i < o.nodes(); i++) {
            Host leaf = world.addHost("node" + i, types.get(i));
            leaf.addWireGuard("wg0", WG_PORT);
            leaves.add(leaf);
            int slice = i % o.hubs();
            leafOverlay.add(ip4(OVERLAY_BASE + slice * sliceSize + 2 + i / o.hubs()));
        }
        if (measured < o.nodes()) {
            sampledKeys = new java.util.HashSet<>();
            for (int i = 0; i < measured; i++) {
                sampledKeys.add(leaves.get(i).wireGuard().publicKey());
            }
            for (Host h : hubs) {
                sampledKeys.add(h.wireGuard().publicKey());
            }
        }
        if (o.trace() != null) {
            startTrace();
        }
        // the hubs: wg-quick with every node, then the agent
        for (int h = 0; h < o.hubs(); h++) {
            Host hub = hubs.get(h);
            List<PeerChange> peers = new ArrayList<>();
            for (int g = 0; g < o.hubs(); g++) {
                if (g != h) {
                    peers.add(new PeerChange(hubs.get(g).wireGuard().publicKey(), false, false,
                            new IpEndpoint(hubs.get(g).address(), WG_PORT), KEEPALIVE, false,
                            List.of(new IpPrefix(hubOverlay.get(g), 32))));
                }
            }
            for (int i = 0; i < o.nodes(); i++) {
                peers.add(new PeerChange(leaves.get(i).wireGuard().publicKey(), false, false, null, null, false,
                        List.of(new IpPrefix(leafOverlay.get(i), 32))));
            }
            hub.wireGuard().apply(DeviceChange.peers(peers));
            hub.hostNetwork().addAddress("wg0", new IpPrefix(hubOverlay.get(h), sliceLength));
            hubAgents.add(observe(new SimAgent(hub, SimAgent.zeroConfig("wg0"), CoreSettings.DEFAULTS,
                    agentSeed(-1 - h)), hub).start());
        }
        // the leaves: each comes up at a random moment
        List<PeerChange> toHubs = new ArrayList<>();
        for (int h = 0; h < o.hubs(); h++) {
            InetAddress sliceBase = ip4(OVERLAY_BASE + h * sliceSize);
            toHubs.add(new PeerChange(hubs.get(h).wireGuard().publicKey(), false, false,
                    new IpEndpoint(hubs.get(h).address(), WG_PORT), KEEPALIVE, false,
                    List.of(new IpPrefix(sliceBase, sliceLength))));
        }
        DeviceChange leafConfig = DeviceChange.peers(toHubs);
        SplittableRandom joins = new SplittableRandom(o.seed() ^ 0x6a6f696e73L);
        long spread = o.joinSpread().toNanos();
        for (int i = 0; i < o.nodes(); i++) {
            long at = spread <= 0 ? 0 : joins.nextLong(spread);
            joinNanos[i] = at;
            lastJoinNanos = Math.max(lastJoinNanos, at);
            int leaf = i;
            world.schedule(Duration.ofNanos(at), () -> join(leaf, leafConfig));
        }
        long halfAt = o.duration().toNanos() / 2;
        world.schedule(Duration.ofNanos(halfAt), this::snapshotHalf);
        world.schedule(o.sampleEvery(), this::sample);

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        startWall = wall0;
        lastProgressWall = wall0;
        world.runFor(o.duration());
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        long wall = System.nanoTime() - wall0;
        Result r = measure(cpu, wall);
        Wake w = wake();
        return r.withWake(w, decisions.hex()); // the digest covers the wake test's decisions too
    }

    /** See {@link Wake}. Runs after the measurement, so it changes none of the run's figures. */
    private Wake wake() {
        List<int[]> idlePairs = new ArrayList<>();
        for (int a = 0; a < punchable.length; a++) {
            for (int b = a + 1; b < punchable.length; b++) {
                int i = punchable[a];
                int j = punchable[b];
                if (agent(i) != null && agent(j) != null
                        && world.pathOf(leaves.get(i), leaves.get(j)) != Path.DIRECT) {
                    idlePairs.add(new int[] {i, j});
                }
            }
        }
        List<int[]> chosen = new ArrayList<>();
        int stride = Math.max(1, idlePairs.size() / WAKE_PAIRS);
        for (int k = 0; k < idlePairs.size() && chosen.size() < WAKE_PAIRS; k += stride) {
            chosen.add(idlePairs.get(k));
        }
        if (chosen.isEmpty()) {
            return new Wake(0, 0, null, null); // nothing idle: no need to run the world on
        }
        Map<Integer, io.wirelink.apply.DatagramPort> senders = new HashMap<>();
        for (int[] pr : chosen) {
            int j = pr[1];
            if (!echoes.containsKey(j)) {
                io.wirelink.apply.DatagramPort echo = leaves.get(j).openDatagramPort(WAKE_ECHO_PORT);
                echo.onReceive(echo::send);
                echoes.put(j, echo);
            }
            senders.computeIfAbsent(pr[0], i -> leaves.get(i).openDatagramPort(WAKE_SEND_PORT));
        }
        long start = world.nanoTime();
        long[] directAt = new long[chosen.size()];
        java.util.Arrays.fill(directAt, -1);
        byte[] payload = new byte[64];
        for (long t = 0; t < WAKE_FOR.toSeconds(); t++) {
            world.schedule(Duration.ofSeconds(t), () -> {
                for (int[] pr : chosen) {
                    senders.get(pr[0]).send(new IpEndpoint(leafOverlay.get(pr[1]), WAKE_ECHO_PORT), payload);
                }
            });
        }
        for (long t = 0; t < WAKE_FOR.toMillis(); t += 100) {
            world.schedule(Duration.ofMillis(t), () -> {
                for (int k = 0; k < chosen.size(); k++) {
                    if (directAt[k] < 0 && world.pathOf(leaves.get(chosen.get(k)[0]),
                            leaves.get(chosen.get(k)[1])) == Path.DIRECT) {
                        directAt[k] = world.nanoTime() - start;
                    }
                }
            });
        }
        world.runFor(WAKE_FOR);
        List<Long> times = new ArrayList<>();
        for (long d : directAt) {
            if (d >= 0) {
                times.add(d);
            }
        }
        java.util.Collections.sort(times);
        Double median = times.isEmpty() ? null : seconds(times.get(times.size() / 2));
        Double max = times.isEmpty() ? null : seconds(times.get(times.size() - 1));
        return new Wake(chosen.size(), times.size(), median, max);
    }

    private long agentSeed(long i) {
        return new SplittableRandom(o.seed() * 0x9e3779b97f4a7c15L + i).nextLong();
    }

    private SimAgent observe(SimAgent agent, Host host) {
        agent.onActions(a -> decisions.add(world.nanoTime(), agent.core().publicKey(), a, world.now()));
        if (o.trace() != null) {
            boolean own = o.trace().hosts().contains(host.name());
            agent.log(reason -> {
                if (own || tracedKeys.stream().anyMatch(reason::contains)) {
                    o.trace().sink().accept(stamp() + " " + host.name() + ": " + reason);
                }
            });
        }
        if (o.breakdown()) {
            long half = o.duration().toNanos() / 2;
            agent.onSend(out -> {
                String flow = role(agent.core().publicKey()) + ">" + role(out.peer());
                gossipHash = fnv(fnv(fnv(gossipHash, world.nanoTime()), out.peer().hashCode()), out.payload());
                tallyRun.add(flow, out.payload(), world.now());
                if (world.nanoTime() >= half) {
                    tallySecondHalf.add(flow, out.payload(), world.now());
                }
            });
        }
        return agent;
    }

    /** "hub", "node", or (in a sampled run) "stand-in", for the breakdown's flows. */
    private String role(PublicKey k) {
        if (hubIndex.containsKey(k)) {
            return "hub";
        }
        return sampledKeys == null || sampledKeys.contains(k) ? "node" : "stand-in";
    }

    /** See {@link Trace}: the tokens that pick a traced host's packets out of the world's trace. */
    private void startTrace() {
        List<String> tokens = new ArrayList<>();
        for (String name : o.trace().hosts()) {
            Host h = world.host(name);
            if (h == null || !(hubs.contains(h) || leaves.contains(h))) {
                throw new IllegalArgumentException("--trace: no host " + name + " (hosts are hub0.." + "hub"
                        + (o.hubs() - 1) + " and node0..node" + (o.nodes() - 1) + ")");
            }
            tokens.add(name + " ");
            tokens.add(name + ":");
            tokens.add(name + "-nat ");
            tokens.add(name + "-nat:");
            InetAddress outside = h.nat() != null ? h.nat().publicAddress() : h.address();
            tokens.add(" " + outside.getHostAddress() + ":");
            tokens.add(h.wireGuard().publicKey().toString());
            tracedKeys.add(h.wireGuard().publicKey().toString());
        }
        Consumer<String> sink = o.trace().sink();
        world.trace(line -> {
            for (String t : tokens) {
                if (line.contains(t)) {
                    sink.accept(line);
                    return;
                }
            }
        });
    }

    private String stamp() {
        long t = world.nanoTime();
        return String.format(java.util.Locale.ROOT, "%d.%09d", t / 1_000_000_000L, t % 1_000_000_000L);
    }

    private void join(int i, DeviceChange leafConfig) {
        Host leaf = leaves.get(i);
        try {
            leaf.wireGuard().apply(leafConfig);
            leaf.hostNetwork().addAddress("wg0", new IpPrefix(leafOverlay.get(i), OVERLAY_LENGTH));
            SimAgent a = new SimAgent(leaf, SimAgent.zeroConfig("wg0"), CoreSettings.DEFAULTS, agentSeed(i));
            if (i >= measured) {
                a.onlySubjects(sampledKeys::contains);
            }
            leafAgents[i] = observe(a, leaf).start();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("starting node" + i + ": " + e.getMessage(), e);
        }
        joined++;
    }

    // ------------------------------------------------------------------ sampling

    private void sample() {
        long now = world.nanoTime();
        if (joined == o.nodes()) {
            if (convergedNanos == null && everyoneKnowsEveryone()) {
                convergedNanos = now;
            }
            if (directNanos == null && punchablePairsDirect()) {
                directNanos = now;
            }
        }
        long tick = 10_000_000_000L;
        if (o.progress() != null) {
            // the wall clock only decides when to print, never what the world does
            long wall = System.nanoTime();
            if (now / tick != (now - o.sampleEvery().toNanos()) / tick || wall - lastProgressWall > 30_000_000_000L) {
                lastProgressWall = wall;
                // control traffic since the last line, so a long run shows its steady state before it ends
                long leaf = 0;
                long hub = 0;
                for (int a = 0; a < o.nodes() + o.hubs(); a++) {
                    if (a < measured) {
                        leaf += controlBytes(a);
                    } else if (a >= o.nodes()) {
                        hub += controlBytes(a);
                    }
                }
                double span = seconds(now - progressNanos);
                o.progress().accept(String.format(java.util.Locale.ROOT, "simulated %.1f s (wall %.0f s): %d/%d "
                                + "joined, everyone knows everyone: %s, punchable pairs direct: %s, %,d events; "
                                + "control since %.1f s: %,.0f B/s per node, %,.0f B/s per hub",
                        seconds(now), (wall - startWall) / 1e9, joined, o.nodes(),
                        convergedNanos == null ? "not yet" : "at " + seconds(convergedNanos) + " s",
                        directNanos == null ? "not yet" : "at " + seconds(directNanos) + " s",
                        world.eventsProcessed(), seconds(progressNanos),
                        span <= 0 ? 0.0 : (leaf - progressLeaf) / span / measured,
                        span <= 0 ? 0.0 : (hub - progressHub) / span / o.hubs()));
                progressNanos = now;
                progressLeaf = leaf;
                progressHub = hub;
            }
        }
        world.schedule(o.sampleEvery(), this::sample); // always, so progress output never changes the run
    }

    /**
     * Every measured leaf holds every other leaf (and the hubs): checked from the leaf that failed last time. (A
     * stand-in holds only the sample, by design.)
     */
    private boolean everyoneKnowsEveryone() {
        int n = measured;
        for (int k = 0; k < n; k++) {
            int i = (memberCursor + k) % n;
            if (leaves.get(i).wireGuard().peerCount() != expectedPeers) {
                memberCursor = i;
                return false;
            }
        }
        return true;
    }

    /** Every pair of leaves neither of which is behind a symmetric NAT is direct; resumes at the last failure. */
    private boolean punchablePairsDirect() {
        int n = punchable.length;
        if (n < 2) {
            return true;
        }
        long total = (long) n * (n - 1) / 2;
        for (long k = 0; k < total; k++) {
            if (world.pathOf(leaves.get(punchable[pairI]), leaves.get(punchable[pairJ])) != Path.DIRECT
                    && !idleDirect(punchable[pairI], punchable[pairJ])) {
                return false;
            }
            pairJ++;
            if (pairJ == n) {
                pairI++;
                if (pairI == n - 1) {
                    pairI = 0;
                }
                pairJ = pairI + 1;
            }
        }
        return true;
    }

    private void snapshotHalf() {
        int agents = o.nodes() + o.hubs();
        // the live heap: everything the world and its agents hold (a full collection first; wall time only)
        System.gc();
        halfHeapBytes = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        halfControl = new long[agents];
        halfUnderlay = new long[agents];
        for (int a = 0; a < agents; a++) {
            halfControl[a] = controlBytes(a);
            halfUnderlay[a] = underlayBytes(a);
        }
    }

    // ------------------------------------------------------------------ results

    /** Agent {@code a}: leaves first (0..nodes-1), then hubs. */
    private SimAgent agent(int a) {
        return a < o.nodes() ? leafAgents[a] : hubAgents.get(a - o.nodes());
    }

    private Host hostOf(int a) {
        return a < o.nodes() ? leaves.get(a) : hubs.get(a - o.nodes());
    }

    private long controlBytes(int a) {
        SimAgent ag = agent(a);
        if (ag == null) {
            return 0;
        }
        Counters c = ag.core().counters();
        return c.bytesIn + c.bytesOut;
    }

    private long underlayBytes(int a) {
        TrafficStats t = hostOf(a).stats();
        return t.underlayTxBytes() + t.underlayRxBytes()
                + IP_UDP_HEADER * (t.underlayTxPackets() + t.underlayRxPackets());
    }

    private double uptimeSeconds(int a, long from) {
        long start = a < o.nodes() ? joinNanos[a] : 0;
        long t = world.nanoTime() - Math.max(start, from);
        return Math.max(t, 1) / 1e9;
    }

    private Result measure(long cpuNanos, long wallNanos) {
        int n = measured; // per-node figures: over the sample (every node when not sampled)
        int agents = o.nodes() + o.hubs();
        // traffic
        double leafControl = 0;
        double leafSteady = 0;
        double leafUnderlay = 0;
        double leafDatagrams = 0;
        double maxControl = 0;
        double maxSteady = 0;
        double maxUnderlay = 0;
        double hubControl = 0;
        double hubSteady = 0;
        double hubUnderlay = 0;
        long half = o.duration().toNanos() / 2;
        for (int a = 0; a < agents; a++) {
            if (standIn(a)) {
                continue;
            }
            double up = uptimeSeconds(a, 0);
            double upHalf = uptimeSeconds(a, half);
            double control = controlBytes(a) / up;
            double steady = (controlBytes(a) - halfControl[a]) / upHalf;
            double underlay = underlayBytes(a) / up;
            maxControl = Math.max(maxControl, control);
            maxSteady = Math.max(maxSteady, steady);
            maxUnderlay = Math.max(maxUnderlay, underlay);
            if (a < o.nodes()) {
                leafControl += control;
                leafSteady += steady;
                leafUnderlay += underlay;
                if (agent(a) != null) {
                    Counters c = agent(a).core().counters();
                    leafDatagrams += (c.datagramsIn + c.datagramsOut) / up;
                }
            } else {
                hubControl += control;
                hubSteady += steady;
                hubUnderlay += underlay;
            }
        }
        // facts
        double leafFacts = 0;
        long maxFacts = 0;
        double hubFacts = 0;
        for (int a = 0; a < agents; a++) {
            if (standIn(a)) {
                continue;
            }
            long f = agent(a) == null ? 0 : agent(a).core().store().size(); // null: never started
            maxFacts = Math.max(maxFacts, f);
            if (a < o.nodes()) {
                leafFacts += f;
            } else {
                hubFacts += f;
            }
        }
        // pairs
        boolean[][] viaHub = new boolean[n][o.hubs()];
        for (int i = 0; i < n; i++) {
            for (int h = 0; h < o.hubs(); h++) {
                viaHub[i][h] = world.pathOf(leaves.get(i), hubs.get(h)) == Path.DIRECT;
            }
        }
        Map<String, long[]> byNat = new LinkedHashMap<>();
        for (String k : List.of("public-public", "public-cone", "cone-cone", "public-symmetric", "cone-symmetric",
                "symmetric-symmetric")) {
            byNat.put(k, new long[5]);
        }
        long direct = 0;
        long idle = 0;
        long routed = 0;
        long punchablePairs = 0;
        long punchableDirect = 0;
        long punchableIdle = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                long[] c = byNat.get(kind(types.get(i), types.get(j)));
                c[0]++;
                boolean p = types.get(i) != NatType.SYMMETRIC && types.get(j) != NatType.SYMMETRIC;
                if (p) {
                    punchablePairs++;
                }
                if (world.pathOf(leaves.get(i), leaves.get(j)) == Path.DIRECT) {
                    direct++;
                    c[1]++;
                    if (p) {
                        punchableDirect++;
                    }
                } else if (idleDirect(i, j)) {
                    idle++;
                    c[2]++;
                    if (p) {
                        punchableIdle++;
                    }
                } else if (routedOneWay(i, j, viaHub) && routedOneWay(j, i, viaHub)) {
                    routed++;
                    c[3]++;
                } else {
                    c[4]++;
                }
            }
        }
        Map<String, PairCounts> pairsByNat = new LinkedHashMap<>();
        byNat.forEach((k, c) -> {
            if (c[0] > 0) {
                pairsByNat.put(k, new PairCounts(c[0], c[1], c[2], c[3], c[4]));
            }
        });
        long pairs = (long) n * (n - 1) / 2;
        Map<String, Integer> nat = new LinkedHashMap<>();
        for (NatType t : List.of(NatType.CONE, NatType.SYMMETRIC, NatType.PUBLIC)) {
            nat.put(t.name().toLowerCase(java.util.Locale.ROOT), (int) types.stream().filter(x -> x == t).count());
        }
        Map<String, Long> drops = new LinkedHashMap<>();
        Map<DropReason, Long> d = new EnumMap<>(world.drops());
        d.forEach((k, v) -> drops.put(k.name(), v));
        double simulated = o.duration().toNanos() / 1e9;
        long[] passes = new long[2];
        for (int a = 0; a < agents; a++) {
            SimAgent x = a < o.nodes() ? leafAgents[a] : hubAgents.get(a - o.nodes());
            if (x != null && x.core() != null) {
                passes[0] += x.core().counters().passes;
                passes[1] += x.core().counters().quickPasses;
            }
        }
        return new Result(o.nodes(), o.hubs(), n < o.nodes() ? n : null, o.seed(), simulated, o.loss(), nat,
                seconds(lastJoinNanos),
                convergedNanos == null ? null : seconds(convergedNanos - lastJoinNanos),
                directNanos == null ? null : seconds(directNanos - lastJoinNanos),
                pairs, punchablePairs, share(direct, pairs), share(idle, pairs), share(routed, pairs),
                share(pairs - direct - idle - routed, pairs), share(punchableDirect, punchablePairs),
                share(punchableDirect + punchableIdle, punchablePairs), pairsByNat,
                leafControl / n, maxControl, hubControl / o.hubs(),
                leafSteady / n, maxSteady, hubSteady / o.hubs(),
                leafUnderlay / n, maxUnderlay, hubUnderlay / o.hubs(),
                leafDatagrams / n,
                passes[0] / ((double) agents * simulated), passes[1] / ((double) agents * simulated),
                leafFacts / n, maxFacts, hubFacts / o.hubs(), standInFacts(),
                world.eventsProcessed(), Long.toHexString(world.traceHash()), null, drops, breakdown(),
                cpuNanos / 1e9, cpuNanos / 1e3 / ((double) agents * simulated), wallNanos / 1e9,
                halfHeapBytes, n < o.nodes() ? null : halfHeapBytes / (double) agents, null);
    }

    /** Agent {@code a} is a stand-in (a node beyond the sample). */
    private boolean standIn(int a) {
        return a >= measured && a < o.nodes();
    }

    /** Mean facts held by a stand-in that started; null when there are none. */
    private Double standInFacts() {
        long sum = 0;
        int count = 0;
        for (int a = measured; a < o.nodes(); a++) {
            if (leafAgents[a] != null) {
                sum += leafAgents[a].core().store().size();
                count++;
            }
        }
        return count == 0 ? null : sum / (double) count;
    }

    private Map<String, Object> breakdown() {
        if (!o.breakdown()) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run", tallyRun.toMap());
        m.put("secondHalf", tallySecondHalf.toMap());
        m.put("gossipHash", Long.toHexString(gossipHash));
        return m;
    }

    private static long fnv(long h, long v) {
        return (h ^ v) * 0x100000001b3L;
    }

    private static long fnv(long h, byte[] bytes) {
        for (byte b : bytes) {
            h = fnv(h, b & 0xff);
        }
        return h;
    }

    /**
     * Whether leaf {@code i}'s traffic to leaf {@code j}'s overlay address reaches it through a hub: {@code i}'s
     * device routes the address to a hub it has a direct session with, and that hub routes it to {@code j}, with
     * which it has a direct session.
     */
    private boolean routedOneWay(int i, int j, boolean[][] viaHub) {
        InetAddress dst = leafOverlay.get(j);
        PublicKey next = leaves.get(i).wireGuard().routeFor(dst);
        Integer h = next == null ? null : hubIndex.get(next);
        if (h == null || !viaHub[i][h]) {
            return false;
        }
        SimWireGuard hub = hubs.get(h).wireGuard();
        return leaves.get(j).wireGuard().publicKey().equals(hub.routeFor(dst)) && viaHub[j][h];
    }

    /** Both leaves route each other's overlay address straight to each other (no live session needed). */
    private boolean idleDirect(int i, int j) {
        SimWireGuard wi = leaves.get(i).wireGuard();
        SimWireGuard wj = leaves.get(j).wireGuard();
        return wi.publicKey() != null && wj.publicKey() != null
                && wj.publicKey().equals(wi.routeFor(leafOverlay.get(j)))
                && wi.publicKey().equals(wj.routeFor(leafOverlay.get(i)));
    }

    private static String kind(NatType a, NatType b) {
        if (a.ordinal() > b.ordinal()) {
            NatType t = a;
            a = b;
            b = t;
        }
        return a.name().toLowerCase(java.util.Locale.ROOT) + "-" + b.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static double share(long part, long whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static InetAddress ip4(int v) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8),
                    (byte) v});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
