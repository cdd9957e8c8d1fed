package io.wirelink.apply.netlink;

import static io.wirelink.apply.netlink.Bytes.ascii;
import static io.wirelink.apply.netlink.Bytes.hex;
import static io.wirelink.apply.netlink.Bytes.repeat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerChange;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.MalformedInputException;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The WireGuard generic netlink messages byte for byte against include/uapi/linux/wireguard.h, the multi-part dump
 * merge, and the splitting of large WG_CMD_SET_DEVICE changes.
 */
class WgCodecTest {
    static final int FAMILY = 0x15;

    @BeforeAll
    static void littleEndian() {
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "expected bytes are little-endian");
    }

    static PublicKey pub(int fill) {
        return PublicKey.of(Bytes.filled(fill, 32));
    }

    @Test
    void getDeviceRequestIsADumpByName() {
        assertArrayEquals(hex(
                "1c000000", // nlmsg_len = 28
                "1500", //     the family id the kernel assigned to "wireguard" (0x15 here)
                "0103", //     NLM_F_REQUEST | NLM_F_DUMP: GET_DEVICE may only be called as a dump
                "00000000 00000000",
                "00 01 0000", // genlmsghdr: WG_CMD_GET_DEVICE (0), WG_GENL_VERSION 1
                "0800 0200 " + ascii("wg0") + "00"), // WGDEVICE_A_IFNAME (2) "wg0\0"
                WgCodec.getDevice(FAMILY, "wg0"));
    }

    @Test
    void setDeviceMessageLayout() {
        PeerChange peer = new PeerChange(pub(0xa0), false, false, IpEndpoint.parse("198.51.100.7:51820"), 25, true,
                List.of(IpPrefix.parse("198.51.100.0/24"), IpPrefix.parse("2001:db8::/64")));
        DeviceChange change = new DeviceChange(PrivateKey.of(Bytes.filled(0x11, 32)), 51820, null, true,
                List.of(peer));
        List<byte[]> msgs = WgCodec.setDevice(FAMILY, "wg0", change, WgCodec.DEFAULT_MESSAGE_BUDGET);
        assertEquals(1, msgs.size());
        assertArrayEquals(hex(
                "e8000000", // nlmsg_len = 232
                "1500", //     wireguard family id
                "0500", //     NLM_F_REQUEST | NLM_F_ACK
                "00000000 00000000",
                "01 01 0000", // WG_CMD_SET_DEVICE (1), version 1
                "0800 0200 " + ascii("wg0") + "00", //      WGDEVICE_A_IFNAME
                "2400 0300 " + repeat(0x11, 32), //         WGDEVICE_A_PRIVATE_KEY (3), 32 bytes
                "0600 0600 6cca 0000", //                   WGDEVICE_A_LISTEN_PORT (6) u16 51820, host order
                "0800 0500 01000000", //                    WGDEVICE_A_FLAGS (5) = WGDEVICE_F_REPLACE_PEERS
                "9800 0880", //                             WGDEVICE_A_PEERS (8) | NLA_F_NESTED, 152 bytes
                "  9400 0080", //                           peer 0 | NLA_F_NESTED, 148 bytes
                "    2400 0100 " + repeat(0xa0, 32), //     WGPEER_A_PUBLIC_KEY (1)
                "    0800 0300 02000000", //                WGPEER_A_FLAGS (3) = WGPEER_F_REPLACE_ALLOWEDIPS
                "    1400 0400", //                         WGPEER_A_ENDPOINT (4), struct sockaddr_in (16 bytes):
                "      0200 ca6c c6336407 0000000000000000", // AF_INET (host order), port 51820 (network order), addr
                "    0600 0500 1900 0000", //               WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL (5) u16 25
                "    4800 0980", //                         WGPEER_A_ALLOWEDIPS (9) | NLA_F_NESTED, 72 bytes
                "      1c00 0080", //                       allowed IP 0, 28 bytes
                "        0600 0100 0200 0000", //           WGALLOWEDIP_A_FAMILY (1) u16 AF_INET
                "        0800 0200 c6336400", //            WGALLOWEDIP_A_IPADDR (2) 198.51.100.0
                "        0500 0300 18 000000", //           WGALLOWEDIP_A_CIDR_MASK (3) u8 24
                "      2800 0080", //                       allowed IP 1, 40 bytes
                "        0600 0100 0a00 0000", //           AF_INET6
                "        1400 0200 20010db8000000000000000000000000", // 2001:db8::
                "        0500 0300 40 000000"), //          /64
                msgs.get(0));
    }

    @Test
    void ipv6EndpointIsSockaddrIn6() {
        assertArrayEquals(hex(
                "0a00", //     sin6_family AF_INET6, host order
                "ca6c", //     sin6_port 51820, network order
                "00000000", // sin6_flowinfo
                "20010db8000000000000000000000007", // sin6_addr
                "00000000"), // sin6_scope_id
                WgCodec.encodeSockaddr(IpEndpoint.parse("[2001:db8::7]:51820")));
    }

    @Test
    void shortEndpointsAreMalformedNotOutOfBounds() {
        // found by DecoderFuzzTest: the port was read before the length was checked
        for (String value : new String[] {"0200", "0200 ca", "0200 ca6c c0000201 000000000000", "0a00 ca6c 00000000"}) {
            byte[] v = hex(value);
            byte[] attr = Bytes.concat(hex(String.format("%02x00 0400", 4 + v.length)), v);
            NlAttr a = NlAttr.parse(attr, 0, attr.length).get(0);
            assertThrows(MalformedInputException.class, () -> WgCodec.decodeSockaddr(a), value);
        }
    }

    /** Two dump messages as the kernel writes them; peer 0x33 continues into the second with one more allowed IP. */
    static byte[] handBuiltDump() {
        byte[] first = hex(
                "48010000", // nlmsg_len = 328
                "1500 0200", // wireguard family, NLM_F_MULTI
                "01000000 34120000", // seq 1, our port id
                "00 01 0000", // WG_CMD_GET_DEVICE, version 1
                "0800 0100 07000000", //                    WGDEVICE_A_IFINDEX 7
                "0800 0200 " + ascii("wg0") + "00", //      WGDEVICE_A_IFNAME
                "2400 0300 " + repeat(0x11, 32), //         WGDEVICE_A_PRIVATE_KEY (must never be kept)
                "2400 0400 " + repeat(0x22, 32), //         WGDEVICE_A_PUBLIC_KEY
                "0600 0600 6cca 0000", //                   WGDEVICE_A_LISTEN_PORT 51820
                "0800 0700 2a000000", //                    WGDEVICE_A_FWMARK 42
                "cc00 0880", //                             WGDEVICE_A_PEERS, 204 bytes
                "  c800 0080", //                           peer, 200 bytes
                "    2400 0100 " + repeat(0x33, 32), //     WGPEER_A_PUBLIC_KEY
                "    2400 0200 " + repeat(0x00, 32), //     WGPEER_A_PRESHARED_KEY: all zero, none set
                "    2000 0400", //                         WGPEER_A_ENDPOINT, sockaddr_in6 (28 bytes)
                "      0a00 ca6c 00000000 20010db8000000000000000000000007 00000000",
                "    0600 0500 1900 0000", //               keepalive 25
                "    1400 0600", //                         WGPEER_A_LAST_HANDSHAKE_TIME, __kernel_timespec
                "      00f1536500000000", //                tv_sec = 1700000000 (s64)
                "      f401000000000000", //                tv_nsec = 500 (s64)
                "    0c00 0700 e803000000000000", //        WGPEER_A_RX_BYTES u64 1000
                "    0c00 0800 d007000000000000", //        WGPEER_A_TX_BYTES u64 2000
                "    2000 0980", //                         WGPEER_A_ALLOWEDIPS, 32 bytes
                "      1c00 0080 0600 0100 0200 0000 0800 0200 c0000200 0500 0300 18 000000", // 192.0.2.0/24
                "    0800 0a00 01000000"); //               WGPEER_A_PROTOCOL_VERSION 1
        byte[] second = hex(
                "f4000000", // nlmsg_len = 244
                "1500 0200 01000000 34120000",
                "00 01 0000",
                "0800 0200 " + ascii("wg0") + "00", //      later messages: only IFNAME and PEERS
                "d800 0880", //                             WGDEVICE_A_PEERS, 216 bytes
                "  5400 0080", //                           peer 0x33 again: only its key and more allowed IPs
                "    2400 0100 " + repeat(0x33, 32),
                "    2c00 0980",
                "      2800 0080 0600 0100 0a00 0000", //   AF_INET6
                "        1400 0200 20010db8000100000000000000000000 0500 0300 30 000000", // 2001:db8:1::/48
                "  8000 0080", //                           peer 0x44, 128 bytes
                "    2400 0100 " + repeat(0x44, 32),
                "    2400 0200 " + repeat(0x55, 32), //     a preshared key is set
                "    1400 0600 " + repeat(0, 16), //        never a handshake
                "    0c00 0700 " + repeat(0, 8),
                "    0c00 0800 " + repeat(0, 8),
                "    0600 0500 0000 0000");
        byte[] done = hex("14000000 0300 0200 01000000 34120000", "00000000"); // NLMSG_DONE, error 0
        return Bytes.concat(first, second, done);
    }

    @Test
    void decodesHandBuiltDumpMergingTheContinuedPeer() {
        byte[] datagram = handBuiltDump();
        List<NlMessage> msgs = NlMessage.parseAll(datagram, datagram.length);
        assertEquals(3, msgs.size());
        assertEquals(NlMessage.NLMSG_DONE, msgs.get(2).type());
        byte[] k = new byte[32];
        java.util.Arrays.fill(k, (byte) 0x11);
        assertEquals(io.wirelink.facts.PrivateKey.of(k), WgCodec.privateKeyOf(msgs.subList(0, 2), FAMILY),
                "the signing key is read on request only");
        DeviceState d = WgCodec.decodeDevice(msgs.subList(0, 2), FAMILY, "wg0");
        assertEquals(null, WgCodec.privateKeyOf(msgs.subList(0, 2), FAMILY), "decoding the device wiped the key");

        PeerState p1 = new PeerState(pub(0x33), false, IpEndpoint.parse("[2001:db8::7]:51820"),
                List.of(IpPrefix.parse("192.0.2.0/24"), IpPrefix.parse("2001:db8:1::/48")),
                Instant.ofEpochSecond(1_700_000_000L, 500), 1000, 2000, 25);
        PeerState p2 = new PeerState(pub(0x44), true, null, List.of(), Instant.EPOCH, 0, 0, 0);
        assertEquals(new DeviceState("wg0", pub(0x22), 51820, 42, List.of(p1, p2)), d);

        // key material was zeroed in the received buffers
        byte[] firstPayload = msgs.get(0).payload();
        assertEquals(-1, indexOf(firstPayload, Bytes.filled(0x11, 32)));
        assertEquals(-1, indexOf(msgs.get(1).payload(), Bytes.filled(0x55, 32)));
    }

    @Test
    void roundTripsASynthesizedMultiPartDump() {
        FakeWireGuardKernel k = new FakeWireGuardKernel();
        k.ipsPerDumpMessage = 4;
        k.peersPerDumpMessage = 3;
        FakeWireGuardKernel.Dev dev = new FakeWireGuardKernel.Dev(9);
        dev.privateKey = Bytes.filled(0x18, 32);
        dev.listenPort = 40000;
        dev.fwmark = 0x51820;
        List<PeerState> expected = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            FakeWireGuardKernel.Peer p = new FakeWireGuardKernel.Peer();
            p.endpoint = i % 2 == 0 ? IpEndpoint.parse("203.0.113." + (i + 1) + ":" + (51820 + i))
                    : IpEndpoint.parse("[2001:db8::" + (i + 1) + "]:51820");
            p.keepalive = i;
            p.rx = 1L << (30 + i);
            p.tx = 3L * i;
            p.lastHandshake = Instant.ofEpochSecond(1_700_000_000L + i, i * 1000);
            p.presharedKey = i == 3 ? Bytes.filled(7, 32) : new byte[32];
            for (int j = 0; j < i * 2; j++) { // 0..12 allowed IPs: several peers span messages
                p.allowedIps.add(j % 2 == 0 ? IpPrefix.parse("198.51.100." + (i * 16 + j) + "/32")
                        : IpPrefix.parse("2001:db8:" + i + ":" + j + "::/64"));
            }
            dev.peers.put(pub(0x60 + i), p);
            expected.add(new PeerState(pub(0x60 + i), i == 3, p.endpoint, p.allowedIps, p.lastHandshake, p.rx, p.tx,
                    p.keepalive));
        }
        List<byte[]> parts = k.encodeDump("wg7", dev, 5);
        assertTrue(parts.size() >= 8, "dump should span many messages, got " + parts.size());
        List<NlMessage> msgs = new ArrayList<>();
        for (byte[] part : parts) {
            msgs.addAll(NlMessage.parseAll(part, part.length));
        }
        DeviceState d = WgCodec.decodeDevice(msgs, FakeWireGuardKernel.FAMILY_ID, "wg7");
        PublicKey devPub = PrivateKey.of(Bytes.filled(0x18, 32)).publicKey();
        assertEquals(new DeviceState("wg7", devPub, 40000, 0x51820, expected), d);
    }

    @Test
    void deviceWithoutKeyHasNullPublicKey() {
        FakeWireGuardKernel.Dev dev = new FakeWireGuardKernel.Dev(3);
        List<byte[]> parts = new FakeWireGuardKernel().encodeDump("wg0", dev, 1);
        DeviceState d = WgCodec.decodeDevice(NlMessage.parseAll(parts.get(0), parts.get(0).length), FAMILY, "wg0");
        assertNull(d.publicKey());
        assertEquals(List.of(), d.peers());
    }

    /** 1,000 peers with 3 allowed IPs each, endpoint and keepalive, under the default and a page-sized budget. */
    static DeviceChange bigChange() {
        List<PeerChange> peers = new ArrayList<>();
        String[] nets = {"192.0.2.", "198.51.100.", "203.0.113."};
        for (int i = 0; i < 1000; i++) {
            byte[] k = new byte[32];
            ByteBuffer.wrap(k).putInt(i).putInt(0x5eed);
            IpEndpoint ep = i % 2 == 0 ? IpEndpoint.parse(nets[i % 3] + (i % 250 + 1) + ":" + (1024 + i))
                    : IpEndpoint.parse("[2001:db8:ee::" + Integer.toHexString(i) + "]:51820");
            List<IpPrefix> ips = List.of(
                    IpPrefix.parse(nets[(i / 250) % 3] + (i % 250) + "/32"),
                    IpPrefix.parse("2001:db8:" + Integer.toHexString(i) + "::/48"),
                    IpPrefix.parse("fe80::" + Integer.toHexString(i + 1) + "/128"));
            peers.add(new PeerChange(PublicKey.of(k), false, i % 5 == 0, ep, i % 7 == 0 ? null : 25, i % 3 == 0, ips));
        }
        return new DeviceChange(PrivateKey.of(Bytes.filled(0x42, 32)), 51820, 0x1234, true, peers);
    }

    @Test
    void splitsAThousandPeersWithinTheBudgetAndDecodesBackToTheSameChange() {
        DeviceChange change = bigChange();
        for (int budget : new int[] {WgCodec.DEFAULT_MESSAGE_BUDGET, 4096, WgCodec.MIN_MESSAGE_BUDGET}) {
            List<byte[]> msgs = WgCodec.setDevice(FAMILY, "wg0", change, budget);
            assertTrue(msgs.size() > 1, "budget " + budget + " should need several messages");
            for (int i = 0; i < msgs.size(); i++) {
                byte[] m = msgs.get(i);
                assertTrue(m.length <= budget, "message " + i + " is " + m.length + " bytes, budget " + budget);
                SetDeviceDecoder.Message d = SetDeviceDecoder.decode(m, FAMILY);
                assertEquals("wg0", d.ifname());
                assertEquals(NlMessage.NLM_F_REQUEST | NlMessage.NLM_F_ACK, NlMessageBuilder.flagsOf(m));
                if (i == 0) {
                    assertNotNull(d.privateKey());
                    assertEquals(51820, d.listenPort());
                    assertEquals(0x1234, d.fwmark());
                    assertEquals(WgCodec.WGDEVICE_F_REPLACE_PEERS, d.flags());
                } else {
                    assertNull(d.privateKey(), "private key only in the first message");
                    assertNull(d.listenPort());
                    assertNull(d.fwmark());
                    assertNull(d.flags(), "WGDEVICE_F_REPLACE_PEERS only in the first message");
                }
            }
            assertEquals(change, SetDeviceDecoder.decodeAll(msgs, FAMILY), "budget " + budget);
            if (budget == WgCodec.DEFAULT_MESSAGE_BUDGET) {
                int total = msgs.stream().mapToInt(m -> m.length).sum();
                assertTrue(msgs.size() <= total / (budget * 3 / 4) + 1, "messages should be well filled");
            }
        }
    }

    @Test
    void peerWithManyAllowedIpsContinuesWithReplaceOnlyOnItsFirstChunk() {
        List<IpPrefix> ips = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            ips.add(i % 2 == 0 ? IpPrefix.parse("2001:db8:" + Integer.toHexString(i) + "::/48")
                    : IpPrefix.parse("198.51.100." + (i % 256) + "/32"));
        }
        PeerChange big = new PeerChange(pub(0x77), false, true, IpEndpoint.parse("192.0.2.1:1"), 0, true, ips);
        PeerChange small = new PeerChange(pub(0x78), false, false, null, null, true, List.of());
        DeviceChange change = new DeviceChange(null, null, null, false, List.of(big, small));
        List<byte[]> msgs = WgCodec.setDevice(FAMILY, "wg1", change, 4096);
        assertTrue(msgs.size() >= 20, "3000 allowed IPs at 4 KiB should take 20+ messages, got " + msgs.size());
        for (int i = 0; i < msgs.size(); i++) {
            SetDeviceDecoder.Message m = SetDeviceDecoder.decode(msgs.get(i), FAMILY);
            assertTrue(m.size() <= 4096);
            SetDeviceDecoder.PeerChunk c = m.peers().get(0);
            assertEquals(pub(0x77), c.key());
            int expectedFlags = WgCodec.WGPEER_F_UPDATE_ONLY | (i == 0 ? WgCodec.WGPEER_F_REPLACE_ALLOWEDIPS : 0);
            assertEquals(expectedFlags, c.flags(), "chunk " + i);
            assertEquals(i == 0, c.endpoint() != null, "endpoint only with the first chunk");
            assertEquals(i == 0, c.keepalive() != null, "keepalive only with the first chunk");
        }
        SetDeviceDecoder.Message last = SetDeviceDecoder.decode(msgs.get(msgs.size() - 1), FAMILY);
        SetDeviceDecoder.PeerChunk lastChunk = last.peers().get(last.peers().size() - 1);
        assertEquals(pub(0x78), lastChunk.key());
        assertEquals(WgCodec.WGPEER_F_REPLACE_ALLOWEDIPS, lastChunk.flags());
        assertFalse(lastChunk.hasAllowedIpsAttr(), "replace with an empty list sends no WGPEER_A_ALLOWEDIPS");
        assertEquals(change, SetDeviceDecoder.decodeAll(msgs, FAMILY));
    }

    @Test
    void randomChangesAtRandomBudgetsStayWithinBudgetAndRoundTrip() {
        Random r = new Random(0xb0d9e7);
        for (int round = 0; round < 150; round++) {
            int budget = WgCodec.MIN_MESSAGE_BUDGET + r.nextInt(8 * 1024);
            List<PeerChange> peers = new ArrayList<>();
            for (int i = 0, n = r.nextInt(60); i < n; i++) {
                byte[] k = new byte[32];
                r.nextBytes(k);
                if (r.nextInt(8) == 0) {
                    peers.add(PeerChange.removal(PublicKey.of(k)));
                    continue;
                }
                List<IpPrefix> ips = new ArrayList<>();
                for (int j = 0, m = r.nextInt(r.nextInt(10) == 0 ? 400 : 5); j < m; j++) {
                    ips.add(r.nextBoolean() ? IpPrefix.parse("198.51.100." + r.nextInt(256) + "/" + (24 + r.nextInt(9)))
                            : IpPrefix.parse("2001:db8:" + Integer.toHexString(r.nextInt(65536)) + "::/"
                                    + (32 + r.nextInt(97))));
                }
                IpEndpoint ep = switch (r.nextInt(3)) {
                    case 0 -> null;
                    case 1 -> IpEndpoint.parse("203.0.113." + r.nextInt(256) + ":" + r.nextInt(65536));
                    default -> IpEndpoint.parse("[2001:db8::" + Integer.toHexString(r.nextInt(65536)) + "]:"
                            + r.nextInt(65536));
                };
                peers.add(new PeerChange(PublicKey.of(k), false, r.nextBoolean(), ep,
                        r.nextBoolean() ? null : r.nextInt(65536), r.nextBoolean(), ips));
            }
            byte[] pk = new byte[32];
            r.nextBytes(pk);
            DeviceChange change = new DeviceChange(r.nextBoolean() ? PrivateKey.of(pk) : null,
                    r.nextBoolean() ? r.nextInt(65536) : null, r.nextBoolean() ? r.nextInt() : null, r.nextBoolean(),
                    peers);
            List<byte[]> msgs = WgCodec.setDevice(FAMILY, "wg" + r.nextInt(100), change, budget);
            for (byte[] m : msgs) {
                assertTrue(m.length <= budget, "round " + round + ": " + m.length + " > " + budget);
            }
            if (change.isEmpty()) {
                assertEquals(List.of(), msgs);
            } else {
                assertEquals(change, SetDeviceDecoder.decodeAll(msgs, FAMILY), "round " + round);
            }
        }
    }

    @Test
    void removalCarriesOnlyKeyAndRemoveFlag() {
        List<byte[]> msgs = WgCodec.setDevice(FAMILY, "wg0", DeviceChange.peers(List.of(PeerChange.removal(pub(1)))),
                WgCodec.DEFAULT_MESSAGE_BUDGET);
        assertArrayEquals(hex(
                "50000000 1500 0500 00000000 00000000", // nlmsg_len = 80
                "01 01 0000",
                "0800 0200 " + ascii("wg0") + "00",
                "3400 0880", //                             WGDEVICE_A_PEERS, 52 bytes
                "  3000 0080", //                           peer, 48 bytes
                "    2400 0100 " + repeat(1, 32),
                "    0800 0300 01000000"), //               WGPEER_F_REMOVE_ME
                msgs.get(0));
    }

    @Test
    void emptyChangeSendsNothingAndBudgetIsBounded() {
        assertEquals(List.of(), WgCodec.setDevice(FAMILY, "wg0", DeviceChange.peers(List.of()), 4096));
        DeviceChange c = new DeviceChange(null, 1, null, false, List.of());
        assertThrows(IllegalArgumentException.class, () -> WgCodec.setDevice(FAMILY, "wg0", c, 100));
        assertThrows(IllegalArgumentException.class, () -> WgCodec.setDevice(FAMILY, "wg0", c, 70000));
    }

    @Test
    void rejectsMalformedPeerAttributes() {
        // a peer whose public key is 31 bytes
        NlMessageBuilder b = new NlMessageBuilder(FAMILY, NlMessage.NLM_F_MULTI);
        b.genlHeader(WgCodec.WG_CMD_GET_DEVICE, 1);
        b.attrString(WgCodec.WGDEVICE_A_IFNAME, "wg0");
        int peers = b.beginNested(WgCodec.WGDEVICE_A_PEERS);
        int p = b.beginNested(0);
        b.attr(WgCodec.WGPEER_A_PUBLIC_KEY, new byte[31]);
        b.endNested(p);
        b.endNested(peers);
        byte[] m = b.build();
        assertThrows(MalformedInputException.class,
                () -> WgCodec.decodeDevice(NlMessage.parseAll(m, m.length), FAMILY, "wg0"));
        // an allowed IP whose mask is longer than its family allows
        NlMessageBuilder c = new NlMessageBuilder(FAMILY, NlMessage.NLM_F_MULTI);
        c.genlHeader(WgCodec.WG_CMD_GET_DEVICE, 1);
        int ps = c.beginNested(WgCodec.WGDEVICE_A_PEERS);
        int pp = c.beginNested(0);
        c.attr(WgCodec.WGPEER_A_PUBLIC_KEY, new byte[32]);
        int ai = c.beginNested(WgCodec.WGPEER_A_ALLOWEDIPS);
        int one = c.beginNested(0);
        c.attrU16(WgCodec.WGALLOWEDIP_A_FAMILY, RtCodec.AF_INET);
        c.attr(WgCodec.WGALLOWEDIP_A_IPADDR, new byte[4]);
        c.attrU8(WgCodec.WGALLOWEDIP_A_CIDR_MASK, 33);
        c.endNested(one);
        c.endNested(ai);
        c.endNested(pp);
        c.endNested(ps);
        byte[] m2 = c.build();
        assertThrows(MalformedInputException.class,
                () -> WgCodec.decodeDevice(NlMessage.parseAll(m2, m2.length), FAMILY, "wg0"));
        assertThrows(MalformedInputException.class, () -> WgCodec.decodeDevice(List.of(), FAMILY, "wg0"));
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
