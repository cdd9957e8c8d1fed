package io.wirelink.apply.uapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerChange;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.MalformedInputException;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure UAPI codec, without sockets. */
class UapiCodecTest {

    private static DeviceState decode(String body) {
        byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
        UapiCodec.Reply r = UapiCodec.splitReply(b, b.length);
        assertEquals(0, r.errno());
        return UapiCodec.decodeDevice("wg0", r);
    }

    @Test
    void splitsTheErrnoOff() {
        byte[] b = "listen_port=1\nerrno=-22\n".getBytes(StandardCharsets.US_ASCII);
        UapiCodec.Reply r = UapiCodec.splitReply(b, b.length);
        assertEquals(-22, r.errno());
        assertEquals("listen_port=1\n".length(), r.linesEnd());
    }

    @Test
    void keepsIpv4MappedAddressesAsIpv6() {
        DeviceState s = decode("public_key=" + "11".repeat(32) + "\nendpoint=[::ffff:192.0.2.1]:51820\n"
                + "allowed_ip=::ffff:198.51.100.0/120\nerrno=0\n");
        IpEndpoint e = s.peers().get(0).endpoint();
        assertEquals(51820, e.port());
        assertEquals(Inet6Address.class, e.address().getClass());
        IpPrefix p = s.peers().get(0).allowedIps().get(0);
        assertEquals(16, p.address().getAddress().length);
        assertEquals(120, p.prefixLength());
    }

    @Test
    void ignoresUnknownKeys() {
        DeviceState s = decode("listen_port=7\njc=4\npublic_key=" + "11".repeat(32) + "\nfuture_thing=1\nerrno=0\n");
        assertEquals(7, s.listenPort());
        assertEquals(1, s.peers().size());
    }

    @Test
    void anAllZeroPrivateKeyMeansNone() {
        assertEquals(null, decode("private_key=" + "0".repeat(64) + "\nerrno=0\n").publicKey());
    }

    @Test
    void theRequestBufferWipesItself() {
        DeviceChange c = new DeviceChange(TestKeys.privateKey(1), null, null, false, null);
        UapiCodec.RequestBuffer b = UapiCodec.encodeSet(c);
        ByteBuffer view = b.asByteBuffer();
        String text = StandardCharsets.US_ASCII.decode(view.duplicate()).toString();
        assertEquals("set=1\nprivate_key=" + TestKeys.hex(TestKeys.raw(1)) + "\n\n", text);
        b.wipe();
        byte[] after = new byte[view.remaining()];
        view.get(after);
        assertArrayEquals(new byte[after.length], after);
    }

    @Test
    void hexKeyRefusesWrongLengthsAndDigits() {
        byte[] ok = "ab".repeat(32).getBytes(StandardCharsets.US_ASCII);
        byte[] expected = new byte[32];
        Arrays.fill(expected, (byte) 0xab);
        assertArrayEquals(expected, UapiCodec.hexKey("k", ok, 0, 64));
        assertThrows(MalformedInputException.class, () -> UapiCodec.hexKey("k", ok, 0, 63));
        byte[] bad = ok.clone();
        bad[10] = 'g';
        assertThrows(MalformedInputException.class, () -> UapiCodec.hexKey("k", bad, 0, 64));
    }

    @Test
    void encodesAllowedIpsCanonically() {
        DeviceChange c = DeviceChange.peers(List.of(new PeerChange(TestKeys.publicKey(2), false,
                false, null, null, false, List.of(IpPrefix.parse("FD00:0:0:0::1/128")))));
        String text = new String(UapiCodec.encodeSet(c).toByteArray(), StandardCharsets.US_ASCII);
        assertEquals("set=1\npublic_key=" + TestKeys.hex(TestKeys.publicKey(2)) + "\nallowed_ip=fd00::1/128\n\n", text);
    }
}
