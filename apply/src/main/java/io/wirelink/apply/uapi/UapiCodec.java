package io.wirelink.apply.uapi;

import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerChange;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.Addresses;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.MalformedInputException;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * The pure part of the UAPI protocol (https://www.wireguard.com/xplatform/): request encoding and reply decoding,
 * no I/O. Decoding errors are {@link MalformedInputException}s whose messages never contain key material.
 */
final class UapiCodec {
    /** The whole {@code get} request. */
    static final byte[] GET_REQUEST = "get=1\n\n".getBytes(StandardCharsets.US_ASCII);

    private static final Set<String> DEVICE_KEYS = Set.of("listen_port", "fwmark");
    private static final Set<String> PEER_KEYS = Set.of(
            "endpoint",
            "allowed_ip",
            "last_handshake_time_sec",
            "last_handshake_time_nsec",
            "rx_bytes",
            "tx_bytes",
            "persistent_keepalive_interval",
            "protocol_version");
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private UapiCodec() {}

    /**
     * A checked reply: {@code body[0, linesEnd)} holds the {@code key=value} lines, each ending in a newline, and
     * the {@code errno} line follows them.
     */
    record Reply(byte[] body, int linesEnd, int errno) {}

    // ---------------------------------------------------------------------------------------------- encoding

    /**
     * Encodes {@code change} as a complete {@code set=1} request. The buffer may hold the private key: the caller
     * wipes it with {@link RequestBuffer#wipe()} once it is sent.
     */
    static RequestBuffer encodeSet(DeviceChange change) {
        RequestBuffer b = new RequestBuffer(64 + 128 * change.peers().size());
        b.line("set=1");
        if (change.privateKey() != null) {
            byte[] raw = rawKey(change.privateKey());
            try {
                b.hexLine("private_key", raw);
            } finally {
                Arrays.fill(raw, (byte) 0);
            }
        }
        if (change.listenPort() != null) {
            b.line("listen_port=" + change.listenPort());
        }
        if (change.fwmark() != null) {
            b.line("fwmark=" + Integer.toUnsignedString(change.fwmark()));
        }
        if (change.replacePeers()) {
            b.line("replace_peers=true");
        }
        for (PeerChange p : change.peers()) {
            b.hexLine("public_key", p.publicKey().toBytes());
            if (p.remove()) {
                b.line("remove=true");
                continue;
            }
            if (p.updateOnly()) {
                b.line("update_only=true");
            }
            if (p.endpoint() != null) {
                b.line("endpoint=" + p.endpoint());
            }
            if (p.persistentKeepaliveSeconds() != null) {
                b.line("persistent_keepalive_interval=" + p.persistentKeepaliveSeconds());
            }
            if (p.replaceAllowedIps()) {
                b.line("replace_allowed_ips=true");
            }
            for (IpPrefix prefix : p.allowedIps()) {
                b.line("allowed_ip=" + prefix);
            }
        }
        b.line("");
        return b;
    }

    /** A growable byte buffer that zeroes every array it lets go of, so that no copy of a key is left behind. */
    static final class RequestBuffer {
        private byte[] buf;
        private int len;

        RequestBuffer(int capacity) {
            buf = new byte[Math.max(64, capacity)];
        }

        void line(String s) {
            ensure(s.length() + 1);
            for (int i = 0; i < s.length(); i++) {
                buf[len++] = (byte) s.charAt(i); // ASCII only: keys, numbers, IP literals
            }
            buf[len++] = '\n';
        }

        void hexLine(String key, byte[] raw) {
            ensure(key.length() + 2 + 2 * raw.length);
            for (int i = 0; i < key.length(); i++) {
                buf[len++] = (byte) key.charAt(i);
            }
            buf[len++] = '=';
            for (byte v : raw) {
                buf[len++] = HEX[(v >> 4) & 0xf];
                buf[len++] = HEX[v & 0xf];
            }
            buf[len++] = '\n';
        }

        private void ensure(int extra) {
            if (len + extra > buf.length) {
                byte[] old = buf;
                buf = Arrays.copyOf(old, Math.max(old.length * 2, len + extra));
                Arrays.fill(old, (byte) 0);
            }
        }

        /** A read-only view of the bytes written so far. */
        ByteBuffer asByteBuffer() {
            return ByteBuffer.wrap(buf, 0, len).asReadOnlyBuffer();
        }

        /** A copy of the bytes, for tests. */
        byte[] toByteArray() {
            return Arrays.copyOf(buf, len);
        }

        void wipe() {
            Arrays.fill(buf, (byte) 0);
            len = 0;
        }
    }

    // ---------------------------------------------------------------------------------------------- decoding

    /**
     * Checks a reply body (everything up to, not including, the terminating blank line): printable ASCII lines,
     * the last of which is {@code errno=N}.
     */
    static Reply splitReply(byte[] body, int length) {
        for (int i = 0; i < length; i++) {
            int c = body[i] & 0xff;
            if (c != '\n' && (c < 0x20 || c > 0x7e)) {
                throw new MalformedInputException("reply contains a byte that is not printable ASCII at offset " + i);
            }
        }
        if (length == 0) {
            throw new MalformedInputException("empty reply (no errno line)");
        }
        if (body[length - 1] != '\n') {
            throw new MalformedInputException("reply does not end with a newline");
        }
        int lastStart = length - 1;
        while (lastStart > 0 && body[lastStart - 1] != '\n') {
            lastStart--;
        }
        String last = new String(body, lastStart, length - 1 - lastStart, StandardCharsets.US_ASCII);
        if (!last.startsWith("errno=")) {
            throw new MalformedInputException("reply does not end with an errno line");
        }
        String n = last.substring("errno=".length());
        if (!digits(n.startsWith("-") ? n.substring(1) : n, 10)) {
            throw new MalformedInputException("bad errno value '" + n + "'");
        }
        long errno = Long.parseLong(n);
        if (errno < Integer.MIN_VALUE || errno > Integer.MAX_VALUE) {
            throw new MalformedInputException("errno out of range: " + n);
        }
        return new Reply(body, lastStart, (int) errno);
    }

    /**
     * Decodes the lines of a successful {@code get} reply. Key values are decoded straight from the bytes, so no
     * {@code String} ever holds the private key.
     */
    static DeviceState decodeDevice(String iface, Reply reply) {
        byte[] body = reply.body();
        PublicKey publicKey = null;
        int listenPort = 0;
        int fwmark = 0;
        List<PeerState> peers = new ArrayList<>();
        PeerBuilder peer = null;
        int pos = 0;
        while (pos < reply.linesEnd()) {
            int end = pos;
            while (body[end] != '\n') {
                end++;
            }
            int eq = pos;
            while (eq < end && body[eq] != '=') {
                eq++;
            }
            if (eq == end || eq == pos) {
                throw new MalformedInputException("reply line is not key=value" + (end == pos ? " (empty)" : ""));
            }
            String key = new String(body, pos, eq - pos, StandardCharsets.US_ASCII);
            int vs = eq + 1;
            int ve = end;
            pos = end + 1;
            if (key.equals("public_key")) {
                if (peer != null) {
                    peers.add(peer.build());
                }
                peer = new PeerBuilder(PublicKey.of(hexKey(key, body, vs, ve)));
            } else if (key.equals("private_key") && peer == null) {
                publicKey = derivePublicKey(body, vs, ve);
            } else if (key.equals("preshared_key") && peer != null) {
                peer.hasPresharedKey = nonZeroKey(key, body, vs, ve);
            } else if (key.endsWith("_key")) {
                // never turn key material into a String, not even for an error message
                throw new MalformedInputException(key + " in an unexpected place");
            } else {
                String value = new String(body, vs, ve - vs, StandardCharsets.US_ASCII);
                if (peer != null) {
                    peer.accept(key, value);
                } else {
                    switch (key) {
                        case "listen_port" -> listenPort = (int) number(key, value, 65535);
                        case "fwmark" -> fwmark = (int) number(key, value, 0xffff_ffffL);
                        default -> {
                            if (PEER_KEYS.contains(key)) {
                                throw new MalformedInputException("peer key " + key + " before any public_key");
                            }
                            // unknown device-level keys (e.g. from forks) are ignored
                        }
                    }
                }
            }
        }
        if (peer != null) {
            peers.add(peer.build());
        }
        return new DeviceState(iface, publicKey, listenPort, fwmark, peers);
    }

    /** The device's private key from a {@code get=1} reply, or null when it has none. */
    static PrivateKey decodePrivateKey(Reply reply) {
        byte[] body = reply.body();
        int pos = 0;
        while (pos < reply.linesEnd()) {
            int end = pos;
            while (body[end] != '\n') {
                end++;
            }
            if (end - pos > 12 && startsWith(body, pos, "public_key=")) {
                return null; // peers begin: the device section had no private key
            }
            if (startsWith(body, pos, "private_key=")) {
                byte[] raw = hexKey("private_key", body, pos + 12, end);
                try {
                    return isZero(raw) ? null : PrivateKey.of(raw);
                } finally {
                    Arrays.fill(raw, (byte) 0);
                }
            }
            pos = end + 1;
        }
        return null;
    }

    private static boolean startsWith(byte[] body, int at, String prefix) {
        if (at + prefix.length() > body.length) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (body[at + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static PublicKey derivePublicKey(byte[] body, int from, int to) {
        byte[] raw = hexKey("private_key", body, from, to);
        try {
            return isZero(raw) ? null : PrivateKey.of(raw).publicKey();
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    private static boolean nonZeroKey(String key, byte[] body, int from, int to) {
        byte[] raw = hexKey(key, body, from, to);
        boolean zero = isZero(raw);
        Arrays.fill(raw, (byte) 0);
        return !zero;
    }

    private static boolean isZero(byte[] raw) {
        int acc = 0;
        for (byte b : raw) {
            acc |= b;
        }
        return acc == 0;
    }

    /** The fields of one peer while its lines are read. */
    private static final class PeerBuilder {
        private final PublicKey publicKey;
        boolean hasPresharedKey;
        private IpEndpoint endpoint;
        private final List<IpPrefix> allowedIps = new ArrayList<>();
        private long handshakeSec;
        private long handshakeNsec;
        private long rxBytes;
        private long txBytes;
        private int keepalive;

        PeerBuilder(PublicKey publicKey) {
            this.publicKey = publicKey;
        }

        void accept(String key, String value) {
            switch (key) {
                case "endpoint" -> endpoint = endpoint(value);
                case "allowed_ip" -> allowedIps.add(prefix(value));
                case "last_handshake_time_sec" -> handshakeSec = number(key, value, Long.MAX_VALUE);
                case "last_handshake_time_nsec" -> handshakeNsec = number(key, value, 999_999_999L);
                case "rx_bytes" -> rxBytes = unsigned64(key, value);
                case "tx_bytes" -> txBytes = unsigned64(key, value);
                case "persistent_keepalive_interval" -> keepalive = (int) number(key, value, 65535);
                case "protocol_version" -> {
                    if (!value.equals("1")) {
                        throw new MalformedInputException("unsupported protocol_version '" + value + "'");
                    }
                }
                default -> {
                    if (DEVICE_KEYS.contains(key)) {
                        throw new MalformedInputException("device key " + key + " after the first peer");
                    }
                    // unknown peer-level keys are ignored
                }
            }
        }

        PeerState build() {
            Instant handshake;
            try {
                handshake = Instant.ofEpochSecond(handshakeSec, handshakeNsec);
            } catch (RuntimeException e) {
                throw new MalformedInputException("last handshake time out of range");
            }
            return new PeerState(publicKey, hasPresharedKey, endpoint, allowedIps, handshake, rxBytes, txBytes, keepalive);
        }
    }

    // ---------------------------------------------------------------------------------------------- fields

    /** 64 hex digits in {@code src[from, to)} to 32 bytes. The message names the key, never its value. */
    static byte[] hexKey(String key, byte[] src, int from, int to) {
        if (to - from != 64) {
            throw new MalformedInputException(key + " is not 64 hex digits");
        }
        byte[] out = new byte[32];
        for (int i = 0; i < 32; i++) {
            int hi = Character.digit(src[from + 2 * i], 16);
            int lo = Character.digit(src[from + 2 * i + 1], 16);
            if (hi < 0 || lo < 0) {
                Arrays.fill(out, (byte) 0);
                throw new MalformedInputException(key + " is not 64 hex digits");
            }
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    /** True when {@code s} is 1 to {@code max} ASCII digits (cheaper than a regex on a hot path). */
    private static boolean digits(String s, int max) {
        if (s.isEmpty() || s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static long number(String key, String value, long max) {
        if (!digits(value, 19)) {
            throw new MalformedInputException("bad " + key + " '" + value + "'");
        }
        long v;
        try {
            v = Long.parseLong(value);
        } catch (NumberFormatException e) {
            v = -1; // 19 digits above 2^63-1
        }
        if (v < 0 || v > max) {
            throw new MalformedInputException(key + " out of range: " + value);
        }
        return v;
    }

    /** A u64 counter; values above 2^63-1 wrap into negative longs (use {@link Long#toUnsignedString}). */
    private static long unsigned64(String key, String value) {
        if (!digits(value, 20)) {
            throw new MalformedInputException("bad " + key + " '" + value + "'");
        }
        try {
            return Long.parseUnsignedLong(value);
        } catch (NumberFormatException e) {
            throw new MalformedInputException(key + " out of range: " + value);
        }
    }

    /** {@code a.b.c.d:port} or {@code [v6%zone]:port}; the zone is dropped. */
    static IpEndpoint endpoint(String value) {
        String host;
        String port;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0 || close + 1 >= value.length() || value.charAt(close + 1) != ':') {
                throw new MalformedInputException("bad endpoint '" + value + "'");
            }
            host = value.substring(1, close);
            port = value.substring(close + 2);
        } else {
            int colon = value.indexOf(':');
            if (colon < 0 || value.indexOf(':', colon + 1) >= 0) {
                throw new MalformedInputException("bad endpoint '" + value + "'");
            }
            host = value.substring(0, colon);
            port = value.substring(colon + 1);
        }
        if (!digits(port, 5) || Integer.parseInt(port) > 65535) {
            throw new MalformedInputException("bad port in endpoint '" + value + "'");
        }
        return new IpEndpoint(address(host, value), Integer.parseInt(port));
    }

    static IpPrefix prefix(String value) {
        int slash = value.indexOf('/');
        if (slash < 0 || !digits(value.substring(slash + 1), 3)) {
            throw new MalformedInputException("bad allowed_ip '" + value + "'");
        }
        InetAddress a = address(value.substring(0, slash), value);
        try {
            return new IpPrefix(a, Integer.parseInt(value.substring(slash + 1)));
        } catch (IllegalArgumentException e) {
            throw new MalformedInputException("bad allowed_ip '" + value + "': " + e.getMessage());
        }
    }

    /** The 4 bytes of a strict dotted quad (no leading '+', at most 3 digits a part), or null. */
    private static byte[] dottedQuad(String s) {
        byte[] out = new byte[4];
        int part = 0;
        int value = 0;
        int digitsInPart = 0;
        for (int i = 0; i <= s.length(); i++) {
            char c = i == s.length() ? '.' : s.charAt(i);
            if (c >= '0' && c <= '9') {
                value = value * 10 + (c - '0');
                if (++digitsInPart > 3 || value > 255) {
                    return null;
                }
            } else if (c == '.' && digitsInPart > 0 && part < 4) {
                out[part++] = (byte) value;
                value = 0;
                digitsInPart = 0;
            } else {
                return null;
            }
        }
        return part == 4 ? out : null;
    }

    /**
     * An IP literal without DNS. Unlike {@link Addresses#parseLiteral} this keeps IPv4-mapped IPv6 addresses (which
     * a device may well report) as 16-byte addresses instead of refusing them.
     */
    private static InetAddress address(String host, String whole) {
        int pct = host.indexOf('%');
        String core = pct >= 0 ? host.substring(0, pct) : host;
        byte[] v4 = dottedQuad(core);
        if (v4 != null) {
            return Addresses.fromBytes(v4);
        }
        try {
            return Addresses.parseLiteral(core);
        } catch (IllegalArgumentException e) {
            // only an IPv6 literal that Java folds to IPv4 (::ffff:a.b.c.d) is worth a second look
            if (core.indexOf(':') >= 0 && core.matches("[0-9A-Fa-f:.]+")) {
                try {
                    InetAddress a = InetAddress.getByName(core); // a checked literal: never a lookup
                    if (a instanceof Inet4Address) {
                        byte[] b = new byte[16];
                        b[10] = (byte) 0xff;
                        b[11] = (byte) 0xff;
                        System.arraycopy(a.getAddress(), 0, b, 12, 4);
                        return Addresses.fromBytes(b);
                    }
                } catch (UnknownHostException ignored) {
                    // fall through to the error below
                }
            }
            throw new MalformedInputException("bad address in '" + whole + "'");
        }
    }

    private static byte[] rawKey(io.wirelink.facts.PrivateKey k) {
        byte[] raw = new byte[32];
        k.writeTo(raw, 0);
        return raw;
    }
}
