package io.wirelink.apply.netlink;

import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.WireGuardDevice;
import io.wirelink.apply.WireGuardException;
import io.wirelink.facts.MalformedInputException;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A kernel WireGuard interface driven over generic netlink (family "wireguard"), like {@code wg(8)} does on Linux.
 * The socket belongs to the network namespace of the thread that called {@link #open(String)}.
 *
 * <p>{@link #apply} sends one WG_CMD_SET_DEVICE message, or several when the change is larger than the message
 * budget (32 KiB by default); each is acknowledged before the next goes. The kernel applies each message on its own,
 * so a failure part-way leaves the earlier messages applied; reconciliation reads the device again and converges.
 *
 * <p>Errors carry the kernel's errno: ENOENT when the family is missing (module not loaded), ENODEV for a missing
 * interface, EOPNOTSUPP when the interface is not a WireGuard one, EPERM without CAP_NET_ADMIN. The private key is
 * never logged and is zeroed in every buffer this class controls.
 */
public final class NetlinkWireGuardDevice implements WireGuardDevice {
    private static final Logger log = LoggerFactory.getLogger(NetlinkWireGuardDevice.class);

    private final String iface;
    private final NetlinkClient client;
    private final GenlCodec.Family family;
    private final int messageBudget;

    private NetlinkWireGuardDevice(String iface, NetlinkClient client, GenlCodec.Family family, int messageBudget) {
        this.iface = iface;
        this.client = client;
        this.family = family;
        this.messageBudget = messageBudget;
    }

    /**
     * True when this kernel (in the calling thread's network namespace) has the "wireguard" generic netlink family,
     * i.e. the module is loaded or built in. Never throws.
     */
    public static boolean kernelSupported() {
        try (NetlinkClient c = new NetlinkClient(NetlinkSocket.open(LibC.NETLINK_GENERIC))) {
            resolveFamily(c, WgCodec.FAMILY_NAME);
            return true;
        } catch (NetlinkException | MalformedInputException | LinkageError e) {
            log.debug("no kernel WireGuard: {}", e.getMessage());
            return false;
        }
    }

    /**
     * Opens kernel WireGuard interface {@code iface}; throws when the family or the interface is missing, or the
     * interface is not a WireGuard one.
     */
    public static WireGuardDevice open(String iface) throws WireGuardException {
        RtCodec.checkIfname(iface);
        NetlinkChannel socket;
        try {
            socket = NetlinkSocket.open(LibC.NETLINK_GENERIC);
        } catch (NetlinkException e) {
            throw new WireGuardException("open generic netlink socket", iface, e.errno(), e.detail());
        } catch (LinkageError e) {
            throw new WireGuardException("open generic netlink socket", iface, 0, "JNA native access unavailable: " + e);
        }
        return open(iface, socket, WgCodec.DEFAULT_MESSAGE_BUDGET);
    }

    /** Over any channel, with a given SET message budget; closes the channel when it fails. */
    static NetlinkWireGuardDevice open(String iface, NetlinkChannel channel, int messageBudget)
            throws WireGuardException {
        RtCodec.checkIfname(iface);
        if (messageBudget < WgCodec.MIN_MESSAGE_BUDGET || messageBudget > WgCodec.MAX_MESSAGE_BUDGET) {
            throw new IllegalArgumentException("message budget " + messageBudget + " out of range");
        }
        NetlinkClient client = new NetlinkClient(channel);
        try {
            GenlCodec.Family family;
            String op = "resolve generic netlink family '" + WgCodec.FAMILY_NAME + "'";
            try {
                family = resolveFamily(client, WgCodec.FAMILY_NAME);
            } catch (NetlinkException e) {
                throw new WireGuardException(op, iface, e.errno(), e.errno() == Errno.ENOENT
                        ? e.detail() + ": the kernel has no WireGuard (module not loaded or not built);"
                                + " use a userspace implementation"
                        : e.detail());
            } catch (MalformedInputException e) {
                throw new WireGuardException(op, iface, 0, "malformed netlink reply: " + e.getMessage());
            }
            log.debug("generic netlink family {} is id {} version {}", family.name(), family.id(), family.version());
            NetlinkWireGuardDevice d = new NetlinkWireGuardDevice(iface, client, family, messageBudget);
            d.read(); // the interface exists and is a WireGuard one
            return d;
        } catch (WireGuardException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private static GenlCodec.Family resolveFamily(NetlinkClient c, String name) throws NetlinkException {
        String op = "resolve generic netlink family '" + name + "'";
        return GenlCodec.decodeFamily(c.get(GenlCodec.getFamily(name), op));
    }

    @Override
    public String name() {
        return iface;
    }

    @Override
    public String backend() {
        return "netlink";
    }

    @Override
    public synchronized DeviceState read() throws WireGuardException {
        return getDevice(parts -> WgCodec.decodeDevice(parts, family.id(), iface));
    }

    /** One WG_CMD_GET_DEVICE dump, decoded by {@code decode}; the reply buffers (with the key) are wiped after. */
    private <T> T getDevice(java.util.function.Function<List<NlMessage>, T> decode) throws WireGuardException {
        String op = "WG_CMD_GET_DEVICE";
        List<NlMessage> parts = List.of();
        try {
            parts = client.dump(WgCodec.getDevice(family.id(), iface), op);
            return decode.apply(parts);
        } catch (NetlinkException e) {
            throw new WireGuardException(op, iface, e.errno(), explain(e));
        } catch (MalformedInputException e) {
            throw new WireGuardException(op, iface, 0, "malformed netlink reply: " + e.getMessage());
        } finally {
            for (NlMessage m : parts) {
                m.wipe();
            }
        }
    }

    @Override
    public synchronized io.wirelink.facts.PrivateKey privateKey() throws WireGuardException {
        return getDevice(parts -> WgCodec.privateKeyOf(parts, family.id()));
    }

    @Override
    public synchronized void apply(DeviceChange change) throws WireGuardException {
        String op = "WG_CMD_SET_DEVICE";
        List<byte[]> messages = WgCodec.setDevice(family.id(), iface, change, messageBudget);
        try {
            for (int i = 0; i < messages.size(); i++) {
                String part = messages.size() == 1 ? op : op + " (message " + (i + 1) + " of " + messages.size() + ")";
                try {
                    client.ack(messages.get(i), part);
                } catch (NetlinkException e) {
                    throw new WireGuardException(part, iface, e.errno(), explain(e));
                } catch (MalformedInputException e) {
                    throw new WireGuardException(part, iface, 0, "malformed netlink reply: " + e.getMessage());
                }
            }
            if (log.isDebugEnabled()) {
                log.debug("{}: applied {} peer change(s) in {} message(s)", iface, change.peers().size(),
                        messages.size());
            }
        } finally {
            for (byte[] m : messages) {
                Arrays.fill(m, (byte) 0);
            }
        }
    }

    @Override
    public synchronized void close() {
        client.close();
    }

    private static String explain(NetlinkException e) {
        switch (e.errno()) {
            case Errno.ENODEV:
                return e.detail() + ": no such interface";
            case Errno.EOPNOTSUPP:
                return e.detail() + ": not a WireGuard interface";
            case Errno.EPERM:
                return e.detail() + ": needs CAP_NET_ADMIN";
            default:
                return e.detail();
        }
    }

    @Override
    public String toString() {
        return "NetlinkWireGuardDevice[" + iface + ", family " + family.id() + "]";
    }
}
