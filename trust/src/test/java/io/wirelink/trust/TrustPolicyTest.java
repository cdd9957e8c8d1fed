package io.wirelink.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactValue;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.MemberMetadata;
import io.wirelink.facts.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TrustPolicyTest {
    static final Instant T = Instant.parse("2026-11-22T10:00:00Z");

    static PublicKey key(int n) {
        byte[] b = new byte[32];
        b[0] = (byte) n;
        return PublicKey.of(b);
    }

    static final PublicKey SELF = key(1);
    static final PublicKey HUB = key(2);
    static final PublicKey LEAF = key(3);
    static final PublicKey STRANGER = key(4);
    static final PublicKey DELEGATOR = key(5);

    static Fact ep(PublicKey s) {
        return Fact.endpoint(s, IpEndpoint.parse("198.51.100.9:51820"), T.plusSeconds(60));
    }

    static Fact aip(PublicKey s) {
        return Fact.allowedIp(s, IpPrefix.parse("10.99.0.3/32"), T.plusSeconds(60));
    }

    static Fact member(PublicKey s) {
        return Fact.member(s, MemberMetadata.of("x", false), T.plusSeconds(60));
    }

    @Test
    void zeroConfigTrustsRoutersForMembershipAndOthersForEndpoints() {
        TrustContext ctx = new TrustContext(SELF, Map.of(), Set.of(HUB, LEAF), Set.of(HUB), Map.of());
        assertTrue(TrustPolicy.accepts(member(STRANGER), HUB, ctx), "a router may add a new member");
        assertTrue(TrustPolicy.accepts(aip(LEAF), HUB, ctx));
        assertTrue(TrustPolicy.accepts(ep(HUB), LEAF, ctx), "a known peer may tell endpoints of known peers");
        assertFalse(TrustPolicy.accepts(aip(HUB), LEAF, ctx));
        assertFalse(TrustPolicy.accepts(ep(STRANGER), LEAF, ctx), "an endpoint of an unknown peer needs Membership");
        assertFalse(TrustPolicy.accepts(member(STRANGER), LEAF, ctx));
    }

    @Test
    void unknownSignersAreNeverBelieved() {
        TrustContext ctx = new TrustContext(SELF, Map.of(), Set.of(HUB), Set.of(HUB), Map.of());
        assertNull(TrustPolicy.levelOf(STRANGER, ctx));
        assertFalse(TrustPolicy.accepts(ep(STRANGER), STRANGER, ctx));
        assertFalse(TrustPolicy.accepts(Fact.alive(STRANGER, UUID.randomUUID(), T.plusSeconds(9)), STRANGER, ctx));
    }

    @Test
    void configuredTrustDisablesRouterTrustAndUntrustedBlocksEverything() {
        TrustContext ctx = new TrustContext(SELF, Map.of(LEAF, TrustLevel.Untrusted, DELEGATOR, TrustLevel.AllowedIPs),
                Set.of(HUB, LEAF, DELEGATOR), Set.of(HUB), Map.of());
        assertEquals(TrustLevel.Endpoint, TrustPolicy.levelOf(HUB, ctx), "routers get nothing special");
        assertFalse(TrustPolicy.accepts(member(STRANGER), HUB, ctx));
        assertFalse(TrustPolicy.accepts(ep(LEAF), LEAF, ctx), "Untrusted blocks even its own endpoints");
        assertTrue(TrustPolicy.accepts(aip(HUB), DELEGATOR, ctx));
    }

    @Test
    void aliveCountsOnlyAboutTheAuthorItself() {
        TrustContext ctx = new TrustContext(SELF, Map.of(), Set.of(HUB, LEAF), Set.of(HUB), Map.of());
        assertTrue(TrustPolicy.accepts(Fact.alive(LEAF, UUID.randomUUID(), T.plusSeconds(9)), LEAF, ctx));
        assertFalse(TrustPolicy.accepts(Fact.alive(LEAF, UUID.randomUUID(), T.plusSeconds(9)), HUB, ctx),
                "even a router cannot vouch for another peer's liveness");
    }

    @Test
    void delegateTrustGrantsUpToMembershipWithoutChains() {
        Fact grantLeaf = new Fact(Attribute.TRUST_GRANT, LEAF, new FactValue.Grant(4), T.plusSeconds(60));
        Fact grantByLeaf = new Fact(Attribute.TRUST_GRANT, STRANGER, new FactValue.Grant(3), T.plusSeconds(60));
        Map<PublicKey, TrustLevel> configured = Map.of(DELEGATOR, TrustLevel.DelegateTrust);
        Map<PublicKey, TrustLevel> grants = TrustPolicy.grants(
                List.of(Map.entry(grantLeaf, DELEGATOR), Map.entry(grantByLeaf, LEAF)), SELF, configured);
        assertEquals(Map.of(LEAF, TrustLevel.Membership), grants, "capped at Membership; LEAF cannot grant");
        TrustContext ctx = new TrustContext(SELF, configured, Set.of(DELEGATOR, LEAF), Set.of(), grants);
        assertEquals(TrustLevel.Membership, TrustPolicy.levelOf(LEAF, ctx));
        assertTrue(TrustPolicy.accepts(member(STRANGER), LEAF, ctx));
        assertTrue(TrustPolicy.accepts(grantLeaf, DELEGATOR, ctx));
        assertFalse(TrustPolicy.accepts(grantByLeaf, LEAF, ctx), "a granted Membership peer cannot grant");
    }

    @Test
    void ourOwnFactsAreAlwaysBelieved() {
        TrustContext ctx = new TrustContext(SELF, Map.of(), Set.of(), Set.of(), Map.of());
        assertTrue(TrustPolicy.accepts(member(STRANGER), SELF, ctx));
    }
}
