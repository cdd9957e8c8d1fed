package io.wirelink.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.wirelink.facts.Fact;
import io.wirelink.facts.FactKey;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.store.Channel;
import io.wirelink.facts.store.FactStore;
import io.wirelink.facts.store.FactView;
import io.wirelink.facts.store.Provenance;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BeliefsTest {
    static final Instant T = TrustContextsTest.T;
    static final PublicKey SELF = TrustContextsTest.SELF;
    static final PublicKey HUB = TrustContextsTest.HUB;
    static final PublicKey LEAF = TrustContextsTest.LEAF;
    static final PublicKey STRANGER = TrustContextsTest.STRANGER;

    static TrustContext ctx(Set<PublicKey> known) {
        return new TrustContext(SELF, Map.of(), known, Set.of(), Map.of());
    }

    static void assertBy(FactStore store, Fact f, PublicKey author) {
        store.append(f, new Provenance(author, Channel.GOSSIP, null, T));
    }

    @Test
    void theLatestExpiringAcceptedAssertionIsBelieved() {
        FactStore store = FactStore.inMemory(FactStore.Options.DEFAULTS);
        IpEndpoint ep = IpEndpoint.parse("198.51.100.3:51820");
        Fact byLeaf = Fact.endpoint(LEAF, ep, T.plusSeconds(60));
        Fact byHub = Fact.endpoint(LEAF, ep, T.plusSeconds(90));
        Fact byStranger = Fact.endpoint(LEAF, ep, T.plusSeconds(120));
        assertBy(store, byLeaf, LEAF);
        assertBy(store, byHub, HUB);
        assertBy(store, byStranger, STRANGER);
        FactView view = store.view(T);
        Map<FactKey, Fact> believed = new Beliefs().of(view, ctx(Set.of(HUB, LEAF)));
        assertEquals(Map.of(byHub.key(), byHub), believed, "the stranger's word does not count");
    }

    @Test
    void aNewContextIsDecidedAfreshNotFromTheCache() {
        FactStore store = FactStore.inMemory(FactStore.Options.DEFAULTS);
        Fact f = Fact.endpoint(LEAF, IpEndpoint.parse("198.51.100.3:51820"), T.plusSeconds(60));
        assertBy(store, f, STRANGER);
        FactView view = store.view(T);
        Beliefs beliefs = new Beliefs();
        TrustContext without = ctx(Set.of(LEAF));
        assertFalse(beliefs.of(view, without).containsKey(f.key()));
        assertFalse(beliefs.of(view, without).containsKey(f.key()), "the cached answer");
        assertEquals(Map.of(f.key(), f), beliefs.of(view, ctx(Set.of(LEAF, STRANGER))), "the stranger is known now");
    }
}
