package io.wirelink.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactValue;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.store.Channel;
import io.wirelink.facts.store.FactStore;
import io.wirelink.facts.store.Provenance;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrustContextsTest {
    static final Instant T = Instant.parse("2026-11-22T10:00:00Z");
    static final PublicKey SELF = TrustPolicyTest.key(1);
    static final PublicKey HUB = TrustPolicyTest.key(2);
    static final PublicKey LEAF = TrustPolicyTest.key(3);
    static final PublicKey STRANGER = TrustPolicyTest.key(4);
    static final PublicKey DELEGATOR = TrustPolicyTest.key(5);

    static PeerState peer(PublicKey k, String... aips) {
        return new PeerState(k, false, IpEndpoint.parse("198.51.100.2:51820"),
                Arrays.stream(aips).map(IpPrefix::parse).toList(), T, 0, 0, 0);
    }

    static DeviceState device(PeerState... peers) {
        return new DeviceState("wg0", null, 51820, 0, List.of(peers));
    }

    static final TrustContexts.Configured CONFIG = new TrustContexts.Configured(
            Map.of(SELF, TrustLevel.Membership, DELEGATOR, TrustLevel.DelegateTrust), List.of(SELF, DELEGATOR));

    static void grant(FactStore store, PublicKey subject, int level, Instant expires) {
        store.append(new Fact(Attribute.TRUST_GRANT, subject, new FactValue.Grant(level), expires),
                new Provenance(DELEGATOR, Channel.GOSSIP, null, T));
    }

    @Test
    void buildsFromTheConfigTheDeviceAndTheGrants() {
        FactStore store = FactStore.inMemory(FactStore.Options.DEFAULTS);
        grant(store, LEAF, TrustLevel.DelegateTrust.ordinal(), T.plusSeconds(60));
        TrustContext ctx = new TrustContexts(SELF, store).at(T, CONFIG,
                device(peer(HUB, "10.0.0.0/8"), peer(LEAF, "10.0.0.3/32")));
        assertEquals(Map.of(DELEGATOR, TrustLevel.DelegateTrust), ctx.configured(), "our own key is no peer");
        assertEquals(Set.of(HUB, LEAF, DELEGATOR), ctx.known());
        assertEquals(Set.of(HUB), ctx.routers());
        assertEquals(Map.of(LEAF, TrustLevel.Membership), ctx.grants(), "a grant is capped at Membership");
    }

    @Test
    void theContextIsKeptWhileItsInputsStand() {
        FactStore store = FactStore.inMemory(FactStore.Options.DEFAULTS);
        TrustContexts contexts = new TrustContexts(SELF, store);
        TrustContext first = contexts.at(T, CONFIG, device(peer(HUB, "10.0.0.0/8"), peer(LEAF, "10.0.0.3/32")));
        DeviceState reread = device(peer(HUB, "10.0.0.0/8"), peer(LEAF, "10.0.0.3/32"));
        assertSame(first, contexts.at(T.plusSeconds(1), CONFIG, reread), "a new read with the same peers");

        DeviceState grown = device(peer(HUB, "10.0.0.0/8"), peer(LEAF, "10.0.0.3/32"), peer(STRANGER, "10.0.0.4/32"));
        TrustContext second = contexts.at(T.plusSeconds(2), CONFIG, grown);
        assertNotSame(first, second);
        assertTrue(second.known().contains(STRANGER));

        TrustContexts.Configured replaced = new TrustContexts.Configured(CONFIG.levels(), CONFIG.peers());
        assertNotSame(second, contexts.at(T.plusSeconds(3), replaced, grown), "a new config builds anew");
    }

    @Test
    void aNewGrantOrAnExpiredOneBuildsANewContext() {
        FactStore store = FactStore.inMemory(FactStore.Options.DEFAULTS);
        TrustContexts contexts = new TrustContexts(SELF, store);
        DeviceState d = device(peer(HUB, "10.0.0.0/8"));
        TrustContext none = contexts.at(T, CONFIG, d);
        grant(store, HUB, TrustLevel.AllowedIPs.ordinal(), T.plusSeconds(60));
        TrustContext granted = contexts.at(T.plusSeconds(1), CONFIG, d);
        assertNotSame(none, granted);
        assertEquals(Map.of(HUB, TrustLevel.AllowedIPs), granted.grants());
        assertSame(granted, contexts.at(T.plusSeconds(59), CONFIG, d));
        TrustContext expired = contexts.at(T.plusSeconds(60), CONFIG, d);
        assertEquals(Map.of(), expired.grants(), "the grant expired at its time, without a new device read");
    }
}
