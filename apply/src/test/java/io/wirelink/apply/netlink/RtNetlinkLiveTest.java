package io.wirelink.apply.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.HostNetwork.InterfaceAddress;
import io.wirelink.apply.HostNetwork.Link;
import io.wirelink.apply.HostNetworkException;
import io.wirelink.facts.IpPrefix;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RtNetlink against the real kernel, inside a throw-away network namespace (root only; skipped otherwise). The test
 * link is a dummy where the kernel has the dummy driver, else one end of a veth pair whose other end stays down: on
 * that link an IPv6 address without IFA_F_NODAD would stay tentative for good, so the test shows NODAD works.
 */
class RtNetlinkLiveTest {
    static final IpPrefix LINK_LOCAL = IpPrefix.parse("fe80::1234/64");
    static final IpPrefix V4 = IpPrefix.parse("192.0.2.1/24");
    static final IpPrefix V6 = IpPrefix.parse("2001:db8::1/64");

    private NetNs ns;

    @BeforeEach
    void createNamespace() {
        ns = NetNs.create();
    }

    @AfterEach
    void deleteNamespace() {
        if (ns != null) {
            ns.close();
        }
    }

    private String addTestLink() {
        if (ns.ip("link", "add", "d0", "type", "dummy").ok()) {
            return "dummy";
        }
        NetNs.Result veth = ns.ip("link", "add", "d0", "type", "veth", "peer", "name", "d0p");
        Assumptions.assumeTrue(veth.ok(), "cannot create a dummy or a veth link: " + veth.output());
        return "veth";
    }

    private static Link link(List<Link> links, String name) {
        return links.stream().filter(l -> l.name().equals(name)).findFirst().orElse(null);
    }

    private static InterfaceAddress address(List<InterfaceAddress> all, String ifname, IpPrefix p) {
        return all.stream().filter(a -> a.ifname().equals(ifname) && a.prefix().equals(p)).findFirst().orElse(null);
    }

    /** The line of {@code ip addr show} output that lists {@code p}, or null. */
    private static String line(String ipOutput, IpPrefix p) {
        for (String l : ipOutput.split("\n")) {
            String t = l.strip();
            if (t.startsWith("inet " + p + " ") || t.startsWith("inet6 " + p + " ")) {
                return t;
            }
        }
        return null;
    }

    @Test
    void listsLinksSetsUpAddsReadsAndRemovesAddressesInsideTheNamespace() throws Exception {
        String kind = addTestLink();
        ns.inside(() -> {
            try (RtNetlink rt = RtNetlink.open()) {
                List<Link> links = rt.links();
                Set<String> names = new TreeSet<>();
                links.forEach(l -> names.add(l.name()));
                Set<String> ipNames = new TreeSet<>();
                for (String l : ns.ip("-o", "link", "show").output().split("\n")) {
                    ipNames.add(l.split(":")[1].strip().split("@")[0]);
                }
                assertEquals(ipNames, names, "exactly the namespace's links");
                assertEquals(1, link(links, "lo").index());
                Link d0 = link(links, "d0");
                assertNotNull(d0);
                assertFalse(d0.up());
                assertEquals(kind, d0.kind());
                assertEquals(1500, d0.mtu());
                assertEquals(d0, rt.link("d0"));

                rt.setUp("d0");
                assertTrue(rt.link("d0").up());
                assertFalse(link(links, "lo").up(), "a new namespace's loopback starts down");
                rt.setUp("lo"); // and only then gets 127.0.0.1/8
                assertTrue(ns.ip("link", "show", "dev", "d0").output().contains(",UP"));

                rt.addAddress("d0", LINK_LOCAL);
                rt.addAddress("d0", V4);
                rt.addAddress("d0", V6);

                String v6 = ns.ip("-6", "addr", "show", "dev", "d0").output();
                for (IpPrefix p : List.of(LINK_LOCAL, V6)) {
                    String l = line(v6, p);
                    assertNotNull(l, p + " missing from:\n" + v6);
                    assertFalse(l.contains("tentative"), "usable at once, not tentative: " + l);
                }
                assertTrue(line(v6, LINK_LOCAL).contains("scope link"), v6);
                assertNotNull(line(ns.ip("-4", "addr", "show", "dev", "d0").output(), V4));

                List<InterfaceAddress> all = rt.addresses();
                int index = rt.link("d0").index();
                InterfaceAddress ll = address(all, "d0", LINK_LOCAL);
                assertNotNull(ll, all.toString());
                assertEquals(index, ll.ifindex());
                assertEquals(253, ll.scope());
                assertEquals(0, ll.flags() & RtCodec.IFA_F_TENTATIVE, "flags " + Integer.toHexString(ll.flags()));
                assertTrue((ll.flags() & RtCodec.IFA_F_NODAD) != 0, "flags " + Integer.toHexString(ll.flags()));
                assertTrue((ll.flags() & RtCodec.IFA_F_PERMANENT) != 0, "flags " + Integer.toHexString(ll.flags()));
                InterfaceAddress v4 = address(all, "d0", V4);
                assertNotNull(v4, all.toString());
                assertEquals(0, v4.scope());
                assertTrue((v4.flags() & RtCodec.IFA_F_PERMANENT) != 0, "flags " + Integer.toHexString(v4.flags()));
                assertNotNull(address(all, "d0", V6), all.toString());
                InterfaceAddress loopback = address(all, "lo", IpPrefix.parse("127.0.0.1/8"));
                assertNotNull(loopback, all.toString());
                assertEquals(254, loopback.scope());

                HostNetworkException dup = assertThrows(HostNetworkException.class, () -> rt.addAddress("d0", V4));
                assertEquals(Errno.EEXIST, dup.errno());

                rt.removeAddress("d0", V4);
                assertNull(address(rt.addresses(), "d0", V4));
                assertNull(line(ns.ip("-4", "addr", "show", "dev", "d0").output(), V4));
                assertNotNull(address(rt.addresses(), "d0", V6), "the others stay");
                HostNetworkException gone = assertThrows(HostNetworkException.class,
                        () -> rt.removeAddress("d0", V4));
                assertEquals(Errno.EADDRNOTAVAIL, gone.errno());
                assertTrue(gone.getMessage().contains("EADDRNOTAVAIL"), gone.getMessage());
            }
            return null;
        });
    }

    @Test
    void missingInterfaceIsEnodevNamingTheOperation() throws Exception {
        ns.inside(() -> {
            try (RtNetlink rt = RtNetlink.open()) {
                HostNetworkException add = assertThrows(HostNetworkException.class,
                        () -> rt.addAddress("nope0", IpPrefix.parse("198.51.100.1/24")));
                assertEquals(Errno.ENODEV, add.errno());
                assertEquals("add address 198.51.100.1/24 to nope0", add.operation());
                assertTrue(add.getMessage().startsWith("add address 198.51.100.1/24 to nope0 failed (errno 19): ENODEV"),
                        add.getMessage());

                HostNetworkException up = assertThrows(HostNetworkException.class, () -> rt.setUp("nope0"));
                assertEquals(Errno.ENODEV, up.errno());
                assertEquals("set link nope0 up", up.operation());
                HostNetworkException del = assertThrows(HostNetworkException.class,
                        () -> rt.removeAddress("nope0", IpPrefix.parse("203.0.113.1/24")));
                assertEquals(Errno.ENODEV, del.errno());
            }
            return null;
        });
    }
}
