package io.wirelink.apply;

/** A host network operation failed; carries the operation and the errno the kernel returned. */
public final class HostNetworkException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String operation;
    private final int errno;

    public HostNetworkException(String operation, int errno, String detail) {
        super(operation + " failed" + (errno != 0 ? " (errno " + errno + ")" : "") + ": " + detail);
        this.operation = operation;
        this.errno = errno;
    }

    public String operation() {
        return operation;
    }

    public int errno() {
        return errno;
    }
}
