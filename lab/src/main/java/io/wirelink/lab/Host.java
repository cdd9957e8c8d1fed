package io.wirelink.lab;

import java.net.InetAddress;
import java.time.Duration;

/**
 * A lab host: one network namespace with an {@code eth0} on the internet bridge (public host) or on a NAT
 * gateway's LAN (then its default route goes through that gateway).
 */
public final class Host {
    private final Lab lab;
    private final String name;
    private final String ns;
    private final InetAddress address;
    private final Nat nat;

    Host(Lab lab, String name, String ns, InetAddress address, Nat nat) {
        this.lab = lab;
        this.name = name;
        this.ns = ns;
        this.address = address;
        this.nat = nat;
    }

    /** The short name given by the test, e.g. "hub". */
    public String name() {
        return name;
    }

    /** The network namespace, e.g. "wl1a2b-hub". */
    public String ns() {
        return ns;
    }

    /** The underlay address of {@code eth0}: 203.0.113.x for a public host, 192.0.2.x behind a NAT. */
    public InetAddress address() {
        return address;
    }

    /** The NAT this host sits behind, or null for a public host. */
    public Nat nat() {
        return nat;
    }

    public boolean isPublic() {
        return nat == null;
    }

    /** Runs {@code command} in this host's namespace and throws if it fails; see {@link Lab#exec}. */
    public ExecResult exec(String... command) {
        return lab.exec(ns, command);
    }

    /** See {@link Lab#ping(Host, String, int, Duration)}. */
    public boolean ping(String address, int count, Duration deadline) {
        return lab.ping(this, address, count, deadline);
    }

    /** See {@link Lab#ping(Host, String, int, Duration, String)}: echo data filled with {@code patternHex}. */
    public boolean ping(String address, int count, Duration deadline, String patternHex) {
        return lab.ping(this, address, count, deadline, patternHex);
    }

    @Override
    public String toString() {
        return name + "[" + ns + " " + address.getHostAddress() + (nat == null ? "" : " behind " + nat.name()) + "]";
    }
}
