package io.wirelink.apply;

/**
 * A WireGuard control operation failed. Carries the operation, the interface and, where the backend reported one,
 * the errno, so that the message tells an operator what to check.
 */
public final class WireGuardException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String operation;
    private final String iface;
    private final int errno;

    public WireGuardException(String operation, String iface, int errno, String detail) {
        super(operation + " on " + iface + " failed" + (errno != 0 ? " (errno " + errno + ")" : "") + ": " + detail);
        this.operation = operation;
        this.iface = iface;
        this.errno = errno;
    }

    public WireGuardException(String operation, String iface, String detail, Throwable cause) {
        super(operation + " on " + iface + " failed: " + detail, cause);
        this.operation = operation;
        this.iface = iface;
        this.errno = 0;
    }

    public String operation() {
        return operation;
    }

    public String iface() {
        return iface;
    }

    /** The errno the backend reported, or 0. */
    public int errno() {
        return errno;
    }
}
