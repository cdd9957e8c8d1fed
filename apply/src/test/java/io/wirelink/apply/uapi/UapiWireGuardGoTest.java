package io.wirelink.apply.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerChange;
import io.wirelink.apply.PeerState;
import io.wirelink.apply.WireGuardDevice;
import io.wirelink.apply.WireGuardDevices;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link UapiDevice} against a real wireguard-go. Skipped unless root with wireguard-go installed. Only TEST-NET and
 * ULA addresses are used, and wireguard-go runs in a network namespace of its own when {@code unshare} exists.
 */
class UapiWireGuardGoTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path logDir;

    private WireGuardGoProcess wg;

    @BeforeEach
    void startWireGuardGo() throws Exception {
        Optional<String> why = WireGuardGoProcess.unavailableReason();
        assumeTrue(why.isEmpty(), () -> "skipping the wireguard-go test: " + why.orElse(""));
        wg = WireGuardGoProcess.start(logDir);
    }

    @AfterEach
    void stopWireGuardGo() {
        if (wg != null) {
            wg.close();
        }
    }

    private static PublicKey newPeerKey() {
        return PrivateKey.generate(RANDOM).publicKey();
    }

    @Test
    void configuresReadsBackAndRemovesPeers() throws Exception {
        WireGuardDevice device = WireGuardDevices.open(wg.name());
        assertEquals("uapi", device.backend(), "the factory picks UAPI when the socket exists");

        PrivateKey key = PrivateKey.generate(RANDOM);
        int port = 20000 + ThreadLocalRandom.current().nextInt(40000);
        int keepalive = wg.isolated() ? 25 : 0; // a keepalive makes wireguard-go send: only where nothing can leave
        PublicKey a = newPeerKey();
        PublicKey b = newPeerKey();
        PublicKey c = newPeerKey();
        List<PeerChange> peers = List.of(
                new PeerChange(a, false, false, IpEndpoint.parse("192.0.2.10:51820"), keepalive, true,
                        List.of(IpPrefix.parse("198.51.100.0/25"), IpPrefix.parse("203.0.113.7/32"))),
                new PeerChange(b, false, false, IpEndpoint.parse("[fd00:7e57::2]:51821"), null, true,
                        List.of(IpPrefix.parse("fd00:7e57:1::/64"), IpPrefix.parse("fd00:7e57:2::1/128"))),
                new PeerChange(c, false, false, IpEndpoint.parse("203.0.113.200:1234"), 0, true,
                        List.of(IpPrefix.parse("192.0.2.128/26"))));
        device.apply(new DeviceChange(key, port, 4242, true, peers));

        DeviceState state = device.read();
        assertEquals(wg.name(), state.name());
        assertEquals(key.publicKey(), state.publicKey());
        assertEquals(key, device.privateKey(), "the agent reads its signing key from the device");
        assertEquals(port, state.listenPort());
        assertEquals(4242, state.fwmark());
        assertEquals(Set.of(a, b, c), keys(state));
        for (PeerChange want : peers) {
            PeerState got = state.peer(want.publicKey());
            assertEquals(want.endpoint(), got.endpoint());
            assertEquals(new HashSet<>(want.allowedIps()), new HashSet<>(got.allowedIps()));
            assertEquals(want.persistentKeepaliveSeconds() == null ? 0 : want.persistentKeepaliveSeconds(),
                    got.persistentKeepaliveSeconds());
            assertEquals(false, got.hasPresharedKey());
            assertEquals(Instant.EPOCH, got.lastHandshake());
            assertEquals(0, got.rxBytes());
        }
        assertMatchesWgDump(state);

        device.apply(DeviceChange.peers(List.of(PeerChange.removal(b))));
        DeviceState after = device.read();
        assertEquals(Set.of(a, c), keys(after));
        assertNull(after.peer(b));
        assertEquals(key.publicKey(), after.publicKey());
        assertMatchesWgDump(after);
    }

    @Test
    void updateOnlyNeverCreatesAndReplaceAllowedIpsReplaces() throws Exception {
        UapiDevice device = new UapiDevice(wg.name());
        PublicKey a = newPeerKey();
        device.apply(DeviceChange.peers(List.of(new PeerChange(a, false, false, null, null, false,
                List.of(IpPrefix.parse("198.51.100.1/32"))))));
        PublicKey ghost = newPeerKey();
        device.apply(DeviceChange.peers(List.of(
                new PeerChange(ghost, false, true, IpEndpoint.parse("192.0.2.1:1"), null, false, List.of()),
                new PeerChange(a, false, true, IpEndpoint.parse("192.0.2.2:2"), null, true,
                        List.of(IpPrefix.parse("198.51.100.2/32"))))));
        DeviceState state = device.read();
        assertEquals(Set.of(a), keys(state));
        assertNull(state.publicKey(), "no private key was set");
        assertEquals(IpEndpoint.parse("192.0.2.2:2"), state.peer(a).endpoint());
        assertEquals(List.of(IpPrefix.parse("198.51.100.2/32")), state.peer(a).allowedIps());

        device.apply(new DeviceChange(null, null, null, true, List.of()));
        assertEquals(Set.of(), keys(device.read()));
    }

    /** wireguard-go answers a bad request with a negative errno; UapiDevice maps it to a positive one. */
    @Test
    void wireguardGoReportsNegativeErrnos() throws Exception {
        UapiTransport raw = new UapiTransport(wg.name(), wg.socket(), Duration.ofSeconds(10), 1 << 20, 4096);
        UapiTransport.Body body = raw.exchange("uapi set",
                ByteBuffer.wrap("set=1\nlisten_port=not-a-port\n\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(-22, UapiCodec.splitReply(body.bytes(), body.length()).errno());

    }

    private static Set<PublicKey> keys(DeviceState s) {
        Set<PublicKey> keys = new HashSet<>();
        s.peers().forEach(p -> keys.add(p.publicKey()));
        return keys;
    }

    /** Compares what we read with what {@code wg show <iface> dump} prints (private key redacted by the fixture). */
    private void assertMatchesWgDump(DeviceState state) throws Exception {
        List<String> dump = wg.wgDump();
        String[] dev = dump.get(0).split("\t");
        assertEquals(state.publicKey().toBase64(), dev[1]);
        assertEquals(Integer.toString(state.listenPort()), dev[2]);
        assertEquals(state.fwmark() == 0 ? "off" : "0x" + Integer.toHexString(state.fwmark()), dev[3]);

        Map<String, String> fromWg = new TreeMap<>();
        for (String line : dump.subList(1, dump.size())) {
            String[] f = line.split("\t");
            // public-key preshared-key endpoint allowed-ips latest-handshake rx tx keepalive
            Set<String> allowed = f[3].equals("(none)") ? Set.of() : new TreeSet<>(List.of(f[3].split(",")));
            fromWg.put(f[0], f[1] + " " + f[2] + " " + allowed + " " + f[4] + " " + f[5] + " " + f[6] + " " + f[7]);
        }
        Map<String, String> fromUs = new TreeMap<>();
        for (PeerState p : state.peers()) {
            Set<String> allowed = new TreeSet<>();
            p.allowedIps().forEach(ip -> allowed.add(ip.toString()));
            fromUs.put(p.publicKey().toBase64(), (p.hasPresharedKey() ? "(set)" : "(none)") + " "
                    + (p.endpoint() == null ? "(none)" : p.endpoint().toString()) + " " + allowed + " "
                    + p.lastHandshake().getEpochSecond() + " " + p.rxBytes() + " " + p.txBytes() + " "
                    + (p.persistentKeepaliveSeconds() == 0 ? "off" : Integer.toString(p.persistentKeepaliveSeconds())));
        }
        assertEquals(fromWg, fromUs);
    }
}
