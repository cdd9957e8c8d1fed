package io.wirelink.sim;

import io.wirelink.apply.Scheduler;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * An in-process world of hosts, networks, NATs and WireGuard devices, driven by one discrete-event scheduler on a
 * virtual clock. Nothing here reads the wall clock, starts a thread or touches a real network.
 *
 * <p>Everything random (jitter, loss, NAT ports, WireGuard indices and timer jitter, keys from
 * {@link #newPrivateKey()}) comes from one {@link SplittableRandom} seeded at creation and split once per component
 * in the order components are created. The same seed and the same sequence of calls therefore give the same run,
 * event for event; {@link #traceHash()} condenses it.
 *
 * <p>The world is the agent's {@link Scheduler}: tasks run when the run loop ({@link #runFor}, {@link #runUntil})
 * reaches their time, in scheduling order among equal times, on the caller's thread. An exception thrown by a task
 * ends the run and propagates to the caller of {@code runFor}/{@code runUntil}.
 *
 * <p>Addresses: the public network is {@value #INTERNET} (RFC 6598 shared address space, large enough for a million
 * hosts); LANs behind NATs get consecutive /24s from 10.0.0.0/8. Neither ever reaches a real network, since packets
 * are objects in this process. The underlay is IPv4 only; the tunnel carries IPv4 and IPv6.
 */
public final class World implements Scheduler {
    /** Where the clock starts unless told otherwise. */
    public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");
    /** The public network's subnet. */
    public static final String INTERNET = "100.64.0.0/10";
    /** One-way latency across the public network, by default. */
    public static final Duration DEFAULT_INTERNET_LATENCY = Duration.ofMillis(20);
    /** One-way latency across a LAN, by default. */
    public static final Duration DEFAULT_LAN_LATENCY = Duration.ofMillis(1);

    final EventQueue queue = new EventQueue();
    private final Instant start;
    private final SplittableRandom random;
    private final SplittableRandom keyRandom;
    private final Network internet;
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private final Map<String, Nat> nats = new LinkedHashMap<>();
    private final Map<String, Network> networks = new LinkedHashMap<>();
    private final long[] drops = new long[DropReason.values().length];
    private long now;
    private long events;
    private long traceHash = 0xcbf29ce484222325L;
    private boolean running;
    private int nextLan;
    private int nextIfaceId;
    private long nextHandshakeId;
    private Consumer<String> trace;

    private World(long seed, Instant start) {
        this.start = start;
        this.random = new SplittableRandom(seed);
        this.keyRandom = random.split();
        this.internet = addNetwork("internet", IpPrefix.parse(INTERNET), DEFAULT_INTERNET_LATENCY);
    }

    /** A world whose clock starts at {@link #DEFAULT_START}. */
    public static World create(long seed) {
        return new World(seed, DEFAULT_START);
    }

    public static World create(long seed, Instant start) {
        if (start == null) {
            throw new IllegalArgumentException("start is missing");
        }
        return new World(seed, start);
    }

    // ---- Scheduler

    @Override
    public Instant now() {
        return instantAt(now);
    }

    /** Virtual nanoseconds since the world started. */
    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        if (delay == null || delay.isNegative()) {
            throw new IllegalArgumentException("delay must be zero or positive: " + delay);
        }
        if (task == null) {
            throw new IllegalArgumentException("task is missing");
        }
        Task t = new Task(task);
        queue.schedule(t, now + delay.toNanos());
        return t;
    }

    private final class Task extends Event implements Cancellable {
        private Runnable task;

        Task(Runnable task) {
            this.task = task;
        }

        @Override
        void fire() {
            Runnable r = task;
            task = null;
            r.run();
        }

        @Override
        public boolean cancel() {
            if (task != null && queue.remove(this)) {
                task = null;
                return true;
            }
            return false;
        }
    }

    // ---- running

    /** Runs every event due up to and including {@code until}; then the clock reads {@code until}. */
    public void runUntil(Instant until) {
        long t = Duration.between(start, until).toNanos();
        if (t < now) {
            throw new IllegalArgumentException("time does not run backwards: " + until + " is before " + now());
        }
        run(t, null);
    }

    /** Runs for {@code d} of virtual time. */
    public void runFor(Duration d) {
        run(now + Network.nonNegative(d, "duration"), null);
    }

    /**
     * Runs until {@code condition} holds (checked before the first event and after each one) or {@code limit} of
     * virtual time has passed. Returns whether the condition held; the clock stops at the event that satisfied it.
     */
    public boolean runUntil(BooleanSupplier condition, Duration limit) {
        return run(now + Network.nonNegative(limit, "limit"), condition);
    }

    private boolean run(long until, BooleanSupplier condition) {
        if (running) {
            throw new IllegalStateException("the world is already running (a task may not run the world)");
        }
        running = true;
        try {
            if (condition != null && condition.getAsBoolean()) {
                return true;
            }
            Event e;
            while ((e = queue.peek()) != null && e.time <= until) {
                queue.poll();
                now = e.time;
                events++;
                long h = (traceHash ^ e.time) * 0x100000001b3L;
                traceHash = (h ^ e.traceCode()) * 0x100000001b3L;
                e.fire();
                if (condition != null && condition.getAsBoolean()) {
                    return true;
                }
            }
            now = until;
            return false;
        } finally {
            running = false;
        }
    }

    /** Events run so far. */
    public long eventsProcessed() {
        return events;
    }

    /** Events waiting. */
    public int pendingEvents() {
        return queue.size();
    }

    /** A hash of every event run so far (time and what happened); equal for equal seeds and calls. */
    public long traceHash() {
        return traceHash;
    }

    /** Sends a line per packet hop and per drop to {@code sink} (null stops it); for debugging, it is slow. */
    public void trace(Consumer<String> sink) {
        this.trace = sink;
    }

    // ---- topology

    /** The public network ({@value #INTERNET}), 20 ms one way by default. */
    public Network internet() {
        return internet;
    }

    /** A new network (broadcast domain) with the default LAN latency. */
    public Network addNetwork(String name, IpPrefix subnet) {
        return addNetwork(name, subnet, DEFAULT_LAN_LATENCY);
    }

    private Network addNetwork(String name, IpPrefix subnet, Duration latency) {
        requireNewName(networks, name, "network");
        Network n = new Network(this, name, subnet, latency, random.split());
        networks.put(name, n);
        return n;
    }

    /** A NAT on the public network, with a new LAN ({@code <name>-lan}, the next /24 of 10.0.0.0/8). */
    public Nat addNat(String name, NatType type) {
        return addNat(name, type, internet);
    }

    /** A NAT on {@code outside} (e.g. another NAT's LAN, for carrier-grade NAT), with a new LAN. */
    public Nat addNat(String name, NatType type, Network outside) {
        requireNewName(nats, name, "NAT");
        requireOwn(outside);
        if (nextLan >= 65536) {
            throw new IllegalStateException("10.0.0.0/8 has no /24 left for another LAN");
        }
        int n = nextLan++;
        IpPrefix subnet = IpPrefix.parse("10." + (n >>> 8) + "." + (n & 0xff) + ".0/24");
        return addNat(name, type, outside, addNetwork(name + "-lan", subnet));
    }

    /** A NAT between {@code outside} and {@code lan}, which must not have a gateway yet. */
    public Nat addNat(String name, NatType type, Network outside, Network lan) {
        requireNewName(nats, name, "NAT");
        requireOwn(outside);
        requireOwn(lan);
        if (outside == lan) {
            throw new IllegalArgumentException("a NAT's outside and inside networks differ");
        }
        Nat nat = new Nat(this, name, type, outside, lan, random.split());
        nats.put(name, nat);
        return nat;
    }

    /** A host on the public network. */
    public Host addPublicHost(String name) {
        return addHost(name, internet);
    }

    /** A host on the LAN behind {@code nat}. */
    public Host addHost(String name, Nat nat) {
        return addHost(name, nat.lan(), nat);
    }

    /** A host on {@code network}, with the next free address; off-subnet traffic goes to the network's gateway. */
    public Host addHost(String name, Network network) {
        return addHost(name, network, null);
    }

    /** A public host, or a host alone behind its own new NAT ({@code <name>-nat}) of {@code type}. */
    public Host addHost(String name, NatType type) {
        if (type == NatType.PUBLIC) {
            return addPublicHost(name);
        }
        return addHost(name, addNat(name + "-nat", type));
    }

    private Host addHost(String name, Network network, Nat nat) {
        requireNewName(hosts, name, "host");
        requireOwn(network);
        Host h = new Host(this, name, network, nat);
        hosts.put(name, h);
        return h;
    }

    private void requireOwn(Network n) {
        if (n == null || networks.get(n.name()) != n) {
            throw new IllegalArgumentException("not a network of this world: " + n);
        }
    }

    private static void requireNewName(Map<String, ?> m, String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(what + " name is missing");
        }
        if (m.containsKey(name)) {
            throw new IllegalArgumentException("there is already a " + what + " named " + name);
        }
    }

    public Host host(String name) {
        return hosts.get(name);
    }

    public Nat nat(String name) {
        return nats.get(name);
    }

    public Network network(String name) {
        return networks.get(name);
    }

    /** Every host, in creation order. */
    public List<Host> hosts() {
        return Collections.unmodifiableList(new ArrayList<>(hosts.values()));
    }

    /** A private key from the world's seeded generator (clamped as {@code wg genkey} clamps it). */
    public PrivateKey newPrivateKey() {
        byte[] k = new byte[32];
        keyRandom.nextBytes(k);
        k[0] &= (byte) 248;
        k[31] &= 127;
        k[31] |= 64;
        return PrivateKey.of(k);
    }

    // ---- ground truth and metrics

    /**
     * Whether the first WireGuard devices of {@code a} and {@code b} talk directly right now: each has a live session
     * to send on, the newest handshake is the same on both sides, and each side's endpoint for the other leads
     * (through the NATs as they are now, without creating mappings) to the other's listen port.
     */
    public Path pathOf(Host a, Host b) {
        SimWireGuard wa = a.wireGuard();
        SimWireGuard wb = b.wireGuard();
        if (wa == null || wb == null || wa.publicKey() == null || wb.publicKey() == null) {
            return Path.NONE;
        }
        PublicKey ka = wa.publicKey();
        PublicKey kb = wb.publicKey();
        long ca = wa.currentSessionId(kb);
        long na = wa.nextSessionId(kb);
        long cb = wb.currentSessionId(ka);
        long nb = wb.nextSessionId(ka);
        // both can send, on sessions from the same handshake; during a rekey one side may still hold the new one as
        // its unconfirmed next session and send on the previous one
        boolean paired = ca >= 0 && cb >= 0 && (ca == cb || ca == nb || cb == na);
        if (!paired) {
            return Path.NONE;
        }
        if (probe(a, wa.listenPort(), wa.endpointOf(kb)) != wb.socket()
                || probe(b, wb.listenPort(), wb.endpointOf(ka)) != wa.socket()) {
            return Path.NONE;
        }
        return Path.DIRECT;
    }

    /** The socket a datagram from {@code from:srcPort} to {@code dst} would reach now, ignoring loss; or null. */
    private Socket probe(Host from, int srcPort, long dst) {
        if (dst < 0 || !from.online()) {
            return null;
        }
        int srcAddr = from.eth0.address;
        int sport = srcPort;
        int dAddr = Ip4.address(dst);
        int dPort = Ip4.port(dst);
        Iface out = from.eth0;
        for (int hop = 0; hop < 16; hop++) {
            int next = out.nextHop(dAddr);
            Iface to = next == 0 ? null : out.network.iface(next);
            if (to == null) {
                return null;
            }
            if (to.node instanceof Host) {
                Host h = (Host) to.node;
                return h.online() && dAddr == to.address ? h.socketAt(dPort) : null;
            }
            Nat nat = (Nat) to.node;
            if (to == nat.inside) {
                if (dAddr == nat.outside.address || dAddr == nat.inside.address || sport < 0) {
                    return null;
                }
                sport = nat.peekOutbound(Ip4.endpoint(srcAddr, sport), Ip4.endpoint(dAddr, dPort));
                srcAddr = nat.outside.address;
                out = nat.outside;
            } else {
                if (dAddr != nat.outside.address) {
                    return null;
                }
                long inside = nat.peekInbound(dPort, srcAddr, sport);
                if (inside < 0) {
                    return null;
                }
                dAddr = Ip4.address(inside);
                dPort = Ip4.port(inside);
                out = nat.inside;
            }
        }
        return null;
    }

    /** Packets dropped for {@code reason} so far. */
    public long dropped(DropReason reason) {
        return drops[reason.ordinal()];
    }

    /** Every drop counter that is not zero. */
    public Map<DropReason, Long> drops() {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            if (drops[r.ordinal()] != 0) {
                m.put(r, drops[r.ordinal()]);
            }
        }
        return m;
    }

    /** The sum of every host's traffic. */
    public TrafficStats totalTraffic() {
        TrafficStats t = TrafficStats.ZERO;
        for (Host h : hosts.values()) {
            t = t.plus(h.stats());
        }
        return t;
    }

    // ---- for the components

    long nanos() {
        return now;
    }

    Instant instantAt(long nanos) {
        return start.plusNanos(nanos);
    }

    SplittableRandom split() {
        return random.split();
    }

    int nextIfaceId() {
        return nextIfaceId++;
    }

    long nextHandshakeId() {
        return nextHandshakeId++;
    }

    void drop(DropReason reason, Packet p, Node where) {
        drops[reason.ordinal()]++;
        if (trace != null) {
            trace.accept(stamp() + " drop " + reason + " at " + where + (p == null ? "" : ": " + p.describe()));
        }
    }

    void transmitted(Packet p, Iface from, Iface to) {
        if (trace != null) {
            trace.accept(stamp() + " " + from.node + " -> " + to.node + " " + p.describe());
        }
    }

    private String stamp() {
        return String.format("%d.%09d", now / 1_000_000_000L, now % 1_000_000_000L);
    }
}
