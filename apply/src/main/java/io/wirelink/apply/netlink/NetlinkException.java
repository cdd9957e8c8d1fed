package io.wirelink.apply.netlink;

/**
 * A netlink operation failed: a syscall failed or the kernel answered with an error. Carries the operation name, the
 * errno and, when the kernel sent an extended ACK, its message. The public classes turn it into
 * {@link io.wirelink.apply.HostNetworkException} or {@link io.wirelink.apply.WireGuardException}.
 */
final class NetlinkException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String operation;
    private final int errno;
    private final String kernelMessage;

    NetlinkException(String operation, int errno, String kernelMessage) {
        super(operation + " failed: " + Errno.describe(errno) + (kernelMessage != null ? ": " + kernelMessage : ""));
        this.operation = operation;
        this.errno = errno;
        this.kernelMessage = kernelMessage;
    }

    String operation() {
        return operation;
    }

    int errno() {
        return errno;
    }

    /** The kernel's extended ACK text, or null. */
    String kernelMessage() {
        return kernelMessage;
    }

    /** "ENODEV (No such device)", plus "; kernel: ..." when the kernel explained. */
    String detail() {
        return Errno.describe(errno) + (kernelMessage != null ? "; kernel: " + kernelMessage : "");
    }
}
