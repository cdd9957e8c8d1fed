package io.wirelink.sim;

import static io.wirelink.sim.Fixtures.GOSSIP_PORT;
import static io.wirelink.sim.Fixtures.WG_PORT;
import static io.wirelink.sim.Fixtures.gossip;
import static io.wirelink.sim.Fixtures.linkLocal128;

import io.wirelink.apply.DatagramPort;
import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.PeerChange;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.linklocal.LinkLocal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Hubs on the public network and leaves (by index: 3 in 10 public, 5 cone, 2 symmetric), each leaf peered with every
 * hub (endpoint known, persistent keepalive 25 s) and each hub with every leaf (endpoint learned by roaming). Leaves
 * come up at seeded random moments within {@code startSpread}. Optionally every leaf sends a gossip datagram to each
 * hub, in the tunnel, every {@code gossipEvery}.
 */
final class Mesh {
    final World world;
    final List<Host> hubs = new ArrayList<>();
    final List<Host> leaves = new ArrayList<>();
    long gossipReceived;

    Mesh(long seed, int hubCount, int leafCount, Duration startSpread, Duration gossipEvery, int gossipBytes)
            throws Exception {
        world = World.create(seed);
        SplittableRandom r = new SplittableRandom(seed ^ 0x5eed);
        for (int i = 0; i < hubCount; i++) {
            Host h = world.addPublicHost("hub" + i);
            Fixtures.wireGuard(h);
            hubs.add(h);
        }
        for (int i = 0; i < leafCount; i++) {
            int kind = i % 10;
            NatType type = kind < 3 ? NatType.PUBLIC : kind < 8 ? NatType.CONE : NatType.SYMMETRIC;
            Host l = world.addHost("leaf" + i, type);
            Fixtures.wireGuard(l);
            leaves.add(l);
        }
        List<PeerChange> toLeaves = new ArrayList<>();
        for (Host l : leaves) {
            toLeaves.add(new PeerChange(l.wireGuard().publicKey(), false, false, null, null, false,
                    List.of(linkLocal128(l.wireGuard()))));
        }
        for (Host h : hubs) {
            h.wireGuard().apply(DeviceChange.peers(toLeaves));
            h.openDatagramPort(GOSSIP_PORT).onReceive((from, payload) -> gossipReceived++);
        }
        List<PeerChange> toHubs = new ArrayList<>();
        List<IpEndpoint> hubGossip = new ArrayList<>();
        for (Host h : hubs) {
            toHubs.add(new PeerChange(h.wireGuard().publicKey(), false, false, new IpEndpoint(h.address(), WG_PORT), 25,
                    false, List.of(new IpPrefix(LinkLocal.address(h.wireGuard().publicKey()), 128))));
            hubGossip.add(gossip(h.wireGuard()));
        }
        byte[] payload = new byte[gossipBytes];
        for (Host l : leaves) {
            long startNanos = startSpread.isZero() ? 0 : r.nextLong(startSpread.toNanos());
            DatagramPort port = gossipEvery == null ? null : l.openDatagramPort(GOSSIP_PORT);
            world.schedule(Duration.ofNanos(startNanos), () -> {
                try {
                    l.wireGuard().apply(DeviceChange.peers(toHubs));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                if (port != null) {
                    gossipLoop(port, hubGossip, payload, gossipEvery);
                }
            });
        }
    }

    private void gossipLoop(DatagramPort port, List<IpEndpoint> to, byte[] payload, Duration every) {
        for (IpEndpoint dst : to) {
            port.send(dst, payload);
        }
        world.schedule(every, () -> gossipLoop(port, to, payload, every));
    }

    /** Leaf-hub pairs whose path is {@link Path#DIRECT} now. */
    int directPairs() {
        int n = 0;
        for (Host l : leaves) {
            for (Host h : hubs) {
                if (world.pathOf(l, h) == Path.DIRECT) {
                    n++;
                }
            }
        }
        return n;
    }
}
