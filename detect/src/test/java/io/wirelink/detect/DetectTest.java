package io.wirelink.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.DeviceState;
import io.wirelink.apply.HostNetwork;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DetectTest {
    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    static PeerState peer(int n, String... aips) {
        byte[] k = new byte[32];
        k[0] = (byte) n;
        return new PeerState(PublicKey.of(k), false, IpEndpoint.parse("198.51.100." + n + ":51820"),
                java.util.Arrays.stream(aips).map(IpPrefix::parse).toList(), NOW.minusSeconds(10), 0, 0, 0);
    }

    static DeviceState device(PeerState... peers) {
        return new DeviceState("wg0", null, 51820, 0, List.of(peers));
    }

    @Test
    void fullTunnelHubIsARouterSoItsLeafIsNot() {
        PeerState hub = peer(1, "0.0.0.0/0", "::/0", "fe80::1/128");
        assertTrue(Routers.isRouter(hub));
        assertFalse(Routers.selfIsRouter(null, device(hub)));
    }

    @Test
    void hubOfHostRoutesIsARouterAndAnEmptyDeviceIsNot() {
        assertTrue(Routers.selfIsRouter(null, device(peer(2, "10.99.0.2/32"), peer(3, "10.99.0.3/32"))));
        assertFalse(Routers.selfIsRouter(null, device()));
        assertTrue(Routers.selfIsRouter(true, device()));
        assertFalse(Routers.isRouter(peer(4, "fe80::/64")), "link-local ranges do not make a router");
    }

    @Test
    void aDeviceHasARouterWhenAnyPeerRoutesMoreThanItsHost() {
        assertTrue(Routers.hasRouter(device(peer(2, "10.99.0.2/32"), peer(3, "10.99.0.0/24"))));
        assertFalse(Routers.hasRouter(device(peer(2, "10.99.0.2/32"), peer(3, "fe80::3/128"))));
        assertFalse(Routers.hasRouter(device()));
    }

    @Test
    void healthNeedsAnEndpointAndARecentHandshake() {
        PeerState p = peer(1, "10.99.0.1/32");
        assertTrue(Health.healthy(p, NOW));
        assertFalse(Health.healthy(p, NOW.plusSeconds(200)));
        PeerState noEndpoint = new PeerState(p.publicKey(), false, null, p.allowedIps(), NOW, 0, 0, 0);
        assertFalse(Health.healthy(noEndpoint, NOW));
        PeerState never = new PeerState(p.publicKey(), false, p.endpoint(), p.allowedIps(), Instant.EPOCH, 0, 0, 0);
        assertFalse(Health.healthy(never, NOW));
    }

    @Test
    void localEndpointsSkipTheTunnelDownLinksHiddenAndNonGlobal() {
        List<HostNetwork.Link> links = List.of(new HostNetwork.Link(1, "lo", true, 65536, null),
                new HostNetwork.Link(2, "eth0", true, 1500, "veth"), new HostNetwork.Link(3, "eth1", false, 1500, null),
                new HostNetwork.Link(4, "wg0", true, 1420, "wireguard"), new HostNetwork.Link(5, "docker0", true, 1500,
                        "bridge"));
        List<HostNetwork.InterfaceAddress> addrs = List.of(
                new HostNetwork.InterfaceAddress(1, "lo", IpPrefix.parse("127.0.0.1/8"), 254, 0),
                new HostNetwork.InterfaceAddress(2, "eth0", IpPrefix.parse("203.0.113.7/24"), 0, 0),
                new HostNetwork.InterfaceAddress(2, "eth0", IpPrefix.parse("2001:db8::7/64"), 0, 0),
                new HostNetwork.InterfaceAddress(2, "eth0", IpPrefix.parse("fe80::7/64"), 253, 0),
                new HostNetwork.InterfaceAddress(3, "eth1", IpPrefix.parse("198.51.100.7/24"), 0, 0),
                new HostNetwork.InterfaceAddress(4, "wg0", IpPrefix.parse("10.99.0.7/24"), 0, 0),
                new HostNetwork.InterfaceAddress(5, "docker0", IpPrefix.parse("192.0.2.1/24"), 0, 0));
        List<IpEndpoint> got = LocalEndpoints.candidates(links, addrs, "wg0", 51820, List.of(), List.of("docker*"));
        assertEquals(List.of(IpEndpoint.parse("203.0.113.7:51820"), IpEndpoint.parse("[2001:db8::7]:51820")), got);
        assertEquals(List.of(), LocalEndpoints.candidates(links, addrs, "wg0", 51820, List.of("wl*"), List.of()));
    }
}
