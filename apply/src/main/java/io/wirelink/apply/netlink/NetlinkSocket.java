package io.wirelink.apply.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A netlink socket: {@code socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol)}, bound to a kernel-assigned port
 * id, with extended ACKs and capped ACKs turned on where the kernel supports them, a larger receive buffer and a
 * receive timeout. Only datagrams from the kernel (port id 0) are returned.
 *
 * <p>The socket lives in the network namespace of the thread that opened it. Not thread-safe.
 */
final class NetlinkSocket implements NetlinkChannel {
    private static final Logger log = LoggerFactory.getLogger(NetlinkSocket.class);
    static final int RECEIVE_BUFFER_BYTES = 1 << 20;
    static final int RECEIVE_TIMEOUT_SECONDS = 10;
    private static final int SOCKADDR_NL_LEN = 12;

    private final String name;
    private int fd;
    private byte[] buffer = new byte[64 * 1024];

    private NetlinkSocket(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    /** Opens a socket for {@code protocol} ({@link LibC#NETLINK_ROUTE} or {@link LibC#NETLINK_GENERIC}). */
    static NetlinkSocket open(int protocol) throws NetlinkException {
        String name = protocol == LibC.NETLINK_ROUTE ? "NETLINK_ROUTE" : protocol == LibC.NETLINK_GENERIC
                ? "NETLINK_GENERIC" : "netlink protocol " + protocol;
        int fd;
        try {
            fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        } catch (LastErrorException e) {
            throw new NetlinkException("socket(AF_NETLINK, " + name + ")", e.getErrorCode(), null);
        }
        NetlinkSocket s = new NetlinkSocket(name, fd);
        try {
            LibC.bind(fd, sockaddrNl(0), SOCKADDR_NL_LEN);
        } catch (LastErrorException e) {
            s.close();
            throw new NetlinkException("bind(" + name + ")", e.getErrorCode(), null);
        }
        s.optional(LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, intOpt(1), "NETLINK_EXT_ACK");
        s.optional(LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, intOpt(1), "NETLINK_CAP_ACK");
        s.optional(LibC.SOL_SOCKET, LibC.SO_RCVBUF, intOpt(RECEIVE_BUFFER_BYTES), "SO_RCVBUF");
        s.optional(LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, timeval(RECEIVE_TIMEOUT_SECONDS), "SO_RCVTIMEO");
        return s;
    }

    @Override
    public void send(byte[] message) throws NetlinkException {
        int open = requireOpen("sendto");
        while (true) {
            try {
                long n = LibC.sendto(open, message, new NativeLong(message.length), 0, sockaddrNl(0), SOCKADDR_NL_LEN)
                        .longValue();
                if (n != message.length) {
                    throw new NetlinkException("sendto(" + name + ")", Errno.EMSGSIZE, "sent " + n + " of "
                            + message.length + " bytes");
                }
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new NetlinkException("sendto(" + name + ")", e.getErrorCode(), null);
                }
            }
        }
    }

    @Override
    public byte[] receive() throws NetlinkException {
        int open = requireOpen("recvfrom");
        byte[] from = new byte[SOCKADDR_NL_LEN];
        int[] fromLen = {SOCKADDR_NL_LEN};
        while (true) {
            try {
                // Peek first to learn the datagram's full length (MSG_TRUNC), so that nothing is ever cut off.
                long size = recv(open, LibC.MSG_PEEK | LibC.MSG_TRUNC, from, fromLen);
                if (size > buffer.length) {
                    if (size > Integer.MAX_VALUE - 8) {
                        throw new NetlinkException("recvfrom(" + name + ")", Errno.EMSGSIZE, "datagram of " + size
                                + " bytes");
                    }
                    buffer = new byte[(int) size];
                }
                fromLen[0] = SOCKADDR_NL_LEN;
                int n = (int) recv(open, 0, from, fromLen);
                int senderPort = ByteBuffer.wrap(from).order(NlMessageBuilder.ORDER).getInt(4);
                if (senderPort != 0) {
                    Arrays.fill(buffer, 0, n, (byte) 0);
                    log.debug("{}: dropped a datagram from port {}, not the kernel", name, senderPort);
                    continue;
                }
                byte[] out = Arrays.copyOf(buffer, n);
                Arrays.fill(buffer, 0, n, (byte) 0);
                return out;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new NetlinkException("recvfrom(" + name + ")", e.getErrorCode(),
                            e.getErrorCode() == Errno.EAGAIN ? "no reply within " + RECEIVE_TIMEOUT_SECONDS + " s"
                                    : null);
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            int f = fd;
            fd = -1;
            try {
                LibC.close(f);
            } catch (LastErrorException e) {
                log.debug("close({}) of {} failed: {}", f, name, Errno.describe(e.getErrorCode()));
            }
        }
    }

    private long recv(int open, int flags, byte[] from, int[] fromLen) {
        return LibC.recvfrom(open, buffer, new NativeLong(buffer.length), flags, from, fromLen).longValue();
    }

    private synchronized int requireOpen(String call) throws NetlinkException {
        if (fd < 0) {
            throw new NetlinkException(call + "(" + name + ")", Errno.EBADF, "socket is closed");
        }
        return fd;
    }

    private void optional(int level, int option, byte[] value, String optionName) {
        try {
            LibC.setsockopt(fd, level, option, value, value.length);
        } catch (LastErrorException e) {
            log.debug("setsockopt({}) on {} failed: {}", optionName, name, Errno.describe(e.getErrorCode()));
        }
    }

    /** {@code struct sockaddr_nl}: u16 family, u16 pad, u32 port id, u32 multicast groups. */
    static byte[] sockaddrNl(int portId) {
        return ByteBuffer.allocate(SOCKADDR_NL_LEN).order(NlMessageBuilder.ORDER)
                .putShort((short) LibC.AF_NETLINK).putShort((short) 0).putInt(portId).putInt(0).array();
    }

    private static byte[] intOpt(int v) {
        return ByteBuffer.allocate(4).order(NlMessageBuilder.ORDER).putInt(v).array();
    }

    /** {@code struct timeval}: two C longs. */
    private static byte[] timeval(int seconds) {
        ByteBuffer b = ByteBuffer.allocate(2 * Native.LONG_SIZE).order(NlMessageBuilder.ORDER);
        if (Native.LONG_SIZE == 8) {
            b.putLong(seconds).putLong(0);
        } else {
            b.putInt(seconds).putInt(0);
        }
        return b.array();
    }
}
