package io.wirelink.facts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AddressesTest {
    @Test
    void parsesLiteralsAndRefusesEverythingElseWithoutDns() {
        assertEquals("198.51.100.2", Addresses.format(Addresses.parseLiteral("198.51.100.2")));
        assertEquals("2001:db8::1", Addresses.format(Addresses.parseLiteral("2001:DB8:0::1")));
        assertEquals("fe80::1", Addresses.format(Addresses.parseLiteral("fe80::1%wg0")));
        for (String bad : new String[] {"999.1.1.1", "1.2.3", "example.com", "localhost", "", "::ffff:1.2.3.4",
                "1.2.3.4.5", "2001:db8::g"}) {
            assertThrows(IllegalArgumentException.class, () -> Addresses.parseLiteral(bad), bad);
        }
    }

    @Test
    void endpointsAndPrefixesRoundTrip() {
        assertEquals("[2001:db8::1]:51820", IpEndpoint.parse("[2001:db8::1]:51820").toString());
        assertEquals("203.0.113.9:1", IpEndpoint.parse("203.0.113.9:1").toString());
        assertEquals("10.1.2.0/24", IpPrefix.parse("10.1.2.3/24").masked().toString());
        assertEquals("2001:db8::/32", IpPrefix.parse("2001:db8:ff::1/32").masked().toString());
        assertThrows(IllegalArgumentException.class, () -> IpEndpoint.parse("host:51820"));
        assertThrows(IllegalArgumentException.class, () -> IpEndpoint.parse("1.2.3.4:70000"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("1.2.3.4/33"));
    }
}
