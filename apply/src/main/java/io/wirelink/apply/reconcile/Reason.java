package io.wirelink.apply.reconcile;

import io.wirelink.facts.PublicKey;
import java.util.Objects;

/**
 * Why the core changed (or held) something about one peer: the peer as a key, so callers can index reasons by peer
 * without reading the text back, and the text for logs and {@code show}.
 *
 * @param peer the peer the reason concerns, or null when it concerns no single peer
 * @param text the explanation, without the peer
 */
public record Reason(PublicKey peer, String text) {

    public Reason {
        Objects.requireNonNull(text, "text");
    }

    /** The log line: {@code "<peer>: <text>"}, or the text alone when no peer is named. */
    @Override
    public String toString() {
        return peer == null ? text : peer + ": " + text;
    }
}
