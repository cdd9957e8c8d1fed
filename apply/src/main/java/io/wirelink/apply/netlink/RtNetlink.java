package io.wirelink.apply.netlink;

import io.wirelink.apply.HostNetwork;
import io.wirelink.apply.HostNetworkException;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.MalformedInputException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link HostNetwork} over rtnetlink (a {@code NETLINK_ROUTE} socket). It acts on the network namespace of the thread
 * that called {@link #open()}, for its whole life.
 *
 * <p>Errors: a kernel refusal becomes a {@link HostNetworkException} whose {@code operation()} names what was asked
 * (e.g. {@code "add address 192.0.2.1/24 to wg0"}) and whose {@code errno()} is the kernel's: EPERM without
 * CAP_NET_ADMIN, ENODEV for a missing interface, EEXIST when adding an address that is there, EADDRNOTAVAIL when
 * removing one that is not. A reply that cannot be decoded gives errno 0 and says so. Invalid interface names
 * (empty, over 15 bytes, containing '/', ':' or white space) throw {@link IllegalArgumentException}.
 *
 * <p>{@link Link#kind()} is the IFLA_INFO_KIND ("veth", "wireguard", "dummy", ...) or "" for links without one
 * (loopback, hardware). {@link InterfaceAddress#ifname()} is "" in the rare case that a link disappeared between the
 * link dump and the address dump. IPv6 addresses are added with IFA_F_NODAD and read back with their full IFA_FLAGS.
 *
 * <p>Calls block; run them on a worker thread. Methods are synchronized, so one socket serves one caller at a time.
 */
public final class RtNetlink implements HostNetwork {
    private final NetlinkClient client;

    RtNetlink(NetlinkChannel channel) {
        this.client = new NetlinkClient(channel);
    }

    /** Opens a rtnetlink socket in the calling thread's network namespace. */
    public static RtNetlink open() throws HostNetworkException {
        try {
            return new RtNetlink(NetlinkSocket.open(LibC.NETLINK_ROUTE));
        } catch (NetlinkException e) {
            throw new HostNetworkException("open rtnetlink socket", e.errno(), e.getMessage());
        } catch (LinkageError e) {
            throw new HostNetworkException("open rtnetlink socket", 0, "JNA native access unavailable: " + e);
        }
    }

    @Override
    public synchronized List<Link> links() throws HostNetworkException {
        String op = "list links";
        return run(op, () -> {
            List<Link> out = new ArrayList<>();
            for (NlMessage m : client.dump(RtCodec.getLinks(), op)) {
                if (m.type() == RtCodec.RTM_NEWLINK) {
                    out.add(RtCodec.decodeLink(m));
                }
            }
            return out;
        });
    }

    /** The link called {@code ifname}; a HostNetworkException with ENODEV when there is none. */
    public synchronized Link link(String ifname) throws HostNetworkException {
        RtCodec.checkIfname(ifname);
        String op = "look up link " + ifname;
        return run(op, () -> RtCodec.decodeLink(client.get(RtCodec.getLink(ifname), op)));
    }

    @Override
    public synchronized List<InterfaceAddress> addresses() throws HostNetworkException {
        String op = "list addresses";
        return run(op, () -> {
            Map<Integer, String> names = new HashMap<>();
            for (NlMessage m : client.dump(RtCodec.getLinks(), op)) {
                if (m.type() == RtCodec.RTM_NEWLINK) {
                    Link l = RtCodec.decodeLink(m);
                    names.put(l.index(), l.name());
                }
            }
            List<InterfaceAddress> out = new ArrayList<>();
            for (NlMessage m : client.dump(RtCodec.getAddresses(), op)) {
                if (m.type() == RtCodec.RTM_NEWADDR) {
                    InterfaceAddress a = RtCodec.decodeAddress(m, names);
                    if (a != null) {
                        out.add(a);
                    }
                }
            }
            return out;
        });
    }

    @Override
    public synchronized void setUp(String ifname) throws HostNetworkException {
        RtCodec.checkIfname(ifname);
        String op = "set link " + ifname + " up";
        run(op, () -> {
            client.ack(RtCodec.setUp(ifname), op);
            return null;
        });
    }

    /**
     * Adds {@code prefix} to {@code ifname} as {@code ip addr add} would, plus IFA_F_NODAD for IPv6 so that the
     * address is never tentative. Adding an address that is already there fails with EEXIST.
     */
    @Override
    public synchronized void addAddress(String ifname, IpPrefix prefix) throws HostNetworkException {
        RtCodec.checkIfname(ifname);
        String op = "add address " + prefix + " to " + ifname;
        run(op, () -> {
            int index = index(ifname, op);
            client.ack(RtCodec.newAddress(index, prefix), op);
            return null;
        });
    }

    /** Removes exactly {@code prefix} (address and length) from {@code ifname}; EADDRNOTAVAIL when absent. */
    @Override
    public synchronized void removeAddress(String ifname, IpPrefix prefix) throws HostNetworkException {
        RtCodec.checkIfname(ifname);
        String op = "remove address " + prefix + " from " + ifname;
        run(op, () -> {
            int index = index(ifname, op);
            client.ack(RtCodec.deleteAddress(index, prefix), op);
            return null;
        });
    }

    @Override
    public synchronized void close() {
        client.close();
    }

    private int index(String ifname, String op) throws NetlinkException {
        return RtCodec.decodeLink(client.get(RtCodec.getLink(ifname), op)).index();
    }

    private interface Call<T> {
        T run() throws NetlinkException;
    }

    private static <T> T run(String op, Call<T> call) throws HostNetworkException {
        try {
            return call.run();
        } catch (NetlinkException e) {
            throw new HostNetworkException(op, e.errno(), e.detail());
        } catch (MalformedInputException e) {
            throw new HostNetworkException(op, 0, "malformed netlink reply: " + e.getMessage());
        }
    }
}
