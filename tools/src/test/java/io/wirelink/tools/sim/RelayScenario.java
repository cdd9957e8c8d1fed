package io.wirelink.tools.sim;

import io.wirelink.agent.config.AgentConfig;
import io.wirelink.agent.config.PeerConfig;
import io.wirelink.agent.config.RelayConfig;
import io.wirelink.agent.config.RouterMode;
import io.wirelink.agent.core.AgentCore;
import io.wirelink.agent.core.CoreSettings;
import io.wirelink.agent.core.Driver;
import io.wirelink.agent.core.Input;
import io.wirelink.traversal.RelayPlanner;
import io.wirelink.agent.runtime.AgentRuntime;
import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.DeviceStates;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.RelayAttachment;
import io.wirelink.facts.store.FactStore;
import io.wirelink.linklocal.LinkLocal;
import io.wirelink.relay.Disclosure;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A scripted relay world for the relay client's decisions ({@link RelayPlanner} inside unmodified {@link AgentCore}s),
 * which the simulator cannot reach (it has no relay servers). Three agents and three relays over 120 s of virtual
 * time, each core driven by the {@link Driver} as {@link SimAgent} and {@code AgentRuntime} drive it: device poll,
 * the relay tick (probes, disclosure queries), and a timer per wake the driver hands out.
 *
 * <p>The world is a small model, not the simulator: WireGuard is a rule per 100 ms tick (each peer with an endpoint
 * is sent to; a path that works completes a handshake when the session is older than 120 s, counts the bytes on the
 * other end and makes it roam to the source), a relay forwards between two clients registered with it (a handshake
 * with it within 180 s while alive) and answers probes and disclosure queries as relay/Relay does (switch moments
 * {@link Disclosure#SWITCH_LEAD_MILLIS} ahead, held {@link Disclosure#SWITCH_HOLD_MILLIS}). A direct path works only
 * when the script allows the pair. Peers with a preshared key on both devices handshake only while both still have
 * it: a re-add drops it, and the pair is cut off for good. Gossip datagrams go over whatever path the sender's device
 * has for the peer, so peers learn each other's relay attachments as in a mesh.
 *
 * <p>The script: A, B and C start at 0, 0.2 and 2.4 s (C late, so A gives up on direct with C first and its yield
 * runs out). Every agent registers with up to 2 relays. A and B cannot go direct, ever, and have preshared keys; A
 * and C can only from 40 s on; B and C always can. R1 and R2 are configured; R3 is offered by C (its own relay) in a
 * DHT record A and B resolve. R3 dies at 60 s and comes back at 90 s; the direct path of A and C breaks again at 100 s.
 */
final class RelayScenario {
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    static final Duration LENGTH = Duration.ofSeconds(120);
    private static final Duration TICK = Duration.ofMillis(100);
    private static final Duration REKEY = Duration.ofSeconds(120);
    private static final Duration REGISTERED = Duration.ofSeconds(180);
    private static final int BYTES = 100;

    /** What a run decided: the digest, batches, and every reason with keys replaced by names, in order. */
    record Result(String decisionHash, long batches, List<String> reasons, Map<String, String> paths,
            Map<String, String> attached, boolean presharedKept, String busiestSecond) {}

    private record Event(long nanos, long seq, Runnable task) {}

    private final class Agent {
        final String name;
        final PrivateKey key;
        final PublicKey pub;
        final IpEndpoint mapped;
        final Map<String, Integer> rtt;
        AgentCore core;
        DeviceState dev;
        /** Whether the agent runs yet (before, its device exists and its gossip port is closed). */
        boolean started;
        Driver driver;

        Agent(String name, long seed, int host, Map<String, Integer> rtt) {
            this.name = name;
            this.key = key(seed);
            this.pub = key.publicKey();
            this.mapped = IpEndpoint.parse("198.51.100." + host + ":51820");
            this.rtt = rtt;
        }
    }

    private static final class Relay {
        final String name;
        final PublicKey key;
        final IpEndpoint endpoint;
        boolean alive = true;
        /** Switch moments by pair ("lo|hi" of agent names), in nanos of virtual time. */
        final Map<String, Long> moments = new TreeMap<>();

        Relay(String name, long seed, int host) {
            this.name = name;
            this.key = key(seed).publicKey();
            this.endpoint = IpEndpoint.parse("203.0.113." + host + ":51823");
        }
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.nanos != b.nanos
            ? Long.compare(a.nanos, b.nanos) : Long.compare(a.seq, b.seq));
    private long seq;
    private long nanos;
    private final DecisionDigest digest;
    private final List<String> reasons = new ArrayList<>();
    private final List<Agent> agents = new ArrayList<>();
    private final List<Relay> relays = new ArrayList<>();
    private final Map<String, Boolean> direct = new TreeMap<>();
    /** Batches that decided something, by agent and second of virtual time ("A 105"). */
    private final Map<String, Integer> busy = new TreeMap<>();

    private RelayScenario(Consumer<String> log) {
        digest = new DecisionDigest(log);
    }

    static PrivateKey key(long seed) {
        byte[] k = new byte[32];
        new Random(seed).nextBytes(k);
        return PrivateKey.of(k);
    }

    static Result run(Consumer<String> log) {
        return new RelayScenario(log).script();
    }

    private Result script() {
        Relay r1 = new Relay("R1", 21, 1);
        Relay r2 = new Relay("R2", 22, 2);
        Relay r3 = new Relay("R3", 23, 3);
        relays.addAll(List.of(r1, r2, r3));
        Agent a = new Agent("A", 11, 1, Map.of("R1", 5, "R2", 9, "R3", 3));
        Agent b = new Agent("B", 12, 2, Map.of("R1", 8, "R2", 6, "R3", 4));
        Agent c = new Agent("C", 13, 3, Map.of("R1", 7, "R2", 12, "R3", 2));
        agents.addAll(List.of(a, b, c));
        direct.put(pair(a, b), false);
        direct.put(pair(a, c), false);
        direct.put(pair(b, c), true);
        List<RelayConfig.Server> servers = List.of(new RelayConfig.Server(r1.key, r1.endpoint),
                new RelayConfig.Server(r2.key, r2.endpoint));
        for (Agent x : agents) {
            List<PeerConfig> peers = new ArrayList<>();
            List<PeerState> preset = new ArrayList<>();
            for (Agent y : agents) {
                if (y != x) {
                    peers.add(new PeerConfig(y.pub, y.name, null, List.of(y.mapped.toString()), List.of(overlay(y)),
                            false, false));
                    if ((x == a && y == b) || (x == b && y == a)) {
                        // set up by the operator with a preshared key, which the device never gives back
                        preset.add(new PeerState(y.pub, true, y.mapped, List.of(overlay(y)), null, 0, 0, 0));
                    }
                }
            }
            AgentConfig cfg = new AgentConfig("wg0", 0, RouterMode.AUTO, false, false, List.of(), List.of(),
                    Path.of("/tmp"), Path.of("/tmp"), io.wirelink.agent.config.Timers.DEFAULTS,
                    new io.wirelink.agent.config.Dht("wirelink", 0, List.of(), false, 0),
                    new RelayConfig(RouterMode.AUTO, 0, null, true, 2, servers), peers, null);
            long s = x.name.charAt(0);
            x.core = new AgentCore(x.key, cfg, FactStore.inMemory(FactStore.Options.DEFAULTS), CoreSettings.DEFAULTS,
                    new Random(s), T0, new UUID(s, s));
            x.dev = new DeviceState("wg0", x.pub, 51820, 0, preset);
        }
        at(0, this::traffic);
        at(0, () -> start(a));
        at(200, () -> start(b));
        at(2_400, () -> start(c));
        at(1_000, () -> {
            for (Agent x : List.of(a, b)) {
                feed(x, new Input.DhtResult(c.pub, c.mapped, List.of(c.mapped), List.of(new RelayAttachment(true,
                        r3.key, List.of(r3.endpoint))), Duration.ofMinutes(30)));
            }
        });
        at(40_000, () -> direct.put(pair(a, c), true));
        at(60_000, () -> r3.alive = false);
        at(90_000, () -> r3.alive = true);
        at(100_000, () -> direct.put(pair(a, c), false));
        long end = LENGTH.toNanos();
        while (!queue.isEmpty() && queue.peek().nanos <= end) {
            Event e = queue.poll();
            nanos = e.nanos;
            e.task.run();
        }
        Map<String, String> paths = new TreeMap<>();
        Map<String, String> attached = new TreeMap<>();
        for (Agent x : agents) {
            for (Agent y : agents) {
                RelayPlanner.PathInfo p = y == x ? null : x.core.relays().pathInfo(y.pub);
                if (p != null) {
                    paths.put(x.name + "->" + y.name, names(p.path()));
                }
            }
            List<String> on = new ArrayList<>();
            for (RelayPlanner.RelayView v : x.core.relays().relays(now())) {
                if (v.attached()) {
                    on.add(names(v.relay().toString()));
                }
            }
            attached.put(x.name, String.join(",", on));
        }
        // the preshared keys survived every relay switch only if A and B were never removed and re-added
        boolean kept = a.dev.peer(b.pub) != null && a.dev.peer(b.pub).hasPresharedKey() && b.dev.peer(a.pub) != null
                && b.dev.peer(a.pub).hasPresharedKey();
        String busiest = "";
        int most = 0;
        for (Map.Entry<String, Integer> e : busy.entrySet()) {
            if (e.getValue() > most) {
                most = e.getValue();
                busiest = e.getKey() + " s: " + most + " batches";
            }
        }
        return new Result(digest.hex(), digest.batches(), List.copyOf(reasons), paths, attached, kept, busiest);
    }

    private static IpPrefix overlay(Agent y) {
        return IpPrefix.parse("198.18.0." + (y.mapped.address().getAddress()[3] & 0xff) + "/32");
    }

    private static String pair(Agent x, Agent y) {
        return x.name.compareTo(y.name) < 0 ? x.name + "|" + y.name : y.name + "|" + x.name;
    }

    private Instant now() {
        return T0.plusNanos(nanos);
    }

    private void at(long millis, Runnable task) {
        queue.add(new Event(millis * 1_000_000L, seq++, task));
    }

    private void after(Duration d, Runnable task) {
        queue.add(new Event(nanos + d.toNanos(), seq++, task));
    }

    private void every(Duration period, Runnable task) {
        after(period, new Runnable() {
            @Override
            public void run() {
                after(period, this);
                task.run();
            }
        });
    }

    // ------------------------------------------------------------------ the driver (as SimAgent, AgentRuntime)

    private void start(Agent x) {
        x.started = true;
        x.core.device(x.dev);
        x.driver = new Driver(x.core);
        every(AgentRuntime.DEVICE_POLL, () -> poll(x));
        every(RelayPlanner.PROBE_INTERVAL, () -> relayTick(x));
        ownRelay(x);
        act(x, x.driver.start(x.dev, now()));
    }

    /** C runs R3 (its own relay), as the runtime tells the planner before each tick. */
    private void ownRelay(Agent x) {
        if (x.core.relays().ownRelay() == null && x == agents.get(2)) {
            Relay r3 = relays.get(2);
            x.core.relays().ownRelay(r3.key, List.of(r3.endpoint));
        }
    }

    private void poll(Agent x) {
        feed(x, new Input.DeviceRead(x.dev));
    }

    private void feed(Agent x, Input in) {
        x.driver.input(in, now()).wake().ifPresent(w -> wake(x, w));
    }

    private void wake(Agent x, Driver.Wake w) {
        after(Duration.between(now(), w.at()), () -> {
            ownRelay(x);
            act(x, x.driver.tick(w, x.dev, now()));
        });
    }

    private void act(Agent x, Driver.Tick t) {
        AgentCore.Actions a = t.actions();
        digest.add(nanos, x.pub, a, now());
        if (!a.change().isEmpty() || !a.datagrams().isEmpty() || !a.reasons().isEmpty()) {
            busy.merge(x.name + " " + nanos / 1_000_000_000L, 1, Integer::sum);
        }
        for (String r : a.reasons()) {
            reasons.add(String.format("%7.3f %s %s", nanos / 1e9, x.name, names(r)));
        }
        t.wakes().forEach(w -> wake(x, w));
        DeviceChange change = a.change();
        if (!change.isEmpty()) {
            x.dev = DeviceStates.apply(x.dev, change);
            poll(x);
        }
        for (AgentCore.Outgoing o : a.datagrams()) {
            Agent y = agent(o.peer());
            PeerState ps = x.dev.peer(o.peer());
            if (y != null && y.started && ps != null && ps.endpoint() != null && works(x, y, ps.endpoint())) {
                IpEndpoint src = new IpEndpoint(LinkLocal.address(x.pub), x.core.gossipPort());
                byte[] data = o.payload();
                after(Duration.ofMillis(10), () -> feed(y, new Input.Datagram(src, data)));
            }
        }
    }

    /** Every 500 ms, as AgentRuntime's relay tick: probe, ask, and a pass when the planner wants one. */
    private void relayTick(Agent x) {
        if (x.core.snapshot() == null) {
            return;
        }
        RelayPlanner planner = x.core.relays();
        Instant sent = now();
        for (RelayPlanner.ProbeTarget t : planner.probeTargets()) {
            planner.probeSent(t, sent);
            Relay r = relay(t.relay());
            if (r != null && r.alive && r.endpoint.equals(t.endpoint())) {
                Duration rtt = Duration.ofMillis(x.rtt.get(r.name));
                after(rtt, () -> feed(x, new Input.RelayProbeReply(t, rtt, x.mapped)));
            }
        }
        for (RelayPlanner.DisclosureQuery q : planner.disclosureQueries()) {
            Relay r = relay(q.relay());
            Agent p = agent(q.peer());
            if (r == null || p == null || !r.alive || !registered(x, r)) {
                continue; // the relay refuses queries from a client not registered with it
            }
            Duration rtt = Duration.ofMillis(x.rtt.get(r.name));
            after(rtt.dividedBy(2), () -> {
                IpEndpoint ep = r.alive && registered(p, r) ? p.mapped : null;
                Long moment = ep == null ? null : moment(r, pair(x, p));
                after(rtt.dividedBy(2), () -> {
                    Instant m = moment == null ? null : T0.plusNanos(moment);
                    feed(x, new Input.RelayDisclosure(r.key, q.endpoint(), p.pub, ep, m));
                });
            });
        }
        feed(x, new Input.RelayProbesSent());
    }

    /** relay/Relay's switch moment: set 700 ms ahead by the first answer about the pair, held 1.5 s after it. */
    private long moment(Relay r, String pair) {
        Long at = r.moments.get(pair);
        if (at == null || nanos - at > Disclosure.SWITCH_HOLD_MILLIS * 1_000_000L) {
            at = nanos + Disclosure.SWITCH_LEAD_MILLIS * 1_000_000L;
            r.moments.put(pair, at);
        }
        return at;
    }

    // ------------------------------------------------------------------ the world (WireGuard and relays as rules)

    private void traffic() {
        after(TICK, this::traffic);
        Instant now = now();
        for (Agent x : agents) {
            for (PeerState p : new ArrayList<>(x.dev.peers())) {
                Relay r = relay(p.publicKey());
                if (r != null) {
                    if (r.alive && r.endpoint.equals(p.endpoint()) && p.lastHandshake().plus(REKEY).isBefore(now)) {
                        update(x, new PeerState(p.publicKey(), p.hasPresharedKey(), p.endpoint(), p.allowedIps(), now,
                                p.rxBytes() + 92, p.txBytes() + 148, p.persistentKeepaliveSeconds()));
                    }
                    continue;
                }
                Agent y = agent(p.publicKey());
                if (y == null || p.endpoint() == null) {
                    continue;
                }
                PeerState back = y.dev.peer(x.pub);
                boolean ok = works(x, y, p.endpoint()) && back != null
                        && back.hasPresharedKey() == p.hasPresharedKey();
                Instant hs = p.lastHandshake();
                if (ok && hs.plus(REKEY).isBefore(now)) {
                    hs = now;
                }
                update(x, new PeerState(p.publicKey(), p.hasPresharedKey(), p.endpoint(), p.allowedIps(), hs,
                        p.rxBytes(), p.txBytes() + BYTES, p.persistentKeepaliveSeconds()));
                if (ok) {
                    Relay via = relayAt(p.endpoint());
                    IpEndpoint source = via == null ? x.mapped : via.endpoint;
                    Instant theirs = hs.isAfter(back.lastHandshake()) ? hs : back.lastHandshake();
                    update(y, new PeerState(back.publicKey(), back.hasPresharedKey(), source, back.allowedIps(),
                            theirs, back.rxBytes() + BYTES, back.txBytes(), back.persistentKeepaliveSeconds()));
                }
            }
        }
    }

    private static void update(Agent x, PeerState p) {
        List<PeerState> ps = new ArrayList<>();
        for (PeerState q : x.dev.peers()) {
            ps.add(q.publicKey().equals(p.publicKey()) ? p : q);
        }
        x.dev = new DeviceState(x.dev.name(), x.dev.publicKey(), x.dev.listenPort(), x.dev.fwmark(), ps);
    }

    /** Whether a packet from {@code x} to {@code y} sent to {@code endpoint} arrives. */
    private boolean works(Agent x, Agent y, IpEndpoint endpoint) {
        if (endpoint.equals(y.mapped)) {
            return direct.get(pair(x, y));
        }
        Relay r = relayAt(endpoint);
        return r != null && r.alive && registered(x, r) && registered(y, r);
    }

    private boolean registered(Agent x, Relay r) {
        PeerState p = x.dev.peer(r.key);
        return r.alive && p != null && r.endpoint.equals(p.endpoint())
                && p.lastHandshake().plus(REGISTERED).isAfter(now());
    }

    private Relay relayAt(IpEndpoint e) {
        for (Relay r : relays) {
            if (r.endpoint.equals(e)) {
                return r;
            }
        }
        return null;
    }

    private Relay relay(PublicKey k) {
        for (Relay r : relays) {
            if (r.key.equals(k)) {
                return r;
            }
        }
        return null;
    }

    private Agent agent(PublicKey k) {
        for (Agent a : agents) {
            if (a.pub.equals(k)) {
                return a;
            }
        }
        return null;
    }

    /** {@code s} with every agent's and relay's key replaced by its name. */
    private String names(String s) {
        Map<String, String> m = new LinkedHashMap<>();
        agents.forEach(a -> m.put(a.pub.toString(), a.name));
        relays.forEach(r -> m.put(r.key.toString(), r.name));
        for (Map.Entry<String, String> e : m.entrySet()) {
            s = s.replace(e.getKey(), e.getValue());
        }
        return s;
    }
}
