package io.wirelink.lab;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import java.net.InetAddress;
import java.util.List;

/**
 * The only address ranges the lab may configure or send to: the documentation ranges TEST-NET-1/2/3, the benchmark
 * range 198.18.0.0/15 (IPv4 overlays) and unique local fd00::/8 (IPv6 overlays). Everything else is refused, so that
 * a typo in a test can never make it touch a real network.
 */
public final class LabAddresses {
    /** Underlay of hosts behind NATs (split into /28 LANs). */
    public static final IpPrefix TEST_NET_1 = IpPrefix.parse("192.0.2.0/24");
    /** Underlay of NAT gateways' WAN side. */
    public static final IpPrefix TEST_NET_2 = IpPrefix.parse("198.51.100.0/24");
    /** Underlay of public hosts. */
    public static final IpPrefix TEST_NET_3 = IpPrefix.parse("203.0.113.0/24");
    /** IPv4 overlay (tunnel) addresses. */
    public static final IpPrefix BENCHMARK = IpPrefix.parse("198.18.0.0/15");
    /** IPv6 overlay (tunnel) addresses. */
    public static final IpPrefix ULA = IpPrefix.parse("fd00::/8");

    public static final List<IpPrefix> ALLOWED = List.of(TEST_NET_1, TEST_NET_2, TEST_NET_3, BENCHMARK, ULA);

    private LabAddresses() {}

    public static boolean isAllowed(InetAddress a) {
        for (IpPrefix p : ALLOWED) {
            if (p.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /** A prefix is allowed when it lies wholly inside one allowed range. */
    public static boolean isAllowed(IpPrefix prefix) {
        for (IpPrefix p : ALLOWED) {
            if (prefix.prefixLength() >= p.prefixLength() && p.contains(prefix.address())) {
                return true;
            }
        }
        return false;
    }

    public static InetAddress requireAllowed(InetAddress a) {
        if (!isAllowed(a)) {
            throw new IllegalArgumentException("the lab never uses " + a.getHostAddress() + ": only " + ALLOWED);
        }
        return a;
    }

    public static IpPrefix requireAllowed(IpPrefix p) {
        if (!isAllowed(p)) {
            throw new IllegalArgumentException("the lab never uses " + p + ": only prefixes inside " + ALLOWED);
        }
        return p;
    }

    public static IpEndpoint requireAllowed(IpEndpoint e) {
        requireAllowed(e.address());
        return e;
    }

    /** Parses an address literal (no DNS) and checks it. */
    public static InetAddress parseAllowed(String literal) {
        return requireAllowed(IpPrefix.parse(literal).address());
    }
}
