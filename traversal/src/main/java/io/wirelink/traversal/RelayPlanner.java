package io.wirelink.traversal;

import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerState;
import io.wirelink.apply.reconcile.PeerIntent;
import io.wirelink.apply.reconcile.RelayDecisions;
import io.wirelink.facts.Fact;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.RelayAttachment;
import io.wirelink.traversal.PeerPath.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The client side of relaying, as pure decisions (PROTOCOL.md §6.4): which offered relays to register with, which
 * relay carries each peer that cannot be reached directly, when to fail over, when to try direct again, and what each
 * peer's path is. It never reads a clock or does I/O: the runtime feeds it probe replies and the core calls
 * {@link #plan} on each pass with the raw device, and performs what it returns. The parts: {@link RelayDirectory}
 * (known relays, liveness), {@link Registrations}, {@link Disclosures}, {@link Rendezvous}, one {@link PeerPath} per
 * member peer (DIRECT, RELAYED, TRIAL) and {@link PathPass}, which moves the paths on each pass.
 *
 * <ul>
 *   <li><b>Relays</b> are the relays in the config ({@code relay.servers}, {@link #configured}) and the
 *       RelayAttachment offers (operator bit) the node believes; a configured relay is treated exactly like an offered
 *       one. Each is probed (by the runtime, {@link #probeTargets}); one is <i>alive</i> while a probe reply arrived
 *       within {@link #DEAD_AFTER}.</li>
 *   <li><b>Registration.</b> While some member peer needs a relay (unhealthy for {@link #GIVE_UP_DIRECT}), or is
 *       relayed, and for {@link #LINGER} after, the node keeps up to {@code maxAttach} alive relays as WireGuard
 *       peers (no allowed IPs, keepalive {@link #RELAY_KEEPALIVE_SECONDS} s): the ones it has, then the lowest RTT.
 *       A relay it registered with (a handshake within {@link #REGISTERED_WITHIN}) and that is alive is published as
 *       an attachment.</li>
 *   <li><b>Choice.</b> For a peer P: the relays both ends are attached to (ours alive and registered, P's from its
 *       attachment facts); of those, the one with the highest SHA-256(relay | min(self, P) | max(self, P)) (rendezvous
 *       hashing: both ends compute the same, and pairs spread over the relays). Switching a peer whose session is
 *       recent to another relay removes and re-adds it on the device, so the next packet starts a fresh handshake
 *       through the new relay (the old relay's index routes are useless to the new one).</li>
 *   <li><b>Back to direct.</b> While relayed, direct is tried again after 2 s, doubling to 60 s: the peer's best
 *       direct candidate for {@link #TRIAL}; if the device still sends there and received from the peer meanwhile, the
 *       peer is direct again; otherwise the relay endpoint goes back. A peer that went direct after being relayed and
 *       then receives nothing for {@link #DIRECT_STALL} while we send goes back to the relay at once.</li>
 * </ul>
 */
public final class RelayPlanner {
    public static final Duration PROBE_INTERVAL = Duration.ofMillis(500);
    public static final Duration DEAD_AFTER = Duration.ofMillis(2000);
    public static final Duration GIVE_UP_DIRECT = Duration.ofSeconds(12);
    /** Registering starts this soon after a peer became unhealthy, so relays are ready when direct is given up. */
    public static final Duration ATTACH_AFTER = Duration.ofSeconds(4);
    public static final Duration LINGER = Duration.ofMinutes(2);
    public static final Duration REGISTERED_WITHIN = Duration.ofSeconds(180);
    public static final Duration TRIAL = Duration.ofSeconds(3);
    /**
     * A direct try at a relay's switch moment is shorter: both ends sent at that moment, so through NATs that let it
     * pass something arrives within a round trip, and through ones that do not the pair (both ends sending direct)
     * is cut off until the try ends.
     */
    public static final Duration COORDINATED_TRIAL = Duration.ofMillis(1500);
    public static final Duration FIRST_RETRY = Duration.ofSeconds(2);
    public static final Duration MAX_RETRY = Duration.ofSeconds(60);
    public static final Duration DIRECT_STALL = Duration.ofSeconds(4);
    public static final int RELAY_KEEPALIVE_SECONDS = 25;
    /** How long a disclosure is remembered (its endpoint is not a direct candidate of our own; see {@link #plan}). */
    public static final Duration DISCLOSURE_TTL = Duration.ofSeconds(30);

    /**
     * A relay someone offers, or one from the config.
     *
     * @param operator the member that offers it; null for a relay only the config names
     * @param configured whether the config names it (then its configured endpoints come first)
     */
    public record Offer(PublicKey relay, PublicKey operator, List<IpEndpoint> endpoints, boolean configured) {
        public Offer {
            endpoints = List.copyOf(endpoints);
        }

        public Offer(PublicKey relay, PublicKey operator, List<IpEndpoint> endpoints) {
            this(relay, operator, endpoints, false);
        }

        /** A relay from the config: no operator. */
        public static Offer configured(PublicKey relay, List<IpEndpoint> endpoints) {
            return new Offer(relay, null, endpoints, true);
        }

        /** A relay a peer's DHT record says the peer is registered with (PROTOCOL.md §7.8): no operator known. */
        public static Offer found(PublicKey relay, List<IpEndpoint> endpoints) {
            return new Offer(relay, null, endpoints, false);
        }

        /** "configured relay", "relay found in the DHT" or "relay of OPERATOR", for reasons. */
        String describe() {
            return operator == null ? (configured ? "configured relay" : "relay found in the DHT")
                    : "relay of " + operator + (configured ? " (configured)" : "");
        }
    }

    /** Where to send probes: one relay endpoint. */
    public record ProbeTarget(PublicKey relay, IpEndpoint endpoint) {}

    /** What one peer's path is, since when, and why it is not direct. */
    public record PathInfo(String path, Instant since, String notDirect, PublicKey relay) {}

    /**
     * What {@link #plan} decided: the decisions for the reconciler, and peers to send to at once (a direct try began
     * at the relay's switch moment: both ends send now, so each NAT sees outbound traffic).
     */
    public record Plan(RelayDecisions decisions, Set<PublicKey> punch) {}

    /** A disclosure query to send: to {@code relay} at {@code endpoint}, about {@code peer} (relay/Disclosure). */
    public record DisclosureQuery(PublicKey relay, IpEndpoint endpoint, PublicKey peer) {}

    private final PublicKey self;
    private final boolean use;
    private final RelayDirectory directory;
    private final Registrations registrations;
    private final Disclosures disclosures = new Disclosures();
    private final Map<PublicKey, PeerPath> paths = new TreeMap<>();
    private final PathStatus shown;
    private PublicKey ownRelay;
    private List<IpEndpoint> ownEndpoints = List.of();
    private Instant neededUntil;
    /** {@link #needsPass} asked for a pass that has not run yet. */
    private boolean passWanted;

    public RelayPlanner(PublicKey self, boolean use, int maxAttach) {
        this.self = self;
        this.use = use;
        this.directory = new RelayDirectory(self);
        this.registrations = new Registrations(directory, use, maxAttach);
        this.shown = new PathStatus(directory);
    }

    // ------------------------------------------------------------------ inputs

    /** This node runs the relay {@code relay} reachable at {@code endpoints} (offered in our own facts). */
    public void ownRelay(PublicKey relay, List<IpEndpoint> endpoints) {
        this.ownRelay = relay;
        this.ownEndpoints = List.copyOf(endpoints);
    }

    public PublicKey ownRelay() {
        return ownRelay;
    }

    /**
     * The relays the config names ({@code relay.servers}), replacing earlier ones (a reload). They are probed from now
     * on (no pass or fact needed) and, from the next pass, registered with and chosen like offered relays; one no
     * longer configured nor offered is unregistered by that pass.
     */
    public void configured(Collection<Offer> relays) {
        directory.configured(relays, ownRelay);
    }

    /**
     * Relays that peers' DHT records say the peers are registered with ({@link Offer#found}), replacing earlier ones;
     * the core passes the ones still believed before each pass. From that pass on they are relays like configured
     * ones, after the configured and offered ones (a relay already known gains their endpoints).
     */
    public void found(Collection<Offer> relays) {
        directory.found(relays);
    }

    /** A relay liveness probe to {@code t} was sent at {@code now}. */
    public void probeSent(ProbeTarget t, Instant now) {
        directory.probeSent(t);
    }

    /** A probe reply from {@code t}: the round trip took {@code rtt}; the relay saw us at {@code observed}. */
    public void probeReply(ProbeTarget t, Duration rtt, IpEndpoint observed, Instant now) {
        directory.probeReply(t, rtt, observed, now);
    }

    /**
     * A relay's answer to our disclosure query about {@code peer}: where the relay sees the peer's WireGuard port
     * ({@code endpoint}, its NAT mapping; null when the peer is not registered there or the pair is not allowed) and the
     * pair's switch moment. A relay that disclosed a peer within {@link #DEAD_AFTER} counts as one the peer is attached
     * to, like an attachment fact; the moment times the next direct try.
     *
     * @return true when this is news a pass should act on now (a new mapping, or a new moment)
     */
    public boolean disclosed(PublicKey relay, PublicKey peer, IpEndpoint endpoint, Instant moment, Instant now) {
        PeerPath pp = paths.get(peer);
        return registrations.has(relay) && pp != null && disclosures.record(relay, peer, pp, endpoint, moment, now);
    }

    // ------------------------------------------------------------------ what the runtime does next

    /**
     * The disclosure queries of this round: for each peer we relay, the relay in use; for each member peer that is
     * not direct and not relayed yet, every relay we are attached to (its answer says whether the peer is there).
     * At most {@value Registrations#MAX_QUERIES}.
     */
    public List<DisclosureQuery> disclosureQueries() {
        return use ? registrations.queries(paths) : new ArrayList<>();
    }

    /** The fresh disclosure by the relay in use while {@code pp} is RELAYED (its switch moment), else null. */
    private Disclosures.Disclosed moment(PublicKey k, PeerPath pp, Instant now) {
        return pp.state() == State.RELAYED ? disclosures.fresh(k, pp.relay(), now) : null;
    }

    /**
     * When a pass must run for a relay's switch moment (the direct try starts then), a try's check or end, or a
     * hold's end, or null: the runtime sets a timer, so both ends start within milliseconds of each other rather
     * than at their next periodic pass.
     */
    public Instant nextWake(Instant now) {
        Instant next = null;
        for (Map.Entry<PublicKey, PeerPath> e : paths.entrySet()) {
            Instant at = e.getValue().wakeAt(now, moment(e.getKey(), e.getValue(), now));
            if (at != null) {
                next = PeerPath.earlier(next, at);
            }
        }
        return next;
    }

    /**
     * True when a full pass is due for the planner: {@link #needsPass} said so since the last pass, a relay's switch
     * moment has come, or a coordinated try is to be looked at or judged. The core asks this to choose a full pass
     * over a quick step when a timer fires.
     */
    public boolean due(Instant now) {
        if (passWanted) {
            return true;
        }
        for (Map.Entry<PublicKey, PeerPath> e : paths.entrySet()) {
            if (e.getValue().due(now, moment(e.getKey(), e.getValue(), now))) {
                return true;
            }
        }
        return false;
    }

    /** The relay liveness probes to send now: every endpoint of every relay known. */
    public List<ProbeTarget> probeTargets() {
        return use ? directory.targets() : new ArrayList<>();
    }

    /**
     * True when a pass should run now rather than at the next periodic one: a relay became alive or dead since the
     * last call, a direct try ended or one is due. The runtime asks every {@link #PROBE_INTERVAL}.
     */
    public boolean needsPass(Instant now) {
        boolean due = false;
        for (PeerPath pp : paths.values()) {
            due |= pp.askPass(now);
        }
        boolean pass = directory.livenessChanged(now) || due;
        passWanted |= pass;
        return pass;
    }

    /** Relay keys that are not mesh peers: the core never sees them on the device. */
    public Set<PublicKey> relayKeys() {
        Set<PublicKey> out = new HashSet<>(directory.offers().keySet());
        out.addAll(registrations.all().keySet());
        return out;
    }

    /** The device without relay peers, for the core. */
    public DeviceState hide(DeviceState d) {
        Set<PublicKey> hidden = relayKeys();
        if (hidden.isEmpty()) {
            return d;
        }
        List<PeerState> kept = new ArrayList<>();
        for (PeerState p : d.peers()) {
            if (!hidden.contains(p.publicKey())) {
                kept.add(p);
            }
        }
        return kept.size() == d.peers().size() ? d
                : new DeviceState(d.name(), d.publicKey(), d.listenPort(), d.fwmark(), kept);
    }

    /** Our own RelayAttachment facts: the offer of our relay, and the relays we are registered with and see alive. */
    public List<Fact> localFacts(DeviceState raw, Instant now, Instant expires) {
        List<Fact> out = new ArrayList<>();
        if (ownRelay != null && !ownEndpoints.isEmpty()) {
            out.add(Fact.relay(self, new RelayAttachment(true, ownRelay, ownEndpoints.subList(0, Math.min(
                    RelayAttachment.MAX_ENDPOINTS, ownEndpoints.size()))), expires));
        }
        for (PublicKey r : registrations.usable(raw, now)) {
            out.add(Fact.relay(self, new RelayAttachment(false, r, List.of(registrations.endpoint(r))), expires));
        }
        return out;
    }

    // ------------------------------------------------------------------ the pass

    /**
     * Decides relays for this pass: relay peers to register or unregister, and where each member peer goes (relayed
     * peers' endpoints, direct tries, holds, re-adds), as the input the reconciler composes the device change with.
     */
    public Plan plan(Instant now, DeviceState raw, Map<PublicKey, PeerIntent> intents, Collection<Fact> believed) {
        directory.refresh(believed, ownRelay);
        passWanted = false;
        Map<PublicKey, Set<PublicKey>> theirs = Rendezvous.attachments(believed);
        disclosures.prune(intents.keySet(), now, theirs);
        Set<PublicKey> relayKeys = relayKeys();
        Set<IpEndpoint> relayEndpoints = new HashSet<>();
        directory.offers().values().forEach(o -> relayEndpoints.addAll(o.endpoints()));
        relayEndpoints.addAll(registrations.endpoints());
        PathPass pass = new PathPass(self, now, registrations, disclosures, registrations.usable(raw, now), theirs,
                relayEndpoints);
        for (PeerIntent v : intents.values()) {
            PublicKey k = v.key();
            PeerState ps = raw.peer(k);
            if (!v.member() || ps == null || relayKeys.contains(k) || k.equals(self)) {
                paths.remove(k);
                continue;
            }
            pass.peer(v, ps, paths.computeIfAbsent(k, x -> new PeerPath()));
        }
        paths.keySet().retainAll(intents.keySet());
        if (pass.needed) {
            neededUntil = now.plus(LINGER);
        }
        List<RelayDecisions.RelayPeer> relayPeers = registrations.attach(now, raw,
                neededUntil != null && neededUntil.isAfter(now), pass.reasons);
        Map<PublicKey, RelayDecisions.Route> routes = new LinkedHashMap<>();
        pass.endpointFor.forEach((k, ep) -> {
            // a re-add needs somewhere to go: an endpoint, or a hold (the other end's handshake comes to us)
            PeerPath pp = paths.get(k);
            boolean reAdd = pass.reAdd.contains(k) && (ep != null || (pp != null && pp.holding()));
            routes.put(k, new RelayDecisions.Route(ep, reAdd));
        });
        return new Plan(new RelayDecisions(routes, relayPeers, Set.of(), pass.switched, pass.reasons), pass.punch);
    }

    /** Whether the planner is moving {@code peer}: relayed, or trying direct from a relay. */
    public boolean managing(PublicKey peer) {
        PeerPath pp = paths.get(peer);
        return pp != null && pp.state() != State.DIRECT;
    }

    // ------------------------------------------------------------------ status

    /**
     * Records the path the core computed for {@code peer} (direct, via router, none) and returns the path to show:
     * "via relay …" while relayed. Tracks since when the shown path holds.
     */
    public String path(PublicKey peer, String corePath, Instant now, Function<PublicKey, String> names) {
        return shown.show(peer, paths.get(peer), corePath, now, names);
    }

    /** The last pass's path of {@code peer}, or null. */
    public PathInfo pathInfo(PublicKey peer) {
        return shown.get(peer);
    }

    public void retainPaths(Set<PublicKey> keep) {
        shown.retain(keep);
    }

    /**
     * The relays we know of, for {@code show}: key, operator (null for a relay only the config names), whether the
     * config names it, endpoint in use, RTT, alive, attached.
     */
    public record RelayView(PublicKey relay, PublicKey operator, boolean configured, IpEndpoint endpoint,
            double rttMillis, boolean alive, boolean attached, IpEndpoint observed) {}

    public List<RelayView> relays(Instant now) {
        return directory.views(now, registrations.all());
    }
}
