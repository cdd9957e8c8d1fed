package io.wirelink.gossip;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.BootCapability;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactValue;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.MalformedInputException;
import io.wirelink.facts.MemberMetadata;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.SignedGroupValue;
import io.wirelink.facts.SignedGroups;
import io.wirelink.facts.store.AppendResult;
import io.wirelink.facts.store.Channel;
import io.wirelink.facts.store.FactStore;
import io.wirelink.facts.store.Provenance;
import io.wirelink.linklocal.LinkLocal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What happens to a received datagram (PROTOCOL.md §6.1), as a fixed sequence of stages, each of which may drop the
 * group or one fact with a {@link Drop} reason:
 *
 * <ol>
 *   <li>open: decode the signed group and check its tag ({@link Drop#MALFORMED});
 *   <li>source: the signer is a peer we know ({@link Drop#UNKNOWN_SIGNER}), the datagram came from its link-local
 *       address ({@link Drop#WRONG_SOURCE}), and only then the tag ({@link Drop#UNVERIFIED}): a stranger's datagram
 *       counts as a stranger's whatever its tag;
 *   <li>capabilities: the group's version, an Ack request, the signer's boot ID (a new one resets what the signer is
 *       believed to hold and the Acks in flight to it);
 *   <li>then per fact: signals (Ack, PunchRequest: transport signals, never stored), withdrawals (TTL 0: retracted),
 *       a capability hint in the signer's MemberMetadata, the filters the owner injected ({@link Drop#FILTERED}),
 *       trust ({@link Drop#UNTRUSTED}), append to the log.
 * </ol>
 *
 * <p>Trust is the agent's (this module does not depend on trust/): it supplies a {@link Trust} per datagram through
 * {@link Hooks}, along with the handler of PunchRequests. Single-threaded; time is passed in.
 */
public final class InboundPipeline {

    /** The trust policy as it stands for one datagram. */
    public interface Trust {
        /** Whether {@code signer} is a peer we listen to (a device peer or a configured one). */
        boolean knows(PublicKey signer);

        /** Whether the policy believes {@code signer} about {@code f}. */
        boolean believes(Fact f, PublicKey signer);
    }

    /** What the pipeline needs of its owner. */
    public interface Hooks {
        /** The trust policy at {@code now}, asked once per datagram that opened. */
        Trust trust(Instant now);

        /** The key object already held for {@code k} (a device peer's), or null: stored facts then share it. */
        PublicKey heldKey(PublicKey k);

        /** A PunchRequest signed by {@code signer}: a transport signal, handled by path traversal. */
        void punchRequest(PublicKey signer, Fact f, Instant now);
    }

    /** An extra stage run just before trust: a fact it does not keep is dropped as {@link Drop#FILTERED}. */
    public interface Filter {
        boolean keeps(PublicKey signer, Fact f);
    }

    /** A fact the pipeline dropped, and why. */
    public record Dropped(Fact fact, Drop reason) {}

    /**
     * What the pipeline did with one datagram.
     *
     * @param rejected why the whole group was dropped, or null when it was read
     * @param news whether anything changed that a pass should act on (a new fact, a withdrawal, a restart)
     * @param accepted facts appended to the log
     * @param withdrawn withdrawals that retracted an assertion
     * @param dropped the facts dropped one by one, in the order they came
     */
    public record Result(Drop rejected, boolean news, int accepted, int withdrawn, List<Dropped> dropped) {
        static Result rejected(Drop reason) {
            return new Result(reason, false, 0, 0, List.of());
        }

        /** How many facts were dropped for {@code reason} (1 for the reason a whole group was dropped). */
        public int count(Drop reason) {
            if (reason == rejected) {
                return 1;
            }
            int n = 0;
            for (Dropped d : dropped) {
                if (d.reason() == reason) {
                    n++;
                }
            }
            return n;
        }
    }

    private final PublicKey self;
    private final SignedGroups groups;
    private final FactStore store;
    private final Knowledge knowledge;
    private final Delivery delivery;
    private final GossipPeers peers;
    private final Hooks hooks;
    private final List<Filter> filters = new ArrayList<>();

    /** @param self our key, the object facts about us share */
    public InboundPipeline(PublicKey self, SignedGroups groups, FactStore store, Knowledge knowledge,
            Delivery delivery, GossipPeers peers, Hooks hooks) {
        this.self = self;
        this.groups = groups;
        this.store = store;
        this.knowledge = knowledge;
        this.delivery = delivery;
        this.peers = peers;
        this.hooks = hooks;
    }

    /** Adds a {@link Filter} stage (the simulator's stand-ins use one); call before the first datagram. */
    public void filter(Filter f) {
        filters.add(f);
    }

    /** Runs {@code data}, received from {@code source} (a link-local address on the WireGuard interface). */
    public Result receive(IpEndpoint source, byte[] data, Instant now) {
        SignedGroups.Opened g;
        try {
            g = groups.open(data, now);
        } catch (MalformedInputException e) {
            return Result.rejected(Drop.MALFORMED);
        }
        Trust trust = hooks.trust(now);
        Drop refused = checkSource(g, source, trust);
        if (refused != null) {
            return Result.rejected(refused);
        }
        Batch b = new Batch(g.signer(), source, now, trust);
        capabilities(g, b);
        for (Fact f : g.facts()) {
            fact(f, b);
        }
        return new Result(null, b.news, b.accepted, b.withdrawn, b.dropped == null ? List.of() : b.dropped);
    }

    /** One datagram's progress through the per-fact stages. */
    private static final class Batch {
        final PublicKey signer;
        final IpEndpoint source;
        final Instant now;
        final Trust trust;
        boolean news;
        int accepted;
        int withdrawn;
        List<Dropped> dropped;
        /** One per datagram, made at the first append. */
        Provenance provenance;

        Batch(PublicKey signer, IpEndpoint source, Instant now, Trust trust) {
            this.signer = signer;
            this.source = source;
            this.now = now;
            this.trust = trust;
        }

        void drop(Fact f, Drop reason) {
            if (dropped == null) {
                dropped = new ArrayList<>();
            }
            dropped.add(new Dropped(f, reason));
        }
    }

    private static Drop checkSource(SignedGroups.Opened g, IpEndpoint source, Trust trust) {
        PublicKey signer = g.signer();
        if (!trust.knows(signer)) {
            return Drop.UNKNOWN_SIGNER;
        }
        if (!Arrays.equals(source.address().getAddress(), LinkLocal.addressBytes(signer))) {
            return Drop.WRONG_SOURCE;
        }
        return g.verified() ? null : Drop.UNVERIFIED;
    }

    /**
     * What the group says of its signer's format, and its boot ID. The boot ID goes first: a new one wipes what the
     * signer is believed to hold, which must not take the facts this very datagram carried with it (Alive comes
     * last), or they are all echoed back to the signer.
     */
    private void capabilities(SignedGroups.Opened g, Batch b) {
        PublicKey signer = g.signer();
        if (g.group().version() >= 2) {
            peers.readsV2(signer);
        }
        if ((g.group().flags() & SignedGroupValue.FLAG_ACK_REQUEST) != 0) {
            peers.asksAcks(signer);
            delivery.receivedAckRequest(signer, g.group().id()); // the next step (debounced) carries the Ack
        }
        for (Fact f : g.facts()) {
            if (f.attribute() == Attribute.ALIVE && f.subject().equals(signer)
                    && f.value() instanceof FactValue.BootId id) {
                peers.speaks(signer, BootCapability.version(id.id()));
                if (knowledge.bootId(signer, id.id())) {
                    b.news = true; // the peer (re)started: it knows nothing of ours any more
                    peers.ungreet(signer);
                    delivery.forgetPeer(signer);
                }
            }
        }
    }

    private void fact(Fact f, Batch b) {
        if (signal(f, b) || withdrawal(f, b)) {
            return;
        }
        if (f.value() instanceof MemberMetadata md && f.subject().equals(b.signer)) {
            peers.speaks(b.signer, md.version()); // an older agent's hello
        }
        for (Filter x : filters) {
            if (!x.keeps(b.signer, f)) {
                b.drop(f, Drop.FILTERED); // neither held nor noted as the signer's
                return;
            }
        }
        Fact c = canonical(f);
        if (!b.trust.believes(c, b.signer)) {
            b.drop(c, Drop.UNTRUSTED);
            knowledge.heard(b.signer, c.key(), c.expires());
            return;
        }
        append(c, b);
    }

    /** Ack and PunchRequest: transport signals, acted on and never stored. */
    private boolean signal(Fact f, Batch b) {
        if (f.attribute() == Attribute.PUNCH_REQUEST) {
            hooks.punchRequest(b.signer, f, b.now);
            return true;
        }
        if (f.attribute() == Attribute.ACK) {
            if (f.subject().equals(b.signer) && f.value() instanceof FactValue.Acks a) {
                peers.acked(b.signer, delivery.acked(b.signer, a.ids()), self);
            }
            return true;
        }
        return false;
    }

    /** A withdrawal (TTL 0): the signer no longer asserts the fact (PROTOCOL.md §6.1). */
    private boolean withdrawal(Fact f, Batch b) {
        if (f.expires().isAfter(b.now)) {
            return false;
        }
        knowledge.forget(b.signer, f.key());
        if (store.retract(f, b.signer)) {
            b.withdrawn++;
            b.news = true;
        }
        return true;
    }

    private void append(Fact f, Batch b) {
        if (b.provenance == null) {
            b.provenance = new Provenance(b.signer, Channel.GOSSIP, peers.source(b.signer, b.source), b.now);
        }
        if (store.append(f, b.provenance) instanceof AppendResult.Appended a) {
            b.accepted++;
            if (a.replaced().isEmpty()) {
                b.news = true;
            }
        }
        knowledge.heard(b.signer, store.canonical(f.key()), f.expires()); // the store's key object, not a copy
    }

    /**
     * The fact with its subject as the key object already held (ours or a device peer's) rather than the decoder's
     * copy: a 1,000-member mesh holds thousands of facts per subject across the store, the view and the knowledge
     * table, and each copy is 72 bytes.
     */
    private Fact canonical(Fact f) {
        PublicKey k = f.subject();
        PublicKey c = k.equals(self) ? self : hooks.heldKey(k);
        return c == null || c == k ? f : new Fact(f.attribute(), c, f.value(), f.expires());
    }
}
