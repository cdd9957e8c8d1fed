package io.wirelink.apply.sdnotify;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A bound AF_UNIX datagram socket for tests, through JNA (the JDK has none). {@link #poll()} does not block: an
 * AF_UNIX datagram is in the receiver's queue by the time sendto returns.
 */
final class DatagramReceiver implements AutoCloseable {
    private static final int MSG_DONTWAIT = 0x40;
    private static final int EAGAIN = 11;

    static {
        Native.register(DatagramReceiver.class, "c");
    }

    private static native int socket(int domain, int type, int protocol) throws LastErrorException;

    private static native int bind(int fd, byte[] addr, int addrlen) throws LastErrorException;

    private static native NativeLong recv(int fd, byte[] buf, NativeLong len, int flags) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    private final int fd;

    /** Binds to {@code notifySocket}, written as NOTIFY_SOCKET would be: a path or {@code @abstract-name}. */
    DatagramReceiver(String notifySocket) throws IOException {
        byte[] addr = SdNotify.sockaddr(notifySocket);
        fd = socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        try {
            bind(fd, addr, addr.length);
        } catch (LastErrorException e) {
            close(fd);
            throw new IOException("bind failed, errno " + e.getErrorCode(), e);
        }
    }

    /** The next datagram as text, or null when none is queued. */
    String poll() {
        byte[] buf = new byte[4096];
        try {
            int n = recv(fd, buf, new NativeLong(buf.length), MSG_DONTWAIT).intValue();
            return new String(Arrays.copyOf(buf, n), StandardCharsets.UTF_8);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EAGAIN) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        close(fd);
    }
}
