package io.wirelink.sim;

import io.wirelink.apply.DatagramPort;
import io.wirelink.apply.HostNetwork;
import io.wirelink.apply.Scheduler;
import io.wirelink.facts.PrivateKey;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A simulated machine: one underlay interface ({@code eth0}, IPv4) on a {@link Network}, loopback, any number of
 * WireGuard interfaces, and UDP sockets. An agent running on the host gets everything it may touch from here:
 * {@link #scheduler()}, {@link #hostNetwork()}, {@link #wireGuard(String)} and {@link #openDatagramPort(int)}.
 *
 * <p>Routing is modelled as wg-quick leaves it: a datagram whose destination lies in a WireGuard device's allowed IPs
 * goes into that device; one to a local address stays on the host; anything else leaves through {@code eth0}
 * (directly on its subnet, else through the network's gateway). Hosts do not forward.
 */
public final class Host extends Node {
    static final int LO_INDEX = 1;
    static final int ETH_INDEX = 2;

    final Iface eth0;
    private final Nat nat;
    private final LongMap<Socket> sockets = new LongMap<>();
    final List<SimWireGuard> wireGuards = new ArrayList<>();
    private final SimHostNetwork hostNetwork;
    private boolean online = true;
    private int nextIfindex = 3;

    long underlayTxBytes;
    long underlayRxBytes;
    long underlayTxPackets;
    long underlayRxPackets;
    long tunnelTxBytes;
    long tunnelRxBytes;
    long tunnelTxPackets;
    long tunnelRxPackets;

    Host(World world, String name, Network network, Nat nat) {
        super(world, name);
        this.nat = nat;
        this.eth0 = network.attach(this);
        this.hostNetwork = new SimHostNetwork(this);
    }

    /** The address of {@code eth0}. */
    public InetAddress address() {
        return Ip4.toAddress(eth0.address);
    }

    /** The network {@code eth0} is on. */
    public Network network() {
        return eth0.network;
    }

    /** The NAT this host sits behind, or null for a host on a network without one. */
    public Nat nat() {
        return nat;
    }

    /** The world's scheduler: the agent's only source of time and timers. */
    public Scheduler scheduler() {
        return world;
    }

    /** Links and addresses, as rtnetlink would report them on this host. */
    public HostNetwork hostNetwork() {
        return hostNetwork;
    }

    /** Adds a WireGuard interface with a fresh key from the world's seeded generator. */
    public SimWireGuard addWireGuard(String ifname, int listenPort) {
        return addWireGuard(ifname, world.newPrivateKey(), listenPort);
    }

    /**
     * Adds a WireGuard interface, up, with {@code key} (null: none yet) listening on {@code listenPort} (0: a random
     * free port), as {@code ip link add wg0 type wireguard} plus {@code wg set} would.
     */
    public SimWireGuard addWireGuard(String ifname, PrivateKey key, int listenPort) {
        if (ifname == null || ifname.isEmpty() || hostNetwork.hasLink(ifname)) {
            throw new IllegalArgumentException("bad or duplicate interface name on " + name + ": " + ifname);
        }
        SimWireGuard wg = new SimWireGuard(this, ifname, nextIfindex++, key, listenPort);
        wireGuards.add(wg);
        return wg;
    }

    /** The WireGuard interface named {@code ifname}, or null. */
    public SimWireGuard wireGuard(String ifname) {
        for (SimWireGuard wg : wireGuards) {
            if (wg.name().equals(ifname)) {
                return wg;
            }
        }
        return null;
    }

    /** The first WireGuard interface added, or null. */
    public SimWireGuard wireGuard() {
        return wireGuards.isEmpty() ? null : wireGuards.get(0);
    }

    List<SimWireGuard> wireGuards() {
        return Collections.unmodifiableList(wireGuards);
    }

    /**
     * Binds a UDP socket on every address of this host.
     *
     * @throws IllegalStateException when the port is taken (by another socket or a WireGuard listen port)
     */
    public DatagramPort openDatagramPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        SimDatagramPort p = new SimDatagramPort(this, port);
        if (!bind(p)) {
            throw new IllegalStateException("UDP port " + port + " is in use on " + name);
        }
        return p;
    }

    public boolean online() {
        return online;
    }

    /** Takes the host off the network (every packet to or from it is dropped) or puts it back. Timers still run. */
    public Host online(boolean online) {
        this.online = online;
        return this;
    }

    /** Extra one-way latency on this host's access link. */
    public Host linkLatency(Duration latency) {
        eth0.latencyNanos = Network.nonNegative(latency, "latency");
        return this;
    }

    /** Loss probability on this host's access link, each way. */
    public Host linkLoss(double probability) {
        eth0.loss = Network.probability(probability);
        return this;
    }

    public TrafficStats stats() {
        return new TrafficStats(underlayTxBytes, underlayRxBytes, underlayTxPackets, underlayRxPackets, tunnelTxBytes,
                tunnelRxBytes, tunnelTxPackets, tunnelRxPackets);
    }

    // ---- sockets

    boolean bind(Socket s) {
        if (sockets.get(s.port) != null) {
            return false;
        }
        sockets.put(s.port, s);
        return true;
    }

    void unbind(Socket s) {
        if (sockets.get(s.port) == s) {
            sockets.remove(s.port);
        }
    }

    boolean portInUse(int port) {
        return sockets.get(port) != null;
    }

    Socket socketAt(int port) {
        return sockets.get(port);
    }

    // ---- sending

    /** A datagram from a local socket: into a tunnel, to this host, or onto the underlay. */
    void sendDatagram(int srcPort, io.wirelink.facts.IpEndpoint dst, byte[] payload) {
        byte[] d = dst.address().getAddress();
        if (isLocal(d)) {
            Packet p = new Packet(Packet.LOCAL);
            p.localTarget = this;
            p.innerSrc = d;
            p.innerSrcPort = srcPort;
            p.innerDst = d;
            p.innerDstPort = dst.port();
            p.payload = payload;
            world.queue.schedule(p, world.nanos());
            return;
        }
        for (SimWireGuard wg : wireGuards) {
            if (wg.sendInner(srcPort, d, dst.port(), payload)) {
                return;
            }
        }
        if (d.length != 4) {
            world.drop(DropReason.IPV6_UNDERLAY, null, this);
            return;
        }
        Packet p = new Packet(Packet.UDP);
        p.srcPort = srcPort;
        p.dstAddr = Ip4.toInt(d);
        p.dstPort = dst.port();
        p.payload = payload;
        p.size = payload.length;
        sendUnderlay(p);
    }

    /** Sends {@code p} (destination, source port and size set) out of {@code eth0}. */
    void sendUnderlay(Packet p) {
        if (!online) {
            world.drop(DropReason.HOST_OFFLINE, p, this);
            return;
        }
        p.srcAddr = eth0.address;
        if (p.dstAddr == eth0.address || (p.dstAddr >>> 24) == 127) {
            p.target = eth0;
            world.queue.schedule(p, world.nanos());
            return;
        }
        underlayTxBytes += p.size;
        underlayTxPackets++;
        int next = eth0.nextHop(p.dstAddr);
        if (next == 0) {
            world.drop(DropReason.NO_ROUTE, p, this);
            return;
        }
        eth0.network.transmit(p, eth0, next);
    }

    // ---- receiving

    @Override
    void arrive(Packet p, Iface in) {
        if (!online) {
            world.drop(DropReason.HOST_OFFLINE, p, this);
            return;
        }
        boolean loopback = p.srcAddr == eth0.address;
        if (p.dstAddr != eth0.address && !(loopback && (p.dstAddr >>> 24) == 127)) {
            world.drop(DropReason.NOT_LOCAL, p, this);
            return;
        }
        if (!loopback) {
            underlayRxBytes += p.size;
            underlayRxPackets++;
        }
        Socket s = sockets.get(p.dstPort);
        if (s == null) {
            world.drop(DropReason.NO_SOCKET, p, this);
            return;
        }
        s.deliver(p, false);
    }

    /** A datagram this host sent to one of its own addresses. */
    void arriveLocal(Packet p) {
        Socket s = sockets.get(p.innerDstPort);
        if (s == null) {
            world.drop(DropReason.NO_SOCKET, p, this);
            return;
        }
        s.deliver(p, true);
    }

    /** A datagram a WireGuard device decrypted and accepted. */
    void deliverFromTunnel(Packet p) {
        if (!isLocal(p.innerDst)) {
            world.drop(DropReason.NOT_LOCAL, p, this);
            return;
        }
        tunnelRxBytes += p.payload.length;
        tunnelRxPackets++;
        Socket s = sockets.get(p.innerDstPort);
        if (s == null) {
            world.drop(DropReason.NO_SOCKET, p, this);
            return;
        }
        s.deliver(p, true);
    }

    /** Whether {@code a} (4 or 16 bytes) is an address of this host: eth0, loopback, or on a WireGuard interface. */
    boolean isLocal(byte[] a) {
        if (a.length == 4) {
            int v = Ip4.toInt(a);
            if (v == eth0.address || (v >>> 24) == 127) {
                return true;
            }
        } else if (isIpv6Loopback(a)) {
            return true;
        }
        for (SimWireGuard wg : wireGuards) {
            if (wg.hasAddress(a)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isIpv6Loopback(byte[] a) {
        for (int i = 0; i < 15; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[15] == 1;
    }
}
