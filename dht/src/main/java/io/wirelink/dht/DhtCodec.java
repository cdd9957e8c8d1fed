package io.wirelink.dht;

import io.wirelink.facts.Addresses;
import io.wirelink.facts.ByteSink;
import io.wirelink.facts.ByteSource;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.MalformedInputException;
import io.wirelink.facts.PublicKey;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.crypto.digests.Blake2sDigest;

/**
 * The DHT wire format (version 1). Big-endian throughout.
 *
 * <pre>
 * packet  = magic F1 | version 01 | type (1) | flags (1) | sender public key (32) | timestamp ms (8) | nonce (8)
 *           | [cookie (16), when flags &amp; 01] | body | zero padding | MAC (16)
 * flags   = 01 cookie present, 02 read-only sender; other bits must be 0
 * MAC     = BLAKE2s-128(key = pair key, data = receiver public key (32) | every byte before the MAC)
 * address = family (1: 04 or 06) | IP (4 or 16) | port (2)
 * bodies  = PING 01: empty                       PONG 02: inReplyTo (8) | observed address | cookie (16)
 *           FIND_NODE 03: target ID (32)         NODES 04: inReplyTo | observed | cookie | n (1) | n × (key (32) | address)
 *           FIND_VALUE 05: key (32)              VALUE 06: inReplyTo | observed | cookie | record
 *           STORE 07: record
 * record  = owner (32) | seq (8) | TTL seconds (2) | flags (1) = 00 | n (1, ≤ 8) | n × (kind (1) | address)
 *           | m (1, ≤ 4) | m × relay
 * relay   = flags (1: 01 operator) | relay key (32) | e (1, 1..4) | e × address     (a RelayAttachment value, §3.1)
 * </pre>
 *
 * Decoding is strict so that every accepted packet re-encodes to the same bytes: the decoder throws only
 * {@link MalformedInputException} (unknown magic, version, type, flag or endpoint kind; a truncated field; a packet
 * over {@value #MAX_PACKET} bytes; port 0; an IPv4-mapped IPv6 address; a nonzero padding byte; a negative
 * timestamp). Stateless and thread-safe.
 */
public final class DhtCodec {
    public static final int MAGIC = 0xF1;
    public static final int VERSION = 1;
    public static final int HEADER = 52;
    public static final int MAC_LENGTH = 16;
    /** The largest datagram sent or accepted: fits an IPv6 minimum-MTU path (1280 − 40 − 8). */
    public static final int MAX_PACKET = 1232;
    public static final int MAX_CONTACTS = 32;
    static final int FLAG_COOKIE = 1;
    static final int FLAG_READ_ONLY = 2;

    private DhtCodec() {}

    /** The encoded size of {@code p}, MAC included. */
    public static int length(Packet p) {
        return HEADER + (p.cookie() != null ? Cookie.LENGTH : 0) + bodyLength(p.message()) + p.padding() + MAC_LENGTH;
    }

    static int bodyLength(Message m) {
        if (m instanceof Message.Ping) {
            return 0;
        } else if (m instanceof Message.Pong p) {
            return 8 + addressLength(p.observed()) + Cookie.LENGTH;
        } else if (m instanceof Message.FindNode) {
            return NodeId.LENGTH;
        } else if (m instanceof Message.Nodes n) {
            int len = 8 + addressLength(n.observed()) + Cookie.LENGTH + 1;
            for (Contact c : n.contacts()) {
                len += contactLength(c);
            }
            return len;
        } else if (m instanceof Message.FindValue) {
            return PublicKey.LENGTH;
        } else if (m instanceof Message.Value v) {
            return 8 + addressLength(v.observed()) + Cookie.LENGTH + recordLength(v.record());
        } else if (m instanceof Message.Store s) {
            return recordLength(s.record());
        }
        throw new IllegalArgumentException("unknown message " + m);
    }

    static int contactLength(Contact c) {
        return PublicKey.LENGTH + addressLength(c.endpoint());
    }

    static int addressLength(IpEndpoint e) {
        return e.address() instanceof Inet4Address ? 7 : 19;
    }

    static int recordLength(DhtRecord r) {
        int len = PublicKey.LENGTH + 8 + 2 + 1 + 1 + 1;
        for (RecordEndpoint e : r.endpoints()) {
            len += 1 + addressLength(e.endpoint());
        }
        for (RecordRelay x : r.relays()) {
            len += 1 + PublicKey.LENGTH + 1;
            for (IpEndpoint e : x.endpoints()) {
                len += addressLength(e);
            }
        }
        return len;
    }

    /**
     * Encodes and authenticates {@code p} for {@code receiver}.
     *
     * @throws IllegalArgumentException when the packet would exceed {@link #MAX_PACKET}
     */
    public static byte[] encode(Packet p, byte[] pairKey, PublicKey receiver) {
        int len = length(p);
        if (len > MAX_PACKET) {
            throw new IllegalArgumentException("packet of " + len + " bytes exceeds " + MAX_PACKET);
        }
        ByteSink s = new ByteSink(len);
        s.writeByte(MAGIC);
        s.writeByte(VERSION);
        s.writeByte(p.message().type());
        s.writeByte((p.cookie() != null ? FLAG_COOKIE : 0) | (p.readOnly() ? FLAG_READ_ONLY : 0));
        s.write(p.sender().toBytes());
        writeLong(s, p.timestampMillis());
        writeLong(s, p.nonce());
        if (p.cookie() != null) {
            byte[] c = new byte[Cookie.LENGTH];
            p.cookie().writeTo(c, 0);
            s.write(c);
        }
        writeBody(s, p.message());
        for (int i = 0; i < p.padding(); i++) {
            s.writeByte(0);
        }
        byte[] out = new byte[len];
        System.arraycopy(s.array(), 0, out, 0, s.length());
        mac(pairKey, receiver, out, len - MAC_LENGTH, out, len - MAC_LENGTH);
        return out;
    }

    private static void writeBody(ByteSink s, Message m) {
        if (m instanceof Message.Ping) {
            return;
        } else if (m instanceof Message.Pong p) {
            writeReplyHead(s, p);
        } else if (m instanceof Message.FindNode f) {
            f.target().writeTo(s);
        } else if (m instanceof Message.Nodes n) {
            writeReplyHead(s, n);
            s.writeByte(n.contacts().size());
            for (Contact c : n.contacts()) {
                s.write(c.key().toBytes());
                writeAddress(s, c.endpoint());
            }
        } else if (m instanceof Message.FindValue f) {
            s.write(f.key().toBytes());
        } else if (m instanceof Message.Value v) {
            writeReplyHead(s, v);
            writeRecord(s, v.record());
        } else if (m instanceof Message.Store st) {
            writeRecord(s, st.record());
        } else {
            throw new IllegalArgumentException("unknown message " + m);
        }
    }

    private static void writeReplyHead(ByteSink s, Message.Reply r) {
        writeLong(s, r.inReplyTo());
        writeAddress(s, r.observed());
        byte[] c = new byte[Cookie.LENGTH];
        r.cookie().writeTo(c, 0);
        s.write(c);
    }

    static void writeRecord(ByteSink s, DhtRecord r) {
        s.write(r.owner().toBytes());
        writeLong(s, r.seq());
        s.writeByte(r.ttlSeconds() >>> 8);
        s.writeByte(r.ttlSeconds());
        s.writeByte(0);
        s.writeByte(r.endpoints().size());
        for (RecordEndpoint e : r.endpoints()) {
            s.writeByte(e.kind().code);
            writeAddress(s, e.endpoint());
        }
        s.writeByte(r.relays().size());
        for (RecordRelay x : r.relays()) {
            s.writeByte(x.operator() ? RecordRelay.FLAG_OPERATOR : 0);
            s.write(x.relay().toBytes());
            s.writeByte(x.endpoints().size());
            for (IpEndpoint e : x.endpoints()) {
                writeAddress(s, e);
            }
        }
    }

    static void writeAddress(ByteSink s, IpEndpoint e) {
        byte[] a = e.address().getAddress();
        s.writeByte(a.length == 4 ? 4 : 6);
        s.write(a);
        s.writeByte(e.port() >>> 8);
        s.writeByte(e.port());
    }

    private static void writeLong(ByteSink s, long v) {
        for (int i = 56; i >= 0; i -= 8) {
            s.writeByte((int) (v >>> i));
        }
    }

    /** Writes the 16-byte MAC of {@code data[0, len)} for {@code receiver} at {@code out[off]}. */
    static void mac(byte[] pairKey, PublicKey receiver, byte[] data, int len, byte[] out, int off) {
        Blake2sDigest d = new Blake2sDigest(pairKey, MAC_LENGTH, null, null);
        byte[] r = receiver.toBytes();
        d.update(r, 0, r.length);
        d.update(data, 0, len);
        d.doFinal(out, off);
    }

    /** True when the last 16 bytes of {@code data} are the MAC of the rest for {@code receiver} (constant time). */
    public static boolean verify(byte[] data, byte[] pairKey, PublicKey receiver) {
        if (data.length < HEADER + MAC_LENGTH) {
            return false;
        }
        byte[] expect = new byte[MAC_LENGTH];
        int len = data.length - MAC_LENGTH;
        mac(pairKey, receiver, data, len, expect, 0);
        return MessageDigest.isEqual(expect, java.util.Arrays.copyOfRange(data, len, data.length));
    }

    /** Reads the sender key without decoding the rest (the caller has checked {@code data.length ≥ HEADER}). */
    static PublicKey peekSender(byte[] data) {
        return PublicKey.of(data, 4);
    }

    /**
     * Decodes a datagram; the MAC is not checked here.
     *
     * @throws MalformedInputException for anything but a well-formed version-1 packet
     */
    public static Packet decode(byte[] data) {
        if (data.length > MAX_PACKET) {
            throw new MalformedInputException("packet of " + data.length + " bytes exceeds " + MAX_PACKET);
        }
        if (data.length < HEADER + MAC_LENGTH) {
            throw new MalformedInputException("packet of " + data.length + " bytes is shorter than a header");
        }
        ByteSource in = new ByteSource(data, 0, data.length - MAC_LENGTH);
        if (in.readByte() != MAGIC) {
            throw new MalformedInputException("not a wirelink DHT packet");
        }
        int version = in.readByte();
        if (version != VERSION) {
            throw new MalformedInputException("unknown DHT version " + version);
        }
        int type = in.readByte();
        int flags = in.readByte();
        if ((flags & ~(FLAG_COOKIE | FLAG_READ_ONLY)) != 0) {
            throw new MalformedInputException("reserved flag bits set: " + Integer.toHexString(flags));
        }
        PublicKey sender = PublicKey.of(in.readBytes(PublicKey.LENGTH));
        long ts = readLong(in);
        if (ts < 0) {
            throw new MalformedInputException("negative timestamp");
        }
        long nonce = readLong(in);
        Cookie cookie = null;
        if ((flags & FLAG_COOKIE) != 0) {
            cookie = Cookie.of(in.readBytes(Cookie.LENGTH), 0);
        }
        Message m = readBody(in, type);
        int padding = in.remaining();
        for (int i = 0; i < padding; i++) {
            if (in.readByte() != 0) {
                throw new MalformedInputException("nonzero padding");
            }
        }
        return new Packet((flags & FLAG_READ_ONLY) != 0, sender, ts, nonce, cookie, m, padding);
    }

    private static Message readBody(ByteSource in, int type) {
        switch (type) {
            case Message.PING:
                return new Message.Ping();
            case Message.PONG: {
                long re = readLong(in);
                return new Message.Pong(re, readAddress(in), readCookie(in));
            }
            case Message.FIND_NODE:
                return new Message.FindNode(NodeId.fromBytes(in.readBytes(NodeId.LENGTH), 0));
            case Message.NODES: {
                long re = readLong(in);
                IpEndpoint obs = readAddress(in);
                Cookie c = readCookie(in);
                int n = in.readByte();
                if (n > MAX_CONTACTS) {
                    throw new MalformedInputException(n + " contacts exceed " + MAX_CONTACTS);
                }
                List<Contact> contacts = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    PublicKey k = PublicKey.of(in.readBytes(PublicKey.LENGTH));
                    contacts.add(new Contact(k, readAddress(in)));
                }
                return new Message.Nodes(re, obs, c, contacts);
            }
            case Message.FIND_VALUE:
                return new Message.FindValue(PublicKey.of(in.readBytes(PublicKey.LENGTH)));
            case Message.VALUE: {
                long re = readLong(in);
                IpEndpoint obs = readAddress(in);
                Cookie c = readCookie(in);
                return new Message.Value(re, obs, c, readRecord(in));
            }
            case Message.STORE:
                return new Message.Store(readRecord(in));
            default:
                throw new MalformedInputException("unknown message type " + type);
        }
    }

    static DhtRecord readRecord(ByteSource in) {
        PublicKey owner = PublicKey.of(in.readBytes(PublicKey.LENGTH));
        long seq = readLong(in);
        int ttl = (in.readByte() << 8) | in.readByte();
        if (in.readByte() != 0) {
            throw new MalformedInputException("reserved record flags set");
        }
        int n = in.readByte();
        if (n > DhtRecord.MAX_ENDPOINTS) {
            throw new MalformedInputException(n + " record endpoints exceed " + DhtRecord.MAX_ENDPOINTS);
        }
        List<RecordEndpoint> eps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int code = in.readByte();
            EndpointKind kind = EndpointKind.ofCode(code);
            if (kind == null) {
                throw new MalformedInputException("unknown endpoint kind " + code);
            }
            eps.add(new RecordEndpoint(kind, readAddress(in)));
        }
        int m = in.readByte();
        if (m > DhtRecord.MAX_RELAYS) {
            throw new MalformedInputException(m + " relays exceed " + DhtRecord.MAX_RELAYS);
        }
        List<RecordRelay> relays = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            int flags = in.readByte();
            if ((flags & ~RecordRelay.FLAG_OPERATOR) != 0) {
                throw new MalformedInputException("reserved relay flags set: " + Integer.toHexString(flags));
            }
            PublicKey relay = PublicKey.of(in.readBytes(PublicKey.LENGTH));
            int e = in.readByte();
            if (e < 1 || e > RecordRelay.MAX_ENDPOINTS) {
                throw new MalformedInputException("a record relay with " + e + " endpoints (1.."
                        + RecordRelay.MAX_ENDPOINTS + ")");
            }
            List<IpEndpoint> reps = new ArrayList<>(e);
            for (int j = 0; j < e; j++) {
                reps.add(readAddress(in));
            }
            relays.add(new RecordRelay((flags & RecordRelay.FLAG_OPERATOR) != 0, relay, reps));
        }
        return new DhtRecord(owner, seq, ttl, eps, relays);
    }

    private static Cookie readCookie(ByteSource in) {
        return Cookie.of(in.readBytes(Cookie.LENGTH), 0);
    }

    static IpEndpoint readAddress(ByteSource in) {
        int family = in.readByte();
        byte[] ip;
        if (family == 4) {
            ip = in.readBytes(4);
        } else if (family == 6) {
            ip = in.readBytes(16);
            boolean mapped = ip[10] == (byte) 0xff && ip[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = ip[i] == 0;
            }
            if (mapped) {
                throw new MalformedInputException("IPv4-mapped IPv6 address");
            }
        } else {
            throw new MalformedInputException("unknown address family " + family);
        }
        int port = (in.readByte() << 8) | in.readByte();
        if (port == 0) {
            throw new MalformedInputException("port 0");
        }
        InetAddress a = Addresses.fromBytes(ip);
        return new IpEndpoint(a, port);
    }

    private static long readLong(ByteSource in) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | in.readByte();
        }
        return v;
    }
}
