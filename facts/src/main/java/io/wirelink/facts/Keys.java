package io.wirelink.facts;

import java.util.Base64;

final class Keys {
    private Keys() {}

    static byte[] decode32(String base64, String what) {
        if (base64 == null) {
            throw new IllegalArgumentException(what + " is missing");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not valid base64");
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException(what + " must decode to 32 bytes, got " + raw.length);
        }
        return raw;
    }
}
