package io.wirelink.sim;

import io.wirelink.apply.DatagramPort;
import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.PeerChange;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import io.wirelink.linklocal.LinkLocal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Small helpers for wiring hosts the way the agent would. */
final class Fixtures {
    static final int WG_PORT = 51820;
    static final int GOSSIP_PORT = 51821;

    private Fixtures() {}

    /** A datagram as a port received it. */
    record Received(IpEndpoint from, String text, Instant at) {}

    /** wg0 on {@code h}, listening on 51820, with the key's link-local address as a /64. */
    static SimWireGuard wireGuard(Host h) throws Exception {
        SimWireGuard wg = h.addWireGuard("wg0", WG_PORT);
        h.hostNetwork().addAddress("wg0", new IpPrefix(LinkLocal.address(wg.publicKey()), 64));
        return wg;
    }

    static IpPrefix linkLocal128(SimWireGuard wg) {
        return new IpPrefix(LinkLocal.address(wg.publicKey()), 128);
    }

    /** Makes {@code b} a peer of {@code a}, reachable at its link-local /128 (and {@code more}). */
    static void peer(SimWireGuard a, SimWireGuard b, IpEndpoint endpoint, Integer keepalive, IpPrefix... more)
            throws Exception {
        List<IpPrefix> allowed = new ArrayList<>();
        allowed.add(linkLocal128(b));
        allowed.addAll(List.of(more));
        a.apply(DeviceChange.peers(List.of(new PeerChange(b.publicKey(), false, false, endpoint, keepalive, false,
                allowed))));
    }

    /** Sets only the endpoint and keepalive of an existing peer. */
    static void endpoint(SimWireGuard a, PublicKey peer, IpEndpoint endpoint, Integer keepalive) throws Exception {
        a.apply(DeviceChange.peers(List.of(new PeerChange(peer, false, true, endpoint, keepalive, false, List.of()))));
    }

    /** A public host's WireGuard endpoint. */
    static IpEndpoint wgEndpoint(Host h) {
        return new IpEndpoint(h.address(), WG_PORT);
    }

    /** Where {@code wg}'s agent listens for gossip: its link-local address, port 51821. */
    static IpEndpoint gossip(SimWireGuard wg) {
        return new IpEndpoint(LinkLocal.address(wg.publicKey()), GOSSIP_PORT);
    }

    static PeerState peerState(SimWireGuard on, SimWireGuard peer) {
        return on.read().peer(peer.publicKey());
    }

    static boolean handshaken(SimWireGuard on, SimWireGuard peer) {
        PeerState p = peerState(on, peer);
        return p != null && !p.lastHandshake().equals(Instant.EPOCH);
    }

    /** Opens the gossip port on {@code h} and records what arrives. */
    static List<Received> listen(Host h, DatagramPort[] portOut) {
        List<Received> got = new ArrayList<>();
        DatagramPort port = h.openDatagramPort(GOSSIP_PORT);
        port.onReceive((from, payload) -> got.add(new Received(from, new String(payload,
                java.nio.charset.StandardCharsets.UTF_8), h.scheduler().now())));
        if (portOut != null) {
            portOut[0] = port;
        }
        return got;
    }

    static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
