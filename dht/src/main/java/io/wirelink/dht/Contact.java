package io.wirelink.dht;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;

/** A DHT node as NODES replies name it: its public key and the endpoint its DHT port was seen at. */
public record Contact(PublicKey key, IpEndpoint endpoint) {
    public Contact {
        if (key == null) {
            throw new IllegalArgumentException("contact key is missing");
        }
        if (endpoint == null) {
            throw new IllegalArgumentException("contact endpoint is missing");
        }
        if (endpoint.port() == 0) {
            throw new IllegalArgumentException("contact port must not be 0");
        }
    }
}
