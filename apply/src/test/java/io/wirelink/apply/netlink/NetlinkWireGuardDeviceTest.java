package io.wirelink.apply.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerChange;
import io.wirelink.apply.PeerState;
import io.wirelink.apply.WireGuardException;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** NetlinkWireGuardDevice end to end against a fake kernel: family resolution, errors, split SET, merged GET. */
class NetlinkWireGuardDeviceTest {
    static FakeWireGuardKernel kernelWith(String ifname) {
        FakeWireGuardKernel k = new FakeWireGuardKernel();
        k.devices.put(ifname, new FakeWireGuardKernel.Dev(4));
        return k;
    }

    static PublicKey key(Random r) {
        byte[] b = new byte[32];
        r.nextBytes(b);
        return PublicKey.of(b);
    }

    @Test
    void appliesALargeChangeInSeveralMessagesAndReadsItBack() throws Exception {
        FakeWireGuardKernel k = kernelWith("wg0");
        k.peersPerDumpMessage = 7;
        k.ipsPerDumpMessage = 10;
        Random r = new Random(0x5eed);
        PrivateKey priv = PrivateKey.generate(new SecureRandom());
        List<PeerChange> peers = new ArrayList<>();
        List<PeerState> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            PublicKey pk = key(r);
            IpEndpoint ep = IpEndpoint.parse("198.51.100." + (i % 254 + 1) + ":" + (20000 + i));
            List<IpPrefix> ips = List.of(IpPrefix.parse("2001:db8:" + Integer.toHexString(i) + "::/48"),
                    IpPrefix.parse("2001:db8:ffff:" + Integer.toHexString(i) + "::1/128"),
                    IpPrefix.parse("fe80::" + Integer.toHexString(i + 1) + "/128"));
            peers.add(new PeerChange(pk, false, false, ep, 25, true, ips));
            expected.add(new PeerState(pk, false, ep, ips, null, 0, 0, 25));
        }
        try (NetlinkWireGuardDevice d = NetlinkWireGuardDevice.open("wg0", k, 1024)) {
            assertEquals("wg0", d.name());
            assertEquals("netlink", d.backend());
            d.apply(new DeviceChange(priv, 51820, 0, true, peers));
            long setMessages = k.sent.stream().filter(m -> m.length > 20 && m[16] == WgCodec.WG_CMD_SET_DEVICE
                    && (m[4] & 0xff) == FakeWireGuardKernel.FAMILY_ID).count();
            assertTrue(setMessages > 20, "1 KiB budget should split 300 peers into many messages: " + setMessages);

            DeviceState s = d.read();
            assertEquals(new DeviceState("wg0", priv.publicKey(), 51820, 0, expected), s);

            // remove one, add IPs to another without replacing, touch an absent one with update-only
            PublicKey absent = key(r);
            d.apply(DeviceChange.peers(List.of(
                    PeerChange.removal(expected.get(0).publicKey()),
                    new PeerChange(expected.get(1).publicKey(), false, false, null, null, false,
                            List.of(IpPrefix.parse("203.0.113.9/32"))),
                    new PeerChange(absent, false, true, null, 5, false, List.of()))));
            DeviceState after = d.read();
            assertEquals(299, after.peers().size());
            assertNull(after.peer(expected.get(0).publicKey()));
            assertNull(after.peer(absent));
            assertEquals(4, after.peer(expected.get(1).publicKey()).allowedIps().size());
        }
        assertTrue(k.closed);
    }

    @Test
    void missingFamilyIsAWireGuardExceptionWithEnoent() {
        FakeWireGuardKernel k = kernelWith("wg0");
        k.familyPresent = false;
        WireGuardException e = assertThrows(WireGuardException.class,
                () -> NetlinkWireGuardDevice.open("wg0", k, WgCodec.DEFAULT_MESSAGE_BUDGET));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("wg0", e.iface());
        assertTrue(e.operation().contains("wireguard"), e.operation());
        assertTrue(e.getMessage().contains("module not loaded"), e.getMessage());
        assertTrue(k.closed, "the socket is closed on failure");
    }

    @Test
    void missingInterfaceIsEnodevAndOtherLinksAreEopnotsupp() {
        FakeWireGuardKernel k = kernelWith("wg0");
        WireGuardException e = assertThrows(WireGuardException.class,
                () -> NetlinkWireGuardDevice.open("wg9", k, WgCodec.DEFAULT_MESSAGE_BUDGET));
        assertEquals(Errno.ENODEV, e.errno());
        assertEquals("WG_CMD_GET_DEVICE", e.operation());
        assertTrue(e.getMessage().contains("no such interface"), e.getMessage());

        FakeWireGuardKernel k2 = kernelWith("wg0");
        k2.otherLinks.put("eth0", 2);
        WireGuardException e2 = assertThrows(WireGuardException.class,
                () -> NetlinkWireGuardDevice.open("eth0", k2, WgCodec.DEFAULT_MESSAGE_BUDGET));
        assertEquals(Errno.EOPNOTSUPP, e2.errno());
        assertTrue(e2.getMessage().contains("not a WireGuard interface"), e2.getMessage());
    }

    @Test
    void failurePartWayNamesTheMessageAndCarriesTheKernelText() throws Exception {
        FakeWireGuardKernel k = kernelWith("wg0");
        Random r = new Random(7);
        List<PeerChange> peers = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            peers.add(new PeerChange(key(r), false, false, null, null, false,
                    List.of(IpPrefix.parse("192.0.2." + i + "/32"))));
        }
        try (NetlinkWireGuardDevice d = NetlinkWireGuardDevice.open("wg0", k, 1024)) {
            k.failSetMessage = 2;
            WireGuardException e = assertThrows(WireGuardException.class, () -> d.apply(DeviceChange.peers(peers)));
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.operation().matches("WG_CMD_SET_DEVICE \\(message 2 of \\d+\\)"), e.operation());
            assertTrue(e.getMessage().contains("injected failure"), e.getMessage());
            // the first message was applied: the kernel applies each message on its own
            assertFalse(d.read().peers().isEmpty());
        }
    }

    @Test
    void emptyChangeSendsNothing() throws Exception {
        FakeWireGuardKernel k = kernelWith("wg0");
        try (NetlinkWireGuardDevice d = NetlinkWireGuardDevice.open("wg0", k, WgCodec.DEFAULT_MESSAGE_BUDGET)) {
            int before = k.sent.size();
            d.apply(DeviceChange.peers(List.of()));
            assertEquals(before, k.sent.size());
        }
    }

    @Test
    void toStringNeverShowsKeyMaterial() throws Exception {
        FakeWireGuardKernel k = kernelWith("wg0");
        PrivateKey priv = PrivateKey.generate(new SecureRandom());
        try (NetlinkWireGuardDevice d = NetlinkWireGuardDevice.open("wg0", k, WgCodec.DEFAULT_MESSAGE_BUDGET)) {
            d.apply(new DeviceChange(priv, null, null, false, List.of()));
            assertFalse(d.toString().contains(priv.toBase64()));
            assertFalse(d.read().toString().contains(priv.toBase64()));
        }
    }
}
