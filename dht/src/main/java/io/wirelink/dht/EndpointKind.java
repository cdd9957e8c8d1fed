package io.wirelink.dht;

/** What an endpoint in a record is for. The wire code is one byte; unknown codes are malformed. */
public enum EndpointKind {
    /** The owner's DHT (control) port: where an authenticated PING reaches it. */
    DHT(0),
    /** The owner's WireGuard listen endpoint. */
    WIREGUARD(1);

    final int code;

    EndpointKind(int code) {
        this.code = code;
    }

    static EndpointKind ofCode(int c) {
        for (EndpointKind k : values()) {
            if (k.code == c) {
                return k;
            }
        }
        return null;
    }
}
