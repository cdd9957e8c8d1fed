package io.wirelink.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.relay.RelayFixture.Link;
import io.wirelink.relay.RelayFixture.Peer;
import io.wirelink.relay.RelayStats.Drop;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The relay state machine on injected time: registration, forwarding, authorization, expiry, bounds, limits. */
class RelayTest {
    private static final byte[] PING = "an IP packet, encrypted end to end".getBytes(StandardCharsets.US_ASCII);

    private static void assertForwarded(List<Send> out, byte[] datagram, IpEndpoint to) {
        assertEquals(1, out.size(), "forwarded");
        assertEquals(to, out.get(0).destination());
        assertSame(datagram, out.get(0).datagram(), "the exact datagram, zero bytes added");
    }

    private static void assertDropped(List<Send> out) {
        assertEquals(List.of(), out);
    }

    private static long dropped(RelayFixture f, Drop d) {
        return f.relay.stats().dropped(d);
    }

    /** Data both ways over an established link, asserting each datagram arrives intact and decrypts. */
    private static void exchange(Peer a, Peer b, Link link) {
        byte[] ab = link.initiator().seal(PING);
        assertForwarded(a.send(ab), ab, b.endpoint);
        assertArrayEquals(PING, link.responder().open(ab));
        byte[] ba = link.responder().seal(PING);
        assertForwarded(b.send(ba), ba, a.endpoint);
        assertArrayEquals(PING, link.initiator().open(ba));
    }

    // ------------------------------------------------------------------ registration

    @Test
    void aHandshakeWithTheRelayRegistersOnceConfirmedAndRecordsTheMappedEndpoint() {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001");
        TestInitiator.Pending p = a.initiateToRelay();
        List<Send> out = a.send(p.message);
        assertEquals(1, out.size());
        assertEquals(WireFormat.TYPE_RESPONSE, WireFormat.classify(out.get(0).datagram()));
        TestInitiator.TestSession s = a.wg.consumeResponse(p, out.get(0).datagram());
        assertNotNull(s);
        assertTrue(f.relay.client(a.key()).isEmpty(), "not registered before the key confirmation");

        assertEquals(List.of(), a.send(s.keepalive()));
        ClientInfo info = f.relay.client(a.key()).orElseThrow();
        assertEquals(a.endpoint, info.endpoint());
        assertEquals(f.now, info.registeredAtNanos());
        assertEquals(List.of(info), f.relay.clients());
        RelayStats st = f.relay.stats();
        assertEquals(1, st.handshakesAnswered());
        assertEquals(1, st.registrations());
        assertEquals(1, st.ownTransport());
        assertEquals(1, st.clients());
    }

    @Test
    void probesAreAnsweredWithTheNonceAndTheObservedSourceInAReplyOfTheSameSize() {
        RelayFixture f = new RelayFixture();
        byte[] nonce = new byte[Probe.NONCE_LENGTH];
        java.util.Arrays.fill(nonce, (byte) 7);
        IpEndpoint from = IpEndpoint.parse("198.51.100.2:40001");
        List<Send> out = f.relay.onDatagram(f.now, from, Probe.request(nonce));
        assertEquals(1, out.size());
        assertEquals(from, out.get(0).destination());
        assertEquals(Probe.LENGTH, out.get(0).datagram().length);
        Probe.Reply r = Probe.parseReply(out.get(0).datagram(), Probe.LENGTH);
        assertNotNull(r);
        assertArrayEquals(nonce, r.nonce());
        assertEquals(from, r.observed());
        IpEndpoint six = IpEndpoint.parse("[2001:db8::2]:40001");
        assertEquals(six, Probe.parseReply(f.relay.onDatagram(f.now, six, Probe.request(nonce)).get(0).datagram(),
                Probe.LENGTH).observed());
        assertEquals(2, f.relay.probesAnswered());
        // anything else of that size, or a request of another size, is not a probe
        byte[] longer = java.util.Arrays.copyOf(Probe.request(nonce), Probe.LENGTH + 1);
        assertDropped(f.relay.onDatagram(f.now, from, longer));
        assertEquals(null, Probe.parseReply(Probe.request(nonce), Probe.LENGTH));
    }

    @Test
    void theAdmissionCallbackDecidesWhoRegisters() {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001");
        f.refused.add(a.key());
        assertDropped(a.send(a.initiateToRelay().message));
        assertEquals(1, dropped(f, Drop.NOT_ADMITTED));
        assertTrue(f.relay.clients().isEmpty());
        f.refused.clear();
        f.advance(Duration.ofSeconds(1));
        a.register();
        assertTrue(f.relay.client(a.key()).isPresent());
    }

    @Test
    void theRelayCanSealKeepalivesForItsClients() {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001").register();
        Send k = f.relay.keepalive(f.now, a.key()).orElseThrow();
        assertEquals(a.endpoint, k.destination());
        assertEquals(WireFormat.TRANSPORT_MIN_LENGTH, k.datagram().length);
        assertArrayEquals(new byte[0], a.relaySession.open(k.datagram()));
        assertTrue(f.relay.keepalive(f.now, f.peer("198.51.100.9:1").key()).isEmpty());
    }

    @Test
    void reRegistrationKeepsAtMostThreeSessionsPerClient() {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001");
        for (int i = 0; i < 10; i++) {
            a.register();
            f.advance(Duration.ofSeconds(1));
        }
        assertTrue(f.relay.ownSessionCount() <= 3, "sessions: " + f.relay.ownSessionCount());
        assertEquals(1, f.relay.stats().registrations(), "one client, registered once");
        assertEquals(10, f.relay.stats().handshakesAnswered());
    }

    // ------------------------------------------------------------------ forwarding

    @Test
    void forwardsHandshakesAndDataBetweenMutuallyAllowedClientsInEitherDirection() throws Exception {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("198.51.100.3:40002").register();
        f.allowBoth(a, b);

        Link ab = f.handshake(a, b);
        exchange(a, b, ab);
        Link ba = f.handshake(b, a); // the other side initiates too
        exchange(b, a, ba);
        exchange(a, b, ab); // both sessions live side by side

        RelayStats st = f.relay.stats();
        assertEquals(2, st.forwarded(WireFormat.TYPE_INITIATION));
        assertEquals(2, st.forwarded(WireFormat.TYPE_RESPONSE));
        assertEquals(6, st.forwarded(WireFormat.TYPE_TRANSPORT));
        assertEquals(2 * 148 + 2 * 92 + 6 * (16 + PING.length + 16), st.forwardedBytes());
        assertEquals(4, st.routes());
        assertEquals(0, st.pendingRoutes());
        assertEquals(0, st.droppedTotal());
    }

    @Test
    void routesInitiationsByMac1AmongSeveralPeers() throws Exception {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer[] others = new Peer[5];
        for (int i = 0; i < others.length; i++) {
            others[i] = f.peer("198.51.100." + (10 + i) + ":51820").register();
            f.allowBoth(a, others[i]);
        }
        for (Peer o : others) {
            exchange(a, o, f.handshake(a, o));
        }
        exchange(others[3], a, f.handshake(others[3], a));
    }

    @Test
    void forwardsOnlyWhenBothAskedForEachOther() {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("198.51.100.3:40002").register();
        f.relay.allow(a.key(), b.key()); // b never asked for a
        assertFalse(f.relay.mutuallyAllowed(a.key(), b.key()));
        assertDropped(a.send(a.wg.initiate(b.key(), a.nextTimestamp(), 1, f.random).message));
        assertDropped(b.send(b.wg.initiate(a.key(), b.nextTimestamp(), 2, f.random).message));
        assertEquals(2, dropped(f, Drop.NO_ROUTE));
        assertEquals(0, f.relay.stats().forwardedTotal());
    }

    @Test
    void anUnregisteredKeyGetsNothingForwarded() throws Exception {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("198.51.100.3:40002").register();
        Peer c = f.peer("198.51.100.4:40003"); // authorized both ways, but never registered
        f.allowBoth(a, b);
        f.allowBoth(a, c);
        Link ab = f.handshake(a, b);

        assertDropped(c.send(c.wg.initiate(a.key(), c.nextTimestamp(), 7, f.random).message));
        assertDropped(c.send(ab.initiator().seal(PING))); // a valid index and packet, from the wrong source
        byte[] response = WireFormat.header(2, 92);
        WireFormat.putIntLE(response, WireFormat.RESPONSE_RECEIVER_OFFSET, ab.initiator().localIndex);
        assertDropped(c.send(response));
        assertEquals(3, dropped(f, Drop.UNKNOWN_SOURCE));
        // and nothing is forwarded to it either
        assertDropped(a.send(a.wg.initiate(c.key(), a.nextTimestamp(), 8, f.random).message));
        assertEquals(1, dropped(f, Drop.NO_ROUTE));
        assertEquals(2, f.relay.stats().forwardedTotal(), "only a and b's handshake");
    }

    @Test
    void aClientThatNeverConfirmedItsHandshakeIsNotForwardedTo() {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("198.51.100.3:40002");
        f.allowBoth(a, b);
        assertEquals(1, b.send(b.initiateToRelay().message).size()); // answered, but b never sends a keepalive
        assertDropped(a.send(a.wg.initiate(b.key(), a.nextTimestamp(), 1, f.random).message));
        f.advance(Duration.ofSeconds(16));
        assertEquals(1, f.relay.clientTableSize(), "the unconfirmed client was forgotten after the handshake timeout");
    }

    @Test
    void revokingEitherSideStopsForwardingAtOnce() throws Exception {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("198.51.100.3:40002").register();
        f.allowBoth(a, b);
        Link link = f.handshake(a, b);
        exchange(a, b, link);
        f.relay.revoke(b.key(), a.key());
        assertDropped(a.send(link.initiator().seal(PING)));
        assertDropped(b.send(link.responder().seal(PING)));
        assertEquals(2, dropped(f, Drop.NOT_AUTHORIZED));
        f.relay.allow(b.key(), a.key());
        f.advance(Duration.ofSeconds(1));
        Link again = f.handshake(a, b);
        exchange(a, b, again);
        f.relay.setAllowed(a.key(), Set.of());
        assertDropped(b.send(again.responder().seal(PING)));
    }

    @Test
    void cookieRepliesPassThroughAndTheRetryWithMac2IsForwarded() throws Exception {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("198.51.100.3:40002").register();
        f.allowBoth(a, b);
        TestInitiator.Pending p = a.wg.initiate(b.key(), a.nextTimestamp(), 99, f.random);
        assertForwarded(a.send(p.message), p.message, b.endpoint);
        // b is under load: it answers with a cookie reply instead of a response
        CookieJar bCookies = new CookieJar(b.key(), f.random);
        byte[] reply = bCookies.reply(p.message, WireFormat.TYPE_INITIATION, a.endpoint, f.now);
        assertForwarded(b.send(reply), reply, a.endpoint);
        byte[] cookie = TestInitiator.openCookieReply(p, reply);
        assertNotNull(cookie, "a opens the cookie reply the relay passed through");
        TestInitiator.Pending retry = a.wg.initiate(b.key(), a.nextTimestamp(), 100, f.random, cookie);
        assertForwarded(a.send(retry.message), retry.message, b.endpoint);
        assertTrue(bCookies.mac2Valid(retry.message, WireFormat.TYPE_INITIATION, a.endpoint, f.now));
        assertEquals(1, f.relay.stats().forwarded(WireFormat.TYPE_COOKIE_REPLY));
        // a cookie reply nobody asked for goes nowhere
        byte[] stray = reply.clone();
        WireFormat.putIntLE(stray, WireFormat.COOKIE_RECEIVER_OFFSET, 12345);
        assertDropped(b.send(stray));
    }

    @Test
    void aResponseMustCarryMac1ForTheInitiator() {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("198.51.100.3:40002").register();
        f.allowBoth(a, b);
        TestInitiator.Pending p = a.wg.initiate(b.key(), a.nextTimestamp(), 5, f.random);
        assertForwarded(a.send(p.message), p.message, b.endpoint);
        byte[] forged = WireFormat.header(2, 92);
        WireFormat.putIntLE(forged, WireFormat.SENDER_OFFSET, 6);
        WireFormat.putIntLE(forged, WireFormat.RESPONSE_RECEIVER_OFFSET, 5);
        Macs.writeMac1(b.key(), forged); // keyed for the wrong peer
        assertDropped(b.send(forged));
        assertEquals(1, dropped(f, Drop.BAD_MAC));
        Macs.writeMac1(a.key(), forged);
        assertForwarded(b.send(forged), forged, a.endpoint);
    }

    @Test
    void ipv6EndpointsWorkAndMixWithIpv4() throws Exception {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("[2001:db8::1]:51820").register();
        Peer b = f.peer("[2001:db8:1::2]:51820").register();
        Peer c = f.peer("203.0.113.7:51820").register();
        f.allowBoth(a, b);
        f.allowBoth(a, c);
        exchange(a, b, f.handshake(a, b));
        exchange(c, a, f.handshake(c, a));
        assertEquals(IpEndpoint.parse("[2001:db8::1]:51820"), f.relay.client(a.key()).orElseThrow().endpoint());
    }

    // ------------------------------------------------------------------ roaming and replays

    @Test
    void anAuthenticatedKeepaliveFromANewEndpointMovesTheClient() throws Exception {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("198.51.100.3:40002").register();
        f.allowBoth(a, b);
        Link link = f.handshake(a, b);
        a.endpoint = IpEndpoint.parse("198.51.100.2:40999"); // a's NAT remapped it
        byte[] data = link.responder().seal(PING);
        assertForwarded(b.send(data), data, IpEndpoint.parse("198.51.100.2:40001")); // the relay does not know yet
        assertDropped(a.send(link.initiator().seal(PING))); // unauthenticated traffic from the new port
        assertEquals(List.of(), a.keepalive());
        assertEquals(a.endpoint, f.relay.client(a.key()).orElseThrow().endpoint());
        exchange(a, b, link);
    }

    @Test
    void replayedPacketsFromElsewhereNeitherRegisterNorMoveAClient() {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001");
        TestInitiator.Pending p = a.initiateToRelay();
        TestInitiator.TestSession s = a.wg.consumeResponse(p, a.send(p.message).get(0).datagram());
        byte[] keepalive = s.keepalive();
        assertEquals(List.of(), a.send(keepalive));
        IpEndpoint attacker = IpEndpoint.parse("203.0.113.66:6666");
        f.advance(Duration.ofSeconds(1));
        assertDropped(f.relay.onDatagram(f.now, attacker, keepalive));
        assertEquals(1, dropped(f, Drop.SESSION_REJECTED));
        assertDropped(f.relay.onDatagram(f.now, attacker, p.message));
        assertEquals(1, dropped(f, Drop.HANDSHAKE_REJECTED), "the replayed initiation's timestamp is old");
        assertEquals(a.endpoint, f.relay.client(a.key()).orElseThrow().endpoint());
    }

    @Test
    void aReplayedInitiationTheRelayForgotStillCannotBindAnEndpoint() {
        // a fresh relay with the same key has no timestamp for `a`: the old initiation is answered, but the
        // replayer cannot send the confirming keepalive, so `a` is never bound to the replayer's address
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001");
        TestInitiator.Pending p = a.initiateToRelay();
        Relay fresh = new Relay(f.relayKey, RelaySettings.defaults(), k -> true, f.random);
        IpEndpoint attacker = IpEndpoint.parse("203.0.113.66:6666");
        assertEquals(1, fresh.onDatagram(f.now, attacker, p.message).size());
        assertTrue(fresh.clients().isEmpty());
        assertDropped(fresh.onDatagram(f.now, attacker, WireFormat.header(4, 32)));
        assertTrue(fresh.clients().isEmpty());
    }

    // ------------------------------------------------------------------ expiry

    @Test
    void clientsExpireWithoutKeepalivesAndStayWithThem() {
        RelaySettings s = RelaySettings.builder().clientIdleTimeout(Duration.ofSeconds(60)).build();
        RelayFixture f = new RelayFixture(s, 7);
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("198.51.100.3:40002").register();
        for (int i = 0; i < 10; i++) {
            f.advance(Duration.ofSeconds(25));
            assertEquals(List.of(), a.keepalive());
            if (i % 5 == 4) {
                a.register(); // WireGuard re-keys every two minutes
            }
        }
        assertTrue(f.relay.client(a.key()).isPresent(), "kept alive for 250 s");
        assertTrue(f.relay.client(b.key()).isEmpty(), "silent for 250 s");
        assertDropped(b.keepalive());
        assertEquals(1, f.relay.stats().clients());
        assertTrue(f.relay.ownSessionCount() <= 3);
    }

    @Test
    void aRouteWithoutAResponseExpiresAfterTheHandshakeTimeout() {
        RelayFixture f = new RelayFixture();
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("198.51.100.3:40002").register();
        f.allowBoth(a, b);
        TestInitiator.Pending p = a.wg.initiate(b.key(), a.nextTimestamp(), 5, f.random);
        a.send(p.message);
        assertEquals(1, f.relay.stats().pendingRoutes());
        f.advance(Duration.ofSeconds(16));
        a.keepalive();
        b.keepalive();
        assertEquals(0, f.relay.stats().pendingRoutes());
        byte[] late = WireFormat.header(2, 92);
        WireFormat.putIntLE(late, WireFormat.RESPONSE_RECEIVER_OFFSET, 5);
        Macs.writeMac1(a.key(), late);
        assertDropped(b.send(late));
        assertEquals(1, dropped(f, Drop.NO_ROUTE));
    }

    @Test
    void idleRoutesExpireAndUsedOnesStay() throws Exception {
        RelaySettings s = RelaySettings.builder().routeIdleTimeout(Duration.ofSeconds(30)).build();
        RelayFixture f = new RelayFixture(s, 8);
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("198.51.100.3:40002").register();
        f.allowBoth(a, b);
        Link used = f.handshake(a, b);
        Link idle = f.handshake(b, a);
        for (int i = 0; i < 6; i++) {
            f.advance(Duration.ofSeconds(10));
            exchange(a, b, used);
        }
        assertEquals(2, f.relay.stats().routes(), "the idle link's two routes are gone");
        assertDropped(b.send(idle.initiator().seal(PING)));
    }

    // ------------------------------------------------------------------ bounds

    @Test
    void theClientTableIsBounded() {
        RelaySettings s = RelaySettings.builder().maxClients(3).build();
        RelayFixture f = new RelayFixture(s, 9);
        for (int i = 0; i < 3; i++) {
            f.peer("198.51.100." + (2 + i) + ":51820").register();
        }
        Peer late = f.peer("198.51.100.9:51820");
        assertDropped(late.send(late.initiateToRelay().message));
        assertEquals(1, dropped(f, Drop.TABLE_FULL));
        f.advance(s.clientIdleTimeout().plusSeconds(1));
        late.register();
        assertEquals(1, f.relay.stats().clients());
    }

    @Test
    void routeTablesAndPerClientQuotasAreBounded() {
        RelaySettings s = RelaySettings.builder().maxRoutes(8).maxRoutesPerClient(5)
                .clientHandshakeRate(1000, 1000).build();
        RelayFixture f = new RelayFixture(s, 10);
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("198.51.100.3:40002").register();
        Peer c = f.peer("198.51.100.4:40003").register();
        f.allowBoth(a, b);
        f.allowBoth(c, b);
        for (int i = 0; i < 20; i++) {
            a.send(a.wg.initiate(b.key(), a.nextTimestamp(), i, f.random).message);
        }
        assertEquals(5, f.relay.stats().pendingRoutes(), "a's quota");
        assertEquals(15, dropped(f, Drop.TABLE_FULL));
        for (int i = 0; i < 20; i++) {
            c.send(c.wg.initiate(b.key(), c.nextTimestamp(), 100 + i, f.random).message);
            assertTrue(f.relay.stats().pendingRoutes() <= 8);
        }
        assertEquals(8, f.relay.stats().pendingRoutes(), "the table bound (oldest out)");
    }

    @Test
    void perSourceHandshakeBucketsAreBounded() {
        RelaySettings s = RelaySettings.builder().maxSources(16).build();
        RelayFixture f = new RelayFixture(s, 11);
        Peer a = f.peer("198.51.100.2:40001");
        byte[] garbage = WireFormat.header(1, 148);
        Macs.writeMac1(f.relay.publicKey(), garbage); // for the relay, but undecryptable
        for (int i = 0; i < 1000; i++) {
            f.relay.onDatagram(f.now, IpEndpoint.parse("203.0.113." + (i % 250) + ":" + (1000 + i)), garbage);
        }
        assertEquals(16, f.relay.sourceTableSize());
        f.advance(Duration.ofSeconds(3)); // the flood put the relay under load; let it pass
        a.register();
    }

    @Test
    void authorizationSetsAreBounded() {
        RelaySettings s = RelaySettings.builder().maxPeersPerClient(2).maxAuthorizedKeys(3).build();
        RelayFixture f = new RelayFixture(s, 12);
        Peer[] p = new Peer[5];
        for (int i = 0; i < p.length; i++) {
            p[i] = f.peer("198.51.100." + (2 + i) + ":51820");
        }
        f.relay.allow(p[0].key(), p[1].key());
        f.relay.allow(p[0].key(), p[2].key());
        f.relay.allow(p[0].key(), p[2].key()); // idempotent
        assertThrows(IllegalStateException.class, () -> f.relay.allow(p[0].key(), p[3].key()));
        f.relay.allow(p[1].key(), p[0].key());
        f.relay.allow(p[2].key(), p[0].key());
        assertThrows(IllegalStateException.class, () -> f.relay.allow(p[3].key(), p[0].key()));
        f.relay.revoke(p[2].key(), p[0].key());
        f.relay.allow(p[3].key(), p[0].key()); // p[2]'s empty set was removed
        assertThrows(IllegalArgumentException.class, () -> f.relay.allow(p[4].key(), p[4].key()));
    }

    // ------------------------------------------------------------------ rate limits

    @Test
    void perClientRateLimitsDropTheExcessAndRefill() throws Exception {
        RelaySettings s = RelaySettings.builder().clientPacketRate(100, 10).build();
        RelayFixture f = new RelayFixture(s, 13);
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("198.51.100.3:40002").register();
        f.allowBoth(a, b);
        Link link = f.handshake(a, b);
        f.advance(Duration.ofSeconds(1));
        int forwarded = 0;
        for (int i = 0; i < 50; i++) {
            forwarded += a.send(link.initiator().seal(PING)).size();
        }
        assertEquals(10, forwarded, "the burst");
        assertEquals(40, dropped(f, Drop.RATE_LIMITED));
        Link back = f.handshake(b, a);
        byte[] ba = back.initiator().seal(PING);
        assertForwarded(b.send(ba), ba, a.endpoint); // b's own budget is untouched
        f.advance(Duration.ofMillis(100));
        assertEquals(1, a.send(link.initiator().seal(PING)).size(), "refilled");
    }

    @Test
    void forwardedHandshakesAreRateLimitedPerClient() {
        RelaySettings s = RelaySettings.builder().clientHandshakeRate(1, 3).build();
        RelayFixture f = new RelayFixture(s, 14);
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("198.51.100.3:40002").register();
        f.allowBoth(a, b);
        int forwarded = 0;
        for (int i = 0; i < 10; i++) {
            forwarded += a.send(a.wg.initiate(b.key(), a.nextTimestamp(), i, f.random).message).size();
        }
        assertEquals(3, forwarded);
        assertEquals(7, dropped(f, Drop.RATE_LIMITED));
    }

    @Test
    void underLoadTheRelayDemandsACookieAndAcceptsItInMac2() {
        RelaySettings s = RelaySettings.builder().underLoadHandshakes(2).build();
        RelayFixture f = new RelayFixture(s, 15);
        f.peer("198.51.100.2:1").register();
        f.peer("198.51.100.3:1").register();
        Peer c = f.peer("198.51.100.4:1");
        TestInitiator.Pending p = c.initiateToRelay();
        List<Send> out = c.send(p.message);
        assertEquals(1, out.size());
        byte[] reply = out.get(0).datagram();
        assertEquals(WireFormat.TYPE_COOKIE_REPLY, WireFormat.classify(reply));
        assertEquals(p.senderIndex, WireFormat.receiverIndex(reply, WireFormat.TYPE_COOKIE_REPLY));
        assertEquals(1, f.relay.stats().cookieRepliesSent());
        byte[] cookie = TestInitiator.openCookieReply(p, reply);
        assertNotNull(cookie);
        TestInitiator.Pending retry = c.wg.initiate(f.relay.publicKey(), c.nextTimestamp(), 77, f.random, cookie);
        out = c.send(retry.message);
        assertEquals(WireFormat.TYPE_RESPONSE, WireFormat.classify(out.get(0).datagram()));
        TestInitiator.TestSession session = c.wg.consumeResponse(retry, out.get(0).datagram());
        assertNotNull(session);
        c.send(session.keepalive());
        assertTrue(f.relay.client(c.key()).isPresent());
        // a cookie is bound to the source address
        Peer d = f.peer("198.51.100.5:1");
        TestInitiator.Pending stolen = d.wg.initiate(f.relay.publicKey(), d.nextTimestamp(), 78, f.random, cookie);
        assertEquals(WireFormat.TYPE_COOKIE_REPLY, WireFormat.classify(d.send(stolen.message).get(0).datagram()));
        // the load passes
        f.advance(Duration.ofSeconds(3));
        Peer e = f.peer("198.51.100.6:1").register();
        assertTrue(f.relay.client(e.key()).isPresent());
    }

    @Test
    void ownHandshakesAreRateLimitedPerSourceAddressBeforeAnyDiffieHellman() {
        RelaySettings s = RelaySettings.builder().sourceHandshakeRate(1, 2).build();
        RelayFixture f = new RelayFixture(s, 16);
        Peer a = f.peer("198.51.100.2:40001");
        int answered = 0;
        for (int i = 0; i < 5; i++) {
            answered += a.send(a.initiateToRelay().message).size();
            f.advance(Duration.ofMillis(30)); // past the responder's 20 ms flood limit, within the bucket's
        }
        assertEquals(2, answered);
        assertEquals(3, dropped(f, Drop.RATE_LIMITED));
        assertEquals(2, f.relay.stats().handshakesAnswered());
    }
}
