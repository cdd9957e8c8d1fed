package io.wirelink.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.BootCapability;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactValue;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.MemberMetadata;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.SignedGroupValue;
import io.wirelink.facts.SignedGroups;
import io.wirelink.facts.store.FactEvent;
import io.wirelink.facts.store.FactStore;
import io.wirelink.linklocal.LinkLocal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;

/** Each stage of the inbound pipeline and each drop reason, on real sealed groups, with injected time. */
class InboundPipelineTest {
    static final Instant T0 = GossipTest.T0;
    static final PrivateKey ME = key(1);
    static final PrivateKey PEER = key(2);
    static final PrivateKey OTHER = key(3);
    static final PrivateKey STRANGER = key(4);
    /** The key object the agent holds for OTHER (a device peer's). */
    static final PublicKey OTHER_HELD = OTHER.publicKey();

    static PrivateKey key(int n) {
        byte[] b = new byte[32];
        java.util.Arrays.fill(b, (byte) (n * 17));
        return PrivateKey.of(b);
    }

    final FactStore store = FactStore.inMemory(FactStore.Options.DEFAULTS);
    final Knowledge knowledge = new Knowledge(16, 256);
    final Delivery delivery = new Delivery(16, 16);
    final GossipPeers peers = new GossipPeers();
    final Set<PublicKey> known = new HashSet<>(Set.of(PEER.publicKey(), OTHER.publicKey()));
    /** What the agent's trust policy believes; everything unless a test says otherwise. */
    BiPredicate<Fact, PublicKey> believes = (f, s) -> true;
    int trustAsked;
    final List<String> calls = new ArrayList<>();
    final InboundPipeline pipeline = new InboundPipeline(ME.publicKey(), new SignedGroups(ME, 16), store, knowledge,
            delivery, peers, new InboundPipeline.Hooks() {
                @Override
                public InboundPipeline.Trust trust(Instant now) {
                    trustAsked++;
                    return new InboundPipeline.Trust() {
                        @Override
                        public boolean knows(PublicKey signer) {
                            return known.contains(signer);
                        }

                        @Override
                        public boolean believes(Fact f, PublicKey signer) {
                            return believes.test(f, signer);
                        }
                    };
                }

                @Override
                public PublicKey heldKey(PublicKey k) {
                    return k.equals(OTHER_HELD) ? OTHER_HELD : null;
                }

                @Override
                public void punchRequest(PublicKey signer, Fact f, Instant now) {
                    calls.add("punch " + f.subject().equals(ME.publicKey()) + " " + now);
                }
            });

    static IpEndpoint from(PrivateKey k) {
        return new IpEndpoint(LinkLocal.address(k.publicKey()), 51821);
    }

    /** One source for every group's nonce in every test: a key and nonce pair is never reused. */
    static final Random NONCES = new Random(7);

    byte[] group(PrivateKey signer, int version, int flags, Fact... facts) {
        return new SignedGroups(signer, 4).sealTracked(version, ME.publicKey(), List.of(facts), T0, NONCES, flags)
                .get(0).datagram();
    }

    static Fact endpoint(int n) {
        return Fact.endpoint(OTHER.publicKey(), IpEndpoint.parse("198.51.100." + n + ":51820"), T0.plusSeconds(255));
    }

    InboundPipeline.Result receive(PrivateKey signer, Fact... facts) {
        return pipeline.receive(from(signer), group(signer, 2, 0, facts), T0);
    }

    @Test
    void malformedBytesAreDroppedWholeBeforeTrustIsAsked() {
        InboundPipeline.Result r = pipeline.receive(from(PEER), new byte[] {1, 2, 3}, T0);
        assertEquals(Drop.MALFORMED, r.rejected());
        assertEquals(1, r.count(Drop.MALFORMED));
        assertFalse(r.news());
        assertEquals(0, trustAsked);
        assertEquals(0, store.size());
    }

    @Test
    void aStrangersGroupIsAnUnknownSignersWhateverItsTag() {
        byte[] d = group(STRANGER, 2, 0, endpoint(1));
        assertEquals(Drop.UNKNOWN_SIGNER, pipeline.receive(from(STRANGER), d, T0).rejected());
        d[d.length - 1] ^= 1;
        assertEquals(Drop.UNKNOWN_SIGNER, pipeline.receive(from(STRANGER), d, T0).rejected());
        assertEquals(0, store.size());
        assertFalse(peers.v2(STRANGER.publicKey()), "nothing learned of a stranger");
    }

    @Test
    void aKnownSignersGroupFromAnotherAddressIsDropped() {
        InboundPipeline.Result r = pipeline.receive(from(OTHER), group(PEER, 2, 0, endpoint(1)), T0);
        assertEquals(Drop.WRONG_SOURCE, r.rejected());
        assertEquals(0, store.size());
    }

    @Test
    void aForgedTagIsUnverifiedAndTeachesNothing() {
        Fact alive = Fact.alive(PEER.publicKey(), BootCapability.stamp(new UUID(1, 2), 3), T0.plusSeconds(30));
        byte[] d = group(PEER, 2, SignedGroupValue.FLAG_ACK_REQUEST, endpoint(1), alive);
        d[40] ^= 1;
        InboundPipeline.Result r = pipeline.receive(from(PEER), d, T0);
        assertEquals(Drop.UNVERIFIED, r.rejected());
        assertEquals(0, store.size());
        assertFalse(peers.v2(PEER.publicKey()) || peers.acks(PEER.publicKey()), "no capability from a forgery");
        assertFalse(delivery.acksOwed(), "no Ack for a forgery");
        assertNull(knowledge.bootIdOf(PEER.publicKey()));
        assertEquals(List.of(), calls);
    }

    @Test
    void anUntrustedFactIsDroppedAloneAndNotedAsTheSignersToo() {
        Fact member = Fact.member(OTHER.publicKey(), MemberMetadata.of("x", false), T0.plusSeconds(255));
        believes = (f, s) -> f.attribute() != member.attribute();
        InboundPipeline.Result r = receive(PEER, member, endpoint(1));
        assertNull(r.rejected());
        assertTrue(r.news());
        assertEquals(1, r.accepted());
        assertEquals(List.of(new InboundPipeline.Dropped(member, Drop.UNTRUSTED)), r.dropped());
        assertEquals(1, r.count(Drop.UNTRUSTED));
        assertNull(store.assertion(member.key(), PEER.publicKey()), "not stored");
        assertNotNull(store.assertion(endpoint(1).key(), PEER.publicKey()), "the rest of the group is");
        assertFalse(knowledge.needs(PEER.publicKey(), member.key(), member.expires(),
                GossipSettings.DEFAULTS.factWindow(), T0), "the signer holds it: it is not sent back");
    }

    @Test
    void aWithdrawalRetractsTheSignersAssertionOnce() {
        receive(PEER, endpoint(1));
        assertNotNull(store.assertion(endpoint(1).key(), PEER.publicKey()));
        InboundPipeline.Result r = receive(PEER, endpoint(1).withExpiry(T0));
        assertNull(r.rejected());
        assertEquals(1, r.withdrawn());
        assertTrue(r.news());
        assertEquals(0, r.accepted());
        FactEvent after = store.assertion(endpoint(1).key(), PEER.publicKey());
        assertTrue(after == null || after.expiredAt(T0), "retracted");
        InboundPipeline.Result again = receive(PEER, endpoint(1).withExpiry(T0));
        assertEquals(0, again.withdrawn());
        assertFalse(again.news(), "nothing left to retract");
        believes = (f, s) -> false;
        receive(OTHER, endpoint(2));
        assertEquals(0, receive(OTHER, endpoint(2).withExpiry(T0)).withdrawn(), "nothing was stored to retract");
    }

    @Test
    void aReplayedGroupBringsNothingNew() {
        byte[] d = group(PEER, 2, 0, endpoint(1), endpoint(2));
        InboundPipeline.Result first = pipeline.receive(from(PEER), d, T0);
        assertTrue(first.news());
        assertEquals(2, first.accepted());
        int size = store.size();
        // TTLs are relative on the wire: a replay a second later reads as the same facts, a second longer
        InboundPipeline.Result replay = pipeline.receive(from(PEER), d, T0.plusSeconds(1));
        assertNull(replay.rejected(), "a replay is not refused: the log absorbs it");
        assertFalse(replay.news(), "nothing for a pass to act on");
        assertEquals(size, store.size());

    }

    @Test
    void signalsAreActedOnAndNeverStored() {
        Fact ourAlive = Fact.alive(ME.publicKey(), new UUID(1, 1), T0.plusSeconds(30));
        delivery.sent(PEER.publicKey(), 42L, List.of(endpoint(1).key(), ourAlive.key()), T0);
        Fact ack = new Fact(Attribute.ACK, PEER.publicKey(), new FactValue.Acks(List.of(42L)), T0);
        Fact othersAck = new Fact(Attribute.ACK, OTHER.publicKey(), new FactValue.Acks(List.of(42L)), T0);
        Fact punch = new Fact(Attribute.PUNCH_REQUEST, ME.publicKey(), new FactValue.Requester(OTHER.publicKey()),
                T0.plusSeconds(10));
        InboundPipeline.Result r = receive(PEER, othersAck, ack, punch);
        assertEquals(List.of("punch true " + T0), calls);
        assertEquals(0, delivery.pendingCount(), "acknowledged (an Ack about another subject is ignored)");
        assertTrue(peers.get(PEER.publicKey()).greeted, "it acknowledged our Alive: a greeting arrived");
        assertFalse(r.news());
        assertEquals(List.of(), r.dropped());
        assertEquals(0, store.size());
    }

    @Test
    void capabilitiesComeFromTheGroupTheAckRequestAndTheBootId() {
        pipeline.receive(from(PEER), group(PEER, 1, 0, endpoint(1)), T0);
        assertFalse(peers.v2(PEER.publicKey()), "a v1 group");
        pipeline.receive(from(PEER), group(PEER, 2, SignedGroupValue.FLAG_ACK_REQUEST, endpoint(1)), T0);
        assertTrue(peers.v2(PEER.publicKey()));
        assertTrue(peers.acks(PEER.publicKey()), "only a node that reads Acks asks for them");
        assertEquals(1, delivery.drainAcks(PEER.publicKey()).size(), "and it is owed one");

        UUID boot = BootCapability.stamp(new UUID(5, 6), 3);
        peers.of(OTHER.publicKey()).greeted = true;
        delivery.sent(OTHER.publicKey(), 9L, List.of(endpoint(1).key()), T0);
        InboundPipeline.Result r = receive(OTHER, Fact.alive(OTHER.publicKey(), boot, T0.plusSeconds(30)));
        assertTrue(peers.acks(OTHER.publicKey()), "the boot ID's stamp");
        assertTrue(r.news(), "a first boot ID is news");
        assertFalse(peers.get(OTHER.publicKey()).greeted, "a restarted peer is greeted again");
        assertEquals(0, delivery.pendingCount(), "and what was in flight to its previous life is not awaited");
        peers.of(OTHER.publicKey()).greeted = true;
        receive(OTHER, Fact.alive(OTHER.publicKey(), boot, T0.plusSeconds(31)));
        assertTrue(peers.get(OTHER.publicKey()).greeted, "the same boot ID again is no restart");
        assertEquals(2, peers.formatsHeld());
        peers.retain(Set.of(OTHER.publicKey()));
        assertEquals(1, peers.formatsHeld(), "forgotten with the peer");
    }

    @Test
    void anOlderAgentsHelloSetsItsFormat() {
        Fact hello = Fact.member(PEER.publicKey(), MemberMetadata.EMPTY.withVersion(3), T0.plusSeconds(255));
        receive(PEER, hello);
        assertTrue(peers.v2(PEER.publicKey()) && peers.acks(PEER.publicKey()));
    }

    @Test
    void anInjectedFilterDropsBeforeTrustAndLeavesNoNote() {
        pipeline.filter((signer, f) -> !f.subject().equals(OTHER.publicKey()));
        Fact mine = Fact.endpoint(PEER.publicKey(), IpEndpoint.parse("192.0.2.1:51820"), T0.plusSeconds(255));
        InboundPipeline.Result r = receive(PEER, endpoint(1), mine);
        assertEquals(List.of(new InboundPipeline.Dropped(endpoint(1), Drop.FILTERED)), r.dropped());
        assertEquals(1, r.accepted());
        assertTrue(knowledge.needs(PEER.publicKey(), endpoint(1).key(), endpoint(1).expires(),
                GossipSettings.DEFAULTS.factWindow(), T0), "not noted as the signer's");
    }

    @Test
    void storedFactsShareTheKeyAndSourceObjectsAlreadyHeld() {
        receive(PEER, endpoint(1));
        receive(PEER, endpoint(2));
        FactEvent one = store.assertion(endpoint(1).key(), PEER.publicKey());
        FactEvent two = store.assertion(endpoint(2).key(), PEER.publicKey());
        assertSame(OTHER_HELD, one.fact().subject(), "the held key, not the decoder's copy");
        assertSame(one.provenance().source(), two.provenance().source(), "one source object per peer");
    }
}
