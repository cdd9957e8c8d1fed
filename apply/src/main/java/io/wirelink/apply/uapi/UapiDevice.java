package io.wirelink.apply.uapi;

import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.WireGuardDevice;
import io.wirelink.apply.WireGuardException;
import io.wirelink.facts.MalformedInputException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * A WireGuard interface run by a userspace implementation (wireguard-go, boringtun), controlled through the
 * cross-platform UAPI: {@code get=1} / {@code set=1} over the UNIX stream socket
 * {@code /var/run/wireguard/<iface>.sock}. Every operation opens its own connection, as {@code wg} does, so one
 * instance may be used from several threads. Calls block for at most the I/O timeout between two steps of
 * progress: run them on a worker thread, never on an event loop.
 */
public final class UapiDevice implements WireGuardDevice {
    /** Where userspace WireGuard implementations on Linux put their sockets. */
    public static final Path DEFAULT_SOCKET_DIR = Path.of("/var/run/wireguard");
    /** The longest wait for the socket to accept a write or deliver bytes. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** Replies larger than this are refused (a device with 100,000 peers replies with about 40 MB). */
    public static final int DEFAULT_MAX_REPLY_BYTES = 64 << 20;
    /** Reply lines longer than this are refused; real lines are under 100 bytes. */
    public static final int MAX_LINE_BYTES = 4096;

    private static final String GET = "uapi get";
    private static final String SET = "uapi set";
    private static final Map<Integer, String> ERRNO_NAMES = Map.of(
            1, "EPERM",
            5, "EIO: the device failed to read or write",
            22, "EINVAL: the device refused a value or key in the request",
            55, "unknown error",
            71, "EPROTO: the device could not parse the request",
            98, "EADDRINUSE: the listen port is in use");

    private final String name;
    private final Path socket;
    private final UapiTransport transport;

    /** The device {@code iface} with its socket in {@link #DEFAULT_SOCKET_DIR}. */
    public UapiDevice(String iface) {
        this(iface, DEFAULT_SOCKET_DIR);
    }

    /** The device {@code iface} with its socket {@code <socketDir>/<iface>.sock}. */
    public UapiDevice(String iface, Path socketDir) {
        this(iface, socketDir, DEFAULT_TIMEOUT, DEFAULT_MAX_REPLY_BYTES);
    }

    /**
     * @param timeout the longest wait for any one step of progress on the socket
     * @param maxReplyBytes replies larger than this are refused with a {@link WireGuardException}
     */
    public UapiDevice(String iface, Path socketDir, Duration timeout, int maxReplyBytes) {
        checkInterfaceName(iface);
        if (socketDir == null) {
            throw new IllegalArgumentException("socketDir is missing");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (maxReplyBytes < 64) {
            throw new IllegalArgumentException("maxReplyBytes too small: " + maxReplyBytes);
        }
        this.name = iface;
        this.socket = socketPath(socketDir, iface);
        this.transport = new UapiTransport(iface, socket, timeout, maxReplyBytes, MAX_LINE_BYTES);
    }

    /** {@code <socketDir>/<iface>.sock}. */
    public static Path socketPath(Path socketDir, String iface) {
        checkInterfaceName(iface);
        return socketDir.resolve(iface + ".sock");
    }

    /**
     * Refuses names Linux would refuse (empty, over 15 bytes, containing '/', whitespace or ':'), which also keeps
     * the socket path inside its directory.
     */
    static void checkInterfaceName(String iface) {
        if (iface == null || iface.isEmpty() || iface.length() > 15) {
            throw new IllegalArgumentException("interface name must have 1 to 15 characters");
        }
        boolean printable = iface.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '/' && c != ':');
        if (!printable || iface.equals(".") || iface.equals("..")) {
            throw new IllegalArgumentException("not a valid interface name: '" + iface + "'");
        }
    }

    /** The socket this device talks to. */
    public Path socketPath() {
        return socket;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String backend() {
        return "uapi";
    }

    @Override
    public io.wirelink.facts.PrivateKey privateKey() throws WireGuardException {
        UapiTransport.Body body = transport.exchange(GET, ByteBuffer.wrap(UapiCodec.GET_REQUEST).asReadOnlyBuffer());
        try {
            UapiCodec.Reply reply = UapiCodec.splitReply(body.bytes(), body.length());
            checkErrno(GET, reply.errno());
            return UapiCodec.decodePrivateKey(reply);
        } catch (MalformedInputException e) {
            throw new WireGuardException(GET, name, 0, "malformed reply: " + e.getMessage());
        } finally {
            Arrays.fill(body.bytes(), (byte) 0);
        }
    }

    @Override
    public DeviceState read() throws WireGuardException {
        UapiTransport.Body body = transport.exchange(GET, ByteBuffer.wrap(UapiCodec.GET_REQUEST).asReadOnlyBuffer());
        try {
            UapiCodec.Reply reply = UapiCodec.splitReply(body.bytes(), body.length());
            checkErrno(GET, reply.errno());
            return UapiCodec.decodeDevice(name, reply);
        } catch (MalformedInputException e) {
            throw new WireGuardException(GET, name, 0, "malformed reply: " + e.getMessage());
        } finally {
            Arrays.fill(body.bytes(), (byte) 0); // it held the private key
        }
    }

    @Override
    public void apply(DeviceChange change) throws WireGuardException {
        if (change == null) {
            throw new IllegalArgumentException("change is missing");
        }
        if (change.isEmpty()) {
            return;
        }
        UapiCodec.RequestBuffer request = UapiCodec.encodeSet(change);
        UapiTransport.Body body;
        try {
            body = transport.exchange(SET, request.asByteBuffer());
        } finally {
            request.wipe();
        }
        UapiCodec.Reply reply;
        try {
            reply = UapiCodec.splitReply(body.bytes(), body.length());
        } catch (MalformedInputException e) {
            throw new WireGuardException(SET, name, 0, "malformed reply: " + e.getMessage());
        }
        checkErrno(SET, reply.errno());
        if (reply.linesEnd() != 0) {
            throw new WireGuardException(SET, name, 0, "malformed reply: unexpected lines before errno");
        }
    }

    private void checkErrno(String op, int errno) throws WireGuardException {
        if (errno == 0) {
            return;
        }
        // wireguard-go reports -errno, the kernel convention; some implementations report it positive
        int e = errno == Integer.MIN_VALUE ? Integer.MAX_VALUE : Math.abs(errno);
        String meaning = ERRNO_NAMES.getOrDefault(e, "error");
        throw new WireGuardException(op, name, e, "the device replied errno=" + errno + " (" + meaning + ")");
    }

    @Override
    public String toString() {
        return "UapiDevice[" + name + " at " + socket + "]";
    }
}
