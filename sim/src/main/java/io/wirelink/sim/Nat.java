package io.wirelink.sim;

import java.net.InetAddress;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * A NAT gateway between an inside network (its LAN, where it is the gateway) and an outside network (the public
 * network, or another NAT's LAN for carrier-grade NAT). UDP only, as WireGuard needs.
 *
 * <p>A mapping ties an inside endpoint to an external port. A {@link NatType#CONE} NAT keeps one mapping per inside
 * endpoint, whatever the destination, and keeps the inside port when it is free; a {@link NatType#SYMMETRIC} NAT
 * makes a mapping with a random port for every (inside endpoint, destination) pair. Each mapping remembers the remote
 * endpoints the inside host has sent to (its flows); the {@link Filtering} decides which remote endpoints may send
 * back. A flow lives {@link #udpTimeout()} after the last outbound packet (inbound ones too if
 * {@link #refreshOnInbound(boolean)}); a mapping lives while one of its flows does. Expiry is exact: it is checked
 * against the clock whenever a mapping is used, not by a timer.
 *
 * <p>Not modelled: hairpinning (inside to own outside address is dropped), port-mapping protocols, ICMP.
 */
public final class Nat extends Node {
    /** Which inbound packets a mapping admits (RFC 4787 section 5). */
    public enum Filtering {
        /** Any remote endpoint ("full cone"). */
        ENDPOINT_INDEPENDENT,
        /** Remote addresses the inside host has sent to, from any port ("restricted cone"). */
        ADDRESS_DEPENDENT,
        /** Exactly the remote endpoints the inside host has sent to ("port-restricted"; Linux with ct state new drop). */
        ADDRESS_AND_PORT_DEPENDENT
    }

    /** UDP mapping idle timeout by default (Linux nf_conntrack_udp_timeout). */
    public static final Duration DEFAULT_UDP_TIMEOUT = Duration.ofSeconds(30);

    private static final int FIRST_PORT = 1024;
    private static final int PORTS = 65536 - FIRST_PORT;

    private static final class Flow {
        final long remote;
        long lastActive;

        Flow(long remote) {
            this.remote = remote;
        }
    }

    private static final class Mapping {
        final long inside;
        final int externalPort;
        long lastActive;
        final LongMap<Flow> flows = new LongMap<>(4);

        Mapping(long inside, int externalPort) {
            this.inside = inside;
            this.externalPort = externalPort;
        }
    }

    private final NatType type;
    final Iface outside;
    final Iface inside;
    private final Network lan;
    private final SplittableRandom random;
    /** Cone: inside endpoint to mapping. */
    private final LongMap<Mapping> byInside = new LongMap<>();
    /** Symmetric: inside endpoint to (remote endpoint to mapping). */
    private final LongMap<LongMap<Mapping>> byInsideAndRemote = new LongMap<>();
    private final LongMap<Mapping> byExternalPort = new LongMap<>();
    private long timeoutNanos = DEFAULT_UDP_TIMEOUT.toNanos();
    private boolean refreshOnInbound;
    private Filtering filtering = Filtering.ADDRESS_AND_PORT_DEPENDENT;
    private int created;

    Nat(World world, String name, NatType type, Network outsideNetwork, Network lan, SplittableRandom random) {
        super(world, name);
        if (type == NatType.PUBLIC) {
            throw new IllegalArgumentException("a NAT is CONE or SYMMETRIC; public hosts need no NAT");
        }
        this.type = type;
        this.random = random;
        this.lan = lan;
        this.outside = outsideNetwork.attach(this);
        this.inside = lan.attach(this);
        lan.gateway(inside);
    }

    public NatType type() {
        return type;
    }

    /** The NAT's address on its outside network, which every mapping uses. */
    public InetAddress publicAddress() {
        return Ip4.toAddress(outside.address);
    }

    /** The inside network, whose gateway this NAT is. */
    public Network lan() {
        return lan;
    }

    public Duration udpTimeout() {
        return Duration.ofNanos(timeoutNanos);
    }

    /** How long a flow lives after its last refreshing packet; default 30 s. */
    public Nat udpTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a NAT timeout is positive: " + timeout);
        }
        timeoutNanos = timeout.toNanos();
        return this;
    }

    /** Whether admitted inbound packets also refresh their flow (Linux conntrack does; many home routers do not). */
    public Nat refreshOnInbound(boolean refresh) {
        refreshOnInbound = refresh;
        return this;
    }

    public Filtering filtering() {
        return filtering;
    }

    public Nat filtering(Filtering f) {
        if (f == null) {
            throw new IllegalArgumentException("filtering is missing");
        }
        filtering = f;
        return this;
    }

    /** Extra one-way latency on the NAT's outside link (its uplink). */
    public Nat linkLatency(Duration latency) {
        outside.latencyNanos = Network.nonNegative(latency, "latency");
        return this;
    }

    /** Loss probability on the NAT's outside link, each way. */
    public Nat linkLoss(double probability) {
        outside.loss = Network.probability(probability);
        return this;
    }

    /** Mappings alive now. */
    public int activeMappings() {
        int[] n = {0};
        long now = world.nanos();
        byExternalPort.forEachValue(m -> {
            if (!expired(m, now)) {
                n[0]++;
            }
        });
        return n[0];
    }

    private boolean expired(Mapping m, long now) {
        return now - m.lastActive >= timeoutNanos;
    }

    private boolean expired(Flow f, long now) {
        return now - f.lastActive >= timeoutNanos;
    }

    @Override
    void arrive(Packet p, Iface in) {
        if (in == inside) {
            outbound(p);
        } else {
            inbound(p);
        }
    }

    private void outbound(Packet p) {
        if (p.dstAddr == outside.address) {
            world.drop(DropReason.NAT_HAIRPIN, p, this);
            return;
        }
        if (p.dstAddr == inside.address) {
            world.drop(DropReason.NO_SOCKET, p, this);
            return;
        }
        long now = world.nanos();
        long remote = Ip4.endpoint(p.dstAddr, p.dstPort);
        Mapping m = outboundMapping(Ip4.endpoint(p.srcAddr, p.srcPort), remote, now);
        if (m == null) {
            world.drop(DropReason.NAT_PORTS_EXHAUSTED, p, this);
            return;
        }
        Flow f = m.flows.get(remote);
        if (f == null) {
            f = new Flow(remote);
            m.flows.put(remote, f);
        }
        f.lastActive = now;
        m.lastActive = now;
        p.srcAddr = outside.address;
        p.srcPort = m.externalPort;
        int next = outside.nextHop(p.dstAddr);
        if (next == 0) {
            world.drop(DropReason.NO_ROUTE, p, this);
            return;
        }
        outside.network.transmit(p, outside, next);
    }

    private void inbound(Packet p) {
        if (p.dstAddr != outside.address) {
            world.drop(DropReason.NOT_LOCAL, p, this);
            return;
        }
        long now = world.nanos();
        Mapping m = byExternalPort.get(p.dstPort);
        if (m == null || expired(m, now)) {
            world.drop(DropReason.NAT_NO_MAPPING, p, this);
            return;
        }
        Flow f = admittingFlow(m, p.srcAddr, p.srcPort, now);
        if (f == null && filtering != Filtering.ENDPOINT_INDEPENDENT) {
            world.drop(DropReason.NAT_FILTERED, p, this);
            return;
        }
        if (refreshOnInbound && f != null) {
            f.lastActive = now;
            m.lastActive = now;
        }
        p.dstAddr = Ip4.address(m.inside);
        p.dstPort = Ip4.port(m.inside);
        inside.network.transmit(p, inside, p.dstAddr);
    }

    /** A live flow of {@code m} that admits a packet from {@code addr:port} (port -1: unknown), or null. */
    private Flow admittingFlow(Mapping m, int addr, int port, long now) {
        if (filtering == Filtering.ADDRESS_AND_PORT_DEPENDENT) {
            if (port < 0) {
                return null;
            }
            Flow f = m.flows.get(Ip4.endpoint(addr, port));
            return f != null && !expired(f, now) ? f : null;
        }
        Flow found = null;
        for (Object o : m.flows.valuesSnapshot()) {
            Flow f = (Flow) o;
            if (!expired(f, now) && (filtering == Filtering.ENDPOINT_INDEPENDENT || Ip4.address(f.remote) == addr)) {
                if (port >= 0 && f.remote == Ip4.endpoint(addr, port)) {
                    return f;
                }
                found = found == null ? f : found;
            }
        }
        return found;
    }

    private Mapping outboundMapping(long insideEp, long remote, long now) {
        if (type == NatType.CONE) {
            Mapping m = byInside.get(insideEp);
            if (m != null && expired(m, now)) {
                forget(m);
                m = null;
            }
            if (m == null) {
                int port = allocatePort(Ip4.port(insideEp), now);
                if (port < 0) {
                    return null;
                }
                m = new Mapping(insideEp, port);
                byInside.put(insideEp, m);
                byExternalPort.put(port, m);
                created();
            }
            return m;
        }
        LongMap<Mapping> perRemote = byInsideAndRemote.get(insideEp);
        Mapping m = perRemote == null ? null : perRemote.get(remote);
        if (m != null && expired(m, now)) {
            forget(m);
            m = null;
            perRemote = byInsideAndRemote.get(insideEp);
        }
        if (m == null) {
            int port = allocatePort(-1, now);
            if (port < 0) {
                return null;
            }
            m = new Mapping(insideEp, port);
            if (perRemote == null) {
                perRemote = new LongMap<>(4);
                byInsideAndRemote.put(insideEp, perRemote);
            }
            perRemote.put(remote, m);
            byExternalPort.put(port, m);
            created();
        }
        return m;
    }

    private void created() {
        if (++created % 256 == 0) {
            long now = world.nanos();
            for (Object o : byExternalPort.valuesSnapshot()) {
                Mapping m = (Mapping) o;
                if (expired(m, now)) {
                    forget(m);
                }
            }
        }
    }

    private void forget(Mapping m) {
        if (byExternalPort.get(m.externalPort) == m) {
            byExternalPort.remove(m.externalPort);
        }
        if (type == NatType.CONE) {
            if (byInside.get(m.inside) == m) {
                byInside.remove(m.inside);
            }
            return;
        }
        LongMap<Mapping> perRemote = byInsideAndRemote.get(m.inside);
        if (perRemote != null) {
            // a symmetric mapping has exactly one flow: the remote it was made for
            m.flows.forEachValue(f -> {
                if (perRemote.get(f.remote) == m) {
                    perRemote.remove(f.remote);
                }
            });
            if (perRemote.size() == 0) {
                byInsideAndRemote.remove(m.inside);
            }
        }
    }

    /** A free external port: {@code preferred} if free (port preservation), else a random one; -1 when none. */
    private int allocatePort(int preferred, long now) {
        if (preferred > 0 && portFree(preferred, now)) {
            return preferred;
        }
        for (int i = 0; i < 32; i++) {
            int port = FIRST_PORT + random.nextInt(PORTS);
            if (portFree(port, now)) {
                return port;
            }
        }
        int start = random.nextInt(PORTS);
        for (int i = 0; i < PORTS; i++) {
            int port = FIRST_PORT + (start + i) % PORTS;
            if (portFree(port, now)) {
                return port;
            }
        }
        return -1;
    }

    private boolean portFree(int port, long now) {
        Mapping m = byExternalPort.get(port);
        if (m == null) {
            return true;
        }
        if (expired(m, now)) {
            forget(m);
            return true;
        }
        return false;
    }

    /**
     * For {@link World#pathOf}: the external port a packet from {@code insideEp} to {@code remote} would leave with,
     * without changing anything; -1 when the NAT would have to make a new mapping (whose port nobody can know yet).
     */
    int peekOutbound(long insideEp, long remote) {
        long now = world.nanos();
        Mapping m;
        if (type == NatType.CONE) {
            m = byInside.get(insideEp);
        } else {
            LongMap<Mapping> perRemote = byInsideAndRemote.get(insideEp);
            m = perRemote == null ? null : perRemote.get(remote);
        }
        return m == null || expired(m, now) ? -1 : m.externalPort;
    }

    /** For {@link World#pathOf}: the inside endpoint a packet from {@code addr:port} (port -1: unknown) to external
     * port {@code externalPort} would reach now, or -1 when it would be dropped. */
    long peekInbound(int externalPort, int addr, int port) {
        long now = world.nanos();
        Mapping m = byExternalPort.get(externalPort);
        if (m == null || expired(m, now)) {
            return -1;
        }
        if (filtering != Filtering.ENDPOINT_INDEPENDENT && admittingFlow(m, addr, port, now) == null) {
            return -1;
        }
        return m.inside;
    }
}
