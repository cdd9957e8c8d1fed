package io.wirelink.apply.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Generic netlink against the real kernel. The nlctrl and missing-family tests run anywhere (no root needed); the
 * WireGuard round trip needs the kernel's "wireguard" family and root, and is skipped with a message otherwise.
 */
class NetlinkWireGuardLiveTest {
    static final String NO_WIREGUARD = "this kernel has no 'wireguard' generic netlink family (module not loaded or"
            + " not built in): skipping the live kernel WireGuard test; the codec is covered byte for byte by"
            + " WgCodecTest and end to end against a fake kernel by NetlinkWireGuardDeviceTest";

    @Test
    void resolvesTheControllerFamilyThroughARealSocket() throws Exception {
        try (NetlinkClient c = new NetlinkClient(NetlinkSocket.open(LibC.NETLINK_GENERIC))) {
            GenlCodec.Family f = GenlCodec.decodeFamily(c.get(GenlCodec.getFamily("nlctrl"), "resolve nlctrl"));
            assertEquals(new GenlCodec.Family("nlctrl", GenlCodec.GENL_ID_CTRL, f.version(), f.maxAttr()), f);
            NetlinkException e = assertThrows(NetlinkException.class,
                    () -> c.get(GenlCodec.getFamily("wlnl-nosuch"), "resolve wlnl-nosuch"));
            assertEquals(Errno.ENOENT, e.errno());
        }
    }

    @Test
    void withoutKernelSupportOpenFailsWithEnoent() {
        Assumptions.assumeFalse(NetlinkWireGuardDevice.kernelSupported(),
                "the kernel has WireGuard; kernelRoundTrip covers it");
        WireGuardException e = assertThrows(WireGuardException.class, () -> NetlinkWireGuardDevice.open("wg0"));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("module not loaded"), e.getMessage());
    }

    @Test
    void kernelRoundTrip() throws Exception {
        Assumptions.assumeTrue(NetlinkWireGuardDevice.kernelSupported(), NO_WIREGUARD);
        try (NetNs ns = NetNs.create()) {
            NetNs.Result wg = ns.ip("link", "add", "wg0", "type", "wireguard");
            Assumptions.assumeTrue(wg.ok(), "ip link add type wireguard failed: " + wg.output());
            ns.ip("link", "add", "v0", "type", "veth", "peer", "name", "v1");
            ns.inside(() -> {
                roundTrip(ns);
                return null;
            });
        }
    }

    private static void roundTrip(NetNs ns) throws Exception {
        WireGuardException missing = assertThrows(WireGuardException.class,
                () -> NetlinkWireGuardDevice.open("nope0"));
        assertEquals(Errno.ENODEV, missing.errno());
        if (ns.ip("link", "show", "dev", "v0").ok()) {
            WireGuardException notWg = assertThrows(WireGuardException.class, () -> NetlinkWireGuardDevice.open("v0"));
            assertEquals(Errno.EOPNOTSUPP, notWg.errno());
        }

        Random r = new Random(42);
        PrivateKey priv = PrivateKey.generate(new SecureRandom());
        List<PeerChange> peers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            byte[] k = new byte[32];
            r.nextBytes(k);
            List<IpPrefix> ips = List.of(IpPrefix.parse("2001:db8:" + Integer.toHexString(i) + "::/48"),
                    IpPrefix.parse("fe80::" + Integer.toHexString(i + 1) + "/128"),
                    IpPrefix.parse("198.51.100." + i + "/32"));
            IpEndpoint ep = i % 2 == 0 ? IpEndpoint.parse("203.0.113." + (i % 250 + 1) + ":" + (40000 + i))
                    : IpEndpoint.parse("[2001:db8::" + Integer.toHexString(i) + "]:51820");
            peers.add(new PeerChange(PublicKey.of(k), false, false, ep, i % 30, true, ips));
        }
        try (WireGuardDevice d = NetlinkWireGuardDevice.open("wg0")) {
            DeviceState empty = d.read();
            assertNull(empty.publicKey());
            assertEquals(List.of(), empty.peers());

            d.apply(new DeviceChange(priv, 51820, 0x77, true, peers));
            DeviceState s = d.read();
            assertEquals(priv.publicKey(), s.publicKey());
            assertEquals(51820, s.listenPort());
            assertEquals(0x77, s.fwmark());
            assertEquals(200, s.peers().size());
            for (PeerChange p : peers) {
                PeerState got = s.peer(p.publicKey());
                assertEquals(p.endpoint(), got.endpoint());
                assertEquals((int) p.persistentKeepaliveSeconds(), got.persistentKeepaliveSeconds());
                assertEquals(new HashSet<>(p.allowedIps()), new HashSet<>(got.allowedIps())); // trie order
                assertEquals(Instant.EPOCH, got.lastHandshake());
            }

            PublicKey absent = PublicKey.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
                    18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
            d.apply(DeviceChange.peers(List.of(PeerChange.removal(peers.get(0).publicKey()),
                    new PeerChange(absent, false, true, null, 5, false, List.of()))));
            DeviceState after = d.read();
            assertEquals(199, after.peers().size());
            assertNull(after.peer(peers.get(0).publicKey()));
            assertNull(after.peer(absent), "update-only never creates a peer");
        }

        // one peer with more allowed IPs than fit a message either way: split SET, split GET dump
        List<IpPrefix> many = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            many.add(IpPrefix.parse("2001:db8:" + Integer.toHexString(i) + "::/48"));
        }
        byte[] k = new byte[32];
        r.nextBytes(k);
        PublicKey bigKey = PublicKey.of(k);
        try (NetlinkWireGuardDevice d = NetlinkWireGuardDevice.open("wg0", NetlinkSocket.open(LibC.NETLINK_GENERIC),
                1024)) {
            d.apply(new DeviceChange(null, null, null, true,
                    List.of(new PeerChange(bigKey, false, false, null, null, true, many))));
            DeviceState s = d.read();
            assertEquals(1, s.peers().size());
            assertEquals(new HashSet<>(many), new HashSet<>(s.peer(bigKey).allowedIps()));
            assertEquals(priv.publicKey(), s.publicKey(), "device fields untouched by a peers-only change");
        }
    }
}
