package io.wirelink.agent.core;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The Go wirelink's datagram decoder as ../shared/docs/wirelink-spec.md describes it (§1.1-1.5), written from the
 * spec and independently of {@code FactCodec}, with what it logs: an unknown top-level attribute or a malformed
 * datagram is an error ("Unable to decode fact"), a top-level fact other than {@code S} is an error ("Ignoring
 * unsigned fact"), an unknown or malformed inner fact drops the whole group with an error, and each unknown
 * MemberMetadata sub-attribute is logged at INFO ("Decoding unrecognized member attribute N") and kept. The tag is
 * not checked: this models what Go makes of the bytes, not whether they are authentic.
 */
final class GoDecoderModel {
    private GoDecoderModel() {}

    /** One inner fact as Go holds it: attribute byte, TTL, subject and value bytes. */
    record GoFact(char attribute, int ttl, byte[] subject, byte[] value) {
        /** Go's fact key (KeyOf): attribute, subject and value, except that Alive ignores its value. */
        String key() {
            return attribute + Arrays.toString(subject) + (attribute == '!' ? "" : Arrays.toString(value));
        }
    }

    /** What Go made of one datagram: the inner facts it passes on (none when dropped) and its log lines. */
    record Decoded(List<GoFact> facts, List<String> info, List<String> errors) {
        boolean silent() {
            return info.isEmpty() && errors.isEmpty();
        }
    }

    private static final class Malformed extends RuntimeException {
        Malformed(String m) {
            super(m);
        }
    }

    private static final int MAX_PAYLOAD = 1 << 20;

    static Decoded decode(byte[] d) {
        List<String> info = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        Reader r = new Reader(d, 0, d.length);
        try {
            int attr = r.u8();
            if (attr != 'S' && fixedLength(attr) == UNKNOWN && attr != 'M') {
                throw new Malformed("unrecognized attribute 0x" + Integer.toHexString(attr));
            }
            r.ttl();
            r.bytes(32);
            if (attr != 'S') {
                value(attr, r, info);
                errors.add("Ignoring unsigned fact");
                return new Decoded(List.of(), info, errors);
            }
            r.bytes(24 + 16); // nonce, tag
        } catch (Malformed e) {
            errors.add("Unable to decode fact: " + e.getMessage());
            return new Decoded(List.of(), info, errors);
        }
        List<GoFact> facts = new ArrayList<>();
        try {
            while (r.remaining() > 0) {
                int attr = r.u8();
                if (attr == 'S') {
                    throw new Malformed("SignedGroup must not be nested");
                }
                if (fixedLength(attr) == UNKNOWN && attr != 'M') {
                    throw new Malformed("unrecognized attribute 0x" + Integer.toHexString(attr));
                }
                int ttl = r.ttl();
                byte[] subject = r.bytes(32);
                facts.add(new GoFact((char) attr, ttl, subject, value(attr, r, info)));
            }
        } catch (Malformed e) {
            // processSignedGroup returns nothing on any inner error: the whole group is dropped
            errors.add("Unable to process SignedGroup: " + e.getMessage());
            return new Decoded(List.of(), info, errors);
        }
        return new Decoded(facts, info, errors);
    }

    private static final int UNKNOWN = -2;

    private static int fixedLength(int attr) {
        return switch (attr) {
            case '!' -> 16;
            case 'e' -> 6;
            case 'E' -> 18;
            case 'a' -> 5;
            case 'A' -> 17;
            case 'm' -> 0;
            default -> UNKNOWN;
        };
    }

    private static byte[] value(int attr, Reader r, List<String> info) {
        if (attr == 'M') {
            return metadata(r, info);
        }
        byte[] v = r.bytes(fixedLength(attr));
        if (attr == 'E' || attr == 'A') {
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= v[i] == 0;
            }
            if (mapped && v[10] == (byte) 0xff && v[11] == (byte) 0xff) {
                throw new Malformed("IPv4 inside an IPv6 value");
            }
        }
        if (attr == 'a' && (v[4] & 0xff) > 32 || attr == 'A' && (v[16] & 0xff) > 128) {
            throw new Malformed("bad mask length");
        }
        return v;
    }

    private static byte[] metadata(Reader r, List<String> info) {
        int start = r.pos;
        long len = r.uvarint();
        if (len > MAX_PAYLOAD || len > r.remaining()) {
            throw new Malformed("bad payload length " + len);
        }
        Reader m = new Reader(r.buf, r.pos, (int) len);
        r.bytes((int) len);
        Set<Integer> seen = new HashSet<>();
        while (m.remaining() > 0) {
            int key = m.u8();
            long l = m.uvarint();
            if (l > MAX_PAYLOAD || l > m.remaining()) {
                throw new Malformed("attribute length error");
            }
            byte[] v = m.bytes((int) l);
            if (!seen.add(key)) {
                throw new Malformed("duplicate member attribute"); // Go's map keeps one: its decoder refuses
            }
            if (key == 'n') {
                try {
                    StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .decode(java.nio.ByteBuffer.wrap(v));
                } catch (CharacterCodingException e) {
                    throw new Malformed("invalid string for MemberName");
                }
            } else if (key == 'b') {
                if (v.length != 1 || (v[0] != 0 && v[0] != 1)) {
                    throw new Malformed("invalid boolean for MemberIsBasic");
                }
            } else {
                info.add("Decoding unrecognized member attribute " + key);
            }
        }
        return Arrays.copyOfRange(r.buf, start, r.pos);
    }

    private static final class Reader {
        final byte[] buf;
        int pos;
        final int end;

        Reader(byte[] buf, int off, int len) {
            this.buf = buf;
            this.pos = off;
            this.end = off + len;
        }

        int remaining() {
            return end - pos;
        }

        int u8() {
            if (pos >= end) {
                throw new Malformed("EOF");
            }
            return buf[pos++] & 0xff;
        }

        byte[] bytes(int n) {
            if (n > remaining()) {
                throw new Malformed("EOF");
            }
            byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
            pos += n;
            return b;
        }

        long uvarint() {
            long x = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = u8();
                x |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return x;
                }
            }
            throw new Malformed("varint overflow");
        }

        int ttl() {
            long t = uvarint();
            if (t > 65535) {
                throw new Malformed("TTL out of range");
            }
            return (int) t;
        }
    }
}
