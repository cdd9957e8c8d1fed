package io.wirelink.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.io.InputStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * A handshake initiation captured from the real wireguard-go (resource wireguard-go-initiation.properties): the
 * relay's codec, mac1 and responder must read it as WireGuard meant it.
 */
class WireguardGoCaptureTest {
    static Properties capture() throws Exception {
        Properties p = new Properties();
        try (InputStream in = WireguardGoCaptureTest.class.getResourceAsStream("wireguard-go-initiation.properties")) {
            p.load(in);
        }
        return p;
    }

    @Test
    void theResponderDecryptsWireguardGosInitiation() throws Exception {
        Properties p = capture();
        byte[] msg = HexFormat.of().parseHex(p.getProperty("initiation"));
        PrivateKey responder = PrivateKey.parse(p.getProperty("responder.private"));
        PublicKey initiator = PublicKey.parse(p.getProperty("initiator.public"));
        assertEquals(PublicKey.parse(p.getProperty("responder.public")), responder.publicKey());

        assertEquals(WireFormat.TYPE_INITIATION, WireFormat.classify(msg));
        WgMessage.Initiation init = (WgMessage.Initiation) WgMessage.decode(msg);
        assertEquals(WireFormat.senderIndex(msg), init.senderIndex());
        assertTrue(Macs.verifyMac1(responder.publicKey(), msg), "wireguard-go's mac1 verifies");
        assertFalse(Macs.verifyMac1(initiator, msg));
        assertArrayEquals(new byte[16], init.mac2(), "no cookie, so no mac2");

        NoiseResponder r = new NoiseResponder(responder, 16);
        NoiseResponder.Consumed c = r.consume(msg, 0, k -> true);
        assertEquals(initiator, c.peer(), "the initiator's static key decrypts");
        Instant sent = Tai64n.toInstant(c.timestamp());
        Instant captured = Instant.ofEpochSecond(Long.parseLong(p.getProperty("captured.epochSeconds")));
        assertTrue(Duration.between(sent, captured).abs().getSeconds() < 30, "TAI64N timestamp " + sent);
        // wireguard-go whitens the nanoseconds to 2^24 ns steps, so low bits are zero
        assertEquals(0, sent.getNano() % (1 << 24));

        NoiseResponder.Rejected replay = assertThrows(NoiseResponder.Rejected.class, () -> r.consume(msg, 1_000_000_000L,
                k -> true));
        assertEquals(NoiseResponder.Reason.REPLAY, replay.reason);

        NoiseResponder other = new NoiseResponder(PrivateKey.generate(new SecureRandom()), 16);
        assertEquals(NoiseResponder.Reason.BAD_STATIC,
                assertThrows(NoiseResponder.Rejected.class, () -> other.consume(msg, 0, k -> true)).reason);
        NoiseResponder refusing = new NoiseResponder(responder, 16);
        assertEquals(NoiseResponder.Reason.NOT_ADMITTED,
                assertThrows(NoiseResponder.Rejected.class, () -> refusing.consume(msg, 0, k -> false)).reason);
    }
}
