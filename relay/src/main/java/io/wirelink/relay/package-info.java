/**
 * A WireGuard relay that forwards packets it cannot decrypt (WGX's idea, improved).
 *
 * <p>Clients register by completing a WireGuard handshake with the relay itself: the relay is a Noise IKpsk2
 * responder with its own key ({@link io.wirelink.relay.Relay}), so it learns each client's identity and the endpoint
 * its NAT mapped. Between two registered clients that both asked for each other ({@link
 * io.wirelink.relay.Relay#allow}), it routes handshake initiations by mac1 (computed for each registered key) and
 * responses, cookie replies and data by receiver index, learning the index pairs from the handshakes as they pass.
 * It forwards the exact datagram: zero bytes of overhead, no decryption, no access to the peers' session keys.
 *
 * <p>Threads: {@link io.wirelink.relay.Relay} is a pure, single-threaded state machine that takes the time as an
 * argument; {@link io.wirelink.relay.UdpRelay} owns it on one thread with one UDP socket, and other threads reach
 * it only through {@link io.wirelink.relay.UdpRelay#call}. The codec
 * ({@link io.wirelink.relay.WireFormat}, {@link io.wirelink.relay.WgMessage}) is stateless and thread-safe; its
 * decoders throw only {@link io.wirelink.facts.MalformedInputException}.
 */
package io.wirelink.relay;
