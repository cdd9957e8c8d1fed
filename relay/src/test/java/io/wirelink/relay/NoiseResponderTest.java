package io.wirelink.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.PrivateKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The relay's responder against the test initiator: a full handshake and every refusal. */
class NoiseResponderTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final long MS = 1_000_000L;
    private final Random random = new Random(5);
    private final PrivateKey relayKey = PrivateKey.of(bytes(32));
    private final NoiseResponder responder = new NoiseResponder(relayKey, 16);
    private final TestInitiator alice = TestInitiator.random(random);

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private NoiseResponder.Reason reason(byte[] msg, long now) {
        return assertThrows(NoiseResponder.Rejected.class, () -> responder.consume(msg, now, k -> true)).reason;
    }

    @Test
    void aCompleteHandshakeDerivesMatchingTransportKeys() throws Exception {
        TestInitiator.Pending p = alice.initiate(relayKey.publicKey(), T0, 0x11223344, random);
        NoiseResponder.Consumed c = responder.consume(p.message, 0, k -> true);
        assertEquals(alice.publicKey(), c.peer());
        assertEquals(0x11223344, c.senderIndex());
        NoiseResponder.Responded r = responder.respond(c, 0x55667788, random);

        assertEquals(WireFormat.TYPE_RESPONSE, WireFormat.classify(r.message()));
        assertEquals(0x55667788, WireFormat.senderIndex(r.message()));
        assertEquals(0x11223344, WireFormat.receiverIndex(r.message(), 2));
        assertTrue(Macs.verifyMac1(alice.publicKey(), r.message()), "mac1 of the response is for the initiator");

        TestInitiator.TestSession a = alice.consumeResponse(p, r.message());
        assertNotNull(a, "the initiator accepts the response");
        assertArrayEquals(a.sendKey, r.receiveKey());
        assertArrayEquals(a.receiveKey, r.sendKey());

        Session s = new Session(0x55667788, 0x11223344, r.receiveKey(), r.sendKey(), 0, null);
        byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(hello, s.open(a.seal(hello), 0));
        assertArrayEquals(new byte[0], s.open(a.keepalive(), 0));
        assertArrayEquals(hello, a.open(s.seal(hello, 0)));
    }

    @Test
    void sessionsRefuseReplaysForgeriesAndOldKeys() throws Exception {
        TestInitiator.Pending p = alice.initiate(relayKey.publicKey(), T0, 1, random);
        NoiseResponder.Responded r = responder.respond(responder.consume(p.message, 0, k -> true), 2, random);
        TestInitiator.TestSession a = alice.consumeResponse(p, r.message());
        Session s = new Session(2, 1, r.receiveKey(), r.sendKey(), 0, null);
        byte[] k0 = a.keepalive();
        byte[] k1 = a.keepalive();
        assertNotNull(s.open(k1, 0));
        assertNotNull(s.open(k0, 0), "out of order within the window");
        assertNull(s.open(k0, 0), "replayed");
        byte[] forged = a.keepalive();
        forged[20] ^= 1;
        assertNull(s.open(forged, 0));
        assertNull(s.open(a.keepalive(), Session.REJECT_AFTER_TIME_NANOS), "keys past REJECT_AFTER_TIME");
        assertNull(s.seal(new byte[0], Session.REJECT_AFTER_TIME_NANOS));
    }

    @Test
    void refusesReplayedOlderAndTooFrequentInitiations() throws Exception {
        byte[] first = alice.initiate(relayKey.publicKey(), T0, 1, random).message;
        responder.consume(first, 0, k -> true);
        assertEquals(NoiseResponder.Reason.REPLAY, reason(first, 100 * MS));
        assertEquals(NoiseResponder.Reason.REPLAY, reason(alice.initiate(relayKey.publicKey(), T0.minusSeconds(1), 2,
                random).message, 100 * MS));
        assertEquals(NoiseResponder.Reason.REPLAY, reason(alice.initiate(relayKey.publicKey(), T0, 2, random).message,
                100 * MS), "an equal timestamp is a replay");
        assertEquals(NoiseResponder.Reason.FLOOD, reason(alice.initiate(relayKey.publicKey(), T0.plusMillis(5), 3,
                random).message, 10 * MS));
        responder.consume(alice.initiate(relayKey.publicKey(), T0.plusMillis(30), 4, random).message, 30 * MS,
                k -> true);
    }

    @Test
    void refusesTamperingStrangersAndLowOrderKeys() throws Exception {
        byte[] msg = alice.initiate(relayKey.publicKey(), T0, 1, random).message;
        byte[] badStatic = msg.clone();
        badStatic[WireFormat.INITIATION_STATIC_OFFSET + 3] ^= 1;
        assertEquals(NoiseResponder.Reason.BAD_STATIC, reason(badStatic, 0));
        byte[] badTs = msg.clone();
        badTs[WireFormat.INITIATION_TIMESTAMP_OFFSET + 3] ^= 1;
        assertEquals(NoiseResponder.Reason.BAD_TIMESTAMP, reason(badTs, 0));
        byte[] badEphemeral = msg.clone();
        java.util.Arrays.fill(badEphemeral, WireFormat.INITIATION_EPHEMERAL_OFFSET,
                WireFormat.INITIATION_EPHEMERAL_OFFSET + 32, (byte) 0);
        assertEquals(NoiseResponder.Reason.BAD_EPHEMERAL, reason(badEphemeral, 0));
        byte[] forSomeoneElse = alice.initiate(PrivateKey.of(bytes(32)).publicKey(), T0, 1, random).message;
        assertEquals(NoiseResponder.Reason.BAD_STATIC, reason(forSomeoneElse, 0));
        assertEquals(NoiseResponder.Reason.NOT_ADMITTED,
                assertThrows(NoiseResponder.Rejected.class, () -> responder.consume(msg, 0, k -> false)).reason);
        // the relay's own key never registers with itself
        TestInitiator self = new TestInitiator(relayKey);
        assertEquals(NoiseResponder.Reason.NOT_ADMITTED,
                reason(self.initiate(relayKey.publicKey(), T0, 1, random).message, 0));
        // still fresh after all those refusals: none of them recorded a timestamp
        responder.consume(msg, 0, k -> true);
    }
}
