package io.wirelink.apply.netlink;

import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerChange;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.MalformedInputException;
import io.wirelink.facts.PublicKey;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel WireGuard generic netlink family, as specified by the header comment of
 * {@code include/uapi/linux/wireguard.h}: WG_CMD_GET_DEVICE (a dump whose peers, and a peer's allowed IPs, may
 * continue over several messages) and WG_CMD_SET_DEVICE (which the sender splits when the change is large).
 * Decoders throw only {@link MalformedInputException}; key material read from replies is zeroed in the buffer.
 */
final class WgCodec {
    static final String FAMILY_NAME = "wireguard";
    static final int GENL_VERSION = 1;
    static final int KEY_LEN = 32;

    static final int WG_CMD_GET_DEVICE = 0;
    static final int WG_CMD_SET_DEVICE = 1;

    static final int WGDEVICE_F_REPLACE_PEERS = 1;
    static final int WGDEVICE_A_IFINDEX = 1;
    static final int WGDEVICE_A_IFNAME = 2;
    static final int WGDEVICE_A_PRIVATE_KEY = 3;
    static final int WGDEVICE_A_PUBLIC_KEY = 4;
    static final int WGDEVICE_A_FLAGS = 5;
    static final int WGDEVICE_A_LISTEN_PORT = 6;
    static final int WGDEVICE_A_FWMARK = 7;
    static final int WGDEVICE_A_PEERS = 8;

    static final int WGPEER_F_REMOVE_ME = 1;
    static final int WGPEER_F_REPLACE_ALLOWEDIPS = 2;
    static final int WGPEER_F_UPDATE_ONLY = 4;
    static final int WGPEER_A_PUBLIC_KEY = 1;
    static final int WGPEER_A_PRESHARED_KEY = 2;
    static final int WGPEER_A_FLAGS = 3;
    static final int WGPEER_A_ENDPOINT = 4;
    static final int WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL = 5;
    static final int WGPEER_A_LAST_HANDSHAKE_TIME = 6;
    static final int WGPEER_A_RX_BYTES = 7;
    static final int WGPEER_A_TX_BYTES = 8;
    static final int WGPEER_A_ALLOWEDIPS = 9;
    static final int WGPEER_A_PROTOCOL_VERSION = 10;

    static final int WGALLOWEDIP_A_FAMILY = 1;
    static final int WGALLOWEDIP_A_IPADDR = 2;
    static final int WGALLOWEDIP_A_CIDR_MASK = 3;

    static final int SOCKADDR_IN_LEN = 16;
    static final int SOCKADDR_IN6_LEN = 28;
    /** struct __kernel_timespec: s64 tv_sec, s64 tv_nsec. */
    static final int KERNEL_TIMESPEC_LEN = 16;

    /** Default upper bound on one WG_CMD_SET_DEVICE message, header included. */
    static final int DEFAULT_MESSAGE_BUDGET = 32 * 1024;
    /** Enough for the largest single unit (first-message device fields, one peer chunk, one IPv6 allowed IP). */
    static final int MIN_MESSAGE_BUDGET = 512;
    /** A nested attribute's u16 length must hold the peers list. */
    static final int MAX_MESSAGE_BUDGET = 0xffff;

    private WgCodec() {}

    /** WG_CMD_GET_DEVICE for {@code ifname}: NLM_F_REQUEST | NLM_F_DUMP, as the kernel requires. */
    static byte[] getDevice(int familyId, String ifname) {
        NlMessageBuilder b = new NlMessageBuilder(familyId, NlMessage.NLM_F_REQUEST | NlMessage.NLM_F_DUMP);
        b.genlHeader(WG_CMD_GET_DEVICE, GENL_VERSION);
        b.attrString(WGDEVICE_A_IFNAME, RtCodec.checkIfname(ifname));
        return b.build();
    }

    // ---------------------------------------------------------------------------------------------- GET (decode)

    /**
     * Decodes the messages of a WG_CMD_GET_DEVICE dump (NLMSG_DONE already removed) into one device. Later messages
     * carry only the interface name and more peers; a peer that appears again (normally the last of one message and
     * the first of the next) has its allowed IPs appended and any other attribute it carries applied.
     */
    /** The device's private key from a GET_DEVICE dump, or null when it has none. */
    static io.wirelink.facts.PrivateKey privateKeyOf(List<NlMessage> parts, int familyId) {
        for (NlMessage m : parts) {
            if (m.type() != familyId) {
                throw new MalformedInputException("message type " + m.type() + " in a wireguard dump");
            }
            for (NlAttr a : GenlCodec.attributes(m)) {
                if (a.type() == WGDEVICE_A_PRIVATE_KEY) {
                    byte[] k = a.exactBytes(KEY_LEN, "private key");
                    try {
                        return a.allZero() ? null : io.wirelink.facts.PrivateKey.of(k);
                    } finally {
                        Arrays.fill(k, (byte) 0);
                    }
                }
            }
        }
        return null;
    }

    static DeviceState decodeDevice(List<NlMessage> parts, int familyId, String requestedName) {
        if (parts.isEmpty()) {
            throw new MalformedInputException("empty WG_CMD_GET_DEVICE dump");
        }
        String name = null;
        PublicKey publicKey = null;
        int listenPort = 0;
        int fwmark = 0;
        Map<PublicKey, PeerBuilder> peers = new LinkedHashMap<>();
        for (NlMessage m : parts) {
            if (m.type() != familyId) {
                throw new MalformedInputException("message type " + m.type() + " in a wireguard dump");
            }
            List<NlAttr> attrs = GenlCodec.attributes(m);
            if ((m.payload()[0] & 0xff) != WG_CMD_GET_DEVICE) {
                throw new MalformedInputException("command " + (m.payload()[0] & 0xff) + " in a wireguard dump");
            }
            for (NlAttr a : attrs) {
                switch (a.type()) {
                    case WGDEVICE_A_IFNAME:
                        if (name == null) {
                            name = a.string();
                        }
                        break;
                    case WGDEVICE_A_PRIVATE_KEY:
                        a.exactBytes(KEY_LEN, "private key"); // length check only; never kept
                        a.wipe();
                        break;
                    case WGDEVICE_A_PUBLIC_KEY:
                        byte[] k = a.exactBytes(KEY_LEN, "public key");
                        publicKey = a.allZero() ? null : PublicKey.of(k);
                        break;
                    case WGDEVICE_A_LISTEN_PORT:
                        listenPort = a.u16();
                        break;
                    case WGDEVICE_A_FWMARK:
                        fwmark = a.u32();
                        break;
                    case WGDEVICE_A_PEERS:
                        for (NlAttr p : a.nested()) {
                            decodePeer(p.nested(), peers);
                        }
                        break;
                    default:
                        break; // WGDEVICE_A_IFINDEX, and attributes newer than this code
                }
            }
        }
        List<PeerState> out = new ArrayList<>(peers.size());
        for (PeerBuilder p : peers.values()) {
            out.add(p.build());
        }
        return new DeviceState(name != null ? name : requestedName, publicKey, listenPort, fwmark, out);
    }

    private static void decodePeer(List<NlAttr> attrs, Map<PublicKey, PeerBuilder> peers) {
        NlAttr keyAttr = NlAttr.find(attrs, WGPEER_A_PUBLIC_KEY);
        if (keyAttr == null) {
            throw new MalformedInputException("peer without WGPEER_A_PUBLIC_KEY");
        }
        PublicKey key = PublicKey.of(keyAttr.exactBytes(KEY_LEN, "peer public key"));
        PeerBuilder p = peers.computeIfAbsent(key, PeerBuilder::new);
        for (NlAttr a : attrs) {
            switch (a.type()) {
                case WGPEER_A_PRESHARED_KEY:
                    a.exactBytes(KEY_LEN, "preshared key");
                    p.hasPresharedKey = !a.allZero();
                    a.wipe();
                    break;
                case WGPEER_A_ENDPOINT:
                    p.endpoint = decodeSockaddr(a);
                    break;
                case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
                    p.keepalive = a.u16();
                    break;
                case WGPEER_A_LAST_HANDSHAKE_TIME:
                    p.lastHandshake = decodeTimespec(a);
                    break;
                case WGPEER_A_RX_BYTES:
                    p.rx = a.u64();
                    break;
                case WGPEER_A_TX_BYTES:
                    p.tx = a.u64();
                    break;
                case WGPEER_A_ALLOWEDIPS:
                    for (NlAttr ip : a.nested()) {
                        p.allowedIps.add(decodeAllowedIp(ip.nested()));
                    }
                    break;
                default:
                    break; // public key (done), protocol version, newer attributes
            }
        }
    }

    private static final class PeerBuilder {
        final PublicKey key;
        boolean hasPresharedKey;
        IpEndpoint endpoint;
        final List<IpPrefix> allowedIps = new ArrayList<>();
        Instant lastHandshake = Instant.EPOCH;
        long rx;
        long tx;
        int keepalive;

        PeerBuilder(PublicKey key) {
            this.key = key;
        }

        PeerState build() {
            return new PeerState(key, hasPresharedKey, endpoint, allowedIps, lastHandshake, rx, tx, keepalive);
        }
    }

    /** {@code struct sockaddr_in} or {@code struct sockaddr_in6}: family in host order, port in network order. */
    static IpEndpoint decodeSockaddr(NlAttr a) {
        ByteBuffer v = a.value();
        if (v.remaining() < 2) {
            throw new MalformedInputException("endpoint of " + v.remaining() + " bytes");
        }
        int family = v.getShort(0) & 0xffff;
        byte[] addr;
        if (family == RtCodec.AF_INET && v.remaining() >= SOCKADDR_IN_LEN) {
            addr = new byte[4];
            v.get(4, addr);
        } else if (family == RtCodec.AF_INET6 && v.remaining() >= SOCKADDR_IN6_LEN) {
            addr = new byte[16];
            v.get(8, addr);
        } else {
            throw new MalformedInputException("endpoint family " + family + " with " + v.remaining() + " bytes");
        }
        int port = v.order(ByteOrder.BIG_ENDIAN).getShort(2) & 0xffff; // length checked above
        return IpEndpoint.of(addr, port);
    }

    static byte[] encodeSockaddr(IpEndpoint e) {
        byte[] addr = e.address().getAddress();
        boolean v6 = e.address() instanceof Inet6Address;
        ByteBuffer b = ByteBuffer.allocate(v6 ? SOCKADDR_IN6_LEN : SOCKADDR_IN_LEN).order(NlMessageBuilder.ORDER);
        b.putShort((short) (v6 ? RtCodec.AF_INET6 : RtCodec.AF_INET));
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) e.port()).order(NlMessageBuilder.ORDER);
        if (v6) {
            b.putInt(0); // sin6_flowinfo
            b.put(addr);
            b.putInt(0); // sin6_scope_id
        } else {
            b.put(addr); // sin_addr, then 8 bytes of sin_zero
        }
        return b.array();
    }

    private static Instant decodeTimespec(NlAttr a) {
        if (a.length() != KERNEL_TIMESPEC_LEN) {
            throw new MalformedInputException("last handshake time of " + a.length() + " bytes");
        }
        ByteBuffer v = a.value();
        long sec = v.getLong(0);
        long nsec = v.getLong(8);
        if (nsec < 0 || nsec > 999_999_999L || sec < Instant.MIN.getEpochSecond() || sec > Instant.MAX.getEpochSecond()) {
            throw new MalformedInputException("last handshake time out of range");
        }
        return Instant.ofEpochSecond(sec, nsec);
    }

    private static IpPrefix decodeAllowedIp(List<NlAttr> attrs) {
        NlAttr family = NlAttr.find(attrs, WGALLOWEDIP_A_FAMILY);
        NlAttr addr = NlAttr.find(attrs, WGALLOWEDIP_A_IPADDR);
        NlAttr cidr = NlAttr.find(attrs, WGALLOWEDIP_A_CIDR_MASK);
        if (family == null || addr == null || cidr == null) {
            throw new MalformedInputException("allowed IP without family, address or mask");
        }
        int f = family.u16();
        int bytes = f == RtCodec.AF_INET ? 4 : f == RtCodec.AF_INET6 ? 16 : -1;
        if (bytes < 0) {
            throw new MalformedInputException("allowed IP family " + f);
        }
        int bits = cidr.u8();
        if (bits > bytes * 8) {
            throw new MalformedInputException("allowed IP mask /" + bits + " for family " + f);
        }
        return IpPrefix.of(addr.exactBytes(bytes, "allowed IP address"), bits);
    }

    // ---------------------------------------------------------------------------------------------- SET (encode)

    /**
     * Encodes {@code change} as one or more WG_CMD_SET_DEVICE messages (NLM_F_REQUEST | NLM_F_ACK), none longer than
     * {@code budget} bytes. The first message carries the device fields and WGDEVICE_F_REPLACE_PEERS; later ones
     * only the interface name and more peers. A peer whose allowed IPs do not fit continues in the next message with
     * just its public key, its UPDATE_ONLY flag and more allowed IPs; WGPEER_F_REPLACE_ALLOWEDIPS, the endpoint and
     * the keepalive go only with its first chunk. An empty change gives no message. The private key is written into
     * the first message only; callers zero that message after sending it.
     */
    static List<byte[]> setDevice(int familyId, String ifname, DeviceChange change, int budget) {
        if (budget < MIN_MESSAGE_BUDGET || budget > MAX_MESSAGE_BUDGET) {
            throw new IllegalArgumentException("message budget " + budget + " outside [" + MIN_MESSAGE_BUDGET + ", "
                    + MAX_MESSAGE_BUDGET + "]");
        }
        RtCodec.checkIfname(ifname);
        if (change.isEmpty()) {
            return List.of();
        }
        byte[] privateKey = change.privateKey() == null ? null
                : rawKey(change.privateKey());
        SetEncoder e = new SetEncoder(familyId, ifname, budget);
        try {
            e.start();
            if (privateKey != null) {
                e.b.attr(WGDEVICE_A_PRIVATE_KEY, privateKey);
            }
            if (change.listenPort() != null) {
                e.b.attrU16(WGDEVICE_A_LISTEN_PORT, change.listenPort());
            }
            if (change.fwmark() != null) {
                e.b.attrU32(WGDEVICE_A_FWMARK, change.fwmark());
            }
            if (change.replacePeers()) {
                e.b.attrU32(WGDEVICE_A_FLAGS, WGDEVICE_F_REPLACE_PEERS);
            }
            for (PeerChange p : change.peers()) {
                e.peer(p);
            }
            e.finish();
        } finally {
            if (privateKey != null) {
                Arrays.fill(privateKey, (byte) 0);
            }
            if (e.b != null) {
                e.b.wipe();
            }
        }
        return e.out;
    }

    /** Bytes of an attribute with a value of {@code n} bytes, padding included. */
    static int attrSize(int n) {
        return NlMessageBuilder.align(NlMessageBuilder.NLA_HDRLEN + n);
    }

    /** Bytes of one allowed IP entry: nest header, family (u16), address, mask (u8). */
    static int allowedIpSize(IpPrefix p) {
        return NlMessageBuilder.NLA_HDRLEN + attrSize(2) + attrSize(p.isIpv4() ? 4 : 16) + attrSize(1);
    }

    static int peerFlags(PeerChange p, boolean firstChunk) {
        if (p.remove()) {
            return WGPEER_F_REMOVE_ME;
        }
        int f = p.updateOnly() ? WGPEER_F_UPDATE_ONLY : 0;
        if (firstChunk && p.replaceAllowedIps()) {
            f |= WGPEER_F_REPLACE_ALLOWEDIPS;
        }
        return f;
    }

    private static final class SetEncoder {
        final int familyId;
        final String ifname;
        final int budget;
        final List<byte[]> out = new ArrayList<>();
        NlMessageBuilder b;
        int baseSize;
        int peersNest;

        SetEncoder(int familyId, String ifname, int budget) {
            this.familyId = familyId;
            this.ifname = ifname;
            this.budget = budget;
        }

        void start() {
            b = new NlMessageBuilder(familyId, NlMessage.NLM_F_REQUEST | NlMessage.NLM_F_ACK, Math.min(budget, 4096));
            b.genlHeader(WG_CMD_SET_DEVICE, GENL_VERSION);
            b.attrString(WGDEVICE_A_IFNAME, ifname);
            baseSize = b.size();
            peersNest = -1;
        }

        void finish() {
            if (peersNest >= 0) {
                b.endNested(peersNest);
            }
            out.add(b.build());
            b.wipe();
        }

        void peer(PeerChange p) {
            List<IpPrefix> ips = p.remove() ? List.of() : p.allowedIps();
            int next = 0;
            boolean first = true;
            while (true) {
                boolean moreIps = next < ips.size();
                int need = (peersNest < 0 ? NlMessageBuilder.NLA_HDRLEN : 0) + chunkHeaderSize(p, first, moreIps)
                        + (moreIps ? allowedIpSize(ips.get(next)) : 0);
                if (b.size() + need > budget) {
                    if (b.size() == baseSize) {
                        throw new IllegalStateException("budget " + budget + " cannot hold one peer chunk");
                    }
                    finish();
                    start();
                    continue;
                }
                if (peersNest < 0) {
                    peersNest = b.beginNested(WGDEVICE_A_PEERS);
                }
                int peerNest = b.beginNested(0);
                b.attr(WGPEER_A_PUBLIC_KEY, p.publicKey().toBytes());
                int flags = peerFlags(p, first);
                if (flags != 0) {
                    b.attrU32(WGPEER_A_FLAGS, flags);
                }
                if (first && !p.remove()) {
                    if (p.endpoint() != null) {
                        b.attr(WGPEER_A_ENDPOINT, encodeSockaddr(p.endpoint()));
                    }
                    if (p.persistentKeepaliveSeconds() != null) {
                        b.attrU16(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, p.persistentKeepaliveSeconds());
                    }
                }
                if (moreIps) {
                    int ipsNest = b.beginNested(WGPEER_A_ALLOWEDIPS);
                    do {
                        writeAllowedIp(ips.get(next++));
                    } while (next < ips.size() && b.size() + allowedIpSize(ips.get(next)) <= budget);
                    b.endNested(ipsNest);
                }
                b.endNested(peerNest);
                first = false;
                if (next >= ips.size()) {
                    return;
                }
                finish();
                start();
            }
        }

        private int chunkHeaderSize(PeerChange p, boolean first, boolean moreIps) {
            int n = NlMessageBuilder.NLA_HDRLEN + attrSize(KEY_LEN);
            if (peerFlags(p, first) != 0) {
                n += attrSize(4);
            }
            if (first && !p.remove()) {
                if (p.endpoint() != null) {
                    n += attrSize(p.endpoint().isIpv6() ? SOCKADDR_IN6_LEN : SOCKADDR_IN_LEN);
                }
                if (p.persistentKeepaliveSeconds() != null) {
                    n += attrSize(2);
                }
            }
            return n + (moreIps ? NlMessageBuilder.NLA_HDRLEN : 0);
        }

        private void writeAllowedIp(IpPrefix ip) {
            int n = b.beginNested(0);
            b.attrU16(WGALLOWEDIP_A_FAMILY, ip.isIpv4() ? RtCodec.AF_INET : RtCodec.AF_INET6);
            b.attr(WGALLOWEDIP_A_IPADDR, ip.address().getAddress());
            b.attrU8(WGALLOWEDIP_A_CIDR_MASK, ip.prefixLength());
            b.endNested(n);
        }
    }

    private static byte[] rawKey(io.wirelink.facts.PrivateKey k) {
        byte[] raw = new byte[32];
        k.writeTo(raw, 0);
        return raw;
    }
}
