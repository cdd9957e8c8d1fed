package io.wirelink.facts;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The MemberMetadata value: a map from a sub-attribute byte to bytes. Known keys are {@code 'n'} (display name,
 * UTF-8) and {@code 'b'} (basic flag, one byte 0 or 1); unknown keys are kept so they can be forwarded. Immutable.
 */
public final class MemberMetadata implements FactValue {
    public static final int NAME = 'n';
    public static final int BASIC = 'b';
    /**
     * The highest group version the subject speaks (one byte). wirelink keeps and forwards unknown sub-attributes,
     * so a node can announce v2 inside a v1 group without disturbing a Go node.
     */
    public static final int VERSION = 'v';
    public static final MemberMetadata EMPTY = new MemberMetadata(new TreeMap<>());

    private final TreeMap<Integer, byte[]> entries;

    private MemberMetadata(TreeMap<Integer, byte[]> entries) {
        this.entries = entries;
    }

    /** Builds metadata from a map; validates the known keys. Copies everything. */
    public static MemberMetadata of(Map<Integer, byte[]> map) {
        TreeMap<Integer, byte[]> copy = new TreeMap<>();
        for (Map.Entry<Integer, byte[]> e : map.entrySet()) {
            int k = e.getKey();
            if (k < 0 || k > 255) {
                throw new IllegalArgumentException("metadata key out of range: " + k);
            }
            byte[] v = e.getValue().clone();
            validate(k, v);
            copy.put(k, v);
        }
        return new MemberMetadata(copy);
    }

    public static MemberMetadata of(String name, Boolean basic) {
        TreeMap<Integer, byte[]> m = new TreeMap<>();
        if (name != null && !name.isEmpty()) {
            m.put(NAME, name.getBytes(StandardCharsets.UTF_8));
        }
        if (basic != null) {
            m.put(BASIC, new byte[] {(byte) (basic ? 1 : 0)});
        }
        return new MemberMetadata(m);
    }

    static void validate(int key, byte[] v) {
        if (key == BASIC && (v.length != 1 || (v[0] != 0 && v[0] != 1))) {
            throw new IllegalArgumentException("metadata 'b' (basic) must be one byte 0 or 1");
        }
        if (key == NAME) {
            try {
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(v));
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("metadata 'n' (name) is not valid UTF-8");
            }
        }
    }

    /** The display name, or null. */
    public String name() {
        byte[] n = entries.get(NAME);
        return n == null ? null : new String(n, StandardCharsets.UTF_8);
    }

    /** The group version the subject announces, or 1 when it announces none. */
    public int version() {
        byte[] v = entries.get(VERSION);
        return v == null || v.length != 1 ? 1 : v[0] & 0xff;
    }

    /** A copy announcing {@code version}. */
    public MemberMetadata withVersion(int version) {
        TreeMap<Integer, byte[]> m = new TreeMap<>();
        entries.forEach((k, v) -> m.put(k, v.clone()));
        m.put(VERSION, new byte[] {(byte) version});
        return new MemberMetadata(m);
    }

    /** The basic flag, or null when absent. */
    public Boolean basic() {
        byte[] b = entries.get(BASIC);
        return b == null ? null : b[0] != 0;
    }

    /** Keys in encoding order: {@code 'n'} first, then ascending. */
    public Map<Integer, byte[]> entries() {
        TreeMap<Integer, byte[]> copy = new TreeMap<>();
        entries.forEach((k, v) -> copy.put(k, v.clone()));
        return Collections.unmodifiableMap(copy);
    }

    /**
     * A copy with {@code name} set (when non-empty) and the basic flag set as wirelink's {@code With} does: 1 when
     * basic, otherwise 0 if absent, otherwise unchanged.
     */
    public MemberMetadata with(String name, boolean basic) {
        TreeMap<Integer, byte[]> m = new TreeMap<>();
        entries.forEach((k, v) -> m.put(k, v.clone()));
        if (name != null && !name.isEmpty()) {
            m.put(NAME, name.getBytes(StandardCharsets.UTF_8));
        }
        if (basic) {
            m.put(BASIC, new byte[] {1});
        } else {
            m.putIfAbsent(BASIC, new byte[] {0});
        }
        return new MemberMetadata(m);
    }

    /** The sub-attribute list without the outer length: {@code n} first, then the rest by ascending key. */
    public byte[] encodeEntries() {
        ByteSink out = new ByteSink(16);
        byte[] n = entries.get(NAME);
        if (n != null) {
            writeEntry(out, NAME, n);
        }
        for (Map.Entry<Integer, byte[]> e : entries.entrySet()) {
            if (e.getKey() != NAME) {
                writeEntry(out, e.getKey(), e.getValue());
            }
        }
        return out.toByteArray();
    }

    private static void writeEntry(ByteSink out, int key, byte[] v) {
        out.writeByte(key);
        out.writeUvarint(v.length);
        out.write(v);
    }

    /** The value's wire form: uvarint length, then the entries. */
    @Override
    public byte[] toBytes() {
        byte[] body = encodeEntries();
        if (body.length > 0xffff) {
            throw new IllegalArgumentException("metadata longer than 65535 bytes");
        }
        ByteSink out = new ByteSink(body.length + 3);
        out.writeUvarint(body.length);
        out.write(body);
        return out.toByteArray();
    }

    /** Decodes the L entry bytes (after the outer length). Duplicate keys and bad known values are malformed. */
    static MemberMetadata decodeEntries(byte[] buf, int off, int len) {
        TreeMap<Integer, byte[]> m = new TreeMap<>();
        ByteSource in = new ByteSource(buf, off, len);
        while (in.remaining() > 0) {
            int key = in.readByte();
            byte[] v = in.readBytes(in.readLength(MAX_PAYLOAD, "metadata entry"));
            if (m.containsKey(key)) {
                throw new MalformedInputException("duplicate metadata attribute 0x" + Integer.toHexString(key));
            }
            try {
                validate(key, v);
            } catch (IllegalArgumentException e) {
                throw new MalformedInputException(e.getMessage());
            }
            m.put(key, v);
        }
        return new MemberMetadata(m);
    }

    static final int MAX_PAYLOAD = 1 << 20;

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MemberMetadata other) || other.entries.size() != entries.size()) {
            return false;
        }
        for (Map.Entry<Integer, byte[]> e : entries.entrySet()) {
            if (!Arrays.equals(e.getValue(), other.entries.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (Map.Entry<Integer, byte[]> e : entries.entrySet()) {
            h = 31 * h + e.getKey() * 17 + Arrays.hashCode(e.getValue());
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        String name = name();
        if (name != null) {
            sb.append("name=").append(name);
        }
        Boolean basic = basic();
        if (basic != null) {
            sb.append(sb.length() > 1 ? ", " : "").append("basic=").append(basic);
        }
        for (Integer k : entries.keySet()) {
            if (k != NAME && k != BASIC) {
                sb.append(sb.length() > 1 ? ", " : "").append("0x").append(Integer.toHexString(k)).append("=")
                        .append(entries.get(k).length).append("B");
            }
        }
        return sb.append('}').toString();
    }
}
