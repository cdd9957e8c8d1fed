package io.wirelink.facts;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** IP literal helpers that never touch DNS. */
public final class Addresses {
    private static final java.util.regex.Pattern V6_CHARS = java.util.regex.Pattern.compile("[0-9A-Fa-f:.]+");
    private static final java.util.regex.Pattern V4_QUAD =
            java.util.regex.Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

    private Addresses() {}

    /** 4 or 16 bytes to an address, without a scope and without DNS. IPv4-mapped IPv6 stays 16 bytes. */
    public static InetAddress fromBytes(byte[] b) {
        try {
            if (b.length == 16) {
                return Inet6Address.getByAddress(null, b, -1);
            }
            if (b.length == 4) {
                return InetAddress.getByAddress(b);
            }
        } catch (UnknownHostException e) {
            // unreachable for 4 or 16 bytes
        }
        throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + b.length);
    }

    /** Parses an IPv4 dotted quad or an IPv6 literal (with an optional %zone); refuses host names. */
    public static InetAddress parseLiteral(String s) {
        String t = s.strip();
        int pct = t.indexOf('%');
        String core = pct >= 0 ? t.substring(0, pct) : t;
        boolean v6 = core.indexOf(':') >= 0;
        if (core.isEmpty() || !(v6 ? V6_CHARS.matcher(core).matches() : V4_QUAD.matcher(core).matches())) {
            throw new IllegalArgumentException("not an IP address literal: '" + s + "'");
        }
        if (!v6) {
            byte[] b = new byte[4];
            String[] parts = core.split("\\.");
            for (int i = 0; i < 4; i++) {
                int v = Integer.parseInt(parts[i]);
                if (v > 255) {
                    throw new IllegalArgumentException("not an IPv4 address: '" + s + "'");
                }
                b[i] = (byte) v;
            }
            return fromBytes(b);
        }
        try {
            InetAddress a = InetAddress.getByName(core); // an IPv6 literal (checked above): no lookup happens
            if (a instanceof Inet4Address && core.indexOf(':') >= 0) {
                // Java folds ::ffff:a.b.c.d to IPv4; keep the distinction visible to callers
                throw new IllegalArgumentException("IPv4-mapped IPv6 address not allowed: '" + s + "'");
            }
            return a;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address literal: '" + s + "'");
        }
    }

    /** Canonical text: dotted quad, or RFC 5952 compressed IPv6 without zone. */
    public static String format(InetAddress a) {
        if (a instanceof Inet4Address) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
