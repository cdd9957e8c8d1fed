package io.wirelink.apply.sdnotify;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notifies the service manager of state changes, as sd_notify(3) does: one datagram to the AF_UNIX socket named by
 * {@code $NOTIFY_SOCKET} (a path, or {@code @name} for the abstract namespace). Without {@code NOTIFY_SOCKET}
 * (not started by systemd, or not {@code Type=notify}) every method does nothing and returns {@code false}.
 *
 * <p>The JDK has no AF_UNIX datagram sockets, so this goes through JNA. Instances hold no socket and are safe to use
 * from any thread.
 */
public final class SdNotify {
    private static final Logger log = LoggerFactory.getLogger(SdNotify.class);
    /** {@code offsetof(struct sockaddr_un, sun_path)} on Linux. */
    static final int SUN_PATH_OFFSET = 2;
    /** {@code sizeof(sun_path)} on Linux. */
    static final int SUN_PATH_SIZE = 108;

    private final String notifySocket;
    private final String watchdogUsec;
    private final String watchdogPid;
    private final long pid;

    /** Reads {@code NOTIFY_SOCKET}, {@code WATCHDOG_USEC} and {@code WATCHDOG_PID} from {@code environment}. */
    public SdNotify(Map<String, String> environment) {
        this(environment, ProcessHandle.current().pid());
    }

    SdNotify(Map<String, String> environment, long pid) {
        String s = environment.get("NOTIFY_SOCKET");
        this.notifySocket = s == null || s.isEmpty() ? null : s;
        this.watchdogUsec = environment.get("WATCHDOG_USEC");
        this.watchdogPid = environment.get("WATCHDOG_PID");
        this.pid = pid;
    }

    /** The notifier for this process's environment. */
    public static SdNotify fromEnvironment() {
        return new SdNotify(System.getenv());
    }

    /** True when {@code NOTIFY_SOCKET} is set, i.e. when messages are actually sent. */
    public boolean enabled() {
        return notifySocket != null;
    }

    /** {@code READY=1}: startup is complete. */
    public boolean ready() throws IOException {
        return notify("READY=1");
    }

    /**
     * {@code RELOADING=1} with {@code MONOTONIC_USEC}, as {@code Type=notify-reload} requires; send {@link #ready()}
     * when the reload is done.
     */
    public boolean reloading() throws IOException {
        if (!enabled()) {
            return false;
        }
        return notify("RELOADING=1\nMONOTONIC_USEC=" + monotonicMicros());
    }

    /** {@code STOPPING=1}: shutdown has begun. */
    public boolean stopping() throws IOException {
        return notify("STOPPING=1");
    }

    /** {@code STATUS=...}: one line for {@code systemctl status}; newlines become spaces. */
    public boolean status(String text) throws IOException {
        return notify("STATUS=" + text.replace('\n', ' ').replace('\r', ' '));
    }

    /** {@code WATCHDOG=1}: pets the watchdog; call it every {@link #watchdogInterval()}. */
    public boolean watchdog() throws IOException {
        return notify("WATCHDOG=1");
    }

    /**
     * How often to call {@link #watchdog()}: half of {@code WATCHDOG_USEC}, as sd_watchdog_enabled(3) advises.
     * Empty when the watchdog is off, the value is not a positive number, or {@code WATCHDOG_PID} names another
     * process.
     */
    public Optional<Duration> watchdogInterval() {
        if (watchdogUsec == null || !watchdogUsec.matches("[0-9]{1,19}")) {
            return Optional.empty();
        }
        if (watchdogPid != null && !watchdogPid.equals(Long.toString(pid))) {
            return Optional.empty();
        }
        long usec = Long.parseLong(watchdogUsec);
        return usec <= 0 ? Optional.empty() : Optional.of(Duration.of(usec, ChronoUnit.MICROS).dividedBy(2));
    }

    /**
     * Sends {@code state}, newline-separated {@code KEY=VALUE} assignments, as one datagram.
     *
     * @return false when {@code NOTIFY_SOCKET} is not set (nothing sent), true when sent
     * @throws IOException when {@code NOTIFY_SOCKET} is unusable or the send fails; the message carries the errno
     */
    public boolean notify(String state) throws IOException {
        if (notifySocket == null) {
            return false;
        }
        byte[] addr = sockaddr(notifySocket);
        byte[] msg = state.getBytes(StandardCharsets.UTF_8);
        int fd;
        try {
            fd = LibC.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new IOException("sd_notify: socket(AF_UNIX, SOCK_DGRAM) failed, errno " + e.getErrorCode(), e);
        } catch (LinkageError e) {
            throw new IOException("sd_notify: cannot load libc through JNA", e);
        }
        try {
            LibC.sendto(fd, msg, new NativeLong(msg.length), LibC.MSG_NOSIGNAL, addr, addr.length);
        } catch (LastErrorException e) {
            throw new IOException("sd_notify: sendto " + notifySocket + " failed, errno " + e.getErrorCode(), e);
        } finally {
            try {
                LibC.close(fd);
            } catch (LastErrorException e) {
                log.debug("sd_notify: close failed, errno {}", e.getErrorCode());
            }
        }
        if (log.isDebugEnabled()) {
            log.debug("sd_notify: sent {}", state.replace('\n', ' '));
        }
        return true;
    }

    /**
     * The {@code struct sockaddr_un} for {@code notifySocket}, exactly as long as the address length passed to
     * sendto: {@code /path} gets a trailing NUL (as systemd's SOCKADDR_UN_LEN counts it); {@code @name} becomes a
     * leading NUL and the name, without a trailing NUL.
     */
    static byte[] sockaddr(String notifySocket) throws IOException {
        boolean abstractName = notifySocket.startsWith("@");
        if (!abstractName && !notifySocket.startsWith("/")) {
            throw new IOException("sd_notify: unsupported NOTIFY_SOCKET '" + notifySocket
                    + "' (only an absolute path or @abstract-name)");
        }
        byte[] path = (abstractName ? notifySocket.substring(1) : notifySocket).getBytes(StandardCharsets.UTF_8);
        int pathLen = path.length + 1; // leading NUL for abstract names, trailing NUL for paths
        if (pathLen > SUN_PATH_SIZE || (abstractName && path.length == 0)) {
            throw new IOException("sd_notify: NOTIFY_SOCKET does not fit in sockaddr_un (" + path.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.allocate(SUN_PATH_OFFSET + pathLen).order(ByteOrder.nativeOrder());
        b.putShort((short) LibC.AF_UNIX);
        if (abstractName) {
            b.put((byte) 0).put(path);
        } else {
            b.put(path).put((byte) 0);
        }
        return b.array();
    }

    private static long monotonicMicros() throws IOException {
        try (Memory ts = new Memory(2L * NativeLong.SIZE)) {
            LibC.clock_gettime(LibC.CLOCK_MONOTONIC, ts);
            long sec = ts.getNativeLong(0).longValue();
            long nsec = ts.getNativeLong(NativeLong.SIZE).longValue();
            return sec * 1_000_000L + nsec / 1_000L;
        } catch (LastErrorException e) {
            throw new IOException("sd_notify: clock_gettime failed, errno " + e.getErrorCode(), e);
        } catch (LinkageError e) {
            throw new IOException("sd_notify: cannot load libc through JNA", e);
        }
    }

    @Override
    public String toString() {
        return "SdNotify[" + (notifySocket == null ? "disabled" : notifySocket) + "]";
    }
}
