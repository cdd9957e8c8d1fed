package io.wirelink.facts.store;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.ByteSink;
import io.wirelink.facts.ByteSource;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactCodec;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.MalformedInputException;
import io.wirelink.facts.PublicKey;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;

/**
 * The persisted form of one event (the value of the events map; the key is the sequence number). Version 1:
 *
 * <pre>
 *   version       1 byte, = 1
 *   receivedAt    zigzag uvarint, epoch milliseconds
 *   lifetime      zigzag uvarint, expires - receivedAt in milliseconds
 *   channel       1 byte ({@link Channel#code()})
 *   author        32 bytes
 *   source        1 byte kind: 0 none | 4 IPv4 | 16 IPv6 | 17 IPv6 with scope id
 *                 then the address (4 or 16 bytes), the port (2 bytes big-endian), and for 17 a uvarint scope id
 *   fact          one v2 record (PROTOCOL.md §3) with TTL 0: attribute | 0 | subject | uvarint length | value
 * </pre>
 *
 * Expiry is absolute (the wire's relative TTL is useless after a restart) and kept to the millisecond. Pure; decoding
 * throws only {@link MalformedInputException}.
 */
final class EventCodec {
    static final int VERSION = 1;
    private static final int SRC_NONE = 0;
    private static final int SRC_V4 = 4;
    private static final int SRC_V6 = 16;
    private static final int SRC_V6_SCOPED = 17;

    private EventCodec() {}

    static byte[] encode(FactEvent e) {
        Fact f = e.fact();
        Provenance p = e.provenance();
        ByteSink out = new ByteSink(96 + PublicKey.LENGTH);
        out.writeByte(VERSION);
        long received = p.receivedAt().toEpochMilli();
        out.writeUvarint(zigzag(received));
        out.writeUvarint(zigzag(Math.subtractExact(f.expires().toEpochMilli(), received)));
        out.writeByte(p.channel().code());
        out.write(p.author().toBytes());
        IpEndpoint src = p.source();
        if (src == null) {
            out.writeByte(SRC_NONE);
        } else {
            byte[] a = src.address().getAddress();
            int scope = src.address() instanceof Inet6Address a6 ? a6.getScopeId() : 0;
            out.writeByte(a.length == 4 ? SRC_V4 : scope != 0 ? SRC_V6_SCOPED : SRC_V6);
            out.write(a);
            out.writeByte(src.port() >>> 8);
            out.writeByte(src.port());
            if (scope != 0) {
                out.writeUvarint(scope);
            }
        }
        FactCodec.encodeV2(out, f, f.expires()); // TTL relative to its own expiry: 0
        return out.toByteArray();
    }

    static FactEvent decode(long seq, byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new MalformedInputException("empty event record");
        }
        ByteSource in = new ByteSource(bytes);
        int version = in.readByte();
        if (version != VERSION) {
            throw new MalformedInputException("unsupported event record version " + version);
        }
        long received = unzigzag(in.readUvarint());
        long lifetime = unzigzag(in.readUvarint());
        int code = in.readByte();
        Channel channel = Channel.fromCode(code);
        if (channel == null) {
            throw new MalformedInputException("unknown channel " + code);
        }
        PublicKey author = PublicKey.of(in.readBytes(PublicKey.LENGTH));
        IpEndpoint source = decodeSource(in);
        int[] skipped = new int[1];
        List<Fact> facts;
        try {
            facts = FactCodec.decodeV2Records(in.buffer(), in.position(), in.remaining(), Instant.EPOCH, skipped);
        } catch (IllegalArgumentException e) {
            throw new MalformedInputException("bad fact: " + e.getMessage());
        }
        if (facts.size() != 1 || skipped[0] != 0) {
            throw new MalformedInputException(
                    "event record must hold exactly one known fact, found " + facts.size() + " and "
                            + skipped[0] + " unknown");
        }
        try {
            Instant receivedAt = Instant.ofEpochMilli(received);
            Instant expires = Instant.ofEpochMilli(Math.addExact(received, lifetime));
            return new FactEvent(seq, facts.get(0).withExpiry(expires),
                    new Provenance(author, channel, source, receivedAt));
        } catch (ArithmeticException | IllegalArgumentException | java.time.DateTimeException e) {
            throw new MalformedInputException("bad event: " + e.getMessage());
        }
    }

    private static IpEndpoint decodeSource(ByteSource in) {
        int kind = in.readByte();
        if (kind == SRC_NONE) {
            return null;
        }
        if (kind != SRC_V4 && kind != SRC_V6 && kind != SRC_V6_SCOPED) {
            throw new MalformedInputException("unknown source kind " + kind);
        }
        byte[] addr = in.readBytes(kind == SRC_V4 ? 4 : 16);
        int port = (in.readByte() << 8) | in.readByte();
        InetAddress a;
        try {
            if (kind == SRC_V6_SCOPED) {
                long scope = in.readUvarint(Integer.MAX_VALUE, "scope id");
                a = Inet6Address.getByAddress(null, addr, (int) scope);
            } else {
                a = kind == SRC_V4 ? InetAddress.getByAddress(addr) : Inet6Address.getByAddress(null, addr, -1);
            }
        } catch (UnknownHostException e) {
            throw new MalformedInputException("bad source address");
        }
        return new IpEndpoint(a, port);
    }

    static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    /** Whether {@code a} can be stored at all: groups are containers, never facts in the log. */
    static boolean storable(Attribute a) {
        return a != Attribute.SIGNED_GROUP && a != Attribute.SIGNED_GROUP_V2;
    }
}
