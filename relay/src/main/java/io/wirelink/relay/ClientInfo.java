package io.wirelink.relay;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;

/**
 * A registered client as the relay sees it: its key, the endpoint its NAT mapped (where its last authenticated
 * packet came from), and when (monotonic nanoseconds, the relay's injected time) it registered and was last heard.
 */
public record ClientInfo(PublicKey key, IpEndpoint endpoint, long registeredAtNanos, long lastAuthenticatedNanos) {}
