package io.wirelink.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.agent.core.AgentCoreTest.Node;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.HostNetwork;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactValue;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.SignedGroupValue;
import io.wirelink.facts.SignedGroups;
import io.wirelink.facts.store.FactStore;
import io.wirelink.linklocal.LinkLocal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The driver's scheduling with injected time: what each input and tick runs (a full pass or a quick step) and which
 * wakes it asks the host to set. The cores are real; their world is {@link AgentCoreTest}'s.
 */
class DriverTest {
    static final Instant T0 = AgentCoreTest.T0;
    final AgentCoreTest world = new AgentCoreTest();

    private static Driver.Wake only(List<Driver.Wake> wakes, Driver.Cause cause) {
        List<Driver.Wake> of = wakes.stream().filter(w -> w.cause() == cause).toList();
        assertEquals(1, of.size(), wakes.toString());
        return of.get(0);
    }

    private static boolean none(List<Driver.Wake> wakes, Driver.Cause cause) {
        return wakes.stream().noneMatch(w -> w.cause() == cause);
    }

    /** 250 peers: the pass gap (125 ms) is longer than the debounce. */
    private Node big() {
        List<PeerState> many = new ArrayList<>();
        Random r = new Random(5);
        for (int i = 0; i < 250; i++) {
            byte[] k = new byte[32];
            r.nextBytes(k);
            many.add(AgentCoreTest.peer(PrivateKey.of(k).publicKey(), null, "10.98." + (i / 200) + "." + (i % 200)
                    + "/32"));
        }
        Node big = world.node("big", 7, "203.0.113.7:51820", "203.0.113.7/24", "10.98.0.250/16",
                AgentCoreTest.config(List.of()), many.toArray(new PeerState[0]));
        big.core.host(List.of(new HostNetwork.Link(2, "eth0", true, 1500, null)), big.addrs);
        return big;
    }

    @Test
    void theFirstPassSetsTheAntiEntropyWakeWhichKeepsItsRhythmWhenATickIsLate() {
        Node big = big();
        Driver d = new Driver(big.core);
        Duration ae = CoreSettings.DEFAULTS.gossip().antiEntropy();
        Driver.Tick first = d.start(big.device, T0);
        assertTrue(first.passed());
        Driver.Wake tick = only(first.wakes(), Driver.Cause.ANTI_ENTROPY);
        assertEquals(T0.plus(ae), tick.at());
        Instant late = tick.at().plusMillis(300);
        Driver.Tick second = d.tick(tick, big.device, late);
        assertTrue(second.passed(), "the anti-entropy tick is a full pass");
        assertEquals(T0.plus(ae.multipliedBy(2)), only(second.wakes(), Driver.Cause.ANTI_ENTROPY).at(),
                "counted from when it was due, not from when it ran");
    }

    @Test
    void aPassWantedWithinTheGapWaitsForItAndOwedWorkMeanwhileIsAQuickStep() {
        Node big = big();
        Driver d = new Driver(big.core);
        long passes = big.core.counters().passes;
        d.start(big.device, T0);
        Instant allowed = T0.plus(Driver.PASS_GAP_PER_PEER.multipliedBy(250));
        assertEquals(Duration.ofMillis(125), Duration.between(T0, allowed));
        assertEquals(allowed, d.passAllowedAt());
        Instant now = T0.plusMillis(1);
        // the addresses changed: the core wants a pass, and the step waits for the gap rather than the debounce
        Driver.Fed fed = d.input(new Input.HostRead(List.of(), List.of()), now);
        Driver.Wake step = fed.wake().orElseThrow();
        assertEquals(new Driver.Wake(allowed, Driver.Cause.STEP), step);
        assertEquals(Optional.empty(), d.input(new Input.HostRead(List.of(), List.of(big.addrs.get(0))), now)
                .wake(), "one step at a time");
        // a timer that fires early (or a wake for something else) runs a quick step, and the pass is asked again
        Driver.Tick early = d.tick(step, T0.plusMillis(60));
        assertFalse(early.passed());
        assertEquals(passes + 1, big.core.counters().passes, "only the first pass ran");
        assertEquals(new Driver.Wake(allowed, Driver.Cause.STEP), only(early.wakes(), Driver.Cause.STEP));
        Driver.Tick atGap = d.tick(only(early.wakes(), Driver.Cause.STEP), allowed);
        assertTrue(atGap.passed());
        assertEquals(passes + 2, big.core.counters().passes);
        assertTrue(none(atGap.wakes(), Driver.Cause.STEP), "nothing left to do: " + atGap.wakes());
    }

    /** The hub and two leaves after 5 s, and a driver for leaf a that has folded what the world delivered to it. */
    private Driver settledLeaf() {
        world.hubAndTwoLeaves();
        world.run(5);
        Driver d = new Driver(world.a.core);
        Instant now = world.clock.now();
        d.tick(new Driver.Wake(now, Driver.Cause.PASS), world.a.device, now);
        return d;
    }

    @Test
    void aBurstOfDatagramsIsFoldedByOnePassOneDebounceAfterTheFirst() {
        Driver d = settledLeaf();
        Node a = world.a;
        Node hub = world.hub;
        Instant now = world.clock.now();
        long passes = a.core.counters().passes;
        SignedGroups hubGroups = new SignedGroups(hub.key, 16);
        IpEndpoint src = new IpEndpoint(LinkLocal.address(hub.pub()), 51821);
        List<Driver.Wake> asked = new ArrayList<>();
        Instant first = now.plusMillis(200);
        for (int i = 0; i < 5; i++) {
            Instant at = first.plusMillis(i * 5);
            Fact f = Fact.allowedIp(hub.pub(), IpPrefix.parse("10.77." + i + ".0/24"), at.plusSeconds(60));
            byte[] data = hubGroups.seal(2, a.pub(), List.of(f), at, new Random(i)).get(0);
            Driver.Fed fed = d.input(new Input.Datagram(src, data), at);
            assertTrue(fed.news(), "each datagram brings a new fact");
            assertEquals(Optional.empty(), fed.dropped());
            fed.wake().ifPresent(asked::add);
        }
        assertEquals(List.of(new Driver.Wake(first.plus(Driver.DEBOUNCE), Driver.Cause.STEP)), asked,
                "one step, a debounce after the first datagram");
        Driver.Tick t = d.tick(asked.get(0), a.device, asked.get(0).at());
        assertTrue(t.passed());
        assertEquals(passes + 1, a.core.counters().passes, "one pass for the burst");
    }

    @Test
    void anAckRequestThatBringsNothingNewIsAnsweredByAQuickStepNotAPass() {
        Driver d = settledLeaf();
        Node a = world.a;
        Node hub = world.hub;
        Instant now = world.clock.now().plusMillis(100);
        // the hub's Alive again (same boot ID): nothing new for a, but the datagram asks for an Ack
        Fact alive = Fact.alive(hub.pub(), hub.core.bootId(), now.plusSeconds(30));
        SignedGroups hubGroups = new SignedGroups(hub.key, 16);
        SignedGroups.Sealed sealed = hubGroups.sealTracked(2, a.pub(), List.of(alive), now, new Random(9),
                SignedGroupValue.FLAG_ACK_REQUEST).get(0);
        IpEndpoint src = new IpEndpoint(LinkLocal.address(hub.pub()), 51821);
        Driver.Fed fed = d.input(new Input.Datagram(src, sealed.datagram()), now);
        assertFalse(fed.news());
        assertEquals(Optional.empty(), fed.dropped(), "not dropped: nothing new");
        Driver.Wake step = fed.wake().orElseThrow(() -> new AssertionError("an Ack is owed: a step"));
        assertEquals(now.plus(Driver.DEBOUNCE), step.at());
        long passes = a.core.counters().passes;
        Driver.Tick q = d.tick(step, step.at());
        assertFalse(q.passed());
        assertEquals(passes, a.core.counters().passes, "no pass");
        assertEquals(1, a.core.counters().quickPasses);
        assertTrue(q.actions().change().isEmpty());
        assertEquals(1, q.actions().datagrams().size(), q.actions().datagrams().toString());
        AgentCore.Outgoing o = q.actions().datagrams().get(0);
        assertEquals(hub.pub(), o.peer());
        SignedGroups.Opened back = hubGroups.open(o.payload(), step.at());
        assertTrue(back.verified());
        assertEquals(List.of(new FactValue.Acks(List.of(sealed.id()))), back.facts().stream().map(Fact::value)
                .toList(), "only the Ack");
        assertTrue(none(q.wakes(), Driver.Cause.STEP), "nothing owed any more");
    }

    @Test
    void aDroppedDatagramSaysWhyAndAsksForNothing() {
        Driver d = settledLeaf();
        Instant now = world.clock.now();
        Driver.Fed fed = d.input(new Input.Datagram(new IpEndpoint(LinkLocal.address(world.hub.pub()), 51821),
                new byte[] {1, 2, 3}), now);
        assertEquals(Optional.of(AgentCore.Received.MALFORMED), fed.dropped());
        assertFalse(fed.news());
        assertEquals(Optional.empty(), fed.wake());
    }

    @Test
    void theNextWakeIsTheEarliestDueTimeAndAWakeAlreadySetIsNotSetAgain() {
        world.hubAndTwoLeaves();
        Node a = world.a;
        // a has sent an initiation to the hub (a router) and heard nothing: first contact is retried in 1 s
        PeerState hubOnA = a.device.peers().get(0);
        a.device = new DeviceState("wg0", a.pub(), 51820, 0, List.of(new PeerState(hubOnA.publicKey(), false,
                hubOnA.endpoint(), hubOnA.allowedIps(), Instant.EPOCH, 0, 148, 0)));
        // nonces of its own: the seeds of AgentCoreTest's nodes recur in other tests, and BouncyCastle refuses to seal
        // twice in a row under one key and nonce on a thread (the group signer's cipher is per thread)
        a.core = new AgentCore(a.key, AgentCoreTest.config(List.of()), FactStore.inMemory(FactStore.Options.DEFAULTS),
                CoreSettings.DEFAULTS, new Random(202), T0, new UUID(2, 2));
        a.core.host(List.of(), a.addrs);
        Driver d = new Driver(a.core);
        Driver.Tick first = d.start(a.device, T0);
        Instant retry = T0.plus(io.wirelink.detect.FirstContact.RETRIES.get(0));
        assertEquals(new Driver.Wake(retry, Driver.Cause.WAKE), only(first.wakes(), Driver.Cause.WAKE));
        assertEquals(retry, first.nextWake(), "earlier than the anti-entropy tick");
        // a step before it: the wake already set covers the same instant
        Instant soon = T0.plusMillis(300);
        Driver.Tick step = d.tick(new Driver.Wake(soon, Driver.Cause.STEP), a.device, soon);
        assertTrue(none(step.wakes(), Driver.Cause.WAKE), step.wakes().toString());
        // the wake: the retry is due, so a full pass re-adds the peer, and the next retry is 2 s later
        Driver.Tick woken = d.tick(new Driver.Wake(retry, Driver.Cause.WAKE), a.device, retry);
        assertTrue(woken.passed());
        assertTrue(woken.actions().reasons().stream().anyMatch(r -> r.contains("re-added")), woken.actions()
                .reasons().toString());
        assertEquals(retry.plus(io.wirelink.detect.FirstContact.RETRIES.get(1)), only(woken.wakes(),
                Driver.Cause.WAKE).at());
    }
}
