package io.wirelink.facts;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The fact wire codecs: wirelink's v1 format (PROTOCOL.md §2, byte-compatible with the Go implementation) and the
 * extensible v2 group (§3). Pure functions; decoders throw only {@link MalformedInputException}.
 */
public final class FactCodec {
    /** The largest TTL the wire carries (16-bit varint). */
    public static final int MAX_TTL = 65535;
    /** Bytes after the inner facts never exceed this in one group (1212-byte safe UDP payload minus overhead). */
    public static final int MAX_INNER = 1136;
    /** The largest safe UDP payload wirelink sends. */
    public static final int MAX_DATAGRAM = 1212;
    /** v2 header: attribute, TTL 0, signer, version, flags. */
    static final int V2_VERSION = 2;

    private FactCodec() {}

    /** TTL in whole seconds from {@code now} to {@code expires}, floored and clamped to [0, 65535]. */
    public static int ttlSeconds(Instant expires, Instant now) {
        long ms = Duration.between(now, expires).toMillis();
        if (ms <= 0) {
            return 0;
        }
        return (int) Math.min(MAX_TTL, ms / 1000);
    }

    // ------------------------------------------------------------------ decode

    /**
     * Decodes one datagram: exactly one top-level fact (in practice a v1 {@code S} or v2 {@code G} group, whose
     * value runs to the end). Trailing bytes after a non-group fact are malformed.
     */
    public static Fact decodeDatagram(byte[] datagram, Instant now) {
        ByteSource in = new ByteSource(datagram);
        Fact f = decodeFact(in, now, true);
        if (in.remaining() != 0) {
            throw new MalformedInputException(in.remaining() + " trailing bytes after the fact");
        }
        return f;
    }

    /** Decodes a v1 inner fact list (the concatenated facts of an {@code S} group); any error rejects all. */
    public static List<Fact> decodeV1Inner(byte[] buf, int off, int len, Instant now) {
        ByteSource in = new ByteSource(buf, off, len);
        List<Fact> out = new ArrayList<>();
        while (in.remaining() > 0) {
            out.add(decodeFact(in, now, false));
        }
        return out;
    }

    static Fact decodeFact(ByteSource in, Instant now, boolean topLevel) {
        int code = in.readByte();
        Attribute a = Attribute.fromCode(code);
        if (a == null || (!a.isV1() && !(topLevel && a == Attribute.SIGNED_GROUP_V2))) {
            if (code == 0) {
                throw new MalformedInputException("legacy attribute 0 (ping) is not supported");
            }
            throw new MalformedInputException("unrecognized attribute 0x" + hex(code));
        }
        int ttlStart = in.position();
        long ttl = in.readUvarint(MAX_TTL, "TTL");
        boolean ttlCanonicalZero = ttl == 0 && in.position() == ttlStart + 1;
        if (in.remaining() < PublicKey.LENGTH) {
            throw new MalformedInputException("truncated subject: need 32 bytes, have " + in.remaining());
        }
        PublicKey subject = PublicKey.of(in.buffer(), in.position());
        in.skip(PublicKey.LENGTH);
        Instant expires = now.plusSeconds(ttl);
        FactValue value;
        switch (a) {
            case SIGNED_GROUP:
            case SIGNED_GROUP_V2:
                if (!topLevel) {
                    throw new MalformedInputException("signed groups must not be nested");
                }
                if (!ttlCanonicalZero) {
                    // the MAC does not cover the outer TTL; wirelink always writes the one byte 00, so anything
                    // else is tampering
                    throw new MalformedInputException("signed group whose outer TTL is not the single byte 00");
                }
                value = a == Attribute.SIGNED_GROUP ? decodeV1Group(in, now) : decodeV2Group(in, now);
                break;
            case MEMBER_METADATA:
                value = decodeMetadata(in);
                break;
            default:
                value = decodeFixed(a, in.buffer(), in.position(), in.remaining());
                in.skip(a.fixedLength());
        }
        return new Fact(a, subject, value, expires);
    }

    private static MemberMetadata decodeMetadata(ByteSource in) {
        int l = in.readLength(MemberMetadata.MAX_PAYLOAD, "metadata");
        MemberMetadata md = MemberMetadata.decodeEntries(in.buffer(), in.position(), l);
        in.skip(l);
        return md;
    }

    /** Decodes a fixed-length value of {@code a} from at least {@code a.fixedLength()} bytes at {@code off}. */
    static FactValue decodeFixed(Attribute a, byte[] buf, int off, int avail) {
        int n = a.fixedLength();
        if (avail < n) {
            throw new MalformedInputException(
                    "truncated " + a.specName() + " value: need " + n + " bytes, have " + avail);
        }
        switch (a) {
            case ALIVE: {
                long hi = readLong(buf, off);
                long lo = readLong(buf, off + 8);
                return new FactValue.BootId(new UUID(hi, lo));
            }
            case ENDPOINT_V4:
            case ENDPOINT_V6: {
                int alen = n - 2;
                InetAddress addr = address(buf, off, alen, a);
                int port = ((buf[off + alen] & 0xff) << 8) | (buf[off + alen + 1] & 0xff);
                return new FactValue.Endpoint(new IpEndpoint(addr, port));
            }
            case ALLOWED_CIDR_V4:
            case ALLOWED_CIDR_V6: {
                int alen = n - 1;
                InetAddress addr = address(buf, off, alen, a);
                int bits = buf[off + alen] & 0xff;
                if (bits > alen * 8) {
                    throw new MalformedInputException("bad mask length " + bits + " in " + a.specName());
                }
                return new FactValue.Cidr(new IpPrefix(addr, bits));
            }
            case MEMBER:
                return FactValue.Empty.INSTANCE;
            case PUNCH_REQUEST:
                return new FactValue.Requester(PublicKey.of(buf, off));
            case TRUST_GRANT: {
                int level = buf[off] & 0xff;
                if (level > 4) {
                    throw new MalformedInputException("TrustGrant level " + level + " out of range");
                }
                return new FactValue.Grant(level);
            }
            default:
                throw new MalformedInputException(a.specName() + " has no fixed-length value");
        }
    }

    private static InetAddress address(byte[] buf, int off, int len, Attribute a) {
        byte[] raw = java.util.Arrays.copyOfRange(buf, off, off + len);
        if (len == 16 && isV4Mapped(raw)) {
            throw new MalformedInputException(a.specName() + " carries an IPv4-mapped address");
        }
        return Addresses.fromBytes(raw);
    }

    static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff;
    }

    private static long readLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    private static SignedGroupValue decodeV1Group(ByteSource in, Instant now) {
        byte[] nonce = in.readBytes(SignedGroupValue.NONCE_LENGTH);
        byte[] tag = in.readBytes(SignedGroupValue.TAG_LENGTH);
        int innerOff = in.position();
        int innerLen = in.remaining();
        List<Fact> facts = decodeV1Inner(in.buffer(), innerOff, innerLen, now);
        byte[] inner = in.readBytes(innerLen);
        return new SignedGroupValue(1, nonce, tag, inner, facts, 0);
    }

    /**
     * v2 value: version (1) | flags (1) | nonce (24) | tag (16) | records. Each record is attribute (1) | uvarint
     * TTL | subject (32) | uvarint length | value. A record of an unknown attribute is skipped; a known one must
     * decode exactly. The AD of the MAC is {@code 'G' | version | flags | records} (see {@link #v2Ad}).
     */
    private static SignedGroupValue decodeV2Group(ByteSource in, Instant now) {
        int version = in.readByte();
        if (version != V2_VERSION) {
            throw new MalformedInputException("unsupported group version " + version);
        }
        int flags = in.readByte();
        byte[] nonce = in.readBytes(SignedGroupValue.NONCE_LENGTH);
        byte[] tag = in.readBytes(SignedGroupValue.TAG_LENGTH);
        int recOff = in.position();
        int recLen = in.remaining();
        int[] skipped = new int[1];
        List<Fact> facts = decodeV2Records(in.buffer(), recOff, recLen, now, skipped);
        byte[] records = in.readBytes(recLen);
        byte[] ad = new byte[3 + records.length];
        ad[0] = Attribute.SIGNED_GROUP_V2.code();
        ad[1] = (byte) version;
        ad[2] = (byte) flags;
        System.arraycopy(records, 0, ad, 3, records.length);
        return new SignedGroupValue(2, nonce, tag, ad, facts, skipped[0]);
    }

    /** Decodes v2 records; {@code skipped[0]} counts records of unknown attributes. */
    public static List<Fact> decodeV2Records(byte[] buf, int off, int len, Instant now, int[] skipped) {
        ByteSource in = new ByteSource(buf, off, len);
        List<Fact> out = new ArrayList<>();
        while (in.remaining() > 0) {
            int code = in.readByte();
            long ttl = in.readUvarint(MAX_TTL, "TTL");
            if (in.remaining() < PublicKey.LENGTH) {
                throw new MalformedInputException("truncated subject: need 32 bytes, have " + in.remaining());
            }
            int subjOff = in.position();
            in.skip(PublicKey.LENGTH);
            int vlen = in.readLength(Integer.MAX_VALUE, "record");
            int voff = in.position();
            in.skip(vlen);
            Attribute a = Attribute.fromCode(code);
            if (a == null) {
                skipped[0]++;
                continue;
            }
            FactValue value;
            if (a == Attribute.SIGNED_GROUP || a == Attribute.SIGNED_GROUP_V2) {
                throw new MalformedInputException("signed groups must not be nested");
            } else if (a == Attribute.MEMBER_METADATA) {
                ByteSource v = new ByteSource(buf, voff, vlen);
                value = decodeMetadata(v);
                if (v.remaining() != 0) {
                    throw new MalformedInputException("MemberMetadata record has trailing bytes");
                }
            } else if (a == Attribute.RELAY) {
                value = RelayAttachment.decode(buf, voff, vlen);
            } else if (a == Attribute.OBSERVED_ENDPOINT) {
                if (vlen != 6 && vlen != 18) {
                    throw new MalformedInputException("ObservedEndpoint record length " + vlen + ", expected 6 or 18");
                }
                value = decodeFixed(vlen == 6 ? Attribute.ENDPOINT_V4 : Attribute.ENDPOINT_V6, buf, voff, vlen);
            } else if (a == Attribute.ACK) {
                if (vlen == 0 || vlen % 8 != 0 || vlen / 8 > FactValue.Acks.MAX) {
                    throw new MalformedInputException("Ack record length " + vlen + ", expected 8 to "
                            + 8 * FactValue.Acks.MAX + " in steps of 8");
                }
                List<Long> ids = new ArrayList<>(vlen / 8);
                for (int i = 0; i < vlen; i += 8) {
                    ids.add(readLong(buf, voff + i));
                }
                value = new FactValue.Acks(ids);
            } else {
                if (vlen != a.fixedLength()) {
                    throw new MalformedInputException(
                            a.specName() + " record length " + vlen + ", expected " + a.fixedLength());
                }
                value = decodeFixed(a, buf, voff, vlen);
            }
            out.add(new Fact(a, PublicKey.of(buf, subjOff), value, now.plusSeconds(ttl)));
        }
        return out;
    }

    // ------------------------------------------------------------------ encode

    /** Appends {@code f} in the v1 form: attribute, uvarint TTL, subject, value. */
    public static void encodeV1(ByteSink out, Fact f, Instant now) {
        if (!f.attribute().isV1() && !(f.value() instanceof SignedGroupValue)) {
            throw new IllegalArgumentException(f.attribute().specName() + " exists only in v2 groups");
        }
        out.writeByte(f.attribute().code());
        out.writeUvarint(ttlSeconds(f.expires(), now));
        out.write(f.subject().raw());
        out.write(f.value().toBytes());
    }

    public static byte[] encodeV1(Fact f, Instant now) {
        ByteSink out = new ByteSink(64);
        encodeV1(out, f, now);
        return out.toByteArray();
    }

    /** Appends {@code f} as a v2 record: attribute, uvarint TTL, subject, uvarint length, value. */
    public static void encodeV2(ByteSink out, Fact f, Instant now) {
        if (f.attribute() == Attribute.SIGNED_GROUP || f.attribute() == Attribute.SIGNED_GROUP_V2) {
            throw new IllegalArgumentException("groups cannot be records");
        }
        out.writeByte(f.attribute().code());
        out.writeUvarint(ttlSeconds(f.expires(), now));
        out.write(f.subject().raw());
        byte[] v = f.value().toBytes();
        out.writeUvarint(v.length);
        out.write(v);
    }

    /** Size of {@code f} in the given group version's inner encoding. */
    public static int encodedSize(Fact f, Instant now, int version) {
        int v = f.value().toBytes().length;
        int base = 1 + ByteSink.uvarintSize(ttlSeconds(f.expires(), now)) + PublicKey.LENGTH + v;
        return version == 1 ? base : base + ByteSink.uvarintSize(v);
    }

    static byte[] v2Ad(int flags, byte[] records, int off, int len) {
        byte[] ad = new byte[3 + len];
        ad[0] = Attribute.SIGNED_GROUP_V2.code();
        ad[1] = (byte) V2_VERSION;
        ad[2] = (byte) flags;
        System.arraycopy(records, off, ad, 3, len);
        return ad;
    }

    static String hex(int b) {
        return String.format("%02x", b & 0xff);
    }
}
