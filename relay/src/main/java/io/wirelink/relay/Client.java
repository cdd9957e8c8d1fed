package io.wirelink.relay;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;

/**
 * A key that completed (or is completing) a handshake with the relay. It is registered, and can be forwarded to
 * and from, once its endpoint is known: from the first transport packet under a new session (key confirmation),
 * updated whenever a later authenticated packet arrives from elsewhere (roaming). Not thread-safe.
 */
final class Client {
    final PublicKey key;
    final int id;
    final Macs.Mac1Checker mac1;
    final long created;
    final TokenBucket packets;
    final TokenBucket bytes;
    final TokenBucket handshakes;
    final TokenBucket disclosures;
    /** The disclosure keys, derived (one Diffie-Hellman) on the client's first query. */
    Disclosure.Keys disclosureKeys;
    /** The greatest TAI64N a disclosure query or the registering handshake carried; later ones only. */
    byte[] lastQueryTimestamp;
    IpEndpoint endpoint;
    long registeredAt;
    long lastAuthenticated;
    boolean alive = true;
    /** Whether a session with the relay was ever confirmed (then it expires by idleness, not by handshake age). */
    boolean confirmed;
    /** Index routes created by this client's handshake messages (bounded per client). */
    int routes;
    Session next;
    Session current;
    Session previous;

    Client(PublicKey key, int id, long now, RelaySettings s) {
        this.key = key;
        this.id = id;
        this.mac1 = new Macs.Mac1Checker(Macs.mac1Key(key));
        this.created = now;
        this.packets = s.clientPacketRate() > 0 ? new TokenBucket(s.clientPacketRate(), s.clientPacketBurst(), now) : null;
        this.bytes = s.clientByteRate() > 0 ? new TokenBucket(s.clientByteRate(), s.clientByteBurst(), now) : null;
        this.handshakes = new TokenBucket(s.clientHandshakeRate(), s.clientHandshakeBurst(), now);
        this.disclosures = new TokenBucket(s.clientDisclosureRate(), s.clientDisclosureBurst(), now);
    }

    boolean registered() {
        return endpoint != null;
    }

    /** Charges one datagram of {@code length} bytes to this client's rate limits. */
    boolean admitTraffic(long now, int length) {
        return (packets == null || packets.tryTake(now, 1)) && (bytes == null || bytes.tryTake(now, length));
    }

    @Override
    public String toString() {
        return "Client[" + key + (endpoint == null ? ", unconfirmed" : " at " + endpoint) + "]";
    }
}
