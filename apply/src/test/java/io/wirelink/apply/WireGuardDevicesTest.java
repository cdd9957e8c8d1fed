package io.wirelink.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.WireGuardDevices.Probe;
import io.wirelink.apply.uapi.UapiDevice;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backend selection in {@link WireGuardDevices}. */
class WireGuardDevicesTest {
    @TempDir
    Path dir;

    /** A device that only knows its name, for selection tests. */
    private record Stub(String name, String backend) implements WireGuardDevice {
        @Override
        public DeviceState read() {
            return new DeviceState(name, null, 0, 0, List.of());
        }

        @Override
        public io.wirelink.facts.PrivateKey privateKey() {
            return null;
        }

        @Override
        public void apply(DeviceChange change) {}
    }

    @Test
    void picksUapiWhenTheSocketExists() throws Exception {
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(dir.resolve("wg7.sock")));
            List<String> asked = new ArrayList<>();
            WireGuardDevice d = WireGuardDevices.open("wg7", List.of(WireGuardDevices.uapi(dir), iface -> {
                asked.add(iface);
                return Probe.absent("never asked");
            }));
            assertTrue(d instanceof UapiDevice);
            assertEquals("uapi", d.backend());
            assertEquals(dir.resolve("wg7.sock"), ((UapiDevice) d).socketPath());
            assertTrue(asked.isEmpty(), "later backends are not probed once one handles the interface");
        }
    }

    @Test
    void fallsBackToTheNextBackend() throws WireGuardException {
        Stub stub = new Stub("wg8", "netlink");
        WireGuardDevice d = WireGuardDevices.open("wg8", List.of(WireGuardDevices.uapi(dir), iface -> Probe.found(stub)));
        assertSame(stub, d);
    }

    @Test
    void namesEveryPlaceItLookedWhenNothingHandlesTheInterface() {
        WireGuardException e = assertThrows(WireGuardException.class, () -> WireGuardDevices.open("wg9",
                List.of(WireGuardDevices.uapi(dir), iface -> Probe.absent("the kernel has no wireguard netlink family"))));
        assertEquals(19, e.errno());
        assertEquals("wg9", e.iface());
        assertTrue(e.getMessage().contains("no WireGuard interface named wg9 (no UAPI socket at "
                + dir.resolve("wg9.sock") + ", and the kernel has no wireguard netlink family)"), e.getMessage());
    }

    @Test
    void theDefaultBackendsLookInVarRunWireguard() {
        WireGuardException e = assertThrows(WireGuardException.class, () -> WireGuardDevices.open("wlnone0"));
        assertTrue(e.getMessage().contains("no UAPI socket at /var/run/wireguard/wlnone0.sock"), e.getMessage());
        assertTrue(e.getMessage().contains("the kernel has no wireguard netlink family")
                || e.getMessage().contains("no kernel WireGuard interface named wlnone0"), e.getMessage());
    }

    @Test
    void aProbeHasExactlyOneOutcome() {
        assertThrows(IllegalArgumentException.class, () -> new Probe(null, null));
        assertThrows(IllegalArgumentException.class, () -> new Probe(new Stub("a", "b"), "both"));
    }

    @Test
    void refusesBadNames() {
        assertThrows(IllegalArgumentException.class, () -> WireGuardDevices.open("../etc"));
        assertThrows(IllegalArgumentException.class, () -> WireGuardDevices.open(""));
    }

    @Test
    void backendErrorsPropagate() {
        WireGuardException boom = new WireGuardException("probe", "wg5", 1, "no permission");
        WireGuardException e = assertThrows(WireGuardException.class,
                () -> WireGuardDevices.open("wg5", List.of(iface -> {
                    throw boom;
                })));
        assertSame(boom, e);
    }
}
