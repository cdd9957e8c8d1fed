package io.wirelink.traversal;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactKey;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.RelayAttachment;
import io.wirelink.facts.store.Channel;
import io.wirelink.facts.store.FactEvent;
import io.wirelink.facts.store.FactView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the relay client's relays and hints come from, as pure functions (PROTOCOL.md §6.4, §7.8): the config's
 * relays, the relays peers' DHT records name, the relay facts a DHT record may yield, and the endpoint hint a relay's
 * disclosure gives. The core decides trust and appends; these decide what is a relay input.
 */
public final class RelayOffers {
    private RelayOffers() {}

    /** {@code relay.servers} as planner offers: one per configured relay key and endpoint, in config order. */
    public static List<RelayPlanner.Offer> configured(List<Map.Entry<PublicKey, IpEndpoint>> servers) {
        List<RelayPlanner.Offer> out = new ArrayList<>();
        for (Map.Entry<PublicKey, IpEndpoint> s : servers) {
            out.add(RelayPlanner.Offer.configured(s.getKey(), List.of(s.getValue())));
        }
        return out;
    }

    /**
     * Relays a peer's DHT record says the peer is registered with (believed RelayAttachment facts without the
     * operator bit that came from the DHT): relays this node may register with too, like configured ones (an
     * attachment gossiped inside the mesh never is one: there an operator's offer is what says a relay serves us).
     * They go when their facts expire with the record.
     */
    public static List<RelayPlanner.Offer> fromDht(FactView view, Map<FactKey, Fact> believed) {
        List<RelayPlanner.Offer> out = new ArrayList<>();
        for (FactView.Entry e : view.byAttribute(Attribute.RELAY)) {
            if (e.fact().value() instanceof RelayAttachment a && !a.operator() && !a.endpoints().isEmpty()
                    && e.assertedVia(Channel.DHT) && believed.containsKey(e.key())) {
                out.add(RelayPlanner.Offer.found(a.relay(), a.endpoints()));
            }
        }
        return out;
    }

    /**
     * The relay facts of {@code owner}'s DHT record, expiring with it, and how many of its relays were refused: one
     * without endpoints, or whose key is ours or a known peer's (it would hide that peer from the core as a relay
     * peer: a record is a hint anyone storing it could have forged).
     */
    public static Screened fromRecord(PublicKey owner, List<RelayAttachment> relays, PublicKey self,
            Set<PublicKey> peers, Instant expires) {
        List<Fact> facts = new ArrayList<>();
        int refused = 0;
        for (RelayAttachment r : relays) {
            if (r.endpoints().isEmpty() || r.relay().equals(self) || peers.contains(r.relay())) {
                refused++;
                continue;
            }
            facts.add(Fact.relay(owner, r, expires));
        }
        return new Screened(facts, refused);
    }

    /** What {@link #fromRecord} kept, and how many it refused. */
    public record Screened(List<Fact> facts, int refused) {
        public Screened {
            facts = List.copyOf(facts);
        }
    }

    /**
     * The hint a relay's disclosure gives: the peer's mapping as an ObservedEndpoint of the peer, for
     * {@link RelayPlanner#DISCLOSURE_TTL}; null when the relay disclosed none.
     */
    public static Fact disclosed(PublicKey peer, IpEndpoint endpoint, Instant now) {
        return endpoint == null ? null : Fact.observed(peer, endpoint, now.plus(RelayPlanner.DISCLOSURE_TTL));
    }

    /**
     * Whether a disclosure's hint is worth appending, given {@code own}, the store's assertion of that fact (null
     * when none): not while it lasts more than half {@link RelayPlanner#DISCLOSURE_TTL} still, so a relay queried
     * every round does not rewrite the log each time.
     */
    public static boolean renew(FactEvent own, Instant now) {
        return own == null || own.expiredAt(now) || !own.fact().expires().isAfter(now.plus(
                RelayPlanner.DISCLOSURE_TTL.dividedBy(2)));
    }
}
