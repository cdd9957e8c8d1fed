package io.wirelink.lab;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LabAddressesTest {
    @ParameterizedTest
    @ValueSource(strings = {"192.0.2.1", "198.51.100.254", "203.0.113.10", "198.18.0.1", "198.19.255.254",
        "fd00::1", "fdff:1::2"})
    void allowsTestAndOverlayRanges(String a) {
        assertDoesNotThrow(() -> LabAddresses.parseAllowed(a));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "8.8.8.8", "192.0.3.1", "198.51.101.1", "203.0.114.1", "198.20.0.1",
        "100.64.0.1", "127.0.0.1", "2001:db8::1", "fe80::1", "fc00::1", "::1"})
    void refusesEverythingElse(String a) {
        assertThrows(IllegalArgumentException.class, () -> LabAddresses.parseAllowed(a));
    }

    @Test
    void prefixesMustLieInsideOneRange() {
        assertTrue(LabAddresses.isAllowed(IpPrefix.parse("198.18.0.0/24")));
        assertTrue(LabAddresses.isAllowed(IpPrefix.parse("198.18.0.0/15")));
        assertFalse(LabAddresses.isAllowed(IpPrefix.parse("198.16.0.0/12")));
        assertFalse(LabAddresses.isAllowed(IpPrefix.parse("0.0.0.0/0")));
        assertTrue(LabAddresses.isAllowed(IpPrefix.parse("fd00:99::/64")));
        assertThrows(IllegalArgumentException.class,
                () -> LabAddresses.requireAllowed(IpEndpoint.parse("192.168.1.1:51820")));
    }

    @Test
    void natRulesetDropsUnsolicitedInboundAndMasquerades() {
        for (NatType t : NatType.values()) {
            String rules = Lab.natRuleset(t);
            assertTrue(rules.contains("oifname \"wan0\" counter " + t.nftStatement() + "\n"), rules);
            assertTrue(rules.contains("hook input"), rules);
            assertTrue(rules.contains("hook forward"), rules);
            assertTrue(rules.contains("iifname \"wan0\" ct state new counter drop"), rules);
            assertTrue(rules.contains("iifname \"wan0\" ct state established,related counter accept"), rules);
        }
        assertTrue(Lab.natRuleset(NatType.SYMMETRIC).contains("masquerade random"));
        assertFalse(Lab.natRuleset(NatType.CONE).contains("random"));
    }
}
