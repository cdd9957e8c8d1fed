package io.wirelink.trust;

import io.wirelink.facts.Fact;
import io.wirelink.facts.FactKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.store.FactEvent;
import io.wirelink.facts.store.FactView;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Decides what is believed: of each entry of a view, the latest-expiring assertion by an author the trust policy
 * accepts. Folding a large view every pass is the costly part, so an entry the store kept from the last call (the
 * same object) under the same context (the same object) is believed as it was then.
 */
public final class Beliefs {
    /** What an entry maps to in the cache when no assertion was accepted. */
    private static final Fact NOT_BELIEVED = Fact.alive(PublicKey.of(new byte[PublicKey.LENGTH]),
            new UUID(0, 0), Instant.EPOCH);

    private Map<FactView.Entry, Fact> believedBy = Map.of();
    private TrustContext believedCtx;

    /** The facts believed in {@code view} under {@code ctx}, by key, in the view's order. */
    public Map<FactKey, Fact> of(FactView view, TrustContext ctx) {
        Map<FactView.Entry, Fact> before = ctx == believedCtx ? believedBy : Map.of();
        Map<FactView.Entry, Fact> now = new IdentityHashMap<>(view.size() * 2);
        Map<FactKey, Fact> out = new LinkedHashMap<>(view.size() * 2);
        boolean reuse = !before.isEmpty();
        for (FactView.Entry e : view.entries()) {
            Fact best = reuse ? before.get(e) : null;
            if (best == null) {
                best = believed(e, ctx);
            }
            now.put(e, best);
            if (best != NOT_BELIEVED) {
                out.put(e.key(), best);
            }
        }
        believedBy = now;
        believedCtx = ctx;
        return out;
    }

    /** The fact believed of one entry: the latest-expiring assertion by an author the policy accepts. */
    private static Fact believed(FactView.Entry e, TrustContext ctx) {
        Fact best = NOT_BELIEVED;
        for (FactEvent a : e.assertions()) {
            if (TrustPolicy.accepts(a.fact(), a.provenance().author(), ctx)
                    && (best == NOT_BELIEVED || a.fact().expires().isAfter(best.expires()))) {
                best = a.fact();
            }
        }
        return best;
    }
}
