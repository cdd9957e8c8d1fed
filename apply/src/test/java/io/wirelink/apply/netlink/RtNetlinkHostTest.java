package io.wirelink.apply.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.HostNetwork.InterfaceAddress;
import io.wirelink.apply.HostNetwork.Link;
import io.wirelink.apply.HostNetworkException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Read-only rtnetlink dumps of the test's own namespace through the real JNA socket; needs no privileges. */
class RtNetlinkHostTest {
    @Test
    void dumpsLinksAndAddressesOfTheCurrentNamespace() throws Exception {
        try (RtNetlink rt = RtNetlink.open()) {
            List<Link> links = rt.links();
            Link lo = links.stream().filter(l -> l.name().equals("lo")).findFirst().orElse(null);
            assertNotNull(lo, links.toString());
            assertEquals(lo, rt.link("lo"));
            List<InterfaceAddress> addrs = rt.addresses();
            for (InterfaceAddress a : addrs) {
                assertTrue(links.stream().anyMatch(l -> l.index() == a.ifindex()), a.toString());
            }
            HostNetworkException e = org.junit.jupiter.api.Assertions.assertThrows(HostNetworkException.class,
                    () -> rt.link("wlnl-none"));
            assertEquals(Errno.ENODEV, e.errno());
        }
    }
}
