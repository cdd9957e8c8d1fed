package io.wirelink.apply.netlink;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Test helpers to write expected wire bytes field by field. */
final class Bytes {
    private Bytes() {}

    /** Concatenates hex fragments; spaces are ignored. */
    static byte[] hex(String... parts) {
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            sb.append(p.replace(" ", ""));
        }
        return HexFormat.of().parseHex(sb);
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** The hex of {@code s} in ASCII (no NUL added). */
    static String ascii(String s) {
        return HexFormat.of().formatHex(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** {@code n} copies of byte {@code b}, as hex. */
    static String repeat(int b, int n) {
        return String.format("%02x", b).repeat(n);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] filled(int b, int n) {
        byte[] out = new byte[n];
        java.util.Arrays.fill(out, (byte) b);
        return out;
    }
}
