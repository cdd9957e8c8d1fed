package io.wirelink.dht.sim;

import io.wirelink.dht.DhtConfig;
import io.wirelink.dht.DhtIdentity;
import io.wirelink.dht.DhtNode;
import io.wirelink.dht.Outbox;
import io.wirelink.facts.IpEndpoint;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * An in-process network of {@link DhtNode}s under virtual time: datagrams travel with a latency from each pair's
 * distance on a plane plus jitter, and are lost with a fixed probability. One seed determines everything (node
 * keys, positions, latencies, losses, the nodes' own randomness), so a run repeats exactly. Single-threaded.
 */
public final class DhtSimulation {
    /** Something a test or benchmark does to a node at a given moment. */
    @FunctionalInterface
    public interface Action {
        void run(DhtNode node, long now, Outbox out);
    }

    /** Sees every datagram handed to the network (before loss), e.g. to capture packets for replay tests. */
    @FunctionalInterface
    public interface Tap {
        void sent(IpEndpoint from, IpEndpoint to, byte[] datagram, long now);
    }

    /** A simulated host. */
    public final class SimNode {
        final DhtNode node;
        final IpEndpoint address;
        final double x;
        final double y;
        final long joined;
        boolean alive = true;
        long scheduledWake = Long.MAX_VALUE;
        final Outbox outbox;

        SimNode(DhtNode node, IpEndpoint address, double x, double y, long joined) {
            this.node = node;
            this.address = address;
            this.x = x;
            this.y = y;
            this.joined = joined;
            this.outbox = (to, d) -> transmit(this, to, d);
        }

        public DhtNode node() {
            return node;
        }

        public IpEndpoint address() {
            return address;
        }

        public boolean alive() {
            return alive;
        }

        public long joined() {
            return joined;
        }
    }

    private static final int DELIVER = 0;
    private static final int WAKE = 1;
    private static final int ACT = 2;

    private record Event(long at, long seq, int kind, SimNode node, IpEndpoint from, byte[] data, Action action) {}

    /** Start of virtual time: 2027-01-15T08:00:00Z in Unix milliseconds, so packet timestamps look real. */
    public static final long EPOCH = 1_800_000_000_000L;

    private final Random random;
    private final double minLatencyMillis;
    private final double spreadMillis;
    private final double loss;
    private final PriorityQueue<Event> events = new PriorityQueue<>((a, b) ->
            a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final Map<IpEndpoint, SimNode> byAddress = new HashMap<>();
    private final List<SimNode> nodes = new ArrayList<>();
    private long now = EPOCH;
    private long seq;
    private int nextHost = 1;
    private Tap tap;
    private long delivered;
    private long dropped;

    /**
     * @param minLatencyMillis one-way latency between the two closest hosts
     * @param spreadMillis added one-way latency across the whole plane (a host pair's distance times this)
     * @param loss probability that a datagram is lost
     */
    public DhtSimulation(long seed, double minLatencyMillis, double spreadMillis, double loss) {
        this.random = new Random(seed);
        this.minLatencyMillis = minLatencyMillis;
        this.spreadMillis = spreadMillis;
        this.loss = loss;
    }

    public Random random() {
        return random;
    }

    public long now() {
        return now;
    }

    public long delivered() {
        return delivered;
    }

    public long dropped() {
        return dropped;
    }

    public void tap(Tap t) {
        this.tap = t;
    }

    public List<SimNode> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    /** Adds a host at a fresh address (10.x.y.z:51821) and a random position; it starts idle. */
    public SimNode add(DhtConfig cfg, DhtIdentity identity) {
        int h = nextHost++;
        IpEndpoint addr;
        try {
            addr = new IpEndpoint(InetAddress.getByAddress(new byte[] {10, (byte) (h >>> 16), (byte) (h >>> 8),
                (byte) h}), 51821);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        DhtNode node = new DhtNode(cfg, identity, new Random(random.nextLong()), now);
        SimNode n = new SimNode(node, addr, random.nextDouble(), random.nextDouble(), now);
        byAddress.put(addr, n);
        nodes.add(n);
        reschedule(n);
        return n;
    }

    /** The host leaves silently (a crash, as far as others can tell): it neither sends nor receives again. */
    public void remove(SimNode n) {
        n.alive = false;
        byAddress.remove(n.address);
    }

    /** Runs {@code a} on {@code n} at {@code at} (not before now). */
    public void at(long at, SimNode n, Action a) {
        events.add(new Event(Math.max(at, now), seq++, ACT, n, null, null, a));
    }

    /** Delivers raw bytes to {@code to} as if sent from {@code from}, after the usual latency. */
    public void inject(IpEndpoint from, SimNode to, byte[] datagram) {
        events.add(new Event(now + latency(null, to), seq++, DELIVER, to, from, datagram, null));
    }

    /** Processes events up to and including {@code until}; virtual time ends at {@code until}. */
    public void runUntil(long until) {
        while (!events.isEmpty() && events.peek().at <= until) {
            Event e = events.poll();
            now = e.at;
            SimNode n = e.node;
            if (!n.alive) {
                continue;
            }
            switch (e.kind) {
                case DELIVER -> {
                    delivered++;
                    n.node.receive(e.from, e.data, now, n.outbox);
                }
                case WAKE -> {
                    if (e.at != n.scheduledWake) {
                        continue;
                    }
                    n.scheduledWake = Long.MAX_VALUE;
                    n.node.tick(now, n.outbox);
                }
                default -> e.action.run(n.node, now, n.outbox);
            }
            reschedule(n);
        }
        now = Math.max(now, until);
    }

    public void runFor(long millis) {
        runUntil(now + millis);
    }

    private void reschedule(SimNode n) {
        long w = Math.max(n.node.nextWakeup(), now);
        if (w < n.scheduledWake) {
            n.scheduledWake = w;
            events.add(new Event(w, seq++, WAKE, n, null, null, null));
        }
    }

    private void transmit(SimNode from, IpEndpoint to, byte[] data) {
        if (tap != null) {
            tap.sent(from.address, to, data, now);
        }
        SimNode dst = byAddress.get(to);
        if (dst == null || !from.alive || random.nextDouble() < loss) {
            dropped++;
            return;
        }
        events.add(new Event(now + latency(from, dst), seq++, DELIVER, dst, from.address, data, null));
    }

    private long latency(SimNode a, SimNode b) {
        double d = a == null ? 0.5 : Math.hypot(a.x - b.x, a.y - b.y) / Math.sqrt(2);
        double jitter = 1 + 0.1 * random.nextDouble();
        return Math.max(1, Math.round((minLatencyMillis + spreadMillis * d) * jitter));
    }
}
