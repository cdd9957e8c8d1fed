package io.wirelink.traversal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import io.wirelink.traversal.Disclosures.Disclosed;
import io.wirelink.traversal.PeerPath.State;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** Each transition of a peer's path, each refused one, and the path's schedule, on an injected clock. */
class PeerPathTest {
    static final PublicKey R1 = key(1);
    static final PublicKey R2 = key(2);
    final IpEndpoint e1 = IpEndpoint.parse("198.51.100.11:51823");
    final IpEndpoint e2 = IpEndpoint.parse("198.51.100.12:51823");
    final IpEndpoint direct = IpEndpoint.parse("203.0.113.9:40000");
    Instant now = Instant.parse("2026-11-22T10:00:00Z");

    static PublicKey key(int n) {
        byte[] b = new byte[32];
        b[0] = (byte) n;
        return PublicKey.of(b);
    }

    PeerPath in(State s) {
        PeerPath pp = new PeerPath();
        if (s != State.DIRECT) {
            pp.relay(R1, e1, now, false);
        }
        if (s == State.TRIAL) {
            pp.startTrial(direct, false, now);
        }
        assertEquals(s, pp.state());
        return pp;
    }

    @Test
    void relayMovesDirectToRelayedWithTheFirstTryAfterTheFirstRetry() {
        PeerPath pp = in(State.DIRECT);
        pp.relay(R1, e1, now, false);
        assertEquals(State.RELAYED, pp.state());
        assertEquals(R1, pp.relay());
        assertEquals(e1, pp.relayEndpoint());
        assertEquals(now.plus(RelayPlanner.FIRST_RETRY), pp.nextTrial());
        assertEquals(RelayPlanner.FIRST_RETRY, pp.backoff());
        assertNull(pp.trial());
    }

    @Test
    void relayWithADisclosedMappingTriesAtOnce() {
        PeerPath pp = in(State.DIRECT);
        pp.relay(R1, e1, now, true);
        assertEquals(now, pp.nextTrial());
    }

    @Test
    void startTrialMovesRelayedToTrialUntilTheTryEnds() {
        PeerPath pp = in(State.RELAYED);
        pp.startTrial(direct, false, now);
        assertEquals(State.TRIAL, pp.state());
        assertEquals(1, pp.trials());
        assertEquals(direct, pp.trial().endpoint);
        assertEquals(now.plus(RelayPlanner.TRIAL), pp.trial().end);
        assertEquals(-1, pp.trial().rxAtTrial, "bytes count only once the endpoint is seen in place");
        assertEquals(R1, pp.relay(), "the relay stays in use during the try");

        PeerPath coordinated = in(State.RELAYED);
        coordinated.startTrial(direct, true, now);
        assertEquals(now.plus(RelayPlanner.COORDINATED_TRIAL), coordinated.trial().end);
    }

    @Test
    void trialSucceededMovesTrialToDirectAndLeavesTheRelay() {
        PeerPath pp = in(State.TRIAL);
        pp.unhealthy(now.minusSeconds(20));
        pp.notDirect("no direct handshake");
        pp.trialSucceeded(now);
        assertEquals(State.DIRECT, pp.state());
        assertNull(pp.relay());
        assertNull(pp.trial());
        assertNull(pp.unhealthySince());
        assertEquals("", pp.why());
    }

    @Test
    void trialFailedGoesBackToTheRelayDoublingTheBackOffUpToTheMaximum() {
        PeerPath pp = in(State.RELAYED);
        Duration expected = RelayPlanner.FIRST_RETRY;
        for (int i = 1; i <= 8; i++) {
            pp.startTrial(direct, false, now);
            now = now.plus(RelayPlanner.TRIAL);
            pp.trialFailed(now);
            expected = expected.multipliedBy(2).compareTo(RelayPlanner.MAX_RETRY) > 0 ? RelayPlanner.MAX_RETRY
                    : expected.multipliedBy(2);
            assertEquals(State.RELAYED, pp.state());
            assertNull(pp.trial());
            assertEquals(expected, pp.backoff(), "after try " + i);
            assertEquals(now.plus(expected), pp.nextTrial());
            assertTrue(pp.why().startsWith("direct try " + i + " got no answer"), pp.why());
        }
        assertEquals(RelayPlanner.MAX_RETRY, pp.backoff());
    }

    @Test
    void relayLostEndsTheTryAndRetriesAfterTheBackOff() {
        PeerPath pp = in(State.TRIAL);
        pp.relayLost(now);
        assertEquals(State.RELAYED, pp.state());
        assertNull(pp.trial());
        assertEquals(now.plus(pp.backoff()), pp.nextTrial());
        assertEquals(R1, pp.relay(), "the pass fails over next");
    }

    @Test
    void failOverMovesToAnotherRelayAndLetsItsPathSettleFirst() {
        PeerPath pp = in(State.RELAYED);
        Instant later = now.plusSeconds(1); // a try is due a second later
        pp.failOver(R2, e2, later);
        assertEquals(State.RELAYED, pp.state());
        assertEquals(R2, pp.relay());
        assertEquals(e2, pp.relayEndpoint());
        assertEquals(later.plus(pp.backoff()), pp.nextTrial(), "no direct try before the new relay's path works");
        pp.startTrial(direct, false, later);
        pp.trialFailed(later); // back-off 4 s: the next try at later + 4 s
        Instant next = pp.nextTrial();
        pp.failOver(R1, e1, later.minusSeconds(3));
        assertEquals(next, pp.nextTrial(), "a try already later than the settling stays");
    }

    @Test
    void preferMovesToTheSharedRelayTheRendezvousPicks() {
        PeerPath pp = in(State.RELAYED);
        Instant next = pp.nextTrial();
        pp.prefer(R2, e2, now.plusSeconds(3));
        assertEquals(State.RELAYED, pp.state());
        assertEquals(R2, pp.relay());
        assertEquals(next, pp.nextTrial());
    }

    @Test
    void eachTransitionIsRefusedFromEveryOtherState() {
        Map<String, BiConsumer<PeerPath, Instant>> transitions = Map.of(
                "relay", (p, t) -> p.relay(R2, e2, t, false),
                "failOver", (p, t) -> p.failOver(R2, e2, t),
                "prefer", (p, t) -> p.prefer(R2, e2, t),
                "startTrial", (p, t) -> p.startTrial(direct, false, t),
                "trialSucceeded", PeerPath::trialSucceeded,
                "trialFailed", PeerPath::trialFailed,
                "relayLost", PeerPath::relayLost);
        Map<String, State> from = Map.of("relay", State.DIRECT, "failOver", State.RELAYED, "prefer", State.RELAYED,
                "startTrial", State.RELAYED, "trialSucceeded", State.TRIAL, "trialFailed", State.TRIAL,
                "relayLost", State.TRIAL);
        int refused = 0;
        for (Map.Entry<String, BiConsumer<PeerPath, Instant>> t : transitions.entrySet()) {
            for (State s : EnumSet.complementOf(EnumSet.of(from.get(t.getKey())))) {
                PeerPath pp = in(s);
                PublicKey relay = pp.relay();
                PeerPath.Trial trial = pp.trial();
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> t.getValue().accept(pp, now.plusSeconds(1)), t.getKey() + " from " + s);
                assertTrue(e.getMessage().contains(t.getKey()) && e.getMessage().contains(s.name()), e.getMessage());
                assertEquals(s, pp.state(), "a refused transition changes nothing");
                assertEquals(relay, pp.relay());
                assertEquals(trial, pp.trial());
                refused++;
            }
        }
        assertEquals(14, refused);
    }

    @Test
    void theGreaterKeyHoldsBackItsHandshakeThroughTheRelay() {
        PeerPath pp = in(State.RELAYED);
        PeerState elsewhere = device(direct);
        assertTrue(pp.hold(key(9), key(8), elsewhere, now), "greater key: yields");
        assertEquals(now.plus(PeerPath.YIELD), pp.holdUntil());
        assertFalse(pp.hold(key(8), key(9), elsewhere, now), "smaller key: starts");
        assertFalse(pp.holding());
        assertFalse(pp.hold(key(9), key(8), device(e1), now), "already through the relay");
        pp.basic(true);
        assertFalse(pp.hold(key(9), key(8), elsewhere, now), "a basic peer never starts through a relay");
    }

    @Test
    void aTryIsWokenForItsChecksAndJudgedWhenItEnds() {
        PeerPath pp = in(State.RELAYED);
        pp.startTrial(direct, true, now);
        assertEquals(now.plus(PeerPath.TRIAL_CHECK), pp.wakeAt(now, null));
        assertFalse(pp.due(now, null));
        assertTrue(pp.due(now.plus(PeerPath.TRIAL_CHECK), null), "the check is due");
        Instant end = pp.trial().end;
        assertFalse(pp.askPass(end.minusMillis(1)));
        assertTrue(pp.askPass(end), "the end asks for a pass");
        assertFalse(pp.askPass(end), "once");
        assertTrue(pp.due(end, null));
    }

    @Test
    void aSwitchMomentWakesTheRelayedPathOnceAndNotWhileHolding() {
        PeerPath pp = in(State.RELAYED);
        Instant moment = pp.nextTrial().plusMillis(100);
        Disclosed d = new Disclosed(direct, now, moment);
        assertEquals(moment, pp.wakeAt(now, d));
        assertFalse(pp.due(now, d), "not before the moment");
        assertTrue(pp.due(moment, d));
        pp.sawMoment(moment);
        assertNull(pp.wakeAt(now, d), "a moment looked at wakes nothing more");
        assertFalse(pp.due(moment, d));
        pp = in(State.RELAYED);
        assertTrue(pp.hold(key(9), key(8), device(direct), now.minus(PeerPath.YIELD).plusMillis(50)));
        assertEquals(now.plusMillis(50), pp.wakeAt(now, d), "holding: only the hold's end");
        assertFalse(pp.due(now, d));
        assertTrue(pp.due(now.plusMillis(50), d));
    }

    @Test
    void aDisclosureBeforeTheFirstTryMovesItToTheRelaysMoment() {
        PeerPath pp = in(State.RELAYED);
        pp.tryAtMoment(R2, now);
        assertEquals(now.plus(RelayPlanner.FIRST_RETRY), pp.nextTrial(), "another relay's moment is not ours");
        pp.tryAtMoment(R1, now);
        assertEquals(now, pp.nextTrial());
        pp.startTrial(direct, false, now);
        pp.trialFailed(now);
        Instant next = pp.nextTrial();
        pp.tryAtMoment(R1, now);
        assertEquals(next, pp.nextTrial(), "only before the first try");
    }

    @Test
    void aDirectPathSoonAfterARelayThatReceivesNothingWhileWeSendHasStalled() {
        PeerPath pp = in(State.TRIAL);
        pp.trackRx(traffic(100, 10), now);
        pp.trialSucceeded(now);
        now = now.plus(RelayPlanner.DIRECT_STALL).plusMillis(1);
        pp.trackRx(traffic(100, 50), now);
        assertTrue(pp.stalled(true, traffic(100, 50), now));
        assertFalse(pp.stalled(true, traffic(100, 10), now), "nothing sent either: quiet, not stalled");
        assertFalse(new PeerPath().stalled(true, traffic(100, 50), now), "never relayed");
        assertTrue(pp.everRelayed());
    }

    PeerState device(IpEndpoint ep) {
        return new PeerState(key(7), false, ep, List.of(IpPrefix.parse("fe80::1/128")), Instant.EPOCH, 0, 0, 0);
    }

    PeerState traffic(long rx, long tx) {
        return new PeerState(key(7), false, direct, List.of(), now, rx, tx, 0);
    }
}
