package io.wirelink.apply.sdnotify;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The few libc calls sd_notify needs, bound with JNA direct mapping. Loaded on first use only, so a process without
 * {@code NOTIFY_SOCKET} never loads native code. Constants are the Linux values for x86 and ARM.
 */
final class LibC {
    static final int AF_UNIX = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int CLOCK_MONOTONIC = 1;

    static {
        Native.register(LibC.class, "c");
    }

    private LibC() {}

    static native int socket(int domain, int type, int protocol) throws LastErrorException;

    static native NativeLong sendto(int fd, byte[] buf, NativeLong len, int flags, byte[] addr, int addrlen)
            throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native int clock_gettime(int clock, Pointer timespec) throws LastErrorException;
}
