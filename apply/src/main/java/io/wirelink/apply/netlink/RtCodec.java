package io.wirelink.apply.netlink;

import io.wirelink.apply.HostNetwork.InterfaceAddress;
import io.wirelink.apply.HostNetwork.Link;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.MalformedInputException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * rtnetlink messages for links and addresses (linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h). Encoders return
 * complete messages with sequence number 0; decoders throw only {@link MalformedInputException}.
 */
final class RtCodec {
    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_GETLINK = 18;
    static final int RTM_SETLINK = 19;
    static final int RTM_NEWADDR = 20;
    static final int RTM_DELADDR = 21;
    static final int RTM_GETADDR = 22;

    static final int AF_UNSPEC = 0;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;

    /** {@code struct ifinfomsg}: u8 family, u8 pad, u16 type, s32 index, u32 flags, u32 change. */
    static final int IFINFOMSG_LEN = 16;
    static final int IFF_UP = 0x1;
    static final int IFLA_IFNAME = 3;
    static final int IFLA_MTU = 4;
    static final int IFLA_LINKINFO = 18;
    static final int IFLA_INFO_KIND = 1;

    /** {@code struct ifaddrmsg}: u8 family, u8 prefixlen, u8 flags, u8 scope, u32 index. */
    static final int IFADDRMSG_LEN = 8;
    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;
    static final int IFA_FLAGS = 8;
    static final int IFA_F_NODAD = 0x02;
    static final int IFA_F_TENTATIVE = 0x40;
    static final int IFA_F_PERMANENT = 0x80;
    static final int RT_SCOPE_UNIVERSE = 0;
    static final int RT_SCOPE_HOST = 254;

    /** IFNAMSIZ - 1. */
    static final int MAX_IFNAME_BYTES = 15;

    private RtCodec() {}

    /** RTM_GETLINK dump of every link. */
    static byte[] getLinks() {
        NlMessageBuilder b = new NlMessageBuilder(RTM_GETLINK, NlMessage.NLM_F_REQUEST | NlMessage.NLM_F_DUMP);
        ifinfomsg(b, 0, 0, 0);
        return b.build();
    }

    /** RTM_GETLINK for one link by name (ifi_index 0 plus IFLA_IFNAME); the kernel answers ENODEV if missing. */
    static byte[] getLink(String ifname) {
        NlMessageBuilder b = new NlMessageBuilder(RTM_GETLINK, NlMessage.NLM_F_REQUEST);
        ifinfomsg(b, 0, 0, 0);
        b.attrString(IFLA_IFNAME, checkIfname(ifname));
        return b.build();
    }

    /** RTM_NEWLINK without NLM_F_CREATE, as {@code ip link set NAME up} sends it: flags = change = IFF_UP. */
    static byte[] setUp(String ifname) {
        NlMessageBuilder b = new NlMessageBuilder(RTM_NEWLINK, NlMessage.NLM_F_REQUEST | NlMessage.NLM_F_ACK);
        ifinfomsg(b, 0, IFF_UP, IFF_UP);
        b.attrString(IFLA_IFNAME, checkIfname(ifname));
        return b.build();
    }

    /** RTM_GETADDR dump of every IPv4 and IPv6 address. */
    static byte[] getAddresses() {
        NlMessageBuilder b = new NlMessageBuilder(RTM_GETADDR, NlMessage.NLM_F_REQUEST | NlMessage.NLM_F_DUMP);
        ifaddrmsg(b, AF_UNSPEC, 0, 0, 0, 0);
        return b.build();
    }

    /**
     * RTM_NEWADDR with NLM_F_CREATE | NLM_F_EXCL (EEXIST if present), as {@code ip addr add} sends it: IFA_LOCAL and
     * IFA_ADDRESS both the address, no lifetimes (so the kernel marks it IFA_F_PERMANENT), scope host for 127/8 and
     * universe otherwise (the kernel derives IPv6 scope itself). IPv6 also gets IFA_F_NODAD, in the header and in
     * IFA_FLAGS, so that the address is usable at once instead of staying tentative during duplicate detection.
     */
    static byte[] newAddress(int ifindex, IpPrefix prefix) {
        NlMessageBuilder b = new NlMessageBuilder(RTM_NEWADDR, NlMessage.NLM_F_REQUEST | NlMessage.NLM_F_ACK
                | NlMessage.NLM_F_CREATE | NlMessage.NLM_F_EXCL);
        byte[] addr = prefix.address().getAddress();
        int flags = prefix.isIpv4() ? 0 : IFA_F_NODAD;
        int scope = prefix.isIpv4() && (addr[0] & 0xff) == 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
        ifaddrmsg(b, family(prefix), prefix.prefixLength(), flags, scope, ifindex);
        b.attr(IFA_LOCAL, addr);
        b.attr(IFA_ADDRESS, addr);
        if (flags != 0) {
            b.attrU32(IFA_FLAGS, flags);
        }
        return b.build();
    }

    /** RTM_DELADDR for exactly this address and prefix length; EADDRNOTAVAIL if absent. */
    static byte[] deleteAddress(int ifindex, IpPrefix prefix) {
        NlMessageBuilder b = new NlMessageBuilder(RTM_DELADDR, NlMessage.NLM_F_REQUEST | NlMessage.NLM_F_ACK);
        byte[] addr = prefix.address().getAddress();
        ifaddrmsg(b, family(prefix), prefix.prefixLength(), 0, 0, ifindex);
        b.attr(IFA_LOCAL, addr);
        b.attr(IFA_ADDRESS, addr);
        return b.build();
    }

    /** Decodes an RTM_NEWLINK message; {@code kind} is "" for links without IFLA_INFO_KIND (loopback, hardware). */
    static Link decodeLink(NlMessage m) {
        if (m.type() != RTM_NEWLINK) {
            throw new MalformedInputException("expected RTM_NEWLINK, got message type " + m.type());
        }
        byte[] p = m.payload();
        if (p.length < IFINFOMSG_LEN) {
            throw new MalformedInputException("ifinfomsg of " + p.length + " bytes");
        }
        ByteBuffer bb = ByteBuffer.wrap(p).order(NlMessageBuilder.ORDER);
        int index = bb.getInt(4);
        int flags = bb.getInt(8);
        List<NlAttr> attrs = NlAttr.parse(p, IFINFOMSG_LEN, p.length - IFINFOMSG_LEN);
        NlAttr name = NlAttr.find(attrs, IFLA_IFNAME);
        if (name == null) {
            throw new MalformedInputException("link " + index + " without IFLA_IFNAME");
        }
        NlAttr mtu = NlAttr.find(attrs, IFLA_MTU);
        String kind = "";
        NlAttr info = NlAttr.find(attrs, IFLA_LINKINFO);
        if (info != null) {
            NlAttr k = NlAttr.find(info.nested(), IFLA_INFO_KIND);
            if (k != null) {
                kind = k.string();
            }
        }
        return new Link(index, name.string(), (flags & IFF_UP) != 0, mtu == null ? 0 : mtu.u32(), kind);
    }

    /**
     * Decodes an RTM_NEWADDR message, or returns null for a family other than IPv4/IPv6. The address is IFA_LOCAL
     * when present (IPv4, and IPv6 with a peer), else IFA_ADDRESS, as {@code ip} reads it; flags come from IFA_FLAGS
     * when present (it holds the bits that do not fit the header's u8). {@code names} maps ifindex to name; an
     * unknown index gets "".
     */
    static InterfaceAddress decodeAddress(NlMessage m, Map<Integer, String> names) {
        if (m.type() != RTM_NEWADDR) {
            throw new MalformedInputException("expected RTM_NEWADDR, got message type " + m.type());
        }
        byte[] p = m.payload();
        if (p.length < IFADDRMSG_LEN) {
            throw new MalformedInputException("ifaddrmsg of " + p.length + " bytes");
        }
        ByteBuffer bb = ByteBuffer.wrap(p).order(NlMessageBuilder.ORDER);
        int family = p[0] & 0xff;
        int prefixLen = p[1] & 0xff;
        int flags = p[2] & 0xff;
        int scope = p[3] & 0xff;
        int index = bb.getInt(4);
        List<NlAttr> attrs = NlAttr.parse(p, IFADDRMSG_LEN, p.length - IFADDRMSG_LEN);
        if (family != AF_INET && family != AF_INET6) {
            return null;
        }
        int bytes = family == AF_INET ? 4 : 16;
        NlAttr a = NlAttr.find(attrs, IFA_LOCAL);
        if (a == null) {
            a = NlAttr.find(attrs, IFA_ADDRESS);
        }
        if (a == null) {
            throw new MalformedInputException("address on ifindex " + index + " without IFA_LOCAL or IFA_ADDRESS");
        }
        byte[] addr = a.exactBytes(bytes, "address");
        if (prefixLen > bytes * 8) {
            throw new MalformedInputException("prefix length " + prefixLen + " for a " + bytes * 8 + "-bit address");
        }
        NlAttr f = NlAttr.find(attrs, IFA_FLAGS);
        if (f != null) {
            flags = f.u32();
        }
        return new InterfaceAddress(index, names.getOrDefault(index, ""), IpPrefix.of(addr, prefixLen), scope, flags);
    }

    /** Rejects names the kernel would refuse: empty, longer than 15 bytes, or containing '/', ':', NUL, space. */
    static String checkIfname(String ifname) {
        if (ifname == null || ifname.isEmpty()) {
            throw new IllegalArgumentException("interface name is missing");
        }
        if (ifname.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_IFNAME_BYTES) {
            throw new IllegalArgumentException("interface name longer than 15 bytes: '" + ifname + "'");
        }
        for (int i = 0; i < ifname.length(); i++) {
            char c = ifname.charAt(i);
            if (c == '/' || c == ':' || c == 0 || Character.isWhitespace(c)) {
                throw new IllegalArgumentException("bad character in interface name '" + ifname + "'");
            }
        }
        return ifname;
    }

    private static int family(IpPrefix p) {
        return p.isIpv4() ? AF_INET : AF_INET6;
    }

    private static void ifinfomsg(NlMessageBuilder b, int index, int flags, int change) {
        b.putU8(AF_UNSPEC).putU8(0).putU16(0).putU32(index).putU32(flags).putU32(change);
    }

    private static void ifaddrmsg(NlMessageBuilder b, int family, int prefixLen, int flags, int scope, int index) {
        b.putU8(family).putU8(prefixLen).putU8(flags).putU8(scope).putU32(index);
    }
}
