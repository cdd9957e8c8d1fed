package io.wirelink.dht;

import io.wirelink.facts.PublicKey;

/**
 * A decoded DHT datagram, without its MAC (which {@link DhtCodec#verify} checks against the raw bytes).
 *
 * @param readOnly the sender does not serve the DHT (behind NAT, or a client): never put it in a routing table
 * @param sender the sender's public key, in clear so the receiver can derive the pair key
 * @param timestampMillis the sender's clock, Unix epoch milliseconds, for the replay window
 * @param nonce random per packet; the replay cache key and the request ID that replies echo
 * @param cookie a cookie the receiver gave the sender earlier, or {@code null}
 * @param padding zero bytes after the body (requests without a cookie pad so that a reply fits in their size)
 */
public record Packet(boolean readOnly, PublicKey sender, long timestampMillis, long nonce, Cookie cookie,
        Message message, int padding) {
    public Packet {
        if (sender == null || message == null) {
            throw new IllegalArgumentException("a packet needs a sender and a message");
        }
        if (timestampMillis < 0) {
            throw new IllegalArgumentException("timestamp must not be negative");
        }
        if (padding < 0) {
            throw new IllegalArgumentException("padding must not be negative");
        }
    }
}
