package io.wirelink.sim;

import io.wirelink.facts.IpPrefix;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * A broadcast domain with an IPv4 subnet: every attached interface reaches every other in one hop, after the
 * network's latency (plus up to {@link #jitter()} more, and the two access links' own latency) unless the packet is
 * lost. Destinations outside the subnet go to the network's gateway (the {@link Nat} serving it), if it has one.
 *
 * <p>Latency, jitter and loss can be changed at any time, e.g. to cut a network off with {@code loss(1.0)}.
 */
public final class Network {
    private final World world;
    private final String name;
    private final IpPrefix subnet;
    private final int base;
    private final int mask;
    private final int hostCount;
    private final SplittableRandom random;
    private final LongMap<Iface> byAddress = new LongMap<>();
    private int nextHost = 1;
    private long latencyNanos;
    private long jitterNanos;
    private double loss;
    private Iface gateway;

    Network(World world, String name, IpPrefix subnet, Duration latency, SplittableRandom random) {
        if (!subnet.isIpv4()) {
            throw new IllegalArgumentException("the simulated underlay is IPv4 only: " + subnet);
        }
        if (subnet.prefixLength() > 30) {
            throw new IllegalArgumentException("a network needs at least a /30: " + subnet);
        }
        this.world = world;
        this.name = name;
        this.subnet = subnet.masked();
        this.mask = subnet.prefixLength() == 0 ? 0 : -1 << (32 - subnet.prefixLength());
        this.base = Ip4.toInt(this.subnet.address()) & mask;
        this.hostCount = (int) ((1L << (32 - subnet.prefixLength())) - 2);
        this.random = random;
        latency(latency);
    }

    public String name() {
        return name;
    }

    public IpPrefix subnet() {
        return subnet;
    }

    /** One-way latency of a hop across this network. */
    public Duration latency() {
        return Duration.ofNanos(latencyNanos);
    }

    public Network latency(Duration latency) {
        latencyNanos = nonNegative(latency, "latency");
        return this;
    }

    /** Each hop takes an extra delay drawn uniformly from [0, jitter); packets may therefore be reordered. */
    public Duration jitter() {
        return Duration.ofNanos(jitterNanos);
    }

    public Network jitter(Duration jitter) {
        jitterNanos = nonNegative(jitter, "jitter");
        return this;
    }

    /** Probability that a hop across this network loses the packet. */
    public double loss() {
        return loss;
    }

    public Network loss(double probability) {
        loss = probability(probability);
        return this;
    }

    static long nonNegative(Duration d, String what) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(what + " must be zero or positive: " + d);
        }
        return d.toNanos();
    }

    static double probability(double p) {
        if (!(p >= 0.0 && p <= 1.0)) {
            throw new IllegalArgumentException("a probability is between 0 and 1: " + p);
        }
        return p;
    }

    boolean contains(int address) {
        return (address & mask) == base;
    }

    int gatewayAddress() {
        return gateway == null ? 0 : gateway.address;
    }

    void gateway(Iface iface) {
        if (gateway != null) {
            throw new IllegalStateException("network " + name + " already has a gateway (" + gateway.node + ")");
        }
        gateway = iface;
    }

    Iface iface(int address) {
        return byAddress.get(address & 0xffffffffL);
    }

    /** Attaches {@code node} with the next free address. */
    Iface attach(Node node) {
        while (nextHost <= hostCount) {
            int a = base + nextHost++;
            if (iface(a) == null) {
                return attach(node, a);
            }
        }
        throw new IllegalStateException("network " + name + " (" + subnet + ") has no free address left");
    }

    Iface attach(Node node, int address) {
        if (!contains(address)) {
            throw new IllegalArgumentException(Ip4.format(address) + " is not in " + subnet);
        }
        if (iface(address) != null) {
            throw new IllegalArgumentException(Ip4.format(address) + " is already in use on " + name);
        }
        Iface i = new Iface(node, this, address, world.nextIfaceId());
        byAddress.put(address & 0xffffffffL, i);
        return i;
    }

    /** Sends {@code p} from {@code from} to the interface that owns {@code nextHop}, or drops it. */
    void transmit(Packet p, Iface from, int nextHop) {
        Iface to = iface(nextHop);
        if (to == null) {
            world.drop(DropReason.NO_HOST, p, from.node);
            return;
        }
        if ((loss > 0 && random.nextDouble() < loss)
                || (from.loss > 0 && random.nextDouble() < from.loss)
                || (to.loss > 0 && random.nextDouble() < to.loss)) {
            world.drop(DropReason.LOSS, p, from.node);
            return;
        }
        long delay = latencyNanos + from.latencyNanos + to.latencyNanos;
        if (jitterNanos > 0) {
            delay += random.nextLong(jitterNanos);
        }
        p.target = to;
        world.transmitted(p, from, to);
        world.queue.schedule(p, world.nanos() + delay);
    }

    @Override
    public String toString() {
        return name + " " + subnet;
    }
}
