package io.wirelink.apply.netlink;

import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.PeerChange;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.MalformedInputException;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's side of WG_CMD_SET_DEVICE, for tests: decodes one message into a {@link Message}, and a split
 * sequence back into one {@link DeviceChange} (a peer continued in the next message is merged).
 */
final class SetDeviceDecoder {
    private SetDeviceDecoder() {}

    /** One peer entry as it appears in one message. */
    record PeerChunk(PublicKey key, int flags, IpEndpoint endpoint, Integer keepalive, List<IpPrefix> allowedIps,
            boolean hasAllowedIpsAttr) {}

    /** One decoded WG_CMD_SET_DEVICE message. */
    record Message(String ifname, byte[] privateKey, Integer listenPort, Integer fwmark, Integer flags,
            List<PeerChunk> peers, int size) {}

    static Message decode(byte[] bytes, int familyId) {
        List<NlMessage> msgs = NlMessage.parseAll(bytes, bytes.length);
        if (msgs.size() != 1) {
            throw new MalformedInputException(msgs.size() + " messages in one SET datagram");
        }
        NlMessage m = msgs.get(0);
        if (m.type() != familyId || (m.payload()[0] & 0xff) != WgCodec.WG_CMD_SET_DEVICE) {
            throw new MalformedInputException("not WG_CMD_SET_DEVICE");
        }
        String ifname = null;
        byte[] priv = null;
        Integer port = null;
        Integer fwmark = null;
        Integer flags = null;
        List<PeerChunk> peers = new ArrayList<>();
        for (NlAttr a : GenlCodec.attributes(m)) {
            switch (a.type()) {
                case WgCodec.WGDEVICE_A_IFNAME:
                    ifname = a.string();
                    break;
                case WgCodec.WGDEVICE_A_PRIVATE_KEY:
                    priv = a.exactBytes(32, "private key");
                    break;
                case WgCodec.WGDEVICE_A_LISTEN_PORT:
                    port = a.u16();
                    break;
                case WgCodec.WGDEVICE_A_FWMARK:
                    fwmark = a.u32();
                    break;
                case WgCodec.WGDEVICE_A_FLAGS:
                    flags = a.u32();
                    break;
                case WgCodec.WGDEVICE_A_PEERS:
                    if (!a.nestedFlag()) {
                        throw new MalformedInputException("WGDEVICE_A_PEERS without NLA_F_NESTED");
                    }
                    for (NlAttr p : a.nested()) {
                        peers.add(peer(p));
                    }
                    break;
                default:
                    throw new MalformedInputException("unexpected device attribute " + a.type());
            }
        }
        return new Message(ifname, priv, port, fwmark, flags, peers, bytes.length);
    }

    private static PeerChunk peer(NlAttr nest) {
        if (!nest.nestedFlag()) {
            throw new MalformedInputException("peer without NLA_F_NESTED");
        }
        PublicKey key = null;
        int flags = 0;
        IpEndpoint ep = null;
        Integer ka = null;
        List<IpPrefix> ips = new ArrayList<>();
        boolean hasIps = false;
        for (NlAttr a : nest.nested()) {
            switch (a.type()) {
                case WgCodec.WGPEER_A_PUBLIC_KEY:
                    key = PublicKey.of(a.exactBytes(32, "key"));
                    break;
                case WgCodec.WGPEER_A_FLAGS:
                    flags = a.u32();
                    break;
                case WgCodec.WGPEER_A_ENDPOINT:
                    ep = WgCodec.decodeSockaddr(a);
                    break;
                case WgCodec.WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
                    ka = a.u16();
                    break;
                case WgCodec.WGPEER_A_ALLOWEDIPS:
                    hasIps = true;
                    for (NlAttr ip : a.nested()) {
                        List<NlAttr> f = ip.nested();
                        int family = NlAttr.find(f, WgCodec.WGALLOWEDIP_A_FAMILY).u16();
                        byte[] addr = NlAttr.find(f, WgCodec.WGALLOWEDIP_A_IPADDR).bytes();
                        if (addr.length != (family == RtCodec.AF_INET ? 4 : 16)) {
                            throw new MalformedInputException("family/address mismatch");
                        }
                        ips.add(IpPrefix.of(addr, NlAttr.find(f, WgCodec.WGALLOWEDIP_A_CIDR_MASK).u8()));
                    }
                    break;
                default:
                    throw new MalformedInputException("unexpected peer attribute " + a.type());
            }
        }
        if (key == null) {
            throw new MalformedInputException("peer without key");
        }
        return new PeerChunk(key, flags, ep, ka, ips, hasIps);
    }

    /** Decodes a split sequence back into the change it came from. */
    static DeviceChange decodeAll(List<byte[]> messages, int familyId) {
        PrivateKey priv = null;
        Integer port = null;
        Integer fwmark = null;
        boolean replacePeers = false;
        List<PeerChange> peers = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            Message m = decode(messages.get(i), familyId);
            if (i == 0) {
                priv = m.privateKey() == null ? null : PrivateKey.of(m.privateKey());
                port = m.listenPort();
                fwmark = m.fwmark();
                replacePeers = m.flags() != null && (m.flags() & WgCodec.WGDEVICE_F_REPLACE_PEERS) != 0;
            }
            for (int j = 0; j < m.peers().size(); j++) {
                PeerChunk c = m.peers().get(j);
                PeerChange last = peers.isEmpty() ? null : peers.get(peers.size() - 1);
                if (i > 0 && j == 0 && last != null && last.publicKey().equals(c.key())) {
                    List<IpPrefix> ips = new ArrayList<>(last.allowedIps());
                    ips.addAll(c.allowedIps());
                    peers.set(peers.size() - 1, new PeerChange(last.publicKey(), last.remove(), last.updateOnly(),
                            last.endpoint(), last.persistentKeepaliveSeconds(), last.replaceAllowedIps(), ips));
                    continue;
                }
                peers.add(new PeerChange(c.key(), (c.flags() & WgCodec.WGPEER_F_REMOVE_ME) != 0,
                        (c.flags() & WgCodec.WGPEER_F_UPDATE_ONLY) != 0, c.endpoint(), c.keepalive(),
                        (c.flags() & WgCodec.WGPEER_F_REPLACE_ALLOWEDIPS) != 0, c.allowedIps()));
            }
        }
        return new DeviceChange(priv, port, fwmark, replacePeers, peers);
    }
}
