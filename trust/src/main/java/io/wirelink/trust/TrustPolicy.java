package io.wirelink.trust;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactValue;
import io.wirelink.facts.PublicKey;
import java.util.HashMap;
import java.util.Map;

/**
 * Decides which received facts are believed. Pure: the same fact, author and context always give the same answer.
 *
 * <p>Improvements over wirelink (PROTOCOL.md §5): trust is decided by the <em>signed author</em> of a group, who
 * must be a peer we know (wirelink keyed on the source address and never checked the signer); a peer may always
 * state its own endpoints and liveness unless configured Untrusted; routers are trusted only in zero-config mode
 * and router status is decided explicitly, not guessed from an empty device; and DelegateTrust works: a
 * DelegateTrust peer's TrustGrant facts give other peers a level of at most Membership.
 */
public final class TrustPolicy {
    private TrustPolicy() {}

    /** The level an author's word carries, or null when the author is unknown or has no standing. */
    public static TrustLevel levelOf(PublicKey author, TrustContext ctx) {
        if (author.equals(ctx.self())) {
            return TrustLevel.DelegateTrust;
        }
        TrustLevel configured = ctx.configured().get(author);
        if (configured != null) {
            return configured;
        }
        if (!ctx.known().contains(author)) {
            return null;
        }
        TrustLevel granted = ctx.grants().get(author);
        TrustLevel base = ctx.zeroConfig() && ctx.routers().contains(author) ? TrustLevel.Membership
                : TrustLevel.Endpoint;
        return granted != null && granted.compareTo(base) > 0 ? granted : base;
    }

    /** The level a fact needs from its author. */
    public static TrustLevel required(Fact f, PublicKey author, TrustContext ctx) {
        Attribute a = f.attribute();
        boolean aboutAuthor = f.subject().equals(author);
        boolean subjectKnown = ctx.known().contains(f.subject()) || f.subject().equals(ctx.self());
        TrustLevel need;
        switch (a) {
            case ALIVE:
                // liveness only counts when a peer says it of itself
                return aboutAuthor ? TrustLevel.Endpoint : null;
            case ENDPOINT_V4:
            case ENDPOINT_V6:
            case OBSERVED_ENDPOINT:
            case RELAY: // how to reach the subject, like an endpoint
                need = TrustLevel.Endpoint;
                break;
            case ALLOWED_CIDR_V4:
            case ALLOWED_CIDR_V6:
                need = TrustLevel.AllowedIPs;
                break;
            case MEMBER:
            case MEMBER_METADATA:
                need = TrustLevel.Membership;
                break;
            case TRUST_GRANT:
                return TrustLevel.DelegateTrust;
            default:
                return null; // groups are never facts in the view
        }
        // a fact about a peer we do not know would add that peer: only membership sources may do that
        if (!subjectKnown && need.compareTo(TrustLevel.Membership) < 0) {
            need = TrustLevel.Membership;
        }
        return need;
    }

    /** Whether a fact signed by {@code author} is believed in {@code ctx}. */
    public static boolean accepts(Fact f, PublicKey author, TrustContext ctx) {
        TrustLevel need = required(f, author, ctx);
        TrustLevel have = levelOf(author, ctx);
        if (need == null || have == null || have == TrustLevel.Untrusted) {
            return false;
        }
        return have.atLeast(need);
    }

    /**
     * Grants from TrustGrant facts: for each subject, the highest level any DelegateTrust author (by config, or
     * ourselves) grants it, capped at Membership so that delegation cannot create new delegators. Grants by
     * authors whose own level comes from a grant are ignored (no chains).
     */
    public static Map<PublicKey, TrustLevel> grants(Iterable<Map.Entry<Fact, PublicKey>> grantFacts,
            PublicKey self, Map<PublicKey, TrustLevel> configured) {
        Map<PublicKey, TrustLevel> out = new HashMap<>();
        for (Map.Entry<Fact, PublicKey> e : grantFacts) {
            Fact f = e.getKey();
            PublicKey author = e.getValue();
            if (f.attribute() != Attribute.TRUST_GRANT || !(f.value() instanceof FactValue.Grant g)) {
                continue;
            }
            boolean delegator = author.equals(self) || configured.get(author) == TrustLevel.DelegateTrust;
            if (!delegator || f.subject().equals(self)) {
                continue;
            }
            TrustLevel level = TrustLevel.values()[Math.min(g.level(), TrustLevel.Membership.ordinal())];
            out.merge(f.subject(), level, (x, y) -> x.compareTo(y) >= 0 ? x : y);
        }
        return out;
    }
}
