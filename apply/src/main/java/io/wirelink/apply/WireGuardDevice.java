package io.wirelink.apply;

/**
 * Reads and changes one WireGuard interface. Implementations: userspace UAPI (wireguard-go, boringtun), kernel
 * generic netlink, and the simulator. Calls block: run them on a worker thread, never on the event loop.
 */
public interface WireGuardDevice extends AutoCloseable {
    /** The interface name this device controls. */
    String name();

    /** Which backend this is, e.g. "uapi", "netlink", "sim"; for logs and {@code wirelink show}. */
    String backend();

    DeviceState read() throws WireGuardException;

    /**
     * The interface's private key, read from the device for signing gossip (wirelink does the same). Null when the
     * device has none. Never log it.
     */
    io.wirelink.facts.PrivateKey privateKey() throws WireGuardException;

    /** Applies {@code change} in one operation (split into several messages if the backend must). */
    void apply(DeviceChange change) throws WireGuardException;

    @Override
    default void close() {}
}
