package io.wirelink.apply.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;

/**
 * The libc socket calls netlink needs, by JNA direct mapping. Each throws {@link LastErrorException} (errno in
 * {@link LastErrorException#getErrorCode()}) when the call fails. Byte arrays are passed by reference for the call's
 * duration; {@code size_t}/{@code ssize_t} are {@link NativeLong}.
 */
final class LibC {
    static final int AF_NETLINK = 16;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int NETLINK_ROUTE = 0;
    static final int NETLINK_GENERIC = 16;
    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_RCVTIMEO = 20;
    static final int SOL_NETLINK = 270;
    static final int NETLINK_CAP_ACK = 10;
    static final int NETLINK_EXT_ACK = 11;
    static final int MSG_PEEK = 0x02;
    static final int MSG_TRUNC = 0x20;

    static {
        Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private LibC() {}

    static native int socket(int domain, int type, int protocol) throws LastErrorException;

    static native int bind(int fd, byte[] addr, int addrlen) throws LastErrorException;

    static native int setsockopt(int fd, int level, int optname, byte[] optval, int optlen)
            throws LastErrorException;

    static native NativeLong sendto(int fd, byte[] buf, NativeLong len, int flags, byte[] addr, int addrlen)
            throws LastErrorException;

    static native NativeLong recvfrom(int fd, byte[] buf, NativeLong len, int flags, byte[] addr, int[] addrlen)
            throws LastErrorException;

    static native int close(int fd) throws LastErrorException;
}
