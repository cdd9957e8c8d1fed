package io.wirelink.facts;

import java.util.List;

/**
 * The value of a RelayAttachment fact ({@code r}, v2 only, PROTOCOL.md §3.1): the fact's subject can be reached
 * through the relay whose WireGuard key is {@code relay}, at {@code endpoints}. With {@code operator} set the subject
 * runs that relay (an offer: clients may register with it); without, the subject is registered with it (a client's
 * attachment, which its peers use to pick a relay both ends are attached to).
 *
 * <pre>
 * flags (1: bit 0 = operator; other bits 0) | relay public key (32) | n (1, 0..4) | n × endpoint
 * endpoint = family (1: 04 or 06) | IP (4 or 16) | port (2, big-endian, not 0)
 * </pre>
 *
 * Strict: unknown flag bits or families, port 0, an IPv4-mapped IPv6 address, more than 4 endpoints, a truncated
 * field or trailing bytes are malformed, so each value has one encoding.
 */
public record RelayAttachment(boolean operator, PublicKey relay, List<IpEndpoint> endpoints) implements FactValue {
    public static final int MAX_ENDPOINTS = 4;
    static final int OPERATOR = 0x01;

    public RelayAttachment {
        if (relay == null) {
            throw new IllegalArgumentException("relay key is missing");
        }
        endpoints = List.copyOf(endpoints);
        if (endpoints.size() > MAX_ENDPOINTS) {
            throw new IllegalArgumentException(endpoints.size() + " relay endpoints (at most " + MAX_ENDPOINTS + ")");
        }
        for (IpEndpoint e : endpoints) {
            if (e.port() == 0) {
                throw new IllegalArgumentException("relay endpoint " + e + " has port 0");
            }
        }
    }

    @Override
    public byte[] toBytes() {
        ByteSink out = new ByteSink(34 + 19 * endpoints.size());
        out.writeByte(operator ? OPERATOR : 0);
        out.write(relay.raw());
        out.writeByte(endpoints.size());
        for (IpEndpoint e : endpoints) {
            byte[] a = e.address().getAddress();
            out.writeByte(a.length == 4 ? 4 : 6);
            out.write(a);
            out.writeByte(e.port() >>> 8);
            out.writeByte(e.port());
        }
        return out.toByteArray();
    }

    /** Decodes exactly {@code len} bytes at {@code off}; throws only {@link MalformedInputException}. */
    public static RelayAttachment decode(byte[] buf, int off, int len) {
        ByteSource in = new ByteSource(buf, off, len);
        int flags = in.readByte();
        if ((flags & ~OPERATOR) != 0) {
            throw new MalformedInputException("RelayAttachment flags 0x" + FactCodec.hex(flags) + " has unknown bits");
        }
        PublicKey relay = PublicKey.of(in.readBytes(PublicKey.LENGTH), 0);
        int n = in.readByte();
        if (n > MAX_ENDPOINTS) {
            throw new MalformedInputException("RelayAttachment with " + n + " endpoints (at most " + MAX_ENDPOINTS
                    + ")");
        }
        IpEndpoint[] eps = new IpEndpoint[n];
        for (int i = 0; i < n; i++) {
            int family = in.readByte();
            int alen;
            if (family == 4) {
                alen = 4;
            } else if (family == 6) {
                alen = 16;
            } else {
                throw new MalformedInputException("RelayAttachment endpoint family " + family);
            }
            byte[] a = in.readBytes(alen);
            if (alen == 16 && FactCodec.isV4Mapped(a)) {
                throw new MalformedInputException("RelayAttachment carries an IPv4-mapped address");
            }
            int port = (in.readByte() << 8) | in.readByte();
            if (port == 0) {
                throw new MalformedInputException("RelayAttachment endpoint with port 0");
            }
            eps[i] = IpEndpoint.of(a, port);
        }
        if (in.remaining() != 0) {
            throw new MalformedInputException("RelayAttachment has " + in.remaining() + " trailing bytes");
        }
        return new RelayAttachment((flags & OPERATOR) != 0, relay, List.of(eps));
    }

    @Override
    public String toString() {
        return (operator ? "operates " : "attached to ") + relay + " at " + endpoints;
    }
}
