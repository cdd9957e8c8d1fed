package io.wirelink.apply.netlink;

import static io.wirelink.apply.netlink.Bytes.ascii;
import static io.wirelink.apply.netlink.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wirelink.apply.HostNetwork.InterfaceAddress;
import io.wirelink.apply.HostNetwork.Link;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.MalformedInputException;
import java.nio.ByteOrder;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** rtnetlink requests byte for byte against linux/rtnetlink.h, if_link.h and if_addr.h; replies decoded. */
class RtCodecTest {
    @BeforeAll
    static void littleEndian() {
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "expected bytes are little-endian");
    }

    @Test
    void linkDumpRequest() {
        assertArrayEquals(hex(
                "20000000", // nlmsg_len = 32
                "1200", //     RTM_GETLINK (18)
                "0103", //     NLM_F_REQUEST | NLM_F_DUMP (0x301)
                "00000000 00000000", // seq, pid
                "00 00 0000 00000000 00000000 00000000"), // ifinfomsg: AF_UNSPEC, pad, type, index, flags, change
                RtCodec.getLinks());
    }

    @Test
    void linkByNameRequest() {
        assertArrayEquals(hex(
                "2c000000", // nlmsg_len = 44
                "1200 0100", // RTM_GETLINK, NLM_F_REQUEST
                "00000000 00000000",
                "00 00 0000 00000000 00000000 00000000", // ifinfomsg, index 0: look up by name
                "0900 0300 " + ascii("eth0") + "00 000000"), // IFLA_IFNAME (3): "eth0\0", 3 pad bytes
                RtCodec.getLink("eth0"));
    }

    @Test
    void setUpRequestAsIpLinkSetUp() {
        assertArrayEquals(hex(
                "28000000", // nlmsg_len = 40
                "1000", //     RTM_NEWLINK (16)
                "0500", //     NLM_F_REQUEST | NLM_F_ACK, no NLM_F_CREATE
                "00000000 00000000",
                "00 00 0000", //  ifi_family, pad, ifi_type
                "00000000", //    ifi_index 0: by IFLA_IFNAME
                "01000000", //    ifi_flags = IFF_UP
                "01000000", //    ifi_change = IFF_UP (only this bit changes)
                "0700 0300 " + ascii("d0") + "00 00"), // IFLA_IFNAME "d0\0" + 1 pad byte
                RtCodec.setUp("d0"));
    }

    @Test
    void addressDumpRequest() {
        assertArrayEquals(hex(
                "18000000 1600 0103 00000000 00000000", // len 24, RTM_GETADDR (22), REQUEST|DUMP
                "00 00 00 00 00000000"), // ifaddrmsg: AF_UNSPEC, prefixlen, flags, scope, index
                RtCodec.getAddresses());
    }

    @Test
    void newIpv4Address() {
        assertArrayEquals(hex(
                "28000000", // nlmsg_len = 40
                "1400", //     RTM_NEWADDR (20)
                "0506", //     NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL (0x200) | NLM_F_CREATE (0x400)
                "00000000 00000000",
                "02", //       ifa_family AF_INET
                "18", //       ifa_prefixlen 24
                "00", //       ifa_flags: none for IPv4
                "00", //       ifa_scope RT_SCOPE_UNIVERSE
                "05000000", // ifa_index 5
                "0800 0200 c0000201", //  IFA_LOCAL 192.0.2.1
                "0800 0100 c0000201"), // IFA_ADDRESS 192.0.2.1
                RtCodec.newAddress(5, IpPrefix.parse("192.0.2.1/24")));
    }

    @Test
    void newIpv6LinkLocalAddressSkipsDad() {
        assertArrayEquals(hex(
                "48000000", // nlmsg_len = 72
                "1400 0506", // RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE
                "00000000 00000000",
                "0a", //       AF_INET6
                "40", //       prefixlen 64
                "02", //       IFA_F_NODAD
                "00", //       scope: the kernel derives it (link) from the address
                "05000000", // ifa_index 5
                "1400 0200 fe800000000000000000000000001234", //  IFA_LOCAL fe80::1234
                "1400 0100 fe800000000000000000000000001234", //  IFA_ADDRESS fe80::1234
                "0800 0800 02000000"), // IFA_FLAGS (8) = IFA_F_NODAD, the u32 form
                RtCodec.newAddress(5, IpPrefix.parse("fe80::1234/64")));
    }

    @Test
    void loopbackIpv4GetsHostScope() {
        byte[] m = RtCodec.newAddress(1, IpPrefix.parse("127.0.0.2/8"));
        assertEquals((byte) 254, m[16 + 3]);
    }

    @Test
    void deleteIpv6Address() {
        assertArrayEquals(hex(
                "40000000", // nlmsg_len = 64
                "1500 0500", // RTM_DELADDR (21), NLM_F_REQUEST | NLM_F_ACK
                "00000000 00000000",
                "0a 40 00 00 05000000", // AF_INET6, /64, no flags, scope 0, ifindex 5
                "1400 0200 20010db8000000000000000000000001", // IFA_LOCAL 2001:db8::1
                "1400 0100 20010db8000000000000000000000001"), // IFA_ADDRESS
                RtCodec.deleteAddress(5, IpPrefix.parse("2001:db8::1/64")));
    }

    static byte[] vethLinkMessage() {
        return hex(
                "40000000", // nlmsg_len = 64
                "1000 0200", // RTM_NEWLINK, NLM_F_MULTI (part of a dump)
                "01000000 78563412",
                "00 00 0100", // AF_UNSPEC, pad, ARPHRD_ETHER
                "03000000", //  ifi_index 3
                "43100100", //  IFF_UP|IFF_BROADCAST|IFF_RUNNING|IFF_MULTICAST|IFF_LOWER_UP = 0x11043
                "00000000", //  ifi_change
                "0700 0300 " + ascii("d0") + "00 00", // IFLA_IFNAME "d0"
                "0800 0400 dc050000", //                IFLA_MTU 1500
                "1000 1280", //                         IFLA_LINKINFO (18) | NLA_F_NESTED, 16 bytes
                "  0900 0100 " + ascii("veth") + "00 000000"); // IFLA_INFO_KIND "veth"
    }

    @Test
    void decodesLink() {
        byte[] m = vethLinkMessage();
        Link l = RtCodec.decodeLink(NlMessage.parseAll(m, m.length).get(0));
        assertEquals(new Link(3, "d0", true, 1500, "veth"), l);
    }

    @Test
    void decodesIpv6AddressFromIfaAddressWithU32Flags() {
        byte[] m = hex(
                "3c000000 1400 0200 01000000 00000000", // len 60, RTM_NEWADDR, NLM_F_MULTI
                "0a 40 c0 fd 03000000", // AF_INET6, /64, u8 flags 0xc0 (truncated), scope 253 link, ifindex 3
                "1400 0100 fe800000000000000000000000001234", // IFA_ADDRESS (IPv6 has no IFA_LOCAL without a peer)
                "0800 0800 c2000000", // IFA_FLAGS = PERMANENT | TENTATIVE | NODAD (0xc2)
                "0800 0300 00000000"); // an attribute we do not use (IFA_LABEL)
        InterfaceAddress a = RtCodec.decodeAddress(NlMessage.parseAll(m, m.length).get(0), Map.of(3, "d0"));
        assertEquals(new InterfaceAddress(3, "d0", IpPrefix.parse("fe80::1234/64"), 253, 0xc2), a);
    }

    @Test
    void decodesIpv4AddressPreferringIfaLocal() {
        byte[] m = hex(
                "28000000 1400 0200 01000000 00000000",
                "02 20 80 00 07000000", // AF_INET, /32, PERMANENT, universe, ifindex 7
                "0800 0100 c6336401", // IFA_ADDRESS 198.51.100.1 (the peer of a point-to-point address)
                "0800 0200 cb007101"); // IFA_LOCAL 203.0.113.1 (ours)
        InterfaceAddress a = RtCodec.decodeAddress(NlMessage.parseAll(m, m.length).get(0), Map.of());
        assertEquals(new InterfaceAddress(7, "", IpPrefix.parse("203.0.113.1/32"), 0, 0x80), a);
    }

    @Test
    void skipsOtherFamiliesAndRejectsBadAddresses() {
        byte[] other = hex("18000000 1400 0200 01000000 00000000", "11 00 00 00 01000000");
        assertNull(RtCodec.decodeAddress(NlMessage.parseAll(other, other.length).get(0), Map.of()));
        byte[] shortAddr = hex("20000000 1400 0200 01000000 00000000", "0a 40 00 00 01000000", "0800 0100 fe800000");
        assertThrows(MalformedInputException.class,
                () -> RtCodec.decodeAddress(NlMessage.parseAll(shortAddr, shortAddr.length).get(0), Map.of()));
        byte[] longPrefix = hex("20000000 1400 0200 01000000 00000000", "02 21 00 00 01000000", "0800 0200 c0000201");
        assertThrows(MalformedInputException.class,
                () -> RtCodec.decodeAddress(NlMessage.parseAll(longPrefix, longPrefix.length).get(0), Map.of()));
    }

    @Test
    void refusesBadInterfaceNames() {
        assertThrows(IllegalArgumentException.class, () -> RtCodec.getLink(""));
        assertThrows(IllegalArgumentException.class, () -> RtCodec.getLink("a-name-of-16-chr"));
        assertThrows(IllegalArgumentException.class, () -> RtCodec.setUp("a/b"));
        assertThrows(IllegalArgumentException.class, () -> RtCodec.setUp("a b"));
    }
}
