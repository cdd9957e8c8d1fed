package io.wirelink.apply;

import io.wirelink.apply.netlink.NetlinkWireGuardDevice;
import io.wirelink.apply.uapi.UapiDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens a WireGuard interface with whichever backend handles it: the userspace UAPI when
 * {@code /var/run/wireguard/<iface>.sock} exists, otherwise the kernel's generic netlink "wireguard" family.
 * Backends are tried in order; the first that finds the interface wins.
 */
public final class WireGuardDevices {
    private WireGuardDevices() {}

    /**
     * One way to reach WireGuard interfaces. {@link #probe} returns the device when this backend handles
     * {@code iface}, or says briefly what it looked for and did not find.
     */
    @FunctionalInterface
    public interface Backend {
        Probe probe(String iface) throws WireGuardException;
    }

    /**
     * What a {@link Backend} found: exactly one of a device, or a short reason it has none (e.g. "the kernel has no
     * wireguard netlink family"), which ends up in the error message when no backend finds the interface.
     */
    public record Probe(WireGuardDevice device, String absence) {
        public Probe {
            if ((device == null) == (absence == null)) {
                throw new IllegalArgumentException("a probe has either a device or a reason for its absence");
            }
        }

        public static Probe found(WireGuardDevice device) {
            return new Probe(device, null);
        }

        public static Probe absent(String reason) {
            return new Probe(null, reason);
        }
    }

    /** The backends {@link #open(String)} tries, in order. */
    public static List<Backend> defaultBackends() {
        return List.of(
                uapi(UapiDevice.DEFAULT_SOCKET_DIR),
                WireGuardDevices::kernel);
    }

    /** The UAPI backend: handles an interface when {@code <socketDir>/<iface>.sock} exists. */
    public static Backend uapi(Path socketDir) {
        return iface -> {
            Path socket = UapiDevice.socketPath(socketDir, iface);
            return Files.exists(socket)
                    ? Probe.found(new UapiDevice(iface, socketDir))
                    : Probe.absent("no UAPI socket at " + socket);
        };
    }

    /** The kernel backend: handles an interface the "wireguard" generic netlink family knows. */
    public static Probe kernel(String iface) throws WireGuardException {
        try {
            return Probe.found(NetlinkWireGuardDevice.open(iface));
        } catch (WireGuardException e) {
            if (e.errno() == 2) { // ENOENT: no such family
                return Probe.absent("the kernel has no wireguard netlink family");
            }
            if (e.errno() == 19) { // ENODEV
                return Probe.absent("no kernel WireGuard interface named " + iface);
            }
            if (e.errno() == 95) { // EOPNOTSUPP: exists, but is not WireGuard
                return Probe.absent(iface + " exists but is not a WireGuard interface");
            }
            throw e;
        }
    }

    /** Opens {@code iface} with the {@link #defaultBackends()}. */
    public static WireGuardDevice open(String iface) throws WireGuardException {
        return open(iface, defaultBackends());
    }

    /**
     * Opens {@code iface} with the first of {@code backends} that handles it.
     *
     * @throws WireGuardException with errno ENODEV (19) when none does, naming what each one looked for
     */
    public static WireGuardDevice open(String iface, List<Backend> backends) throws WireGuardException {
        if (iface == null || iface.isEmpty()) {
            throw new IllegalArgumentException("interface name is missing");
        }
        List<String> reasons = new ArrayList<>();
        for (Backend backend : backends) {
            Probe probe = backend.probe(iface);
            if (probe.device() != null) {
                return probe.device();
            }
            reasons.add(probe.absence());
        }
        throw new WireGuardException("open", iface, 19,
                "no WireGuard interface named " + iface + " (" + String.join(", and ", reasons) + ")");
    }
}
