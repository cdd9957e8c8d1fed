package io.wirelink.detect;

import io.wirelink.apply.HostNetwork;
import io.wirelink.facts.IpEndpoint;
import java.net.InetAddress;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The host's own endpoint candidates: every global-unicast address of an interface that is up, is not the
 * WireGuard interface and passes the report/hide globs, with the WireGuard listen port. Sorted, so the facts
 * derived from them come out in the same order every time.
 */
public final class LocalEndpoints {
    private LocalEndpoints() {}

    public static boolean globalUnicast(InetAddress a) {
        return !(a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isMulticastAddress()
                || (a.getAddress().length == 4 && (a.getAddress()[0] & 0xff) == 255));
    }

    public static List<IpEndpoint> candidates(List<HostNetwork.Link> links, List<HostNetwork.InterfaceAddress> addrs,
            String wgIface, int listenPort, List<String> reportGlobs, List<String> hideGlobs) {
        if (listenPort <= 0) {
            return List.of();
        }
        Map<Integer, HostNetwork.Link> byIndex = new java.util.HashMap<>();
        links.forEach(l -> byIndex.put(l.index(), l));
        TreeSet<IpEndpoint> out = new TreeSet<>();
        for (HostNetwork.InterfaceAddress a : addrs) {
            HostNetwork.Link link = byIndex.get(a.ifindex());
            String name = link != null ? link.name() : a.ifname();
            if (link != null && !link.up()) {
                continue;
            }
            if (name == null || name.equals(wgIface) || !report(name, reportGlobs, hideGlobs)) {
                continue;
            }
            InetAddress ip = a.prefix().address();
            if (globalUnicast(ip)) {
                out.add(new IpEndpoint(ip, listenPort));
            }
        }
        return new ArrayList<>(out);
    }

    /** wirelink's rule: hidden if any hide glob matches; else reported if no report globs, or one matches. */
    public static boolean report(String iface, List<String> reportGlobs, List<String> hideGlobs) {
        for (String g : hideGlobs) {
            if (matches(g, iface)) {
                return false;
            }
        }
        if (reportGlobs.isEmpty()) {
            return true;
        }
        for (String g : reportGlobs) {
            if (matches(g, iface)) {
                return true;
            }
        }
        return false;
    }

    static boolean matches(String glob, String name) {
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        return m.matches(Path.of(name));
    }
}
