package io.wirelink.relay;

/**
 * An index route: datagrams from {@link #sender} whose receiver index is the route's key go to {@link #receiver}.
 * Learned from handshakes as they pass: an initiation from A to B makes (B, A's sender index) → A; the response
 * makes (A, B's sender index) → B. Not thread-safe.
 */
final class Route {
    final Client sender;
    final Client receiver;
    /** The client whose handshake message created the route, charged for it against its route quota. */
    final Client owner;
    long lastUsed;
    /** When the route was (re)placed at the tail of its insertion-ordered table. */
    long placed;
    /** The relay's authorization epoch when the pair was last found mutually authorized. */
    int epoch;

    Route(Client sender, Client receiver, Client owner, long now, int epoch) {
        this.sender = sender;
        this.receiver = receiver;
        this.owner = owner;
        this.lastUsed = now;
        this.placed = now;
        this.epoch = epoch;
    }
}
