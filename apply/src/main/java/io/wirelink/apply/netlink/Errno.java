package io.wirelink.apply.netlink;

import java.util.Map;

/** Linux errno names and strerror-like texts (the asm-generic values used by x86, arm, arm64 and riscv). */
final class Errno {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int EEXIST = 17;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int ERANGE = 34;
    static final int EPROTO = 71;
    static final int EMSGSIZE = 90;
    static final int EOPNOTSUPP = 95;
    static final int EAFNOSUPPORT = 97;
    static final int EADDRINUSE = 98;
    static final int EADDRNOTAVAIL = 99;
    static final int ENOBUFS = 105;
    static final int ETIMEDOUT = 110;

    private record Entry(String name, String text) {}

    private static final Map<Integer, Entry> TABLE = Map.ofEntries(
            Map.entry(EPERM, new Entry("EPERM", "Operation not permitted")),
            Map.entry(ENOENT, new Entry("ENOENT", "No such file or directory")),
            Map.entry(3, new Entry("ESRCH", "No such process")),
            Map.entry(EINTR, new Entry("EINTR", "Interrupted system call")),
            Map.entry(5, new Entry("EIO", "Input/output error")),
            Map.entry(6, new Entry("ENXIO", "No such device or address")),
            Map.entry(7, new Entry("E2BIG", "Argument list too long")),
            Map.entry(EBADF, new Entry("EBADF", "Bad file descriptor")),
            Map.entry(EAGAIN, new Entry("EAGAIN", "Resource temporarily unavailable")),
            Map.entry(ENOMEM, new Entry("ENOMEM", "Cannot allocate memory")),
            Map.entry(EACCES, new Entry("EACCES", "Permission denied")),
            Map.entry(14, new Entry("EFAULT", "Bad address")),
            Map.entry(EBUSY, new Entry("EBUSY", "Device or resource busy")),
            Map.entry(EEXIST, new Entry("EEXIST", "File exists")),
            Map.entry(ENODEV, new Entry("ENODEV", "No such device")),
            Map.entry(EINVAL, new Entry("EINVAL", "Invalid argument")),
            Map.entry(24, new Entry("EMFILE", "Too many open files")),
            Map.entry(28, new Entry("ENOSPC", "No space left on device")),
            Map.entry(ERANGE, new Entry("ERANGE", "Numerical result out of range")),
            Map.entry(EPROTO, new Entry("EPROTO", "Protocol error")),
            Map.entry(EMSGSIZE, new Entry("EMSGSIZE", "Message too long")),
            Map.entry(92, new Entry("ENOPROTOOPT", "Protocol not available")),
            Map.entry(93, new Entry("EPROTONOSUPPORT", "Protocol not supported")),
            Map.entry(EOPNOTSUPP, new Entry("EOPNOTSUPP", "Operation not supported")),
            Map.entry(EAFNOSUPPORT, new Entry("EAFNOSUPPORT", "Address family not supported by protocol")),
            Map.entry(EADDRINUSE, new Entry("EADDRINUSE", "Address already in use")),
            Map.entry(EADDRNOTAVAIL, new Entry("EADDRNOTAVAIL", "Cannot assign requested address")),
            Map.entry(100, new Entry("ENETDOWN", "Network is down")),
            Map.entry(101, new Entry("ENETUNREACH", "Network is unreachable")),
            Map.entry(ENOBUFS, new Entry("ENOBUFS", "No buffer space available")),
            Map.entry(ETIMEDOUT, new Entry("ETIMEDOUT", "Connection timed out")));

    private Errno() {}

    /** E.g. "ENODEV", or "errno 1234" for one not in the table. */
    static String name(int errno) {
        Entry e = TABLE.get(errno);
        return e != null ? e.name() : "errno " + errno;
    }

    /** E.g. "ENODEV (No such device)". */
    static String describe(int errno) {
        Entry e = TABLE.get(errno);
        return e != null ? e.name() + " (" + e.text() + ")" : "errno " + errno;
    }
}
