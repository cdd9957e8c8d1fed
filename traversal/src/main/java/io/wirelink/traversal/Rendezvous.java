package io.wirelink.traversal;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.RelayAttachment;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The relay both ends of a pair pick among the relays they share (PROTOCOL.md §6.4): the one with the highest
 * SHA-256(relay | min(a, b) | max(a, b)). Both ends compute the same without talking, and pairs spread over the
 * relays.
 */
public final class Rendezvous {
    private Rendezvous() {}

    /** The relay {@code a} and {@code b} meet at among {@code common}, or null when they share none. */
    public static PublicKey choose(PublicKey a, PublicKey b, Collection<PublicKey> common) {
        PublicKey lo = a.compareTo(b) < 0 ? a : b;
        PublicKey hi = lo == a ? b : a;
        PublicKey best = null;
        long bestScore = 0;
        for (PublicKey r : common) {
            long score = score(r, lo, hi);
            if (best == null || Long.compareUnsigned(score, bestScore) > 0
                    || (score == bestScore && r.compareTo(best) < 0)) {
                best = r;
                bestScore = score;
            }
        }
        return best;
    }

    /** The relays in both sets, in key order; none when the peer named none ({@code theirs} null). */
    static Set<PublicKey> common(Set<PublicKey> ours, Set<PublicKey> theirs) {
        Set<PublicKey> c = new TreeSet<>(ours);
        if (theirs == null) {
            c.clear();
        } else {
            c.retainAll(theirs);
        }
        return c;
    }

    /** The relays each peer says it is attached to (its RelayAttachment facts without the operator bit). */
    static Map<PublicKey, Set<PublicKey>> attachments(Collection<Fact> believed) {
        Map<PublicKey, Set<PublicKey>> out = new HashMap<>();
        for (Fact f : believed) {
            if (f.attribute() == Attribute.RELAY && f.value() instanceof RelayAttachment a && !a.operator()) {
                out.computeIfAbsent(f.subject(), k -> new HashSet<>()).add(a.relay());
            }
        }
        return out;
    }

    private static long score(PublicKey r, PublicKey lo, PublicKey hi) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(r.toBytes());
            md.update(lo.toBytes());
            md.update(hi.toBytes());
            return ByteBuffer.wrap(md.digest()).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }
}
