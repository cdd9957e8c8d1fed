package io.wirelink.sim;

import io.wirelink.apply.HostNetwork;
import io.wirelink.apply.HostNetworkException;
import io.wirelink.facts.IpPrefix;
import java.util.ArrayList;
import java.util.List;

/**
 * A host's links and addresses as rtnetlink would show them: {@code lo}, {@code eth0} (its underlay address, which
 * the world manages) and each WireGuard interface (whose addresses the agent manages). Changing addresses on
 * {@code lo} or {@code eth0} is refused with EOPNOTSUPP: the world owns the underlay.
 */
final class SimHostNetwork implements HostNetwork {
    private static final int ENODEV = 19;
    private static final int EEXIST = 17;
    private static final int EADDRNOTAVAIL = 99;
    private static final int EOPNOTSUPP = 95;
    /** IFA_F_PERMANENT. */
    private static final int PERMANENT = 0x80;
    /** IFA_F_NODAD: the HostNetwork contract says IPv6 addresses skip duplicate address detection. */
    private static final int NODAD = 0x02;

    private final Host host;

    SimHostNetwork(Host host) {
        this.host = host;
    }

    boolean hasLink(String ifname) {
        return ifname.equals("lo") || ifname.equals("eth0") || host.wireGuard(ifname) != null;
    }

    @Override
    public List<Link> links() {
        List<Link> out = new ArrayList<>();
        out.add(new Link(Host.LO_INDEX, "lo", true, 65536, null));
        out.add(new Link(Host.ETH_INDEX, "eth0", host.online(), 1500, "veth"));
        for (SimWireGuard wg : host.wireGuards()) {
            out.add(new Link(wg.ifindex(), wg.name(), true, 1420, "wireguard"));
        }
        return out;
    }

    @Override
    public List<InterfaceAddress> addresses() {
        List<InterfaceAddress> out = new ArrayList<>();
        out.add(new InterfaceAddress(Host.LO_INDEX, "lo", IpPrefix.parse("127.0.0.1/8"), 254, PERMANENT));
        out.add(new InterfaceAddress(Host.LO_INDEX, "lo", IpPrefix.parse("::1/128"), 254, PERMANENT));
        int len = host.network().subnet().prefixLength();
        out.add(new InterfaceAddress(Host.ETH_INDEX, "eth0", new IpPrefix(host.address(), len), 0, PERMANENT));
        for (SimWireGuard wg : host.wireGuards()) {
            for (IpPrefix p : wg.addresses()) {
                out.add(new InterfaceAddress(wg.ifindex(), wg.name(), p, scope(p), flags(p)));
            }
        }
        return out;
    }

    private static int scope(IpPrefix p) {
        byte[] a = p.address().getAddress();
        return a.length == 16 && (a[0] & 0xff) == 0xfe && (a[1] & 0xc0) == 0x80 ? 253 : 0;
    }

    private static int flags(IpPrefix p) {
        return PERMANENT | (p.isIpv4() ? 0 : NODAD);
    }

    @Override
    public void setUp(String ifname) throws HostNetworkException {
        if (!hasLink(ifname)) {
            throw new HostNetworkException("setUp", ENODEV, "no interface " + ifname + " on " + host.name());
        }
    }

    @Override
    public void addAddress(String ifname, IpPrefix prefix) throws HostNetworkException {
        SimWireGuard wg = wireGuardFor("addAddress", ifname);
        if (!wg.addAddress(prefix)) {
            throw new HostNetworkException("addAddress", EEXIST, prefix + " is already on " + ifname);
        }
    }

    @Override
    public void removeAddress(String ifname, IpPrefix prefix) throws HostNetworkException {
        SimWireGuard wg = wireGuardFor("removeAddress", ifname);
        if (!wg.removeAddress(prefix)) {
            throw new HostNetworkException("removeAddress", EADDRNOTAVAIL, prefix + " is not on " + ifname);
        }
    }

    private SimWireGuard wireGuardFor(String op, String ifname) throws HostNetworkException {
        SimWireGuard wg = host.wireGuard(ifname);
        if (wg != null) {
            return wg;
        }
        if (hasLink(ifname)) {
            throw new HostNetworkException(op, EOPNOTSUPP, "the simulator manages the addresses of " + ifname);
        }
        throw new HostNetworkException(op, ENODEV, "no interface " + ifname + " on " + host.name());
    }
}
