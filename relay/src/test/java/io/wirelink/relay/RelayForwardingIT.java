package io.wirelink.relay;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.PeerState;
import io.wirelink.lab.Host;
import io.wirelink.lab.Lab;
import io.wirelink.lab.Nat;
import io.wirelink.lab.NatType;
import io.wirelink.lab.WgInterface;
import io.wirelink.relay.RelayStats.Drop;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two wireguard-go peers behind symmetric NATs (no direct path is possible) register with the Java relay, then
 * handshake and ping each other through it: each has the other's endpoint set to the relay's address. The relay
 * forwards exactly the bytes both wireguard-go devices count as sent and received, never decrypts them (it has no
 * session with either peer's peer), either side can initiate, and a third peer that only one side asked for gets
 * nothing forwarded.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RelayForwardingIT {
    private static final Logger log = LoggerFactory.getLogger(RelayForwardingIT.class);

    @BeforeAll
    static void lab() {
        LiveRelay.assumeLab();
    }

    private static long tx(WgInterface from, WgInterface to) {
        return from.peer(to.publicKey()).map(PeerState::txBytes).orElse(0L);
    }

    private static long rx(WgInterface at, WgInterface from) {
        return at.peer(from.publicKey()).map(PeerState::rxBytes).orElse(0L);
    }

    @Test
    void twoPeersBehindSymmetricNatsTalkThroughTheRelay() throws Exception {
        try (Lab lab = Lab.create()) {
            try {
                run(lab);
            } catch (Throwable t) {
                log.error("failed; the lab looked like this:\n{}", lab.diagnostics());
                throw t;
            }
        }
    }

    private static void run(Lab lab) throws Exception {
        Host relayHost = lab.publicHost("relay");
        Nat natA = lab.nat("natA", NatType.SYMMETRIC);
        Nat natB = lab.nat("natB", NatType.SYMMETRIC);
        Nat natC = lab.nat("natC", NatType.CONE);
        Host alice = lab.hostBehind(natA, "alice");
        Host bob = lab.hostBehind(natB, "bob");
        Host carol = lab.hostBehind(natC, "carol");
        WgInterface a = lab.startWireGuard(alice).addAddress("198.18.0.1/24");
        WgInterface b = lab.startWireGuard(bob).addAddress("198.18.0.2/24");
        WgInterface c = lab.startWireGuard(carol).addAddress("198.18.0.3/24");
        try (LiveRelay relay = new LiveRelay(relayHost, RelaySettings.defaults())) {
            for (WgInterface w : new WgInterface[] {a, b, c}) {
                w.setPeer(relay.publicKey(), relay.endpoint, 2);
            }
            await("all three registered").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                    .until(() -> relay.stats().clients() == 3);
            relay.allowBoth(a.publicKey(), b.publicKey());
            relay.call(r -> {
                r.allow(c.publicKey(), a.publicKey()); // carol asks for alice; alice never asks for carol
                return null;
            });

            // each peer's endpoint for the other is the relay; nothing else connects them
            a.setPeer(b, relay.endpoint, null, "198.18.0.2/32");
            b.setPeer(a, relay.endpoint, null, "198.18.0.1/32");
            c.setPeer(a, relay.endpoint, null, "198.18.0.1/32");
            a.setPeer(c, relay.endpoint, null, "198.18.0.3/32");

            assertTrue(alice.ping("198.18.0.2", 5, Duration.ofSeconds(15)), "alice pings bob through the relay");
            assertTrue(a.latestHandshake(b.publicKey()).isAfter(Instant.EPOCH));
            RelayStats st = relay.stats();
            log.info("after alice -> bob: {}", st);
            assertTrue(st.forwarded(WireFormat.TYPE_INITIATION) >= 1, st.toString());
            assertTrue(st.forwarded(WireFormat.TYPE_RESPONSE) >= 1, st.toString());
            assertTrue(st.forwarded(WireFormat.TYPE_TRANSPORT) >= 10, "5 echo requests and 5 replies: " + st);

            // zero overhead, nothing lost or added: the relay forwarded exactly what both devices counted
            await("counters settle").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200)).until(() -> {
                long forwarded = relay.stats().forwardedBytes();
                return forwarded == tx(a, b) + tx(b, a) && forwarded == rx(a, b) + rx(b, a);
            });
            log.info("alice -> bob {} B, bob -> alice {} B, relay forwarded {} B", tx(a, b), tx(b, a),
                    relay.stats().forwardedBytes());

            // the relay never held their session keys: it decrypted nothing but its own clients' keepalives
            st = relay.stats();
            assertEquals(0, st.dropped(Drop.SESSION_REJECTED), st.toString());
            assertEquals(3, st.registrations(), st.toString());
            assertTrue(relay.call(Relay::ownSessionCount) <= 9, "only sessions with its three clients");

            // carol: registered, asked for alice, but alice never asked for carol -> nothing forwarded
            assertFalse(carol.ping("198.18.0.1", 1, Duration.ofSeconds(3)), "carol must not reach alice");
            assertFalse(a.latestHandshake(c.publicKey()).isAfter(Instant.EPOCH));
            assertTrue(relay.stats().dropped(Drop.NO_ROUTE) >= 1, relay.stats().toString());

            // either side may initiate: forget the session on both ends, then bob starts
            a.removePeer(b.publicKey());
            b.removePeer(a.publicKey());
            a.setPeer(b, relay.endpoint, null, "198.18.0.2/32");
            b.setPeer(a, relay.endpoint, null, "198.18.0.1/32");
            long initiations = relay.stats().forwarded(WireFormat.TYPE_INITIATION);
            assertTrue(bob.ping("198.18.0.1", 3, Duration.ofSeconds(15)), "bob pings alice through the relay");
            assertTrue(relay.stats().forwarded(WireFormat.TYPE_INITIATION) > initiations);

            // revoking the pair stops it at once
            relay.call(r -> {
                r.revoke(b.publicKey(), a.publicKey());
                return null;
            });
            assertFalse(alice.ping("198.18.0.2", 1, Duration.ofSeconds(3)), "revoked: nothing forwarded");
            assertTrue(relay.stats().dropped(Drop.NOT_AUTHORIZED) >= 1, relay.stats().toString());
            assertEquals(0, relay.udp.sendFailures());
            log.info("relay at the end: {}", relay.stats());
        }
    }
}
