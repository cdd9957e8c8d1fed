package io.wirelink.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmallPartsTest {
    @Test
    void replayWindowAcceptsEachCounterOnceWithinTheWindow() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(w.accept(0));
        assertFalse(w.accept(0));
        assertTrue(w.accept(2));
        assertTrue(w.accept(1));
        assertFalse(w.accept(1));
        assertTrue(w.accept(5000));
        assertFalse(w.accept(5000 - ReplayWindow.WINDOW - 1), "behind the window");
        assertTrue(w.accept(5000 - ReplayWindow.WINDOW), "the oldest counter still tracked");
        assertTrue(w.accept(4999));
        assertTrue(w.accept(100_000), "a long jump clears the ring");
        for (long c = 100_000 - ReplayWindow.WINDOW; c < 100_000; c++) {
            assertTrue(w.accept(c), "unseen counter " + c);
        }
        assertFalse(w.accept(99_999));
        assertFalse(w.accept(ReplayWindow.REJECT_AFTER_MESSAGES));
        assertFalse(w.accept(-1L));
        ReplayWindow v = new ReplayWindow();
        assertTrue(v.accept(70));
        assertTrue(v.accept(3));
    }

    @Test
    void tokenBucketRefillsAtItsRateUpToItsBurst() {
        long s = 1_000_000_000L;
        TokenBucket b = new TokenBucket(10, 3, 0);
        assertTrue(b.tryTake(0, 1));
        assertTrue(b.tryTake(0, 2));
        assertFalse(b.tryTake(0, 1));
        assertTrue(b.tryTake(s / 10, 1));
        assertFalse(b.tryTake(s / 10, 1));
        assertTrue(b.tryTake(100 * s, 3), "refilled, but only to the burst");
        assertFalse(b.tryTake(100 * s, 1));
        assertFalse(b.tryTake(50 * s, 1), "time going backwards adds nothing");
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1, 0));
    }

    @Test
    void settingsAreValidatedWithTheSettingsName() {
        RelaySettings d = RelaySettings.defaults();
        assertEquals(d, d.toBuilder().build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RelaySettings.builder().maxRoutes(0).build());
        assertTrue(e.getMessage().contains("maxRoutes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RelaySettings.builder().clientHandshakeRate(0, 5).build());
        assertTrue(e.getMessage().contains("clientHandshakeRate"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RelaySettings.builder().handshakeTimeout(Duration.ZERO).build());
        assertTrue(e.getMessage().contains("handshakeTimeout"), e.getMessage());
        RelaySettings.builder().clientPacketRate(0, 0).clientByteRate(0, 0).build(); // 0: unlimited
    }
}
