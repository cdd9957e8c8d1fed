package io.wirelink.traversal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.Fact;
import io.wirelink.facts.FactKey;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.RelayAttachment;
import io.wirelink.facts.store.Channel;
import io.wirelink.facts.store.FactEvent;
import io.wirelink.facts.store.FactStore;
import io.wirelink.facts.store.FactView;
import io.wirelink.facts.store.Provenance;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RelayOffersTest {
    static final SecureRandom RANDOM = new SecureRandom();

    static PublicKey key() {
        return PrivateKey.generate(RANDOM).publicKey();
    }

    final PublicKey self = key();
    final PublicKey owner = key();
    final PublicKey relay = key();
    final PublicKey other = key();
    final PublicKey ownRelay = key();
    final IpEndpoint ep = IpEndpoint.parse("203.0.113.9:3478");
    final IpEndpoint source = IpEndpoint.parse("198.51.100.7:6881");
    final Instant now = Instant.parse("2026-11-22T10:00:00Z");

    @Test
    void configuredServersBecomeOffersInConfigOrder() {
        List<RelayPlanner.Offer> out = RelayOffers.configured(List.of(Map.entry(relay, ep),
                Map.entry(other, source)));
        assertEquals(List.of(RelayPlanner.Offer.configured(relay, List.of(ep)),
                RelayPlanner.Offer.configured(other, List.of(source))), out);
        assertNull(out.get(0).operator());
    }

    @Test
    void aRecordsRelaysAreRefusedWithoutEndpointsOrUnderOurOrAPeersKey() {
        Instant exp = now.plusSeconds(600);
        RelayOffers.Screened s = RelayOffers.fromRecord(owner, List.of(
                new RelayAttachment(false, relay, List.of(ep)),
                new RelayAttachment(false, other, List.of()),
                new RelayAttachment(true, self, List.of(ep)),
                new RelayAttachment(false, owner, List.of(ep))), self, Set.of(owner), exp);
        assertEquals(List.of(Fact.relay(owner, new RelayAttachment(false, relay, List.of(ep)), exp)), s.facts());
        assertEquals(3, s.refused());
    }

    @Test
    void onlyBelievedAttachmentsFromTheDhtAreRelaysToRegisterWith() {
        FactStore store = FactStore.inMemory(FactStore.Options.DEFAULTS);
        Instant exp = now.plusSeconds(600);
        Fact viaDht = Fact.relay(owner, new RelayAttachment(false, relay, List.of(ep)), exp);
        Fact gossiped = Fact.relay(other, new RelayAttachment(false, other, List.of(source)), exp);
        Fact offer = Fact.relay(owner, new RelayAttachment(true, ownRelay, List.of(source)), exp);
        store.append(viaDht, new Provenance(owner, Channel.DHT, source, now));
        store.append(gossiped, new Provenance(other, Channel.GOSSIP, source, now));
        store.append(offer, new Provenance(owner, Channel.DHT, source, now));
        FactView view = store.view(now);
        Map<FactKey, Fact> believed = new HashMap<>();
        for (Fact f : List.of(viaDht, gossiped, offer)) {
            believed.put(f.key(), f);
        }
        assertEquals(List.of(RelayPlanner.Offer.found(relay, List.of(ep))), RelayOffers.fromDht(view, believed));
        believed.remove(viaDht.key());
        assertEquals(List.of(), RelayOffers.fromDht(view, believed), "not believed: no relay of ours");
    }

    @Test
    void aDisclosureIsAnObservedEndpointHintRenewedOnlyPastHalfItsLife() {
        IpEndpoint mapped = IpEndpoint.parse("198.51.100.3:40001");
        assertNull(RelayOffers.disclosed(owner, null, now), "nothing disclosed: no hint");
        Fact f = RelayOffers.disclosed(owner, mapped, now);
        assertEquals(Fact.observed(owner, mapped, now.plus(RelayPlanner.DISCLOSURE_TTL)), f);
        assertTrue(RelayOffers.renew(null, now));
        FactEvent own = new FactEvent(1, f, new Provenance(owner, Channel.RELAY, source, now));
        assertFalse(RelayOffers.renew(own, now.plusSeconds(1)), "fresh: the log is not rewritten");
        assertTrue(RelayOffers.renew(own, now.plus(RelayPlanner.DISCLOSURE_TTL.dividedBy(2))));
        assertTrue(RelayOffers.renew(own, now.plus(Duration.ofMinutes(5))), "expired");
    }
}
