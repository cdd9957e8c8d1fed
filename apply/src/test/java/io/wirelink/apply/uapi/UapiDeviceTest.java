package io.wirelink.apply.uapi;

import static io.wirelink.apply.uapi.TestKeys.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerChange;
import io.wirelink.apply.PeerState;
import io.wirelink.apply.WireGuardException;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link UapiDevice} against a fake UAPI server on a temporary UNIX socket. */
class UapiDeviceTest {
    private static final String IFACE = "wgtest0";
    private static final PublicKey PEER_A = TestKeys.publicKey(2);
    private static final PublicKey PEER_B = TestKeys.publicKey(3);
    private static final PublicKey PEER_C = TestKeys.publicKey(4);
    private static final String ZERO_KEY = "0".repeat(64);

    @TempDir
    Path dir;

    private UapiDevice device() {
        return new UapiDevice(IFACE, dir, Duration.ofSeconds(5), 1 << 20);
    }

    static String realisticReply() {
        StringBuilder sb = new StringBuilder();
        sb.append("private_key=").append(hex(TestKeys.raw(1))).append('\n');
        sb.append("listen_port=51820\n");
        sb.append("fwmark=51820\n");
        sb.append("public_key=").append(hex(PEER_A)).append('\n');
        sb.append("preshared_key=").append(hex(TestKeys.raw(99))).append('\n');
        sb.append("protocol_version=1\n");
        sb.append("endpoint=198.51.100.7:51820\n");
        sb.append("last_handshake_time_sec=1763800000\n");
        sb.append("last_handshake_time_nsec=123456789\n");
        sb.append("tx_bytes=1234\n");
        sb.append("rx_bytes=5678\n");
        sb.append("persistent_keepalive_interval=25\n");
        sb.append("allowed_ip=10.99.0.2/32\n");
        sb.append("allowed_ip=192.0.2.0/24\n");
        sb.append("allowed_ip=fd00:99::2/128\n");
        sb.append("public_key=").append(hex(PEER_B)).append('\n');
        sb.append("preshared_key=").append(ZERO_KEY).append('\n');
        sb.append("protocol_version=1\n");
        sb.append("endpoint=[2001:db8::1]:51821\n");
        sb.append("last_handshake_time_sec=0\n");
        sb.append("last_handshake_time_nsec=0\n");
        sb.append("tx_bytes=0\n");
        sb.append("rx_bytes=0\n");
        sb.append("persistent_keepalive_interval=0\n");
        for (int i = 0; i < 200; i++) {
            sb.append("allowed_ip=203.0.113.").append(i).append("/32\n");
        }
        sb.append("allowed_ip=::/0\n");
        sb.append("public_key=").append(hex(PEER_C)).append('\n');
        sb.append("preshared_key=").append(ZERO_KEY).append('\n');
        sb.append("protocol_version=1\n");
        sb.append("endpoint=[fe80::1%wg0]:51822\n");
        sb.append("last_handshake_time_sec=1763800100\n");
        sb.append("last_handshake_time_nsec=0\n");
        sb.append("tx_bytes=18446744073709551615\n");
        sb.append("rx_bytes=9223372036854775807\n");
        sb.append("persistent_keepalive_interval=65535\n");
        sb.append("errno=0\n\n");
        return sb.toString();
    }

    @Test
    void readsARealisticDevice() throws Exception {
        try (FakeUapiServer server = new FakeUapiServer(dir, IFACE, FakeUapiServer.replying(realisticReply()))) {
            DeviceState state = device().read();
            assertEquals("get=1\n\n", server.nextRequest());

            assertEquals(IFACE, state.name());
            assertEquals(TestKeys.publicKey(1), state.publicKey());
            assertEquals(51820, state.listenPort());
            assertEquals(51820, state.fwmark());
            assertEquals(3, state.peers().size());

            PeerState a = state.peer(PEER_A);
            assertTrue(a.hasPresharedKey());
            assertEquals(IpEndpoint.parse("198.51.100.7:51820"), a.endpoint());
            assertEquals(Instant.ofEpochSecond(1763800000L, 123456789L), a.lastHandshake());
            assertEquals(1234, a.txBytes());
            assertEquals(5678, a.rxBytes());
            assertEquals(25, a.persistentKeepaliveSeconds());
            assertEquals(List.of(IpPrefix.parse("10.99.0.2/32"), IpPrefix.parse("192.0.2.0/24"),
                    IpPrefix.parse("fd00:99::2/128")), a.allowedIps());

            PeerState b = state.peer(PEER_B);
            assertFalse(b.hasPresharedKey());
            assertEquals(IpEndpoint.parse("[2001:db8::1]:51821"), b.endpoint());
            assertEquals(Instant.EPOCH, b.lastHandshake());
            assertEquals(201, b.allowedIps().size());
            assertEquals(IpPrefix.parse("203.0.113.199/32"), b.allowedIps().get(199));
            assertEquals(IpPrefix.parse("::/0"), b.allowedIps().get(200));

            PeerState c = state.peer(PEER_C);
            assertEquals(IpEndpoint.parse("[fe80::1]:51822"), c.endpoint(), "the zone is dropped");
            assertEquals("18446744073709551615", Long.toUnsignedString(c.txBytes()));
            assertEquals(Long.MAX_VALUE, c.rxBytes());
            assertEquals(65535, c.persistentKeepaliveSeconds());
            assertTrue(c.allowedIps().isEmpty());
        }
    }

    @Test
    void readsAnEmptyDevice() throws Exception {
        try (FakeUapiServer server = new FakeUapiServer(dir, IFACE, FakeUapiServer.replying("errno=0\n\n"))) {
            DeviceState state = device().read();
            assertNull(state.publicKey());
            assertEquals(0, state.listenPort());
            assertEquals(0, state.fwmark());
            assertTrue(state.peers().isEmpty());
            assertEquals("get=1\n\n", server.nextRequest());
        }
    }

    // ---------------------------------------------------------------------------------------------- set

    private String applied(DeviceChange change) throws Exception {
        try (FakeUapiServer server = new FakeUapiServer(dir, IFACE, FakeUapiServer.replying("errno=0\n\n"))) {
            device().apply(change);
            return server.nextRequest();
        }
    }

    @Test
    void setsDeviceFields() throws Exception {
        DeviceChange change = new DeviceChange(TestKeys.privateKey(1), 51820, 0x1234, false, List.of());
        assertEquals("set=1\n"
                + "private_key=" + hex(TestKeys.raw(1)) + "\n"
                + "listen_port=51820\n"
                + "fwmark=4660\n"
                + "\n", applied(change));
    }

    @Test
    void fwmarkIsUnsignedAndZeroClearsIt() throws Exception {
        assertEquals("set=1\nfwmark=4294967295\n\n", applied(new DeviceChange(null, null, -1, false, null)));
        assertEquals("set=1\nlisten_port=0\nfwmark=0\n\n", applied(new DeviceChange(null, 0, 0, false, null)));
    }

    @Test
    void addsPeersWithEverything() throws Exception {
        PeerChange a = new PeerChange(PEER_A, false, false, IpEndpoint.parse("192.0.2.1:51820"), 25, true,
                List.of(IpPrefix.parse("10.99.0.2/32"), IpPrefix.parse("fd00:99::/64")));
        PeerChange b = new PeerChange(PEER_B, false, false, IpEndpoint.parse("[2001:db8::7]:443"), 0, false,
                List.of(IpPrefix.parse("198.51.100.0/24")));
        assertEquals("set=1\n"
                + "replace_peers=true\n"
                + "public_key=" + hex(PEER_A) + "\n"
                + "endpoint=192.0.2.1:51820\n"
                + "persistent_keepalive_interval=25\n"
                + "replace_allowed_ips=true\n"
                + "allowed_ip=10.99.0.2/32\n"
                + "allowed_ip=fd00:99::/64\n"
                + "public_key=" + hex(PEER_B) + "\n"
                + "endpoint=[2001:db8::7]:443\n"
                + "persistent_keepalive_interval=0\n"
                + "allowed_ip=198.51.100.0/24\n"
                + "\n", applied(new DeviceChange(null, null, null, true, List.of(a, b))));
    }

    @Test
    void removesAPeerWithoutAnythingElse() throws Exception {
        PeerChange r = new PeerChange(PEER_C, true, true, IpEndpoint.parse("192.0.2.1:1"), 5, true,
                List.of(IpPrefix.parse("10.0.0.1/32")));
        assertEquals("set=1\npublic_key=" + hex(PEER_C) + "\nremove=true\n\n",
                applied(DeviceChange.peers(List.of(r))));
        assertEquals("set=1\npublic_key=" + hex(PEER_C) + "\nremove=true\n\n",
                applied(DeviceChange.peers(List.of(PeerChange.removal(PEER_C)))));
    }

    @Test
    void updatesOnly() throws Exception {
        PeerChange u = new PeerChange(PEER_A, false, true, IpEndpoint.parse("203.0.113.9:51820"), null, false, null);
        assertEquals("set=1\npublic_key=" + hex(PEER_A) + "\nupdate_only=true\nendpoint=203.0.113.9:51820\n\n",
                applied(DeviceChange.peers(List.of(u))));
    }

    @Test
    void anEmptyChangeSendsNothing() throws Exception {
        try (FakeUapiServer server = new FakeUapiServer(dir, IFACE, FakeUapiServer.replying("errno=0\n\n"))) {
            device().apply(DeviceChange.peers(List.of()));
            assertTrue(server.noMoreRequests());
        }
    }

    // ---------------------------------------------------------------------------------------------- errors

    @ParameterizedTest
    @ValueSource(strings = {"errno=-22\n\n", "errno=22\n\n"})
    void mapsSetErrno(String reply) throws Exception {
        try (FakeUapiServer server = new FakeUapiServer(dir, IFACE, FakeUapiServer.replying(reply))) {
            WireGuardException e = assertThrows(WireGuardException.class,
                    () -> device().apply(new DeviceChange(null, 1, null, false, null)));
            assertEquals(22, e.errno());
            assertEquals("uapi set", e.operation());
            assertEquals(IFACE, e.iface());
            assertTrue(e.getMessage().contains("EINVAL"), e.getMessage());
            assertEquals("set=1\nlisten_port=1\n\n", server.nextRequest());
        }
    }

    @Test
    void mapsGetErrno() throws Exception {
        try (FakeUapiServer server = new FakeUapiServer(dir, IFACE, FakeUapiServer.replying("errno=-5\n\n"))) {
            WireGuardException e = assertThrows(WireGuardException.class, () -> device().read());
            assertEquals(5, e.errno());
            assertEquals("uapi get", e.operation());
            assertEquals("get=1\n\n", server.nextRequest());
        }
    }

    @Test
    void anEarlyErrorWhileTheRequestIsStillBeingSentIsReportedAsTheErrno() throws Exception {
        List<PeerChange> many = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            many.add(new PeerChange(TestKeys.publicKey(1000 + i % 50), false, false, null, null, true,
                    List.of(IpPrefix.parse("10.1." + (i / 256) + "." + (i % 256) + "/32"))));
        }
        try (FakeUapiServer server = new FakeUapiServer(dir, IFACE, FakeUapiServer.replyingEarly("errno=-22\n\n"))) {
            WireGuardException e = assertThrows(WireGuardException.class,
                    () -> device().apply(DeviceChange.peers(many)));
            assertEquals(22, e.errno(), e.getMessage());
            assertEquals("set=1\n", server.nextRequest());
        }
    }

    private static final String PEER = "public_key=" + "11".repeat(32) + "\n";

    static List<String> malformedGetReplies() {
        return List.of(
        "", // closed without a reply
        "listen_port=51820\n", // truncated before errno
        "listen_port=51820\nerrno=0\n", // truncated before the blank line
        "errno=0", // no newline at all
        "\n", // blank line only: no errno
        "garbage\n\n",
        "errno=zero\n\n",
        "errno=99999999999\n\n",
        "listen_port=51820\n\n", // no errno line
        "errno=0\nlisten_port=1\n\n", // errno not last
        "listen_port=65536\nerrno=0\n\n",
        "listen_port=-1\nerrno=0\n\n",
        "fwmark=4294967296\nerrno=0\n\n",
        "=1\nerrno=0\n\n",
        "endpoint=192.0.2.1:1\nerrno=0\n\n", // peer key before any public_key
        "public_key=abc\nerrno=0\n\n",
        "public_key=" + "zz".repeat(32) + "\nerrno=0\n\n",
        "preshared_key=" + "00".repeat(32) + "\nerrno=0\n\n",
        PEER + "endpoint=example.com:51820\nerrno=0\n\n",
        PEER + "endpoint=192.0.2.1\nerrno=0\n\n",
        PEER + "endpoint=192.0.2.1:65536\nerrno=0\n\n",
        PEER + "endpoint=[2001:db8::1:51820\nerrno=0\n\n",
        PEER + "allowed_ip=10.0.0.0/33\nerrno=0\n\n",
        PEER + "allowed_ip=10.0.0.0\nerrno=0\n\n",
        PEER + "allowed_ip=localhost/32\nerrno=0\n\n",
        PEER + "last_handshake_time_nsec=1000000000\nerrno=0\n\n",
        PEER + "rx_bytes=18446744073709551616\nerrno=0\n\n",
        PEER + "protocol_version=2\nerrno=0\n\n",
        PEER + "listen_port=1\nerrno=0\n\n", // device key after peers
        PEER + "private_key=" + "22".repeat(32) + "\nerrno=0\n\n",
        "listen_port=1\u0000\nerrno=0\n\n",
        "listen_port=1\u00ff\nerrno=0\n\n",
        "listen_port=1\r\nerrno=0\n\n");
    }

    @ParameterizedTest
    @MethodSource("malformedGetReplies")
    void malformedGetRepliesAreWireGuardExceptions(String reply) throws Exception {
        try (FakeUapiServer server = new FakeUapiServer(dir, IFACE, FakeUapiServer.replyingAndClosing(reply))) {
            WireGuardException e = assertThrows(WireGuardException.class, () -> device().read());
            assertEquals("uapi get", e.operation());
            assertEquals("get=1\n\n", server.nextRequest());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "errno=0\n", "listen_port=1\nerrno=0\n\n", "errno=\n\n", "\n"})
    void malformedSetRepliesAreWireGuardExceptions(String reply) throws Exception {
        try (FakeUapiServer server = new FakeUapiServer(dir, IFACE, FakeUapiServer.replyingAndClosing(reply))) {
            WireGuardException e = assertThrows(WireGuardException.class,
                    () -> device().apply(new DeviceChange(null, 1, null, false, null)));
            assertEquals("uapi set", e.operation());
            assertEquals("set=1\nlisten_port=1\n\n", server.nextRequest());
        }
    }

    @Test
    void keyMaterialNeverReachesAnErrorMessage() throws Exception {
        String privateHex = hex(TestKeys.raw(1));
        String badPrivate = privateHex.substring(0, 62) + "zz";
        String presharedHex = hex(TestKeys.raw(99));
        List<String> replies = List.of(
                "private_key=" + badPrivate + "\nerrno=0\n\n",
                "private_key=" + privateHex + "\nlisten_port=x\nerrno=0\n\n",
                "private_key=" + privateHex + "\npublic_key=" + hex(PEER_A) + "\npreshared_key=" + presharedHex
                        + "1\nerrno=0\n\n",
                "public_key=" + hex(PEER_A) + "\nprivate_key=" + privateHex + "\nerrno=0\n\n",
                "secret_key=" + privateHex + "\nerrno=0\n\n");
        for (String reply : replies) {
            try (FakeUapiServer server = new FakeUapiServer(dir, IFACE, FakeUapiServer.replyingAndClosing(reply))) {
                WireGuardException e = assertThrows(WireGuardException.class, () -> device().read());
                String m = e.getMessage();
                assertFalse(m.contains(privateHex.substring(0, 16)) || m.contains(badPrivate.substring(0, 16))
                        || m.contains(presharedHex.substring(0, 16)),
                        "key material in: " + m.replaceAll("[0-9a-f]{16,}", "<hex>"));
                assertEquals("get=1\n\n", server.nextRequest());
            }
        }
    }

    @Test
    void refusesAnOversizedReply() throws Exception {
        StringBuilder big = new StringBuilder();
        while (big.length() < 3 << 20) {
            big.append("allowed_ip=203.0.113.1/32\n");
        }
        String reply = "public_key=" + hex(PEER_A) + "\n" + big + "errno=0\n\n";
        try (FakeUapiServer server = new FakeUapiServer(dir, IFACE, FakeUapiServer.replying(reply))) {
            WireGuardException e = assertThrows(WireGuardException.class, () -> device().read());
            assertTrue(e.getMessage().contains("larger than 1048576 bytes"), e.getMessage());
            assertEquals("get=1\n\n", server.nextRequest());
        }
    }

    @Test
    void refusesAnOverlongLine() throws Exception {
        String reply = "listen_port=" + "1".repeat(5000) + "\nerrno=0\n\n";
        try (FakeUapiServer server = new FakeUapiServer(dir, IFACE, FakeUapiServer.replying(reply))) {
            WireGuardException e = assertThrows(WireGuardException.class, () -> device().read());
            assertTrue(e.getMessage().contains("line longer than 4096"), e.getMessage());
            assertEquals("get=1\n\n", server.nextRequest());
        }
    }

    @Test
    void aStuckServerTimesOut() throws Exception {
        try (FakeUapiServer server = new FakeUapiServer(dir, IFACE, FakeUapiServer.hanging())) {
            UapiDevice d = new UapiDevice(IFACE, dir, Duration.ofMillis(200), 1 << 20);
            WireGuardException e = assertThrows(WireGuardException.class, d::read);
            assertTrue(e.getMessage().contains("no progress"), e.getMessage());
            assertEquals("get=1\n\n", server.nextRequest());
        }
    }

    @Test
    void anInterruptedCallerStopsAtOnce() throws Exception {
        try (FakeUapiServer server = new FakeUapiServer(dir, IFACE, FakeUapiServer.hanging())) {
            UapiDevice d = new UapiDevice(IFACE, server.socket().getParent(), Duration.ofMinutes(5), 1 << 20);
            Thread.currentThread().interrupt();
            try {
                WireGuardException e = assertThrows(WireGuardException.class, d::read);
                assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag is kept");
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void aMissingSocketMeansNoSuchInterface() {
        WireGuardException e = assertThrows(WireGuardException.class, () -> device().read());
        assertEquals(2, e.errno());
        assertTrue(e.getMessage().contains("does not exist or is not a userspace WireGuard interface"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve(IFACE + ".sock").toString()), e.getMessage());
    }

    @Test
    void aStaleSocketFileIsAConnectError() throws IOException {
        Path socket = dir.resolve(IFACE + ".sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(socket));
        } // closed, the file stays behind: nobody listens
        WireGuardException e = assertThrows(WireGuardException.class, () -> device().read());
        assertTrue(e.getMessage().contains("cannot connect"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "..", ".", "a/b", "wg 0", "sixteen-chars-xx", "wg:0"})
    void refusesBadInterfaceNames(String name) {
        assertThrows(IllegalArgumentException.class, () -> new UapiDevice(name, dir));
    }

    @Test
    void describesItself() {
        UapiDevice d = device();
        assertEquals("uapi", d.backend());
        assertEquals(IFACE, d.name());
        assertEquals(dir.resolve("wgtest0.sock"), d.socketPath());
    }
}
