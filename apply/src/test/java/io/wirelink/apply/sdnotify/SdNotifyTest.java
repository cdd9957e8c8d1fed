package io.wirelink.apply.sdnotify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SdNotify} against real AF_UNIX datagram sockets. */
class SdNotifyTest {
    @TempDir
    Path dir;

    @Test
    void sendsToAPathSocket() throws IOException {
        String path = dir.resolve("notify").toString();
        try (DatagramReceiver receiver = new DatagramReceiver(path)) {
            SdNotify n = new SdNotify(Map.of("NOTIFY_SOCKET", path));
            assertTrue(n.enabled());
            assertTrue(n.ready());
            assertEquals("READY=1", receiver.poll());
            assertTrue(n.status("3 peers\nup"));
            assertEquals("STATUS=3 peers up", receiver.poll());
            assertTrue(n.watchdog());
            assertEquals("WATCHDOG=1", receiver.poll());
            assertTrue(n.stopping());
            assertEquals("STOPPING=1", receiver.poll());
            assertNull(receiver.poll());
        }
    }

    @Test
    void sendsToAnAbstractSocket() throws IOException {
        String name = "@wirelink-test-" + ThreadLocalRandom.current().nextLong(1L << 40);
        try (DatagramReceiver receiver = new DatagramReceiver(name)) {
            SdNotify n = new SdNotify(Map.of("NOTIFY_SOCKET", name));
            assertTrue(n.ready());
            assertEquals("READY=1", receiver.poll());
            assertTrue(n.reloading());
            String reloading = receiver.poll();
            assertTrue(reloading.matches("RELOADING=1\nMONOTONIC_USEC=[1-9][0-9]*"), reloading);
        }
    }

    @Test
    void doesNothingWithoutNotifySocket() throws IOException {
        for (Map<String, String> env : List.of(Map.<String, String>of(), Map.of("NOTIFY_SOCKET", ""))) {
            SdNotify n = new SdNotify(env);
            assertFalse(n.enabled());
            assertFalse(n.ready());
            assertFalse(n.reloading());
            assertFalse(n.status("x"));
            assertFalse(n.stopping());
            assertFalse(n.watchdog());
        }
    }

    @Test
    void aMissingReceiverIsAnIoErrorWithErrno() {
        SdNotify n = new SdNotify(Map.of("NOTIFY_SOCKET", dir.resolve("nobody").toString()));
        IOException e = assertThrows(IOException.class, n::ready);
        assertTrue(e.getMessage().contains("errno 2"), e.getMessage()); // ENOENT
    }

    @Test
    void refusesUnusableAddresses() {
        assertThrows(IOException.class, () -> new SdNotify(Map.of("NOTIFY_SOCKET", "vsock:2:1234")).ready());
        assertThrows(IOException.class, () -> new SdNotify(Map.of("NOTIFY_SOCKET", "relative/path")).ready());
        assertThrows(IOException.class, () -> new SdNotify(Map.of("NOTIFY_SOCKET", "@")).ready());
        assertThrows(IOException.class, () -> new SdNotify(Map.of("NOTIFY_SOCKET", "/" + "x".repeat(107))).ready());
    }

    @Test
    void buildsSockaddrUnByHand() throws IOException {
        byte[] family = ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) 1).array();

        byte[] path = SdNotify.sockaddr("/run/systemd/notify");
        assertEquals(2 + "/run/systemd/notify".length() + 1, path.length, "path: trailing NUL counted");
        assertArrayEquals(family, Arrays.copyOf(path, 2));
        assertEquals("/run/systemd/notify", new String(path, 2, path.length - 3, StandardCharsets.UTF_8));
        assertEquals(0, path[path.length - 1]);

        byte[] abs = SdNotify.sockaddr("@sd-notify");
        assertEquals(2 + 1 + "sd-notify".length(), abs.length, "abstract: leading NUL, no trailing NUL");
        assertEquals(0, abs[2]);
        assertEquals("sd-notify", new String(abs, 3, abs.length - 3, StandardCharsets.UTF_8));

        assertEquals(110, SdNotify.sockaddr("/" + "x".repeat(106)).length, "the longest path that fits");
        assertEquals(110, SdNotify.sockaddr("@" + "x".repeat(107)).length, "the longest abstract name");
    }

    @Test
    void watchdogIntervalIsHalfOfWatchdogUsec() {
        assertEquals(Optional.of(Duration.ofSeconds(15)),
                new SdNotify(Map.of("WATCHDOG_USEC", "30000000"), 42).watchdogInterval());
        assertEquals(Optional.of(Duration.ofSeconds(15)),
                new SdNotify(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "42"), 42).watchdogInterval());
        assertEquals(Optional.empty(),
                new SdNotify(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "43"), 42).watchdogInterval());
        assertEquals(Optional.empty(), new SdNotify(Map.of(), 42).watchdogInterval());
        assertEquals(Optional.empty(), new SdNotify(Map.of("WATCHDOG_USEC", "0"), 42).watchdogInterval());
        assertEquals(Optional.empty(), new SdNotify(Map.of("WATCHDOG_USEC", "-5"), 42).watchdogInterval());
        assertEquals(Optional.empty(), new SdNotify(Map.of("WATCHDOG_USEC", "soon"), 42).watchdogInterval());
        assertEquals(Optional.of(Duration.ofNanos(500)),
                new SdNotify(Map.of("WATCHDOG_USEC", "1"), 42).watchdogInterval());
    }

    @Test
    void fromEnvironmentUsesThisProcess() {
        SdNotify n = SdNotify.fromEnvironment();
        assertEquals(System.getenv("NOTIFY_SOCKET") != null && !System.getenv("NOTIFY_SOCKET").isEmpty(), n.enabled());
    }
}
