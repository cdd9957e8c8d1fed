package io.wirelink.dht;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;

/**
 * What a node knows about one remote key: its ID, the derived pair key, an RTT estimate (RFC 6298: smoothed RTT
 * and RTT variance, timeout = SRTT + 4·RTTVAR, doubled per unanswered request until a sample arrives), and the cookie
 * it gave us. Only keys with enough workbit ever get one.
 */
final class Peer {
    final PublicKey key;
    final NodeId id;
    final byte[] pairKey;
    private double srtt = -1;
    private double rttvar;
    private int backoff;
    Cookie cookie;
    long cookieAt;
    IpEndpoint cookieEndpoint;

    Peer(PublicKey key, NodeId id, byte[] pairKey) {
        this.key = key;
        this.id = id;
        this.pairKey = pairKey;
    }

    boolean hasRtt() {
        return srtt >= 0;
    }

    void sample(double rttMillis) {
        backoff = 0;
        if (srtt < 0) {
            srtt = rttMillis;
            rttvar = rttMillis / 2;
        } else {
            rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - rttMillis);
            srtt = 0.875 * srtt + 0.125 * rttMillis;
        }
    }

    void timedOut() {
        if (backoff < 6) {
            backoff++;
        }
    }

    double srtt() {
        return srtt;
    }

    /** This peer's timeout: its own estimate, or {@code fallback} (the population's) before it has one. */
    long rto(long fallback, DhtConfig cfg) {
        double base = srtt >= 0 ? srtt + Math.max(4 * rttvar, 1) : fallback;
        double r = base * (1 << backoff);
        return (long) Math.min(cfg.maxRtoMillis(), Math.max(cfg.minRtoMillis(), r));
    }

    /** The cookie to send to {@code to}, if it is young enough to still be valid when it arrives. */
    Cookie cookieFor(IpEndpoint to, long now, DhtConfig cfg) {
        if (cookie != null && to.equals(cookieEndpoint) && now - cookieAt < cfg.cookieEpochMillis() * 3L / 4) {
            return cookie;
        }
        return null;
    }
}
