package io.wirelink.dht;

import io.wirelink.facts.IpEndpoint;

/** One endpoint candidate in a {@link DhtRecord}. */
public record RecordEndpoint(EndpointKind kind, IpEndpoint endpoint) {
    public RecordEndpoint {
        if (kind == null || endpoint == null) {
            throw new IllegalArgumentException("record endpoint needs a kind and an endpoint");
        }
        if (endpoint.port() == 0) {
            throw new IllegalArgumentException("record endpoint port must not be 0");
        }
    }
}
