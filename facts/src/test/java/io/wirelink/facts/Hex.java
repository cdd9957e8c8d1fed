package io.wirelink.facts;

import java.util.HexFormat;

final class Hex {
    private Hex() {}

    static byte[] of(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
    }

    static String of(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
