package io.wirelink.relay;

import io.wirelink.facts.IpEndpoint;
import java.util.Arrays;

/**
 * The relay's liveness and RTT probe, answered on the relay's own port (PROTOCOL.md §6.4). Both messages are 64
 * bytes, so a reply is never larger than its request (no amplification); neither is a WireGuard message (their first
 * byte is 01..04 followed by three zero bytes).
 *
 * <pre>
 * request = F2 | 01 | 00 00 | nonce (16) | 00 × 44
 * reply   = F3 | 01 | 00 00 | nonce (16) | family (1: 04 or 06) | IP (16, an IPv4 address in the first 4) | port (2)
 *           | 00 × 25
 * </pre>
 *
 * The reply echoes the nonce and tells the prober the address the relay saw the request come from (STUN-like). It is
 * not authenticated: an off-path attacker cannot forge a reply without seeing the random nonce, and an on-path one
 * could drop the relay's traffic anyway. A client still registers by a WireGuard handshake, which is.
 */
public final class Probe {
    public static final int LENGTH = 64;
    public static final int NONCE_LENGTH = 16;
    static final byte REQUEST = (byte) 0xF2;
    static final byte REPLY = (byte) 0xF3;
    static final byte VERSION = 1;

    private Probe() {}

    /** A request carrying {@code nonce} (16 bytes). */
    public static byte[] request(byte[] nonce) {
        byte[] b = new byte[LENGTH];
        b[0] = REQUEST;
        b[1] = VERSION;
        System.arraycopy(nonce, 0, b, 4, NONCE_LENGTH);
        return b;
    }

    /** True when {@code d} is a well-formed request. */
    static boolean isRequest(byte[] d) {
        return d.length == LENGTH && d[0] == REQUEST && d[1] == VERSION && d[2] == 0 && d[3] == 0;
    }

    /** The reply to a request from {@code src}. */
    static byte[] reply(byte[] request, IpEndpoint src) {
        byte[] b = new byte[LENGTH];
        b[0] = REPLY;
        b[1] = VERSION;
        System.arraycopy(request, 4, b, 4, NONCE_LENGTH);
        byte[] a = src.address().getAddress();
        b[20] = (byte) (a.length == 4 ? 4 : 6);
        System.arraycopy(a, 0, b, 21, a.length);
        b[37] = (byte) (src.port() >>> 8);
        b[38] = (byte) src.port();
        return b;
    }

    /** A parsed reply: the nonce it echoes and where the relay saw the request come from. */
    public record Reply(byte[] nonce, IpEndpoint observed) {}

    /** Parses a reply, or returns null when {@code d} (of length {@code len}) is not one. Never throws. */
    public static Reply parseReply(byte[] d, int len) {
        if (len != LENGTH || d[0] != REPLY || d[1] != VERSION || d[2] != 0 || d[3] != 0) {
            return null;
        }
        int family = d[20];
        if (family != 4 && family != 6) {
            return null;
        }
        byte[] a = Arrays.copyOfRange(d, 21, 21 + (family == 4 ? 4 : 16));
        int port = ((d[37] & 0xff) << 8) | (d[38] & 0xff);
        try {
            return new Reply(Arrays.copyOfRange(d, 4, 4 + NONCE_LENGTH), IpEndpoint.of(a, port));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
