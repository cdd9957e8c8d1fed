package io.wirelink.apply;

import io.wirelink.facts.IpPrefix;
import java.util.List;

/**
 * Links and addresses of the host (rtnetlink on Linux, a model in the simulator). Calls block: run them on a
 * worker thread.
 */
public interface HostNetwork extends AutoCloseable {
    /** A network interface. */
    record Link(int index, String name, boolean up, int mtu, String kind) {}

    /**
     * An address on an interface.
     *
     * @param scope rtnetlink scope: 0 universe, 253 link, 254 host
     * @param flags IFA_F_* flags (e.g. 0x40 tentative, 0x80 permanent)
     */
    record InterfaceAddress(int ifindex, String ifname, IpPrefix prefix, int scope, int flags) {}

    List<Link> links() throws HostNetworkException;

    List<InterfaceAddress> addresses() throws HostNetworkException;

    void setUp(String ifname) throws HostNetworkException;

    /** Adds {@code prefix} to {@code ifname}; IPv6 addresses skip duplicate address detection (usable at once). */
    void addAddress(String ifname, IpPrefix prefix) throws HostNetworkException;

    void removeAddress(String ifname, IpPrefix prefix) throws HostNetworkException;

    @Override
    default void close() {}
}
