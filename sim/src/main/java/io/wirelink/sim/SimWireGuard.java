package io.wirelink.sim;

import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerChange;
import io.wirelink.apply.PeerState;
import io.wirelink.apply.WireGuardDevice;
import io.wirelink.apply.WireGuardException;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.net.Inet4Address;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A WireGuard interface on a simulated {@link Host} (backend "sim"). It follows the Linux implementation's state
 * machine (drivers/net/wireguard: noise.c key rotation, timers.c, send.c, receive.c), without the cryptography:
 *
 * <ul>
 *   <li>Sending to a peer without a live session stages the packet (at most 128; the oldest goes) and sends a
 *       handshake initiation (148 bytes) to the peer's endpoint, at most once per Rekey-Timeout (5 s). An unanswered
 *       initiation is retried every 5 s plus up to 1/3 s of jitter; after 20 attempts (about 90 s) the staged packets
 *       are dropped. New traffic starts a new round.
 *   <li>The responder accepts an initiation only if it is addressed to its key, comes from a configured peer and is
 *       newer than the last one from that peer; it answers (92 bytes) to the initiation's outer source. The
 *       responder's session becomes usable when the first data packet arrives on it, which the initiator sends at
 *       once (a 32-byte keepalive if nothing is staged). Both sides set the last handshake then. Crossing
 *       initiations supersede each other, as in the kernel, and the next retry completes.
 *   <li>Sessions are rejected after 180 s; the initiator re-keys after 120 s when sending, or 165 s when receiving.
 *       A keepalive goes 10 s after received data if nothing was sent; a new handshake starts 15 s after sent data
 *       if nothing came back; persistent keepalive sends one after the interval without authenticated traffic.
 *   <li>Every authenticated packet (handshake or data) sets the peer's endpoint to its outer source address as seen
 *       (roaming), so behind a NAT the other side learns the mapped endpoint.
 *   <li>Outbound packets go to the peer whose allowed IPs hold the longest prefix containing the destination;
 *       inbound ones are dropped unless their inner source lies in the sending peer's allowed IPs.
 *   <li>Sizes: data messages are 32 bytes plus the inner IP packet (IP and UDP headers and payload) padded to 16.
 *       rx and tx bytes count every message, as the kernel does.
 * </ul>
 *
 * <p>{@link #apply} has the kernel's semantics, including the harsh one for {@code replacePeers}: every peer is
 * removed first and the listed ones created afresh, losing their sessions, counters and last handshake. Changing
 * the private key invalidates every session. Allowed IPs are stored and reported masked. No preshared keys, cookies,
 * fwmark routing or MTU.
 */
public final class SimWireGuard implements WireGuardDevice {
    static final long SECOND = 1_000_000_000L;
    static final long REKEY_AFTER_TIME = 120 * SECOND;
    static final long REJECT_AFTER_TIME = 180 * SECOND;
    static final long REKEY_TIMEOUT = 5 * SECOND;
    static final long KEEPALIVE_TIMEOUT = 10 * SECOND;
    static final long REKEY_TIMEOUT_JITTER_MAX = SECOND / 3;
    /** Rekey-Attempt-Time (90 s) / Rekey-Timeout (5 s). */
    static final int MAX_TIMER_HANDSHAKES = 18;
    static final int MAX_STAGED_PACKETS = 128;
    static final int INITIATION_SIZE = 148;
    static final int RESPONSE_SIZE = 92;
    static final int KEEPALIVE_SIZE = 32;

    private static final long NEVER = Long.MAX_VALUE;
    private static final long LONG_AGO = Long.MIN_VALUE / 4;
    /** An endpoint was configured but the underlay cannot reach it (IPv6). */
    private static final long UNREACHABLE = -2;
    private static final int EADDRINUSE = 98;

    private final Host host;
    private final World world;
    private final String name;
    private final int ifindex;
    private final SplittableRandom random;
    private final Map<PublicKey, Peer> peers = new LinkedHashMap<>();
    private final AllowedIps<Peer> allowedIps = new AllowedIps<>();
    private final LongMap<Session> sessions = new LongMap<>();
    private final LongMap<Peer> pendingHandshakes = new LongMap<>();
    private final List<IpPrefix> addresses = new ArrayList<>();
    private final List<byte[]> addressBytes = new ArrayList<>();
    private PrivateKey privateKey;
    private PublicKey publicKey;
    private int fwmark;
    private ListenSocket socket;

    SimWireGuard(Host host, String name, int ifindex, PrivateKey key, int listenPort) {
        this.host = host;
        this.world = host.world;
        this.name = name;
        this.ifindex = ifindex;
        this.random = world.split();
        if (listenPort < 0 || listenPort > 65535) {
            throw new IllegalArgumentException("listen port out of range: " + listenPort);
        }
        int port = listenPort == 0 ? randomFreePort() : listenPort;
        if (host.portInUse(port)) {
            throw new IllegalArgumentException("UDP port " + port + " is in use on " + host.name());
        }
        socket = new ListenSocket(port);
        host.bind(socket);
        if (key != null) {
            setKey(key);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String backend() {
        return "sim";
    }

    public Host host() {
        return host;
    }

    /** The public key, or null while the device has no private key. */
    public PublicKey publicKey() {
        return publicKey;
    }

    public int listenPort() {
        return socket.port;
    }

    int ifindex() {
        return ifindex;
    }

    /** Whether there is a session with {@code peer} this device can send on now. */
    public boolean hasSession(PublicKey peer) {
        Peer p = peers.get(peer);
        return p != null && live(p.current);
    }

    /** How many peers the device holds (cheaper than {@link #read()} for measurements). */
    public int peerCount() {
        return peers.size();
    }

    /** Whether the device holds {@code peer}. */
    public boolean hasPeer(PublicKey peer) {
        return peers.containsKey(peer);
    }

    /**
     * The peer whose allowed IPs hold the longest prefix containing {@code dst}: where the device would send a
     * datagram to {@code dst}; null when no peer's allowed IPs contain it.
     */
    public PublicKey routeFor(java.net.InetAddress dst) {
        Peer p = allowedIps.lookup(dst.getAddress());
        return p == null ? null : p.key;
    }

    @Override
    public PrivateKey privateKey() {
        return privateKey;
    }

    @Override
    public DeviceState read() {
        List<PeerState> out = new ArrayList<>(peers.size());
        for (Peer p : peers.values()) {
            Instant hs = p.lastHandshake < 0 ? Instant.EPOCH : world.instantAt(p.lastHandshake);
            out.add(new PeerState(p.key, false, p.endpointView(), p.allowed, hs, p.rxBytes, p.txBytes,
                    p.keepaliveSeconds));
        }
        return new DeviceState(name, publicKey, socket.port, fwmark, out);
    }

    @Override
    public void apply(DeviceChange change) throws WireGuardException {
        if (change.listenPort() != null && change.listenPort() != socket.port) {
            int port = change.listenPort() == 0 ? randomFreePort() : change.listenPort();
            if (host.portInUse(port)) {
                throw new WireGuardException("apply", name, EADDRINUSE, "UDP port " + port + " is in use");
            }
            host.unbind(socket);
            socket = new ListenSocket(port);
            host.bind(socket);
        }
        if (change.privateKey() != null && !change.privateKey().equals(privateKey)) {
            setKey(change.privateKey());
        }
        if (change.fwmark() != null) {
            fwmark = change.fwmark();
        }
        if (change.replacePeers()) {
            for (Peer p : new ArrayList<>(peers.values())) {
                removePeer(p);
            }
        }
        for (PeerChange pc : change.peers()) {
            applyPeer(pc);
        }
    }

    private void applyPeer(PeerChange pc) {
        Peer peer = peers.get(pc.publicKey());
        if (pc.remove()) {
            if (peer != null) {
                removePeer(peer);
            }
            return;
        }
        if (peer == null) {
            if (pc.updateOnly() || pc.publicKey().equals(publicKey)) {
                return; // the kernel silently ignores a peer with the device's own key
            }
            peer = new Peer(pc.publicKey());
            peers.put(peer.key, peer);
        }
        if (pc.endpoint() != null) {
            peer.configureEndpoint(pc.endpoint());
        }
        if (pc.replaceAllowedIps()) {
            for (IpPrefix old : peer.allowed) {
                allowedIps.remove(old.address().getAddress(), old.prefixLength(), peer);
            }
            peer.allowed.clear();
        }
        for (IpPrefix p : pc.allowedIps()) {
            IpPrefix m = p.masked();
            Peer previous = allowedIps.put(m.address().getAddress(), m.prefixLength(), peer);
            if (previous != peer) {
                if (previous != null) {
                    previous.allowed.remove(m);
                }
                peer.allowed.add(m);
            }
        }
        if (pc.persistentKeepaliveSeconds() != null) {
            boolean kick = peer.keepaliveSeconds == 0 && pc.persistentKeepaliveSeconds() > 0;
            peer.keepaliveSeconds = pc.persistentKeepaliveSeconds();
            if (kick) {
                peer.sendKeepalive();
            }
        }
        peer.sendStaged();
    }

    private void setKey(PrivateKey key) {
        privateKey = key;
        publicKey = key.publicKey();
        for (Peer p : peers.values()) {
            p.clearSessions();
        }
        Peer self = peers.get(publicKey);
        if (self != null) {
            removePeer(self);
        }
    }

    private void removePeer(Peer p) {
        p.removed = true;
        p.clearSessions();
        for (IpPrefix a : p.allowed) {
            allowedIps.remove(a.address().getAddress(), a.prefixLength(), p);
        }
        p.staged.clear();
        world.queue.remove(p.timer);
        peers.remove(p.key);
    }

    private int randomFreePort() {
        while (true) {
            int port = 32768 + random.nextInt(28232);
            if (!host.portInUse(port)) {
                return port;
            }
        }
    }

    // ---- interface addresses (managed through HostNetwork)

    List<IpPrefix> addresses() {
        return List.copyOf(addresses);
    }

    boolean addAddress(IpPrefix p) {
        if (addresses.contains(p)) {
            return false;
        }
        addresses.add(p);
        addressBytes.add(p.address().getAddress());
        return true;
    }

    boolean removeAddress(IpPrefix p) {
        int i = addresses.indexOf(p);
        if (i < 0) {
            return false;
        }
        addresses.remove(i);
        addressBytes.remove(i);
        return true;
    }

    boolean hasAddress(byte[] a) {
        for (byte[] b : addressBytes) {
            if (Arrays.equals(a, b)) {
                return true;
            }
        }
        return false;
    }

    /** The interface address to send to {@code dst} from: same family, link-local for link-local; null if none. */
    byte[] sourceAddressFor(byte[] dst) {
        boolean wantLinkLocal = isLinkLocal(dst);
        byte[] fallback = null;
        for (byte[] b : addressBytes) {
            if (b.length == dst.length) {
                if (b.length == 4 || isLinkLocal(b) == wantLinkLocal) {
                    return b;
                }
                if (fallback == null) {
                    fallback = b;
                }
            }
        }
        return fallback;
    }

    private static boolean isLinkLocal(byte[] a) {
        return a.length == 16 && (a[0] & 0xff) == 0xfe && (a[1] & 0xc0) == 0x80;
    }

    // ---- the data path

    /**
     * Routes a datagram from the host's stack into the tunnel, if a peer's allowed IPs contain {@code dst} (the host
     * then routes it here); false when none does.
     */
    boolean sendInner(int srcPort, byte[] dst, int dstPort, byte[] payload) {
        Peer peer = allowedIps.lookup(dst);
        if (peer == null) {
            return false;
        }
        byte[] src = sourceAddressFor(dst);
        if (src == null) {
            world.drop(DropReason.NO_SOURCE_ADDRESS, null, host);
            return true;
        }
        if (peer.endpoint == Ip4.NONE) {
            world.drop(DropReason.WG_NO_ENDPOINT, null, host);
            return true;
        }
        Packet p = new Packet(Packet.WG_DATA);
        p.innerSrc = src;
        p.innerSrcPort = srcPort;
        p.innerDst = dst;
        p.innerDstPort = dstPort;
        p.payload = payload;
        peer.stage(p);
        peer.sendStaged();
        return true;
    }

    private void receive(Packet p) {
        switch (p.kind) {
            case Packet.WG_INIT:
                receiveInitiation(p);
                break;
            case Packet.WG_RESP:
                receiveResponse(p);
                break;
            case Packet.WG_DATA:
                receiveData(p);
                break;
            default:
                world.drop(DropReason.WG_NOT_WIREGUARD, p, host);
        }
    }

    private void receiveInitiation(Packet p) {
        if (privateKey == null) {
            world.drop(DropReason.WG_NO_KEY, p, host);
            return;
        }
        if (!p.responder.equals(publicKey)) {
            world.drop(DropReason.WG_WRONG_KEY, p, host);
            return;
        }
        Peer peer = peers.get(p.initiator);
        if (peer == null) {
            world.drop(DropReason.WG_UNKNOWN_PEER, p, host);
            return;
        }
        if (p.timestamp <= peer.lastTimestamp) {
            world.drop(DropReason.WG_REPLAY, p, host);
            return;
        }
        peer.lastTimestamp = p.timestamp;
        peer.clearPendingHandshake(); // one handshake state per peer: this initiation supersedes ours
        peer.roam(p);
        peer.sendResponse(p);
        peer.rxBytes += INITIATION_SIZE;
        peer.anyAuthenticatedPacketReceived();
        peer.anyAuthenticatedPacketTraversal();
        peer.rearm();
    }

    private void receiveResponse(Packet p) {
        Peer peer = pendingHandshakes.get(p.receiverIndex & 0xffffffffL);
        if (peer == null || !peer.pending || peer.pendingIndex != p.receiverIndex) {
            world.drop(DropReason.WG_STALE_RESPONSE, p, host);
            return;
        }
        pendingHandshakes.remove(p.receiverIndex & 0xffffffffL);
        peer.pending = false;
        peer.roam(p);
        Session s = new Session(peer, p.receiverIndex, p.senderIndex, world.nanos(), true, p.handshakeId);
        sessions.put(s.localIndex & 0xffffffffL, s);
        peer.addInitiatorSession(s);
        peer.handshakeComplete();
        peer.sendKeepalive();
        peer.rxBytes += RESPONSE_SIZE;
        peer.anyAuthenticatedPacketReceived();
        peer.anyAuthenticatedPacketTraversal();
        peer.rearm();
    }

    private void receiveData(Packet p) {
        Session s = sessions.get(p.receiverIndex & 0xffffffffL);
        if (s == null) {
            world.drop(DropReason.WG_NO_SESSION, p, host);
            return;
        }
        if (world.nanos() - s.created >= REJECT_AFTER_TIME) {
            world.drop(DropReason.WG_SESSION_EXPIRED, p, host);
            return;
        }
        Peer peer = s.peer;
        peer.roam(p);
        if (s == peer.next) {
            peer.confirmNext();
            peer.handshakeComplete();
            peer.sendStaged();
        }
        peer.keepKeyFreshOnReceive();
        peer.anyAuthenticatedPacketReceived();
        peer.anyAuthenticatedPacketTraversal();
        if (p.payload == null) {
            peer.rxBytes += p.size;
            peer.rearm();
            return;
        }
        peer.dataReceived();
        peer.rearm();
        if (allowedIps.lookup(p.innerSrc) != peer) {
            world.drop(DropReason.WG_ALLOWED_IPS, p, host);
            return;
        }
        peer.rxBytes += p.size;
        host.deliverFromTunnel(p);
    }

    private int newIndex() {
        while (true) {
            int i = random.nextInt();
            long k = i & 0xffffffffL;
            if (i != 0 && sessions.get(k) == null && pendingHandshakes.get(k) == null) {
                return i;
            }
        }
    }

    private boolean live(Session s) {
        return s != null && world.nanos() - s.created < REJECT_AFTER_TIME;
    }

    private void forget(Session s) {
        if (s != null && sessions.get(s.localIndex & 0xffffffffL) == s) {
            sessions.remove(s.localIndex & 0xffffffffL);
        }
    }

    // ---- for World.pathOf

    /** The handshake id of the live current session with {@code key}, or -1. */
    long currentSessionId(PublicKey key) {
        Peer p = peers.get(key);
        return p != null && live(p.current) ? p.current.handshakeId : -1;
    }

    /** The handshake id of the live, not yet confirmed (responder) session with {@code key}, or -1. */
    long nextSessionId(PublicKey key) {
        Peer p = peers.get(key);
        return p != null && live(p.next) ? p.next.handshakeId : -1;
    }

    /** The endpoint of {@code key} packed, or a negative number when it has none the underlay can reach. */
    long endpointOf(PublicKey key) {
        Peer p = peers.get(key);
        return p == null ? Ip4.NONE : p.endpoint;
    }

    Socket socket() {
        return socket;
    }

    @Override
    public String toString() {
        return host.name() + "/" + name;
    }

    private final class ListenSocket extends Socket {
        ListenSocket(int port) {
            super(port);
        }

        @Override
        void deliver(Packet p, boolean inner) {
            if (inner) {
                world.drop(DropReason.WG_NOT_WIREGUARD, p, host);
            } else {
                receive(p);
            }
        }
    }

    private static final class Session {
        final Peer peer;
        final int localIndex;
        final int remoteIndex;
        final long created;
        final boolean initiator;
        final long handshakeId;

        Session(Peer peer, int localIndex, int remoteIndex, long created, boolean initiator, long handshakeId) {
            this.peer = peer;
            this.localIndex = localIndex;
            this.remoteIndex = remoteIndex;
            this.created = created;
            this.initiator = initiator;
            this.handshakeId = handshakeId;
        }
    }

    private static final class PeerTimer extends Event {
        final Peer peer;

        PeerTimer(Peer peer) {
            this.peer = peer;
        }

        @Override
        void fire() {
            peer.onTimer();
        }

        @Override
        long traceCode() {
            return peer.key.hashCode();
        }
    }

    /** One peer: configuration, the keypair slots (previous, current, next), the handshake and the timers. */
    private final class Peer {
        final PublicKey key;
        final List<IpPrefix> allowed = new ArrayList<>();
        final ArrayDeque<Packet> staged = new ArrayDeque<>();
        final PeerTimer timer = new PeerTimer(this);
        long endpoint = Ip4.NONE;
        IpEndpoint endpointView;
        int keepaliveSeconds;
        long rxBytes;
        long txBytes;
        long lastHandshake = -1;
        Session previous;
        Session current;
        Session next;
        boolean pending;
        int pendingIndex;
        long lastInitiationSent = LONG_AGO;
        long lastTimestamp = Long.MIN_VALUE;
        int attempts;
        boolean sentLastMinuteHandshake;
        boolean needAnotherKeepalive;
        boolean removed;
        long retransmitAt = NEVER;
        long sendKeepaliveAt = NEVER;
        long newHandshakeAt = NEVER;
        long persistentKeepaliveAt = NEVER;

        Peer(PublicKey key) {
            this.key = key;
        }

        IpEndpoint endpointView() {
            if (endpointView == null && endpoint >= 0) {
                endpointView = Ip4.toEndpoint(endpoint);
            }
            return endpointView;
        }

        void configureEndpoint(IpEndpoint e) {
            endpointView = e;
            endpoint = e.address() instanceof Inet4Address ? Ip4.endpoint(Ip4.toInt(e.address()), e.port())
                    : UNREACHABLE;
        }

        /** Authenticated packets move the endpoint to wherever they came from. */
        void roam(Packet p) {
            long seen = Ip4.endpoint(p.srcAddr, p.srcPort);
            if (seen != endpoint) {
                endpoint = seen;
                endpointView = null;
            }
        }

        // -- keypairs (noise.c add_new_keypair, wg_noise_received_with_keypair)

        void addInitiatorSession(Session s) {
            if (next != null) {
                forget(current);
                forget(previous);
                previous = next;
                next = null;
            } else {
                forget(previous);
                previous = current;
            }
            current = s;
        }

        void addResponderSession(Session s) {
            forget(next);
            forget(previous);
            previous = null;
            next = s;
        }

        void confirmNext() {
            forget(previous);
            previous = current;
            current = next;
            next = null;
        }

        void clearSessions() {
            forget(previous);
            forget(current);
            forget(next);
            previous = current = next = null;
            clearPendingHandshake();
        }

        void clearPendingHandshake() {
            if (pending) {
                pendingHandshakes.remove(pendingIndex & 0xffffffffL);
                pending = false;
            }
        }

        // -- sending (send.c)

        void stage(Packet p) {
            staged.add(p);
            if (staged.size() > MAX_STAGED_PACKETS) {
                world.drop(DropReason.WG_QUEUE_FULL, staged.poll(), host);
            }
        }

        /** wg_packet_send_keepalive: an empty packet unless something is staged anyway. */
        void sendKeepalive() {
            if (staged.isEmpty()) {
                staged.add(new Packet(Packet.WG_DATA));
            }
            sendStaged();
        }

        void sendStaged() {
            if (staged.isEmpty() || removed) {
                return;
            }
            Session s = current;
            if (!live(s)) {
                sendQueuedInitiation(false);
                return;
            }
            Packet p;
            while ((p = staged.poll()) != null) {
                sendData(s, p);
            }
            if (s.initiator && world.nanos() - s.created >= REKEY_AFTER_TIME) {
                sendQueuedInitiation(false); // keep_key_fresh
            }
            rearm();
        }

        private void sendData(Session s, Packet p) {
            boolean keepalive = p.payload == null;
            p.receiverIndex = s.remoteIndex;
            p.size = keepalive ? KEEPALIVE_SIZE
                    : Packet.dataSize((p.innerDst.length == 4 ? 20 : 40) + 8 + p.payload.length);
            anyAuthenticatedPacketTraversal();
            anyAuthenticatedPacketSent();
            if (!keepalive) {
                dataSent();
                host.tunnelTxBytes += p.payload.length;
                host.tunnelTxPackets++;
            }
            transmit(p);
        }

        void sendQueuedInitiation(boolean retry) {
            if (!retry) {
                attempts = 0;
            }
            sendInitiation();
        }

        private void sendInitiation() {
            long now = world.nanos();
            if (now - lastInitiationSent < REKEY_TIMEOUT || removed) {
                return; // rate limited
            }
            lastInitiationSent = now;
            if (privateKey == null) {
                return;
            }
            clearPendingHandshake();
            pending = true;
            pendingIndex = newIndex();
            pendingHandshakes.put(pendingIndex & 0xffffffffL, this);
            anyAuthenticatedPacketTraversal();
            anyAuthenticatedPacketSent();
            Packet p = new Packet(Packet.WG_INIT);
            p.senderIndex = pendingIndex;
            p.initiator = publicKey;
            p.responder = key;
            p.timestamp = now;
            p.handshakeId = world.nextHandshakeId();
            p.size = INITIATION_SIZE;
            transmit(p);
            retransmitAt = now + REKEY_TIMEOUT + random.nextLong(REKEY_TIMEOUT_JITTER_MAX);
            rearm();
        }

        void sendResponse(Packet init) {
            anyAuthenticatedPacketTraversal();
            Session s = new Session(this, newIndex(), init.senderIndex, world.nanos(), false, init.handshakeId);
            sessions.put(s.localIndex & 0xffffffffL, s);
            addResponderSession(s);
            anyAuthenticatedPacketTraversal();
            anyAuthenticatedPacketSent();
            lastInitiationSent = world.nanos();
            Packet p = new Packet(Packet.WG_RESP);
            p.senderIndex = s.localIndex;
            p.receiverIndex = init.senderIndex;
            p.initiator = key;
            p.responder = publicKey;
            p.handshakeId = init.handshakeId;
            p.size = RESPONSE_SIZE;
            transmit(p);
        }

        private void transmit(Packet p) {
            if (endpoint == Ip4.NONE) {
                world.drop(DropReason.WG_NO_ENDPOINT, p, host);
                return;
            }
            if (endpoint == UNREACHABLE) {
                world.drop(DropReason.IPV6_UNDERLAY, p, host);
                return;
            }
            p.srcPort = socket.port;
            p.dstAddr = Ip4.address(endpoint);
            p.dstPort = Ip4.port(endpoint);
            txBytes += p.size;
            host.sendUnderlay(p);
        }

        void keepKeyFreshOnReceive() {
            Session s = current;
            if (s != null && s.initiator && !sentLastMinuteHandshake
                    && world.nanos() - s.created >= REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT) {
                sentLastMinuteHandshake = true;
                sendQueuedInitiation(false);
            }
        }

        // -- timers (timers.c)

        void dataSent() {
            if (newHandshakeAt == NEVER) {
                newHandshakeAt = world.nanos() + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT
                        + random.nextLong(REKEY_TIMEOUT_JITTER_MAX);
            }
        }

        void dataReceived() {
            if (sendKeepaliveAt == NEVER) {
                sendKeepaliveAt = world.nanos() + KEEPALIVE_TIMEOUT;
            } else {
                needAnotherKeepalive = true;
            }
        }

        void anyAuthenticatedPacketSent() {
            sendKeepaliveAt = NEVER;
        }

        void anyAuthenticatedPacketReceived() {
            newHandshakeAt = NEVER;
        }

        void anyAuthenticatedPacketTraversal() {
            if (keepaliveSeconds > 0) {
                persistentKeepaliveAt = world.nanos() + keepaliveSeconds * SECOND;
            }
        }

        void handshakeComplete() {
            retransmitAt = NEVER;
            attempts = 0;
            sentLastMinuteHandshake = false;
            lastHandshake = world.nanos();
        }

        void onTimer() {
            long now = world.nanos();
            if (retransmitAt <= now) {
                retransmitAt = NEVER;
                if (attempts > MAX_TIMER_HANDSHAKES) {
                    sendKeepaliveAt = NEVER;
                    Packet p;
                    while ((p = staged.poll()) != null) {
                        world.drop(DropReason.WG_HANDSHAKE_GAVE_UP, p, host);
                    }
                } else {
                    attempts++;
                    sendQueuedInitiation(true);
                }
            }
            if (sendKeepaliveAt <= now) {
                sendKeepaliveAt = NEVER;
                sendKeepalive();
                if (needAnotherKeepalive) {
                    needAnotherKeepalive = false;
                    sendKeepaliveAt = now + KEEPALIVE_TIMEOUT;
                }
            }
            if (newHandshakeAt <= now) {
                newHandshakeAt = NEVER;
                sendQueuedInitiation(false);
            }
            if (persistentKeepaliveAt <= now) {
                persistentKeepaliveAt = NEVER;
                if (keepaliveSeconds > 0) {
                    sendKeepalive();
                }
            }
            rearm();
        }

        /** Makes sure the timer event fires no later than the earliest deadline (it may fire early, harmlessly). */
        void rearm() {
            if (removed) {
                return;
            }
            long t = Math.min(Math.min(retransmitAt, sendKeepaliveAt), Math.min(newHandshakeAt, persistentKeepaliveAt));
            if (t != NEVER && (!timer.queued() || timer.time > t)) {
                world.queue.schedule(timer, t);
            }
        }
    }
}
