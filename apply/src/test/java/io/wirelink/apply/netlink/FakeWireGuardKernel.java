package io.wirelink.apply.netlink;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fake kernel behind a {@link NetlinkChannel}: answers nlctrl CTRL_CMD_GETFAMILY and the WireGuard family's
 * GET (as a multi-part dump split like the kernel splits it, with peers continued across messages) and SET (applied
 * with the kernel's semantics: replace peers, remove, update-only, replace allowed IPs, an allowed IP moves to the
 * peer that claims it last). Replies come back as datagrams, several messages to a datagram.
 */
final class FakeWireGuardKernel implements NetlinkChannel {
    static final int FAMILY_ID = 0x15;
    static final int PORT_ID = 4242;

    static final class Peer {
        byte[] presharedKey = new byte[32];
        IpEndpoint endpoint;
        int keepalive;
        final List<IpPrefix> allowedIps = new ArrayList<>();
        Instant lastHandshake = Instant.EPOCH;
        long rx;
        long tx;
    }

    static final class Dev {
        final int ifindex;
        byte[] privateKey;
        int listenPort;
        int fwmark;
        final Map<PublicKey, Peer> peers = new LinkedHashMap<>();

        Dev(int ifindex) {
            this.ifindex = ifindex;
        }
    }

    final Map<String, Dev> devices = new LinkedHashMap<>();
    final Map<String, Integer> otherLinks = new LinkedHashMap<>();
    final List<byte[]> sent = new ArrayList<>();
    boolean familyPresent = true;
    int peersPerDumpMessage = 3;
    int ipsPerDumpMessage = 4;
    int messagesPerDatagram = 2;
    /** 1-based index among SET messages that gets EINVAL; 0 for none. */
    int failSetMessage;
    private int setMessages;
    private final Deque<byte[]> replies = new ArrayDeque<>();
    boolean closed;

    @Override
    public void send(byte[] message) throws NetlinkException {
        if (closed) {
            throw new NetlinkException("sendto(fake)", Errno.EBADF, null);
        }
        sent.add(message.clone());
        NlMessage m = NlMessage.parseAll(message, message.length).get(0);
        if (m.type() == GenlCodec.GENL_ID_CTRL) {
            String name = NlAttr.find(GenlCodec.attributes(m), GenlCodec.CTRL_ATTR_FAMILY_NAME).string();
            if (familyPresent && name.equals(WgCodec.FAMILY_NAME)) {
                NlMessageBuilder b = new NlMessageBuilder(GenlCodec.GENL_ID_CTRL, 0);
                b.genlHeader(GenlCodec.CTRL_CMD_NEWFAMILY, 2);
                b.attrString(GenlCodec.CTRL_ATTR_FAMILY_NAME, name);
                b.attrU16(GenlCodec.CTRL_ATTR_FAMILY_ID, FAMILY_ID);
                b.attrU32(GenlCodec.CTRL_ATTR_VERSION, 1);
                b.attrU32(GenlCodec.CTRL_ATTR_HDRSIZE, 0);
                b.attrU32(GenlCodec.CTRL_ATTR_MAXATTR, 8);
                replies.add(reply(b, m.seq()));
            } else {
                replies.add(error(m, Errno.ENOENT, null));
            }
            return;
        }
        if (m.type() != FAMILY_ID) {
            replies.add(error(m, Errno.EOPNOTSUPP, null));
            return;
        }
        List<NlAttr> attrs = GenlCodec.attributes(m);
        String ifname = NlAttr.find(attrs, WgCodec.WGDEVICE_A_IFNAME).string();
        Dev dev = devices.get(ifname);
        int cmd = m.payload()[0] & 0xff;
        if (dev == null) {
            replies.add(error(m, otherLinks.containsKey(ifname) ? Errno.EOPNOTSUPP : Errno.ENODEV, null));
            return;
        }
        if (cmd == WgCodec.WG_CMD_GET_DEVICE) {
            if ((m.flags() & NlMessage.NLM_F_DUMP) != NlMessage.NLM_F_DUMP) {
                replies.add(error(m, Errno.EOPNOTSUPP, null));
                return;
            }
            List<byte[]> parts = new ArrayList<>(encodeDump(ifname, dev, m.seq()));
            parts.add(done(m.seq()));
            for (int i = 0; i < parts.size(); i += messagesPerDatagram) {
                replies.add(Bytes.concat(parts.subList(i, Math.min(parts.size(), i + messagesPerDatagram))
                        .toArray(new byte[0][])));
            }
        } else if (cmd == WgCodec.WG_CMD_SET_DEVICE) {
            setMessages++;
            if (setMessages == failSetMessage) {
                replies.add(error(m, Errno.EINVAL, "injected failure"));
                return;
            }
            applySet(dev, SetDeviceDecoder.decode(message, FAMILY_ID));
            replies.add(error(m, 0, null));
        } else {
            replies.add(error(m, Errno.EOPNOTSUPP, null));
        }
    }

    @Override
    public byte[] receive() throws NetlinkException {
        byte[] r = replies.poll();
        if (r == null) {
            throw new NetlinkException("recvfrom(fake)", Errno.EAGAIN, null);
        }
        return r;
    }

    @Override
    public void close() {
        closed = true;
    }

    /** The kernel's set_device, in its order. */
    private static void applySet(Dev dev, SetDeviceDecoder.Message m) {
        if (m.privateKey() != null) {
            dev.privateKey = m.privateKey();
        }
        if (m.listenPort() != null) {
            dev.listenPort = m.listenPort();
        }
        if (m.fwmark() != null) {
            dev.fwmark = m.fwmark();
        }
        if (m.flags() != null && (m.flags() & WgCodec.WGDEVICE_F_REPLACE_PEERS) != 0) {
            dev.peers.clear();
        }
        for (SetDeviceDecoder.PeerChunk c : m.peers()) {
            if ((c.flags() & WgCodec.WGPEER_F_REMOVE_ME) != 0) {
                dev.peers.remove(c.key());
                continue;
            }
            Peer p = dev.peers.get(c.key());
            if (p == null) {
                if ((c.flags() & WgCodec.WGPEER_F_UPDATE_ONLY) != 0) {
                    continue;
                }
                p = new Peer();
                dev.peers.put(c.key(), p);
            }
            if ((c.flags() & WgCodec.WGPEER_F_REPLACE_ALLOWEDIPS) != 0) {
                p.allowedIps.clear();
            }
            if (c.endpoint() != null) {
                p.endpoint = c.endpoint();
            }
            for (IpPrefix ip : c.allowedIps()) {
                IpPrefix masked = ip.masked();
                for (Peer other : dev.peers.values()) {
                    other.allowedIps.remove(masked);
                }
                p.allowedIps.add(masked);
            }
            if (c.keepalive() != null) {
                p.keepalive = c.keepalive();
            }
        }
    }

    /** WG_CMD_GET_DEVICE dump messages, split the way the kernel splits a dump that does not fit one message. */
    List<byte[]> encodeDump(String ifname, Dev dev, int seq) {
        List<byte[]> out = new ArrayList<>();
        DumpWriter w = new DumpWriter(out, seq, ifname);
        w.start();
        w.b.attrU32(WgCodec.WGDEVICE_A_IFINDEX, dev.ifindex);
        if (dev.privateKey != null) {
            w.b.attr(WgCodec.WGDEVICE_A_PRIVATE_KEY, dev.privateKey);
            w.b.attr(WgCodec.WGDEVICE_A_PUBLIC_KEY, PrivateKey.of(dev.privateKey).publicKey().toBytes());
        }
        w.b.attrU16(WgCodec.WGDEVICE_A_LISTEN_PORT, dev.listenPort);
        w.b.attrU32(WgCodec.WGDEVICE_A_FWMARK, dev.fwmark);
        for (Map.Entry<PublicKey, Peer> e : dev.peers.entrySet()) {
            Peer p = e.getValue();
            int next = 0;
            boolean first = true;
            while (true) {
                boolean moreIps = next < p.allowedIps.size();
                if (w.peers > 0 && (w.peers >= peersPerDumpMessage || (moreIps && w.ips >= ipsPerDumpMessage))) {
                    w.flush();
                    w.start();
                }
                if (w.peersNest < 0) {
                    w.peersNest = w.b.beginNested(WgCodec.WGDEVICE_A_PEERS);
                }
                int pn = w.b.beginNested(0);
                w.b.attr(WgCodec.WGPEER_A_PUBLIC_KEY, e.getKey().toBytes());
                if (first) {
                    w.b.attr(WgCodec.WGPEER_A_PRESHARED_KEY, p.presharedKey);
                    if (p.endpoint != null) {
                        w.b.attr(WgCodec.WGPEER_A_ENDPOINT, WgCodec.encodeSockaddr(p.endpoint));
                    }
                    w.b.attrU16(WgCodec.WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, p.keepalive);
                    w.b.attr(WgCodec.WGPEER_A_LAST_HANDSHAKE_TIME, ByteBuffer.allocate(16)
                            .order(NlMessageBuilder.ORDER).putLong(p.lastHandshake.getEpochSecond())
                            .putLong(p.lastHandshake.getNano()).array());
                    w.b.attrU64(WgCodec.WGPEER_A_RX_BYTES, p.rx);
                    w.b.attrU64(WgCodec.WGPEER_A_TX_BYTES, p.tx);
                    w.b.attrU32(WgCodec.WGPEER_A_PROTOCOL_VERSION, 1);
                }
                if (moreIps) {
                    int an = w.b.beginNested(WgCodec.WGPEER_A_ALLOWEDIPS);
                    do {
                        IpPrefix ip = p.allowedIps.get(next++);
                        int n = w.b.beginNested(0);
                        w.b.attrU16(WgCodec.WGALLOWEDIP_A_FAMILY, ip.isIpv4() ? RtCodec.AF_INET : RtCodec.AF_INET6);
                        w.b.attr(WgCodec.WGALLOWEDIP_A_IPADDR, ip.address().getAddress());
                        w.b.attrU8(WgCodec.WGALLOWEDIP_A_CIDR_MASK, ip.prefixLength());
                        w.b.endNested(n);
                        w.ips++;
                    } while (next < p.allowedIps.size() && w.ips < ipsPerDumpMessage);
                    w.b.endNested(an);
                }
                w.b.endNested(pn);
                w.peers++;
                first = false;
                if (next >= p.allowedIps.size()) {
                    break;
                }
                w.flush();
                w.start();
            }
        }
        w.flush();
        return out;
    }

    private static final class DumpWriter {
        final List<byte[]> out;
        final int seq;
        final String ifname;
        NlMessageBuilder b;
        int peersNest;
        int peers;
        int ips;

        DumpWriter(List<byte[]> out, int seq, String ifname) {
            this.out = out;
            this.seq = seq;
            this.ifname = ifname;
        }

        void start() {
            b = new NlMessageBuilder(FAMILY_ID, NlMessage.NLM_F_MULTI);
            b.genlHeader(WgCodec.WG_CMD_GET_DEVICE, WgCodec.GENL_VERSION);
            b.attrString(WgCodec.WGDEVICE_A_IFNAME, ifname);
            peersNest = -1;
            peers = 0;
            ips = 0;
        }

        void flush() {
            if (peersNest >= 0) {
                b.endNested(peersNest);
            }
            out.add(reply(b, seq));
        }
    }

    static byte[] reply(NlMessageBuilder b, int seq) {
        byte[] r = b.build();
        NlMessageBuilder.stampSequence(r, seq);
        ByteBuffer.wrap(r).order(NlMessageBuilder.ORDER).putInt(12, PORT_ID);
        return r;
    }

    static byte[] done(int seq) {
        return reply(new NlMessageBuilder(NlMessage.NLMSG_DONE, NlMessage.NLM_F_MULTI).putU32(0), seq);
    }

    /** NLMSG_ERROR as a NETLINK_CAP_ACK + NETLINK_EXT_ACK socket gets it; errno 0 is an ACK. */
    static byte[] error(NlMessage request, int errno, String text) {
        int flags = NlMessage.NLM_F_CAPPED | (text != null ? NlMessage.NLM_F_ACK_TLVS : 0);
        NlMessageBuilder b = new NlMessageBuilder(NlMessage.NLMSG_ERROR, flags);
        b.putU32(-errno);
        b.putU32(16 + request.payload().length).putU16(request.type()).putU16(request.flags())
                .putU32(request.seq()).putU32(request.pid());
        if (text != null) {
            b.attrString(NlMessage.NLMSGERR_ATTR_MSG, text);
        }
        return reply(b, request.seq());
    }

    static byte[] key(int fill) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) fill);
        return k;
    }
}
