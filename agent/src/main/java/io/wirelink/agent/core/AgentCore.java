package io.wirelink.agent.core;

import io.wirelink.agent.config.AgentConfig;
import io.wirelink.agent.config.PeerConfig;
import io.wirelink.agent.config.RouterMode;
import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.HostNetwork;
import io.wirelink.apply.PeerState;
import io.wirelink.apply.reconcile.EndpointCycler;
import io.wirelink.apply.reconcile.PeerIntent;
import io.wirelink.apply.reconcile.Reason;
import io.wirelink.apply.reconcile.Reconciler;
import io.wirelink.apply.reconcile.RelayDecisions;
import io.wirelink.detect.Aliveness;
import io.wirelink.detect.FirstContact;
import io.wirelink.detect.Health;
import io.wirelink.detect.LocalEndpoints;
import io.wirelink.detect.PathHealth;
import io.wirelink.detect.Routers;
import io.wirelink.facts.Addresses;
import io.wirelink.facts.Attribute;
import io.wirelink.facts.BootCapability;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactKey;
import io.wirelink.facts.FactValue;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.MemberMetadata;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.RelayAttachment;
import io.wirelink.facts.SignedGroups;
import io.wirelink.facts.store.AppendResult;
import io.wirelink.facts.store.Channel;
import io.wirelink.facts.store.FactEvent;
import io.wirelink.facts.store.FactStore;
import io.wirelink.facts.store.FactView;
import io.wirelink.facts.store.Provenance;
import io.wirelink.gossip.Delivery;
import io.wirelink.gossip.GossipPeers;
import io.wirelink.gossip.InboundPipeline;
import io.wirelink.gossip.Knowledge;
import io.wirelink.gossip.OutboundPlanner;
import io.wirelink.gossip.PathProbes;
import io.wirelink.gossip.Sealer;
import io.wirelink.gossip.SendMode;
import io.wirelink.gossip.SendPlanner;
import io.wirelink.linklocal.LinkLocal;
import io.wirelink.trust.Beliefs;
import io.wirelink.trust.TrustContext;
import io.wirelink.trust.TrustContexts;
import io.wirelink.trust.TrustLevel;
import io.wirelink.trust.TrustPolicy;
import io.wirelink.traversal.AliveProbes;
import io.wirelink.traversal.Punches;
import io.wirelink.traversal.RelayOffers;
import io.wirelink.traversal.RelayPlanner;
import java.net.Inet6Address;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The agent's core: one single-threaded state machine that turns inputs (device reads, host addresses, received
 * datagrams) into outputs (a device change, datagrams to send) on each {@link #pass}. It never reads a clock,
 * opens a socket or blocks: the caller passes {@code now} and performs the I/O, so the same core runs against a
 * real device, wireguard-go, or the simulator.
 *
 * <p>Each pass: derive local facts from the device, host and config and append them to the log; fold the log into
 * the view; believe what the trust policy accepts; plan the device change with the {@link Reconciler}; plan what
 * each peer needs with the {@link SendPlanner}.
 */
public final class AgentCore {
    private final PrivateKey self;
    private final PublicKey selfKey;
    private final FactStore store;
    private final CoreSettings settings;
    private final SignedGroups groups;
    private final Knowledge knowledge = new Knowledge(MIN_PEER_CAP, MIN_ENTRY_CAP);
    private final EndpointCycler cycler;
    private final Random nonces;
    private final Instant startedAt;
    private final UUID bootId;
    private final Counters counters = new Counters();
    private final Aliveness aliveness = new Aliveness();
    private final Map<PublicKey, String> lastReason = new TreeMap<>();
    private final RelayPlanner relays;
    private final Delivery delivery = new Delivery(MIN_PEER_CAP, MIN_IN_FLIGHT);
    /** Per-peer gossip state: the format each peer reads, greetings and withdrawals in flight. */
    private final GossipPeers gossipPeers = new GossipPeers();
    private final InboundPipeline inbound;
    private final OutboundPlanner outbound;
    private final Sealer sealer;
    /** Path traversal's part in when our Alive goes (probes, coordinated punches). */
    private final PathProbes pathProbes = new Probes();
    /** Alive probes of paths that do not work: when the next goes and the back-off after it. */
    private final AliveProbes probes;
    /** Quiet paths: idle, woken, failed (detect/). */
    private final PathHealth paths = new PathHealth();

    /** Punch coordination: requests to send, to pass on, and punches to send now. */
    private final Punches punches;


    /** The group version we announce: 3 = v2 groups with acknowledged delivery (PROTOCOL.md §3). */
    static final int ANNOUNCED_VERSION = GossipPeers.ANNOUNCED_VERSION;
    /** How long a datagram that asked for an Ack waits for it before its facts are sent again. */
    static final Duration ACK_TIMEOUT = Delivery.ACK_TIMEOUT;
    /** Our facts live {@code factTtl} up to this many peers, twice that up to twice as many, and so on. */
    static final int TTL_SCALE_PEERS = 100;
    private AgentConfig config;
    private DeviceState device;
    /** The device as read, relay peers included ({@link #device} is without them). */
    private DeviceState rawDevice;
    private List<HostNetwork.Link> links = List.of();
    private List<HostNetwork.InterfaceAddress> addresses = List.of();
    private boolean dirty = true;
    /** A peer relayed through a relay its DHT record named is looked up again this long before that record expires. */
    static final Duration DHT_REFRESH = Duration.ofMinutes(4);
    private Snapshot last;
    private Instant lastPassAt;
    /** The relay facts this pass derived about us (offer, attachments): what the DHT record lists. */
    private List<RelayAttachment> recordRelays = List.of();
    private final TrustContexts trustContexts;
    private final Beliefs beliefs = new Beliefs();
    /** The trust inputs of {@link #configuredFor}: the trust context is cached on this object. */
    private TrustContexts.Configured configuredTrust;
    private AgentConfig configuredFor;

    /**
     * What one pass decided.
     *
     * @param why the reasons for the change, each naming its peer
     */
    public record Actions(DeviceChange change, List<Outgoing> datagrams, List<Reason> why) {

        /** The reasons as log lines ({@code "<peer>: <text>"}), in order. */
        public List<String> reasons() {
            List<String> out = new ArrayList<>(why.size());
            for (Reason r : why) {
                out.add(r.toString());
            }
            return out;
        }
    }

    /** A datagram to send to a peer's link-local address on the gossip port. */
    public record Outgoing(PublicKey peer, Inet6Address address, int port, byte[] payload) {}

    /** Per-peer status after the last pass, for {@code show} and {@code --dump-facts}. */
    public record PeerStatus(PublicKey key, String name, boolean member, boolean configured, boolean onDevice,
            boolean healthy, Instant aliveUntil, TrustLevel trust, boolean router, String path, String why) {}

    /** The state the last pass acted on. */
    /**
     * The state a pass left, for the runtime and {@code show}.
     *
     * @param lookups configured peers to look up in the DHT
     * @param recordRelays the relays our DHT record lists (PROTOCOL.md §7.8): our own relay's offer first, then the
     *     relays we are registered with (handshake within 180 s, alive), each at the endpoint we use
     */
    public record Snapshot(Instant at, FactView view, Set<FactKey> believed, List<PeerStatus> peers,
            boolean selfRouter, Set<PublicKey> lookups, List<IpEndpoint> localCandidates,
            List<RelayAttachment> recordRelays) {}

    /** What {@link #datagram} did with a datagram. */
    public enum Received {
        ACCEPTED,
        NOTHING_NEW,
        MALFORMED,
        UNVERIFIED,
        UNKNOWN_SIGNER,
        WRONG_SOURCE
    }

    public AgentCore(PrivateKey self, AgentConfig config, FactStore store, CoreSettings settings, Random nonces,
            Instant startedAt, UUID bootId) {
        this.self = self;
        this.selfKey = self.publicKey();
        this.config = config;
        this.store = store;
        this.trustContexts = new TrustContexts(selfKey, store);
        // a router asserts about 6 facts per member, each member a few of its own (PROTOCOL.md §5)
        store.scaleWithSubjects(FACTS_PER_AUTHOR_PER_SUBJECT, FACTS_PER_SUBJECT, MAX_FACTS_PER_AUTHOR, MAX_FACTS);
        this.settings = settings;
        this.groups = new SignedGroups(self, MIN_PEER_CAP);
        this.cycler = new EndpointCycler(settings.endpointInterval());
        this.nonces = nonces;
        this.startedAt = startedAt;
        this.bootId = BootCapability.stamp(bootId, ANNOUNCED_VERSION); // what we speak, where Go does not look
        this.probes = new AliveProbes(selfKey);
        this.punches = new Punches(selfKey, ACK_TIMEOUT);
        this.relays = new RelayPlanner(selfKey, config.relay().use(), config.relay().maxAttach());
        relays.configured(configuredRelays(config));
        this.inbound = new InboundPipeline(selfKey, groups, store, knowledge, delivery, gossipPeers, new Inbound());
        this.outbound = new OutboundPlanner(selfKey, settings.gossip(), knowledge, delivery, gossipPeers, store);
        this.sealer = new Sealer(groups, nonces, delivery);
    }

    /**
     * Adds a filter stage to the inbound pipeline, just before trust: a received fact it does not keep is neither
     * stored nor noted as the sender's. The simulator's stand-ins use one to keep a narrow view. Call before the
     * first datagram arrives.
     */
    public void receiveFilter(InboundPipeline.Filter filter) {
        inbound.filter(filter);
    }

    /** The relay client's decisions (PROTOCOL.md §6.4); call only on the core's thread. */
    public RelayPlanner relays() {
        return relays;
    }

    public PublicKey publicKey() {
        return selfKey;
    }

    public UUID bootId() {
        return bootId;
    }

    public Counters counters() {
        return counters;
    }

    public AgentConfig config() {
        return config;
    }

    public FactStore store() {
        return store;
    }

    /** The last pass's state, or null before the first pass. */
    public Snapshot snapshot() {
        return last;
    }

    // ------------------------------------------------------------------ what the driver asks (Driver)

    /** True when something changed since the last pass that should be acted on now rather than at the next tick. */
    boolean dirty() {
        return dirty;
    }

    /** An Ack is owed: a {@link #quick} step sends it. */
    boolean acksOwed() {
        return delivery.acksOwed();
    }

    /**
     * Whether a full {@link #pass} is needed now: {@link #dirty()}, a datagram waited {@link #ACK_TIMEOUT} for its
     * Ack, a probe falls due on a path that also asks for a punch, a first-contact retry is due, or the relay planner
     * wants one ({@link RelayPlanner#due}). Owed Acks and other due probes need only {@link #quick}.
     */
    boolean passNeeded(Instant now) {
        if (dirty || delivery.anyOverdue(now, ACK_TIMEOUT) || relays.due(now) || firstContact.isDue(now)) {
            return true; // relays.due: a relay's liveness changed, a switch moment came, a direct try is to be judged
        }
        for (PublicKey k : paths.failedPaths()) {
            if (probes.dueOrUnscheduled(k, now)) {
                return true;
            }
        }
        return false;
    }

    /** A probe of a quiet path is due: a {@link #quick} step sends it. */
    boolean probeDue(Instant now) {
        return probes.anyDue(now);
    }

    /**
     * The cheap half of a pass, when nothing changed: owed Acks, and the Alive of each probe that fell due, sealed
     * for their peers exactly as {@link #pass} would (same rules, same hello and Ack requests), without deriving,
     * folding or reconciling anything. O(peers owed or due), where a pass is O(facts + peers); it exists because an
     * Ack or a probe every few hundred milliseconds made a 1,000-node mesh spend its time folding views that had
     * not changed.
     */
    Actions quick(Instant now) {
        counters.quickPasses++;
        List<Outgoing> out = new ArrayList<>();
        int port = gossipPort();
        if (device == null || port == 0) {
            return new Actions(DeviceChange.peers(List.of()), out, List.of());
        }
        Set<PublicKey> targets = new TreeSet<>(delivery.owedPeers());
        targets.addAll(probes.due(now));
        TrustContext ctx = trustContext(now);
        OutboundPlanner.Round round = round(now, selfIsRouter());
        for (PublicKey k : targets) {
            PeerState p = device.peer(k);
            if (p == null || p.endpoint() == null) {
                delivery.drainAcks(k); // as a pass: nothing can be sent (level NOTHING)
                continue;
            }
            List<Fact> facts = new ArrayList<>();
            boolean probeDue = probes.isDue(k, now);
            SendMode m = outbound.mode(recipient(p, ctx, now), round);
            counters.aliveGreetings += m.greeting() ? 1 : 0;
            boolean aliveNow = m.rule() == SendPlanner.AliveRule.NOW;
            if (aliveNow) {
                Fact alive = round.alive(); // a probe or a greeting: never to a peer known to be v1
                facts.add(alive);
                knowledge.learned(k, alive.key(), alive.expires());
            } else if (probeDue) {
                probes.remove(k); // the path no longer needs probing (healthy, or not a quiet peer any more)
            }
            send(outbound.datagram(k, facts, m, aliveNow && m.acks(), now), port, out, now);
        }
        return new Actions(DeviceChange.peers(List.of()), out, List.of());
    }

    /**
     * When a step should run on its own (a probe, a first-contact retry or a relay's switch moment falls due before
     * the next tick), or null: the driver sets a wake for it, so a probe goes on time rather than at the next device
     * poll.
     */
    Instant nextWake(Instant now) {
        Instant next = relays.nextWake(now);
        Instant fc = firstContact.nextWake();
        if (fc != null && fc.isAfter(now) && (next == null || fc.isBefore(next))) {
            next = fc;
        }
        Instant probe = probes.nextProbeDue(now);
        if (probe != null && (next == null || probe.isBefore(next))) {
            next = probe;
        }
        return next;
    }

    /** When the last pass ran, or null before the first. */
    Instant lastPassAt() {
        return lastPassAt;
    }

    CoreSettings settings() {
        return settings;
    }

    /** The gossip port: configured, or WireGuard listen port + 1. 0 until the device has been read. */
    public int gossipPort() {
        if (config.port() > 0) {
            return config.port();
        }
        return device == null || device.listenPort() == 0 ? 0 : device.listenPort() + 1;
    }

    public void reconfigure(AgentConfig c) {
        this.config = c;
        relays.configured(configuredRelays(c));
        dirty = true;
    }

    /** {@code relay.servers} as planner offers. */
    static List<RelayPlanner.Offer> configuredRelays(AgentConfig c) {
        return RelayOffers.configured(c.relay().servers().stream().map(v -> Map.entry(v.key(), v.endpoint()))
                .toList());
    }

    /** A fresh read of the device. Marks the core dirty when a peer appeared, went, handshook or roamed. */
    public void device(DeviceState d) {
        if (rawDevice == null || materiallyDifferent(rawDevice, d)) {
            dirty = true;
        }
        if (paths.wakes(d, lastPassAt)) {
            dirty = true; // traffic after a silence: wake the path now, not at the next tick
        }
        this.rawDevice = d;
        this.device = relays.hide(d); // relay peers are the RelayPlanner's, not mesh peers
    }

    /** The fact store's bounds grow with the subjects it holds: per author, per subject in all, and ceilings. */
    static final int FACTS_PER_AUTHOR_PER_SUBJECT = 8;
    static final int FACTS_PER_SUBJECT = 64;
    static final int MAX_FACTS_PER_AUTHOR = 250_000;
    static final int MAX_FACTS = 2_000_000;

    /** Per-peer tables hold at least this many peers; more when the mesh is bigger (see {@link #sizeTables}). */
    static final int MIN_PEER_CAP = 4096;
    /** What a peer is believed to hold: at least this many entries; more when we hold more facts. */
    static final int MIN_ENTRY_CAP = 65536;
    /** Datagrams awaiting an Ack (and Acks owed) per peer: at least this many. */
    static final int MIN_IN_FLIGHT = 256;

    /**
     * Bounds the per-peer tables by what we know rather than by constants: the tables are pruned to the known peers
     * every pass, so the caps only stop a flood between passes. Fixed caps of 4,096 peers broke a hub of a bigger
     * mesh: the peers beyond were never recorded as holding anything, so every pass sent them every fact again.
     */
    private void sizeTables(int knownPeers, FactView view) {
        int peers = Math.max(MIN_PEER_CAP, 2 * knownPeers);
        int entries = Math.max(MIN_ENTRY_CAP, 2 * view.size());
        // datagrams in flight per peer: a first batch carries every fact we hold, more than four to a datagram
        int inFlight = Math.max(MIN_IN_FLIGHT, view.size() / 4);
        if (peers != peerCap || entries != entryCap || inFlight != inFlightCap) {
            peerCap = peers;
            entryCap = entries;
            inFlightCap = inFlight;
            knowledge.caps(peers, entries);
            delivery.caps(peers, inFlight);
            groups.keys().capacity(peers);
        }
    }

    private int peerCap = MIN_PEER_CAP;
    private int inFlightCap = MIN_IN_FLIGHT;
    private int entryCap = MIN_ENTRY_CAP;

    public DeviceState lastDevice() {
        return device;
    }

    static boolean materiallyDifferent(DeviceState a, DeviceState b) {
        if (a.listenPort() != b.listenPort() || a.peers().size() != b.peers().size()) {
            return true;
        }
        for (PeerState p : b.peers()) {
            PeerState q = a.peer(p.publicKey());
            if (q == null || !java.util.Objects.equals(p.endpoint(), q.endpoint())
                    || !p.lastHandshake().equals(q.lastHandshake())
                    || !p.allowedIps().equals(q.allowedIps())) {
                return true;
            }
        }
        return false;
    }

    public void host(List<HostNetwork.Link> links, List<HostNetwork.InterfaceAddress> addresses) {
        if (!addresses.equals(this.addresses)) {
            dirty = true;
        }
        this.links = List.copyOf(links);
        this.addresses = List.copyOf(addresses);
    }

    // ------------------------------------------------------------------ receiving

    /**
     * A datagram from {@code source} (a link-local address on the WireGuard interface), run through the
     * {@link InboundPipeline}: a signed group from a known peer, verified, sent from that peer's own link-local
     * address; each fact is then stored if the trust policy believes its signer, and what the peer showed it knows
     * is noted.
     */
    public Received datagram(IpEndpoint source, byte[] data, Instant now) {
        InboundPipeline.Result r = inbound.receive(source, data, now);
        counters.received(r, data.length);
        if (r.news()) {
            dirty = true;
        }
        if (r.rejected() == null) {
            return r.news() ? Received.ACCEPTED : Received.NOTHING_NEW;
        }
        return switch (r.rejected()) {
            case MALFORMED -> Received.MALFORMED;
            case UNKNOWN_SIGNER -> Received.UNKNOWN_SIGNER;
            case WRONG_SOURCE -> Received.WRONG_SOURCE;
            default -> Received.UNVERIFIED;
        };
    }

    /** What the inbound pipeline asks of the core: the trust context, the keys it holds, the signals it handles. */
    private final class Inbound implements InboundPipeline.Hooks {
        @Override
        public InboundPipeline.Trust trust(Instant now) {
            return new TrustGate(trustContext(now));
        }

        @Override
        public PublicKey heldKey(PublicKey k) {
            PeerState p = device == null ? null : device.peer(k);
            return p == null ? null : p.publicKey();
        }

        @Override
        public void punchRequest(PublicKey signer, Fact f, Instant now) {
            AgentCore.this.punchRequest(signer, f, now);
        }
    }

    /**
     * A PunchRequest: from a leaf asking us (a router) to pass it on, or passed on to us by a router (or sent by the
     * requester itself), asking us to send towards the requester at once so both NATs open (PROTOCOL.md §6.3).
     */
    private void punchRequest(PublicKey signer, Fact f, Instant now) {
        if (device == null) {
            return;
        }
        Punches.Received r = punches.received(signer, f, device, this::selfIsRouter, gossipPeers::acks, now);
        if (r == Punches.Received.PUNCH) {
            counters.punchRequests++;
        }
        if (r != Punches.Received.IGNORED) {
            dirty = true;
        }
    }

    /**
     * A record the DHT found for {@code owner}, seen by the DHT at {@code verified}. Its WireGuard endpoints become
     * facts with provenance {@code dht}, authored by the owner; one on the IP the DHT saw the owner at is its NAT
     * mapping and counts as observed. Its relays become RelayAttachment facts the same way (PROTOCOL.md §7.8): an
     * offer (the owner runs the relay) is then a relay on offer like a gossiped one, and an attachment both tells the
     * rendezvous rule that the owner is registered there and, because it came from the DHT, makes that relay one
     * this node may register with ({@link RelayOffers#fromDht}). Records are hints: the trust policy still decides, the
     * facts expire with the record, and a wrong endpoint or relay costs only failed handshakes (the WireGuard
     * handshake authenticates the peer; a relay cannot read what it forwards).
     *
     * @return how many facts were new
     */
    public int dhtResolved(PublicKey owner, IpEndpoint verified, List<IpEndpoint> wireGuard,
            List<RelayAttachment> relayList, Duration ttl, Instant now) {
        TrustContext ctx = trustContext(now);
        int added = 0;
        Instant exp = now.plus(ttl);
        List<Fact> facts = new ArrayList<>();
        for (IpEndpoint ep : wireGuard) {
            boolean mapped = ep.address().equals(verified.address());
            facts.add(mapped ? Fact.observed(owner, ep, exp) : Fact.endpoint(owner, ep, exp));
        }
        RelayOffers.Screened relayFacts = RelayOffers.fromRecord(owner, relayList, selfKey, knownPeers(), exp);
        counters.factsRejected += relayFacts.refused();
        facts.addAll(relayFacts.facts());
        for (Fact f : facts) {
            if (!TrustPolicy.accepts(f, owner, ctx)) {
                counters.factsRejected++;
                continue;
            }
            if (store.append(f, new Provenance(owner, Channel.DHT, verified, now)) instanceof AppendResult.Appended a
                    && a.replaced().isEmpty()) {
                added++;
            }
        }
        if (added > 0) {
            dirty = true;
        }
        return added;
    }

    /**
     * A relay's disclosure about {@code peer} (relay/Disclosure, PROTOCOL.md §6.4): the relay at {@code relayEndpoint}
     * sees the peer's WireGuard port at {@code endpoint} (its NAT mapping; null when the peer is not registered there)
     * and sets {@code moment} for both ends to try direct. The endpoint becomes an ObservedEndpoint authored by the
     * peer with provenance {@code relay}, for {@link RelayPlanner#DISCLOSURE_TTL}: a hint like a DHT record's (the
     * trust policy still decides; a wrong one costs a failed handshake); the planner times the direct try.
     *
     * @return true when a pass should run now
     */
    public boolean relayDisclosed(PublicKey relay, IpEndpoint relayEndpoint, PublicKey peer, IpEndpoint endpoint,
            Instant moment, Instant now) {
        boolean news = relays.disclosed(relay, peer, endpoint, moment, now);
        Fact f = RelayOffers.disclosed(peer, endpoint, now);
        if (f != null && RelayOffers.renew(store.assertion(f.key(), peer), now)
                && TrustPolicy.accepts(f, peer, trustContext(now))
                && store.append(f, new Provenance(peer, Channel.RELAY, relayEndpoint, now))
                        instanceof AppendResult.Appended a && a.replaced().isEmpty()) {
            news = true;
        }
        if (news) {
            dirty = true;
        }
        return news;
    }

    // ------------------------------------------------------------------ the pass

    /** One pass at {@code now}: derive, fold, trust, reconcile, gossip. */
    Actions pass(Instant now) {
        counters.passes++;
        dirty = false;
        lastPassAt = now;
        if (device == null) {
            return new Actions(DeviceChange.peers(List.of()), List.of(), List.of());
        }
        boolean selfRouter = selfIsRouter();
        paths.track(device, gossipPeers::acks, now);
        deriveLocalFacts(now, selfRouter);
        dirty = false; // what was just derived is folded and sent by this pass
        store.expire(now);
        FactView view = store.view(now);
        TrustContext ctx = trustContext(now);
        Map<FactKey, Fact> believed = beliefs.of(view, ctx);
        Map<PublicKey, PeerIntent> intents = intents(view, believed, ctx, now);
        boolean grace = now.isBefore(startedAt.plus(settings.startupGrace()));
        boolean mayDeconfigure = !grace && !selfRouter;
        boolean mayDelete = mayDeconfigure && membershipSourceSettled(ctx, intents, now);
        Reconciler.Plan plan = Reconciler.plan(device, new Reconciler.Context(selfKey, intents, mayDeconfigure,
                mayDelete, localSubnets(), tunnelSubnets(), now, relayDecisions(now, view, intents, believed)),
                cycler, LinkLocal::hostPrefix);
        for (PublicKey k : plan.endpointSwitched()) {
            // after switching a peer's endpoint, ping it at once so the handshake starts now
            knowledge.forget(k, ownAlive(now).key());
            probes.probeNow(k, now);
        }
        for (Reason r : plan.reasons()) {
            lastReason.put(r.peer(), r.text());
        }
        for (Delivery.Lost l : delivery.overdue(now, ACK_TIMEOUT)) {
            for (FactKey k : l.keys()) {
                knowledge.forget(l.peer(), k); // not acknowledged: the peer needs it again
            }
        }
        probes.startPass();
        List<Outgoing> out = gossip(now, believed, intents, ctx, selfRouter);
        probes.endPass(); // a schedule not consulted belongs to a path that no longer needs one
        Set<PublicKey> known = ctx.known();
        sizeTables(known.size(), view);
        knowledge.prune(now, known);
        delivery.retain(known);
        punches.retain(known);
        probes.retain(known);
        paths.retain(known);
        gossipPeers.retain(known); // a peer that comes back announces its format again in its next datagram
        store.flushIfDue();
        List<PeerStatus> status = status(intents, ctx, selfRouter, now);
        last = new Snapshot(now, view, believed.keySet(), status, selfRouter, lookups(intents, view, now),
                LocalEndpoints.candidates(links, addresses, config.iface(), device.listenPort(),
                        config.reportIfaces(), config.hideIfaces()), recordRelays);
        return new Actions(plan.change(), out, plan.reasons());
    }

    /**
     * The configured peers to look up in the DHT (PROTOCOL.md §7.10): each one without a healthy handshake (its record
     * may have changed: a new mapping, a relay it registered with; the runtime backs off to one lookup a minute), and
     * a peer we relay whose DHT-found relay facts expire within {@link #DHT_REFRESH}, so the relay we reach it through
     * does not vanish with the record.
     */
    private Set<PublicKey> lookups(Map<PublicKey, PeerIntent> intents, FactView view, Instant now) {
        Set<PublicKey> lookups = new TreeSet<>();
        for (PeerIntent v : intents.values()) {
            if (!v.configured()) {
                continue;
            }
            if (!v.healthy()) {
                lookups.add(v.key());
                continue;
            }
            RelayPlanner.PathInfo pi = relays.pathInfo(v.key());
            if (pi != null && pi.relay() != null) {
                for (FactView.Entry e : view.bySubject(v.key())) {
                    if (e.fact().attribute() == Attribute.RELAY && e.assertedVia(Channel.DHT)
                            && e.expires().isBefore(now.plus(DHT_REFRESH))) {
                        lookups.add(v.key());
                        break;
                    }
                }
            }
        }
        return lookups;
    }

    /** First handshakes WireGuard lost, retried sooner than its 5 s. */
    private final FirstContact firstContact = new FirstContact();

    /** The relay client's decisions for this pass, with first-contact retries: the reconciler composes them. */
    private RelayDecisions relayDecisions(Instant now, FactView view, Map<PublicKey, PeerIntent> intents,
            Map<FactKey, Fact> believed) {
        relays.found(RelayOffers.fromDht(view, believed));
        RelayPlanner.Plan rp = relays.plan(now, rawDevice, intents, believed.values());
        punches.sendNow(rp.punch()); // a direct try at a relay's switch moment: send now, whatever the path
        // first contact with a router or a configured peer: what a joining node learns the mesh from. Pairs of
        // members have their own probes and punches, which a re-add would only disturb (crossing initiations)
        Set<PublicKey> configured = new HashSet<>();
        config.peers().forEach(cp -> configured.add(cp.publicKey()));
        List<PublicKey> retry = firstContact.due(device, now, k -> relays.managing(k)
                || !(configured.contains(k) || Routers.isRouter(device.peer(k))));
        counters.firstContactRetries += retry.size();
        return rp.decisions().withRetries(retry, "no handshake yet and nothing heard; re-added so WireGuard sends a"
                + " new initiation now rather than in 5 s");
    }

    boolean selfIsRouter() {
        Boolean forced = config.router() == RouterMode.AUTO ? null : config.router() == RouterMode.TRUE;
        return device != null && Routers.selfIsRouter(forced, device);
    }

    /** Device peers and configured peers: the only signers we listen to. */
    Set<PublicKey> knownPeers() {
        return TrustContexts.knownPeers(selfKey, configuredTrust(), device);
    }

    /** The trust context at {@code now} (see {@link TrustContexts#at}). */
    TrustContext trustContext(Instant now) {
        return trustContexts.at(now, configuredTrust(), device);
    }

    /** What the config says about trust, rebuilt only when the config is replaced. */
    private TrustContexts.Configured configuredTrust() {
        if (configuredFor != config) {
            Map<PublicKey, TrustLevel> levels = new HashMap<>();
            List<PublicKey> peers = new ArrayList<>();
            for (PeerConfig p : config.peers()) {
                peers.add(p.publicKey());
                if (p.trust() != null) {
                    levels.put(p.publicKey(), p.trust());
                }
            }
            configuredTrust = new TrustContexts.Configured(levels, peers);
            configuredFor = config;
        }
        return configuredTrust;
    }

    private Map<PublicKey, PeerIntent> intents(FactView view, Map<FactKey, Fact> believed, TrustContext ctx,
            Instant now) {
        Map<PublicKey, List<IpPrefix>> aips = new TreeMap<>();
        Map<PublicKey, List<PeerIntent.Candidate>> eps = new TreeMap<>();
        Map<PublicKey, Boolean> basicByFact = new HashMap<>();
        Set<PublicKey> members = new TreeSet<>();
        Map<PublicKey, Instant> aliveUntil = new HashMap<>();
        Map<PublicKey, String> names = new HashMap<>();
        this.names = names;
        for (Map.Entry<FactKey, Fact> e : believed.entrySet()) {
            Fact f = e.getValue();
            PublicKey s = f.subject();
            switch (f.attribute()) {
                case ALLOWED_CIDR_V4:
                case ALLOWED_CIDR_V6:
                    aips.computeIfAbsent(s, k -> new ArrayList<>()).add(((FactValue.Cidr) f.value()).prefix());
                    break;
                case ENDPOINT_V4:
                case ENDPOINT_V6:
                case OBSERVED_ENDPOINT: {
                    // only an ObservedEndpoint says a device saw the peer there; a relayed EndpointV4 may be the
                    // peer's own LAN address (v1 cannot tell the two apart)
                    IpEndpoint ep = ((FactValue.Endpoint) f.value()).endpoint();
                    eps.computeIfAbsent(s, k -> new ArrayList<>())
                            .add(new PeerIntent.Candidate(ep, f.attribute() == Attribute.OBSERVED_ENDPOINT));
                    break;
                }
                case MEMBER:
                case MEMBER_METADATA:
                    members.add(s);
                    if (f.value() instanceof MemberMetadata md && Boolean.TRUE.equals(md.basic())) {
                        basicByFact.put(s, true);
                    }
                    if (f.value() instanceof MemberMetadata md && md.name() != null) {
                        names.putIfAbsent(s, md.name());
                    }
                    break;
                case ALIVE:
                    aliveUntil.merge(s, f.expires(), (x, y) -> x.isAfter(y) ? x : y);
                    break;
                default:
                    break;
            }
        }
        Set<PublicKey> all = new TreeSet<>(members);
        config.peers().forEach(p -> all.add(p.publicKey()));
        device.peers().forEach(p -> all.add(p.publicKey()));
        all.remove(selfKey);
        Map<PublicKey, PeerIntent> out = new TreeMap<>();
        for (PublicKey k : all) {
            PeerConfig pc = config.peer(k);
            PeerState ps = device.peer(k);
            boolean healthy = ps != null && pathHealthy(ps, now);
            Instant alive = aliveness.observe(k, aliveUntil.get(k), now);
            // in zero-config mode a router on the device is a trust source and stays, even unannounced
            boolean keptRouter = ps != null && ctx.zeroConfig() && ctx.routers().contains(k);
            boolean member = pc != null || members.contains(k) || keptRouter;
            boolean basic = (pc != null && pc.basic()) || basicByFact.getOrDefault(k, false);
            List<PeerIntent.Candidate> cands = new ArrayList<>(eps.getOrDefault(k, List.of()));
            if (pc != null) {
                for (String s : pc.endpoints()) {
                    try {
                        cands.add(new PeerIntent.Candidate(IpEndpoint.parse(s), false));
                    } catch (IllegalArgumentException notALiteral) {
                        // host names are resolved by the runtime and arrive as CONFIG facts
                    }
                }
            }
            out.put(k, new PeerIntent(k, member, pc != null, basic, aips.getOrDefault(k, List.of()), cands, healthy,
                    alive));
        }
        aliveness.retain(out.keySet());
        return out;
    }

    /** Deletion needs a membership source that is healthy and has been alive for a while (spec §5.6). */
    private boolean membershipSourceSettled(TrustContext ctx, Map<PublicKey, PeerIntent> intents, Instant now) {
        for (PeerIntent v : intents.values()) {
            TrustLevel level = TrustPolicy.levelOf(v.key(), ctx);
            if (level != null && level.atLeast(TrustLevel.Membership) && v.healthy()
                    && aliveness.aliveFor(v.key(), settings.membershipSettle(), now)) {
                return true;
            }
        }
        return false;
    }

    private List<IpPrefix> localSubnets() {
        List<IpPrefix> out = new ArrayList<>();
        for (HostNetwork.InterfaceAddress a : addresses) {
            if (!config.iface().equals(a.ifname()) && LocalEndpoints.globalUnicast(a.prefix().address())) {
                out.add(a.prefix().masked());
            }
        }
        return out;
    }

    private List<IpPrefix> tunnelSubnets() {
        List<IpPrefix> out = new ArrayList<>();
        for (HostNetwork.InterfaceAddress a : addresses) {
            if (config.iface().equals(a.ifname()) && LocalEndpoints.globalUnicast(a.prefix().address())) {
                out.add(a.prefix().masked());
            }
        }
        return out;
    }

    Fact ownAlive(Instant now) {
        return Fact.alive(selfKey, bootId, now.plus(settings.gossip().aliveTtl()));
    }

    // ------------------------------------------------------------------ port mapping

    private List<IpEndpoint> mappedEndpoints = List.of();

    /**
     * The endpoints our gateway forwards to the WireGuard listen port (a PCP, NAT-PMP or UPnP-IGD mapping), or none.
     * Marks the core dirty when they change; the next pass publishes them (see {@link #addMappedEndpointFacts}).
     */
    public void mappedEndpoints(List<IpEndpoint> endpoints) {
        List<IpEndpoint> eps = List.copyOf(endpoints);
        if (!eps.equals(mappedEndpoints)) {
            mappedEndpoints = eps;
            dirty = true;
        }
    }

    public List<IpEndpoint> mappedEndpoints() {
        return mappedEndpoints;
    }

    /**
     * Publishes each mapped endpoint as ours twice: as an EndpointV4/V6 (what v1 peers understand) and as an
     * ObservedEndpoint about ourselves (v2), because a gateway mapping is the same kind of thing as a NAT mapping a
     * peer observed, only better (it accepts unsolicited packets), so peers rank it with observed mappings, ahead of
     * our self-reported addresses. When the mapping goes, the next pass no longer derives them and they are retracted.
     */
    private void addMappedEndpointFacts(List<Fact> local, Instant exp) {
        for (IpEndpoint ep : mappedEndpoints) {
            local.add(Fact.endpoint(selfKey, ep, exp));
            local.add(Fact.observed(selfKey, ep, exp));
        }
    }

    // ------------------------------------------------------------------ local facts

    /**
     * The lifetime of the facts we derive: {@code factTtl} (255 s) up to {@value #TTL_SCALE_PEERS} device peers, and
     * doubled for each doubling of the mesh beyond that (2,040 s at 1,000 peers; at most the wire's 65,535 s). A
     * fact is re-sent to a peer only as what it holds nears expiry, so the refresh traffic per node stays flat as
     * the mesh grows instead of growing with it; facts we stop asserting are withdrawn explicitly (TTL 0) rather than
     * left to expire (PROTOCOL.md §6.1). v1 peers, which do not read withdrawals, get {@code factTtl} as before.
     */
    Duration factTtl() {
        Duration base = settings.gossip().factTtl();
        int peers = device == null ? 0 : device.peers().size();
        int scale = Integer.highestOneBit(Math.max(1, peers / TTL_SCALE_PEERS));
        Duration d = base.multipliedBy(scale);
        Duration max = Duration.ofSeconds(io.wirelink.facts.FactCodec.MAX_TTL);
        return d.compareTo(max) > 0 ? max : d;
    }

    private void deriveLocalFacts(Instant now, boolean selfRouter) {
        Instant exp = now.plus(factTtl());
        List<Fact> local = new ArrayList<>();
        // our own endpoint candidates
        for (IpEndpoint ep : LocalEndpoints.candidates(links, addresses, config.iface(), device.listenPort(),
                config.reportIfaces(), config.hideIfaces())) {
            local.add(Fact.endpoint(selfKey, ep, exp));
        }
        addMappedEndpointFacts(local, exp);
        PeerConfig selfConfig = config.peer(selfKey);
        TrustLevel selfTrust = selfConfig == null ? null : selfConfig.trust();
        boolean shareAips = selfRouter || (selfTrust != null && selfTrust.atLeast(TrustLevel.AllowedIPs));
        boolean shareMembers = selfRouter || (selfTrust != null && selfTrust.atLeast(TrustLevel.Membership));
        if (selfRouter && (selfConfig == null || selfConfig.allowedIps().isEmpty())) {
            for (IpPrefix p : tunnelSubnets()) {
                local.add(Fact.allowedIp(selfKey, p, exp));
            }
        }
        // A leaf with a router on its device leaves observations to its routers: the router sees every member
        // itself, and a leaf's view of other leaves adds nothing (a cone NAT maps alike for all; a symmetric one
        // differently for each observer) while making the router hold and relay O(members²) facts.
        boolean observe = selfRouter || !Routers.hasRouter(device);
        for (PeerState p : device.peers()) {
            // the endpoint the device sees a healthy peer at: for a peer behind a NAT, its mapping
            if (observe && p.endpoint() != null && Health.healthy(p, now)) {
                local.add(Fact.endpoint(p.publicKey(), p.endpoint(), exp)); // for v1 (Go) peers
                local.add(Fact.observed(p.publicKey(), p.endpoint(), exp)); // v2: says it was observed
            }
            if (shareAips) {
                for (IpPrefix a : p.allowedIps()) {
                    if (!a.address().isLinkLocalAddress()) {
                        local.add(Fact.allowedIp(p.publicKey(), a, exp));
                    }
                }
            }
            if (shareMembers) {
                PeerConfig pc = config.peer(p.publicKey());
                MemberMetadata md = pc == null ? MemberMetadata.EMPTY : MemberMetadata.EMPTY.with(pc.name(), pc.basic());
                local.add(Fact.member(p.publicKey(), md, exp));
            }
        }
        List<Fact> fromConfig = new ArrayList<>();
        for (PeerConfig pc : config.peers()) {
            fromConfig.add(Fact.member(pc.publicKey(), MemberMetadata.EMPTY.with(pc.name(), pc.basic()), exp));
            if (pc.trust() != null && !pc.publicKey().equals(selfKey)) {
                // our trust decisions, for peers that configured us as DelegateTrust (v2 only; capped on receipt)
                fromConfig.add(new Fact(Attribute.TRUST_GRANT, pc.publicKey(),
                        new FactValue.Grant(pc.trust().ordinal()), exp));
            }
            for (IpPrefix a : pc.allowedIps()) {
                fromConfig.add(Fact.allowedIp(pc.publicKey(), a, exp));
            }
            for (String s : pc.endpoints()) {
                try {
                    fromConfig.add(Fact.endpoint(pc.publicKey(), IpEndpoint.parse(s), exp));
                } catch (IllegalArgumentException name) {
                    // resolved by the runtime
                }
            }
        }
        List<Fact> relayFacts = relays.localFacts(rawDevice, now, exp); // our relay's offer, the relays we use
        local.addAll(relayFacts);
        List<RelayAttachment> rr = new ArrayList<>(relayFacts.size());
        relayFacts.forEach(f -> rr.add((RelayAttachment) f.value()));
        recordRelays = List.copyOf(rr);
        appendLocal(local, Channel.LOCAL, now);
        appendLocal(fromConfig, Channel.CONFIG, now);
    }

    /**
     * Appends when new, or when our own assertion is past half its life (so the log does not churn); and retracts
     * our own assertions on this channel that were not derived this time. Without the retraction a fact derived
     * from the device (a member) would put the peer back on the device and so re-derive itself after the peer was
     * removed (wirelink prunes removed local facts for the same reason).
     */
    private void appendLocal(List<Fact> facts, Channel channel, Instant now) {
        List<FactKey> keys = new ArrayList<>(facts.size());
        java.util.Set<FactKey> derived = new HashSet<>();
        for (Fact f : facts) {
            FactKey k = f.key();
            keys.add(k);
            derived.add(k);
        }
        // our own unexpired assertions on this channel (what the view would show) that were not derived this time
        for (FactEvent a : store.localEvents(channel)) {
            if (a.provenance().author().equals(selfKey) && !a.expiredAt(now) && !derived.contains(a.key())) {
                store.retract(a.fact(), selfKey);
                dirty = true;
            }
        }
        // freshness as of now, before any of the appends below (a fact derived twice is appended twice)
        Duration half = factTtl().dividedBy(2);
        Instant halfLife = now.plus(half);
        boolean[] fresh = new boolean[facts.size()];
        for (int i = 0; i < fresh.length; i++) {
            FactEvent own = store.assertion(keys.get(i), selfKey);
            fresh[i] = own != null && !own.expiredAt(now) && own.fact().expires().isAfter(halfLife);
        }
        for (int i = 0; i < fresh.length; i++) {
            Fact f = facts.get(i);
            if (!fresh[i]) {
                AppendResult r = store.append(f, Provenance.local(selfKey, channel, now));
                if (r instanceof AppendResult.Appended a && a.replaced().isEmpty()) {
                    dirty = true;
                }
            }
        }
    }

    // ------------------------------------------------------------------ gossip out

    /** What each device peer is sent this pass ({@link OutboundPlanner}), sealed. */
    private List<Outgoing> gossip(Instant now, Map<FactKey, Fact> believed, Map<PublicKey, PeerIntent> intents,
            TrustContext ctx, boolean selfRouter) {
        int port = gossipPort();
        List<Outgoing> out = new ArrayList<>();
        if (port == 0) {
            return out;
        }
        OutboundPlanner.Signals signals = signals(now); // before the plan consults the probe schedules
        List<OutboundPlanner.Recipient> recipients = new ArrayList<>(device.peers().size());
        for (PeerState p : device.peers()) {
            if (!p.publicKey().equals(selfKey)) {
                recipients.add(recipient(p, ctx, now));
            }
        }
        OutboundPlanner.Plan plan = outbound.plan(round(now, selfRouter), believed.values(), k -> {
            PeerIntent v = intents.get(k); // facts about peers that are neither alive nor healthy are not shared
            return v != null && device.peer(k) != null && !v.healthy() && v.aliveUntil() == null;
        }, recipients, signals);
        counters.aliveGreetings += plan.greetings();
        counters.withdrawalsOut += plan.withdrawals();
        for (OutboundPlanner.Datagram d : plan.datagrams()) {
            send(d, port, out, now);
        }
        return out;
    }

    /** The PunchRequests this pass carries: ours to our routers, and, as a router, those we pass on. */
    private OutboundPlanner.Signals signals(Instant now) {
        List<Fact> askRouters = punches.requests(paths, probes, now);
        counters.punchRequests += askRouters.size();
        Map<PublicKey, List<Fact>> passOn = new HashMap<>();
        punches.takePassOn().forEach((target, requesters) -> {
            List<Fact> fs = new ArrayList<>();
            requesters.forEach(r -> fs.add(Punches.request(target, r, now)));
            passOn.put(target, fs);
        });
        return new OutboundPlanner.Signals(askRouters, passOn);
    }

    /** A device peer as the send plan sees it: its configured trust, its role, its path. */
    private OutboundPlanner.Recipient recipient(PeerState p, TrustContext ctx, Instant now) {
        PublicKey k = p.publicKey();
        PeerConfig pc = config.peer(k);
        TrustLevel configured = pc == null ? null : pc.trust();
        return new OutboundPlanner.Recipient(k, p.endpoint() != null,
                configured != null && configured.atLeast(TrustLevel.AllowedIPs), ctx.routers().contains(k),
                pc != null && pc.factExchanger(), pathHealthy(p, now), Health.healthy(p, now));
    }

    private OutboundPlanner.Round round(Instant now, boolean selfRouter) {
        return new OutboundPlanner.Round(now, ownAlive(now), selfRouter, config.chatty(), pathProbes);
    }

    /** Seals {@code d} (null: nothing to send) and queues its groups for the peer's link-local address. */
    private void send(OutboundPlanner.Datagram d, int port, List<Outgoing> out, Instant now) {
        if (d == null) {
            return;
        }
        for (SignedGroups.Sealed s : sealer.seal(d, now)) {
            out.add(new Outgoing(d.peer(), LinkLocal.address(d.peer()), port, s.datagram()));
            counters.datagramsOut++;
            counters.bytesOut += s.datagram().length;
        }
    }

    /** Path traversal's part in when our Alive goes: coordinated punches and the probe schedules. */
    private final class Probes implements PathProbes {
        @Override
        public boolean punchOwed(PublicKey k) {
            if (!punches.takeNow(k)) {
                return false;
            }
            counters.alivePunches++;
            return true;
        }

        @Override
        public void pathWorks(PublicKey k) {
            probes.remove(k);
        }

        @Override
        public SendPlanner.AliveRule probe(PublicKey k, Instant now) {
            return probeRule(k, now);
        }
    }

    /** An Alive probe of a path that does not work (see {@link AliveProbes}). */
    private SendPlanner.AliveRule probeRule(PublicKey k, Instant now) {
        if (!probes.probe(k, settings.gossip().alivePeriod(), now)) {
            return SendPlanner.AliveRule.PIGGYBACK;
        }
        counters.aliveProbes++;
        return SendPlanner.AliveRule.NOW;
    }

    /** The peers whose format (v2, Acks) this core remembers; bounded by the known peers. For tests. */
    int capabilitiesHeld() {
        return gossipPeers.formatsHeld();
    }

    /** Whether a path carries traffic (see {@link PathHealth#healthy}). */
    boolean pathHealthy(PeerState p, Instant now) {
        return paths.healthy(p, now);
    }

    // ------------------------------------------------------------------ status

    private List<PeerStatus> status(Map<PublicKey, PeerIntent> intents, TrustContext ctx, boolean selfRouter,
            Instant now) {
        List<PeerStatus> out = new ArrayList<>();
        Set<PublicKey> routers = ctx.routers();
        for (PeerIntent v : intents.values()) {
            PeerConfig pc = config.peer(v.key());
            String name = pc != null && pc.name() != null ? pc.name() : nameFromFacts(v.key());
            PeerState ps = device.peer(v.key());
            String path;
            if (v.healthy()) {
                path = "direct";
            } else if (!routers.isEmpty() && !routers.contains(v.key())) {
                path = "via router";
            } else {
                path = "none";
            }
            path = relays.path(v.key(), path, now, this::nameFromFacts);
            out.add(new PeerStatus(v.key(), name, v.member(), v.configured(), ps != null, v.healthy(), v.aliveUntil(),
                    TrustPolicy.levelOf(v.key(), ctx), routers.contains(v.key()), path,
                    lastReason.getOrDefault(v.key(), "")));
        }
        lastReason.keySet().retainAll(intents.keySet());
        relays.retainPaths(intents.keySet());
        return out;
    }

    /** The name a believed MemberMetadata gives {@code k} (collected by this pass's {@link #intents}), or null. */
    private String nameFromFacts(PublicKey k) {
        return names.get(k);
    }

    /** Names from the believed MemberMetadata of the last pass. */
    private Map<PublicKey, String> names = Map.of();

    /** For tests and logs: a short description of a key's link-local address. */
    static String ll(PublicKey k) {
        return Addresses.format(LinkLocal.address(k));
    }
}
