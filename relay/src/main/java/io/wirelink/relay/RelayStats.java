package io.wirelink.relay;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A snapshot of the relay's counters.
 *
 * @param datagrams every datagram handed to the relay
 * @param bytes their total size
 * @param forwarded datagrams forwarded between clients, by WireGuard message type (1 to 4; index 0 unused)
 * @param forwardedBytes bytes forwarded (equal to the bytes received for them: nothing is added or removed)
 * @param handshakesAnswered initiations to the relay itself answered with a response
 * @param registrations clients that became registered (key confirmation), counting re-registrations after expiry
 * @param ownTransport transport messages to the relay's own sessions that authenticated (keepalives, mostly)
 * @param cookieRepliesSent cookie replies the relay sent because it was under load
 * @param dropped dropped datagrams by reason
 * @param clients registered clients now
 * @param routes established index routes now
 * @param pendingRoutes index routes now waiting for a response
 */
public record RelayStats(long datagrams, long bytes, long[] forwarded, long forwardedBytes, long handshakesAnswered,
        long registrations, long ownTransport, long cookieRepliesSent, Map<Drop, Long> dropped, int clients,
        int routes, int pendingRoutes) {

    /** Why the relay dropped a datagram. */
    public enum Drop {
        /** Not a well-formed WireGuard message. */
        MALFORMED,
        /** From an endpoint that is no registered client, and not a handshake with the relay itself. */
        UNKNOWN_SOURCE,
        /** From a registered client, but no index route or authorized registered peer matches. */
        NO_ROUTE,
        /** The route's two clients are no longer both registered and both asking for each other. */
        NOT_AUTHORIZED,
        /** Over a per-client or per-source rate limit. */
        RATE_LIMITED,
        /** A table or a per-client quota is full. */
        TABLE_FULL,
        /** A response whose mac1 is not for the client it would be forwarded to. */
        BAD_MAC,
        /** An initiation to the relay that failed: undecryptable, replayed or too frequent. */
        HANDSHAKE_REJECTED,
        /** An initiation to the relay from a key the admission callback refused. */
        NOT_ADMITTED,
        /** An initiation to the relay under load without a valid mac2 (answered with a cookie reply). */
        UNDER_LOAD,
        /** A transport message to the relay's own session that did not authenticate, was replayed or too old. */
        SESSION_REJECTED,
        /** A disclosure query from a key that is no registered client, with a bad mac, or replayed. */
        DISCLOSURE_REJECTED
    }

    public RelayStats {
        forwarded = forwarded.clone();
        dropped = Collections.unmodifiableMap(new EnumMap<>(dropped));
    }

    @Override
    public long[] forwarded() {
        return forwarded.clone();
    }

    /** Datagrams forwarded, all types. */
    public long forwardedTotal() {
        long n = 0;
        for (long f : forwarded) {
            n += f;
        }
        return n;
    }

    /** Datagrams forwarded of one WireGuard message type (1 to 4). */
    public long forwarded(int type) {
        return forwarded[type];
    }

    public long dropped(Drop reason) {
        return dropped.getOrDefault(reason, 0L);
    }

    public long droppedTotal() {
        return dropped.values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RelayStats s && datagrams == s.datagrams && bytes == s.bytes
                && java.util.Arrays.equals(forwarded, s.forwarded) && forwardedBytes == s.forwardedBytes
                && handshakesAnswered == s.handshakesAnswered && registrations == s.registrations
                && ownTransport == s.ownTransport && cookieRepliesSent == s.cookieRepliesSent
                && dropped.equals(s.dropped) && clients == s.clients && routes == s.routes
                && pendingRoutes == s.pendingRoutes;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(datagrams, bytes, java.util.Arrays.hashCode(forwarded), forwardedBytes,
                handshakesAnswered, registrations, ownTransport, dropped, clients, routes);
    }

    @Override
    public String toString() {
        return "RelayStats[datagrams=" + datagrams + ", forwarded=" + forwardedTotal() + " (init " + forwarded[1]
                + ", resp " + forwarded[2] + ", cookie " + forwarded[3] + ", data " + forwarded[4] + "), "
                + forwardedBytes + " B, handshakes=" + handshakesAnswered + ", registrations=" + registrations
                + ", own transport=" + ownTransport + ", cookie replies=" + cookieRepliesSent + ", dropped="
                + dropped + ", clients=" + clients + ", routes=" + routes + "+" + pendingRoutes + " pending]";
    }
}
