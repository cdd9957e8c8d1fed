package io.wirelink.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PathHealthTest {
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    static final PublicKey K = key(1);
    static final IpEndpoint EP = IpEndpoint.parse("198.51.100.1:51820");

    static PublicKey key(int n) {
        byte[] k = new byte[32];
        k[0] = (byte) n;
        return PublicKey.of(k);
    }

    static PeerState peer(Instant handshake, long rx, long tx) {
        return new PeerState(K, false, EP, List.of(), handshake, rx, tx, 0);
    }

    static DeviceState device(PeerState p) {
        return new DeviceState("wg0", null, 51820, 0, List.of(p));
    }

    static Map<PublicKey, Instant> woken(PathHealth h) {
        Map<PublicKey, Instant> out = new LinkedHashMap<>();
        h.forEachWoken(out::put);
        return out;
    }

    /** A proven quiet path, tracked at T0 with a handshake at T0 and counters (100, 100). */
    static PathHealth proven() {
        PathHealth h = new PathHealth();
        h.track(device(peer(T0, 100, 100)), k -> true, T0);
        return h;
    }

    @Test
    void aQuietPeerKeepsItsPathAfterTheHandshakeAgesOutOthersDoNot() {
        Instant late = T0.plus(Health.HANDSHAKE_VALIDITY).plusSeconds(60);
        PeerState aged = peer(T0, 100, 100);
        PathHealth quiet = proven();
        quiet.track(device(aged), k -> true, late);
        assertTrue(quiet.healthy(aged, late), "idle: nothing sent, nothing needed");

        PathHealth chatty = new PathHealth();
        chatty.track(device(peer(T0, 100, 100)), k -> false, T0);
        chatty.track(device(aged), k -> false, late);
        assertFalse(chatty.healthy(aged, late), "not quiet: the handshake alone decides");
    }

    @Test
    void trafficAfterASilenceWakesThePathAndWithoutAnAnswerItFails() {
        PathHealth h = proven();
        Instant wake = T0.plus(PathHealth.SILENCE);
        PeerState sent = peer(T0, 100, 200);
        assertFalse(h.wakes(device(sent), wake.minusSeconds(1)), "a pass before the silence ended: no wake");
        assertTrue(h.wakes(device(sent), wake), "sent after the silence: a pass is wanted at once");
        h.track(device(sent), k -> true, wake);
        assertEquals(Map.of(K, wake), woken(h));
        Instant grace = wake.plus(PathHealth.RESUME_GRACE);
        assertTrue(h.healthy(sent, grace.minusMillis(1)), "within the grace the path still counts");
        assertFalse(h.healthy(sent, grace), "nothing came back within the grace: failed");
        h.track(device(sent), k -> true, grace);
        assertEquals(Set.of(K), h.failedPaths());

        PeerState answered = peer(T0, 150, 200);
        h.track(device(answered), k -> true, grace.plusSeconds(1));
        assertEquals(Map.of(), woken(h), "bytes from the peer end the wake");
        // the read that ends the wake still marks the failure (at the new rx count): the next bytes clear it
        assertEquals(Set.of(K), h.failedPaths());
        PeerState again = peer(T0, 170, 200);
        h.track(device(again), k -> true, grace.plusSeconds(2));
        assertEquals(Set.of(), h.failedPaths(), "bytes from the peer prove the path again");
        assertTrue(h.healthy(again, grace.plusSeconds(2)));
    }

    @Test
    void anAnswerWithinTheGraceEndsTheWake() {
        PathHealth h = proven();
        Instant wake = T0.plus(PathHealth.SILENCE);
        h.track(device(peer(T0, 100, 200)), k -> true, wake);
        PeerState answered = peer(T0, 180, 200);
        Instant later = wake.plusSeconds(3);
        h.track(device(answered), k -> true, later);
        assertEquals(Map.of(), woken(h));
        assertTrue(h.healthy(answered, later.plus(Duration.ofMinutes(1))));
    }

    @Test
    void aFailedPathStaysFailedThroughAnEndpointSwitchUntilANewHandshake() {
        PathHealth h = proven();
        Instant wake = T0.plus(PathHealth.SILENCE);
        h.track(device(peer(T0, 100, 200)), k -> true, wake);
        Instant grace = wake.plus(PathHealth.RESUME_GRACE);
        h.track(device(peer(T0, 100, 300)), k -> true, grace);
        PeerState moved = new PeerState(K, false, IpEndpoint.parse("203.0.113.9:4000"), List.of(), T0, 100, 400, 0);
        h.track(device(moved), k -> true, grace.plusSeconds(1));
        assertEquals(Set.of(K), h.failedPaths());
        assertFalse(h.healthy(moved, grace.plusSeconds(1)));

        Instant shake = grace.plusSeconds(2);
        PeerState proven = new PeerState(K, false, moved.endpoint(), List.of(), shake, 100, 500, 0);
        h.track(device(proven), k -> true, shake);
        assertEquals(Set.of(), h.failedPaths());
        assertTrue(h.healthy(proven, shake));
    }

    @Test
    void retainForgetsPeersNoLongerKnown() {
        PathHealth h = proven();
        h.track(device(peer(T0, 100, 200)), k -> true, T0.plus(PathHealth.SILENCE));
        h.retain(Set.of(key(2)));
        assertEquals(Map.of(), woken(h));
        PeerState aged = peer(T0, 100, 200);
        Instant late = T0.plus(Health.HANDSHAKE_VALIDITY).plusSeconds(1);
        assertFalse(h.healthy(aged, late), "forgotten: no longer idle");
    }
}
