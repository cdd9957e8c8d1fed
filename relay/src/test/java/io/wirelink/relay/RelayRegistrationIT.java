package io.wirelink.relay;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.lab.Host;
import io.wirelink.lab.Lab;
import io.wirelink.lab.Nat;
import io.wirelink.lab.NatType;
import io.wirelink.lab.WgInterface;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real wireguard-go, behind a NAT in a network namespace, registers with the Java relay: it completes a WireGuard
 * handshake with the relay's Noise responder ({@code wg show} reports it), the relay learns its key and the endpoint
 * the NAT mapped, and a keepalive the relay seals with the derived keys is accepted by wireguard-go.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RelayRegistrationIT {
    private static final Logger log = LoggerFactory.getLogger(RelayRegistrationIT.class);

    @BeforeAll
    static void lab() {
        LiveRelay.assumeLab();
    }

    @Test
    void wireguardGoRegistersWithTheJavaRelay() throws Exception {
        try (Lab lab = Lab.create()) {
            try {
                Host relayHost = lab.publicHost("relay");
                Nat nat = lab.nat("natA", NatType.CONE);
                Host alice = lab.hostBehind(nat, "alice");
                WgInterface a = lab.startWireGuard(alice);
                try (LiveRelay relay = new LiveRelay(relayHost, RelaySettings.defaults())) {
                    // the relay as a peer: no allowed IPs, only a persistent keepalive, which starts the handshake
                    a.setPeer(relay.publicKey(), relay.endpoint, 1);

                    await("wg show reports a handshake with the relay").atMost(Duration.ofSeconds(15))
                            .pollInterval(Duration.ofMillis(200))
                            .until(() -> a.latestHandshake(relay.publicKey()).isAfter(Instant.EPOCH));
                    await("the relay registered alice").atMost(Duration.ofSeconds(10))
                            .pollInterval(Duration.ofMillis(100))
                            .until(() -> relay.call(r -> r.client(a.publicKey())).isPresent());
                    ClientInfo info = relay.call(r -> r.client(a.publicKey())).orElseThrow();
                    assertEquals(nat.wanAddress(), info.endpoint().address(),
                            "the relay sees alice at her NAT's address, not her own " + alice.address());
                    log.info("wireguard-go {} registered with the relay from {}", a.publicKey(), info.endpoint());

                    // the relay's send key is right: wireguard-go authenticates the keepalive it seals
                    long rxBefore = a.peer(relay.publicKey()).map(PeerState::rxBytes).orElseThrow();
                    int sent = relay.udp.callAndSend(r -> r.keepalive(System.nanoTime(), a.publicKey()).stream()
                            .toList()).get(5, TimeUnit.SECONDS);
                    assertEquals(1, sent);
                    await("wireguard-go accepted the relay's keepalive").atMost(Duration.ofSeconds(5))
                            .pollInterval(Duration.ofMillis(100))
                            .until(() -> a.peer(relay.publicKey()).map(PeerState::rxBytes).orElseThrow() > rxBefore);

                    // keepalives from alice (every second) keep the registration fresh and authenticate
                    long own = relay.stats().ownTransport();
                    await("alice's keepalives reach the relay").atMost(Duration.ofSeconds(5))
                            .pollInterval(Duration.ofMillis(200)).until(() -> relay.stats().ownTransport() > own + 1);
                    RelayStats st = relay.stats();
                    assertEquals(1, st.registrations(), st.toString());
                    assertEquals(0, st.dropped(RelayStats.Drop.SESSION_REJECTED), st.toString());
                    assertEquals(0, st.dropped(RelayStats.Drop.HANDSHAKE_REJECTED), st.toString());
                    IpEndpoint seen = a.endpointOf(relay.publicKey()).orElseThrow();
                    assertEquals(relay.endpoint, seen);
                    assertTrue(relay.udp.sendFailures() == 0);
                    log.info("relay after registration: {}", st);
                }
            } catch (Throwable t) {
                log.error("failed; the lab looked like this:\n{}", lab.diagnostics());
                throw t;
            }
        }
    }
}
