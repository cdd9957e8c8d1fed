package io.wirelink.traversal;

import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerChange;
import io.wirelink.apply.PeerState;
import io.wirelink.apply.reconcile.PeerIntent;
import io.wirelink.apply.reconcile.Reason;
import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.RelayAttachment;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The client side of relaying, as pure decisions (PROTOCOL.md §6.4): which offered relays to register with, which
 * relay carries each peer that cannot be reached directly, when to fail over, when to try direct again, and what each
 * peer's path is. It never reads a clock or does I/O: the runtime feeds it probe replies and the core calls
 * {@link #plan} on each pass with the raw device, and performs what it returns.
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
    static final int MAX_RELAYS = 8;
    /** How long a session may be old and still worth a remove/re-add when switching relays (REJECT_AFTER_TIME). */
    static final Duration SESSION = Duration.ofSeconds(180);
    /** How often a coordinated try sets its direct endpoint again after WireGuard roamed back to the relay. */
    static final int MAX_REASSERTS = 4;
    /** How often a coordinated try is looked at while it runs (for roaming back to the relay). */
    static final Duration TRIAL_CHECK = Duration.ofMillis(250);
    /** Disclosure queries per round, at most (a round is a probe round). */
    static final int MAX_QUERIES = 32;
    /** How late a relay's switch moment may be joined (the other end's try lasts {@link #COORDINATED_TRIAL}). */
    static final Duration LATE_JOIN = Duration.ofMillis(500);
    /**
     * How long a direct try that is due waits for a switch moment from the relay in use before it goes alone (the
     * relay sets one every 2 to 3 s while both ends ask).
     */
    static final Duration MOMENT_WAIT = Duration.ofSeconds(3);
    /**
     * How long the end with the greater key holds back its own handshake when a pair starts through a relay. Both
     * ends usually decide at the same moment (the same disclosure, the same registration); two initiations that cross
     * in the relay supersede each other in WireGuard, and the pair is cut off until the next retry 5 s later. So
     * only the smaller key's end starts; the other answers it (WireGuard roams to the relay on its initiation) and
     * starts its own only when nothing came within this time.
     */
    static final Duration YIELD = Duration.ofSeconds(1);
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
     * What {@link #plan} decided: the change, why, peers whose endpoint moved, and peers to send to at once (a direct
     * try began at the relay's switch moment: both ends send now, so each NAT sees outbound traffic).
     */
    public record Plan(DeviceChange change, List<Reason> reasons, Set<PublicKey> switched, Set<PublicKey> punch) {}

    /** A disclosure query to send: to {@code relay} at {@code endpoint}, about {@code peer} (relay/Disclosure). */
    public record DisclosureQuery(PublicKey relay, IpEndpoint endpoint, PublicKey peer) {}

    /** What a relay last disclosed about a peer: its mapping (null: unknown there), when, and the switch moment. */
    private record Disclosed(IpEndpoint endpoint, Instant at, Instant moment) {}

    /** Probe state of one relay endpoint. */
    private static final class Probed {
        Instant lastReply;
        Instant lastSent;
        double rttMillis = Double.NaN;
        IpEndpoint observed;
    }

    private enum Mode { DIRECT, RELAYED, TRIAL }

    /** Per-peer state. */
    private static final class PeerPlan {
        Mode mode = Mode.DIRECT;
        PublicKey relay;
        IpEndpoint relayEndpoint;
        Instant unhealthySince;
        Instant relayedSince;
        Instant nextTrial;
        Duration backoff = FIRST_RETRY;
        Instant trialEnd;
        IpEndpoint trialEndpoint;
        long rxAtTrial;
        int trials;
        /** Whether a direct try was made since the peer was last relayed. */
        boolean tried;
        /** The last switch moment a pass looked at when it had come (so no further pass is asked for it). */
        Instant momentSeen;
        /** Whether the current try began at a relay's switch moment, and how often its endpoint was set again. */
        boolean coordinated;
        int reasserted;
        /** When a coordinated try is looked at next. */
        Instant nextCheck;
        Instant lastRelayed;
        long lastRx = -1;
        long txAtRx;
        Instant rxChanged;
        String why = "";
        /** A pass was asked for the current trial end or retry (so it is asked once). */
        boolean passAsked;
        /**
         * A basic peer (WireGuard only, no agent): it never asks the relay, so it never switches at the relay's
         * moments; our direct tries with it go alone (a coordinated one would mistake relayed packets for direct).
         */
        boolean basic;
        /** While set: our end holds back its handshake through the relay until then ({@link #YIELD}); since when. */
        Instant holdUntil;
        Instant holdFrom;
    }

    private final PublicKey self;
    private final boolean use;
    private final int maxAttach;
    private final Map<PublicKey, Offer> offers = new TreeMap<>();
    /** Relays from the config ({@code relay.servers}), by key, in config order. */
    private Map<PublicKey, Offer> configured = Map.of();
    /** Relays from peers' DHT records ({@link #found}), replaced on every pass. */
    private List<Offer> found = List.of();
    private final Map<ProbeTarget, Probed> probes = new HashMap<>();
    private final Map<PublicKey, IpEndpoint> attached = new TreeMap<>();
    private final Map<PublicKey, PeerPlan> peers = new TreeMap<>();
    private final Map<PublicKey, PathInfo> paths = new TreeMap<>();
    /** Disclosures by peer, then relay. */
    private final Map<PublicKey, Map<PublicKey, Disclosed>> disclosures = new HashMap<>();
    private final Set<PublicKey> lastAlive = new HashSet<>();
    private PublicKey ownRelay;
    private List<IpEndpoint> ownEndpoints = List.of();
    private Instant neededUntil;
    /** {@link #needsPass} asked for a pass that has not run yet. */
    private boolean passWanted;

    public RelayPlanner(PublicKey self, boolean use, int maxAttach) {
        this.self = self;
        this.use = use;
        this.maxAttach = maxAttach;
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
        Map<PublicKey, Offer> m = new LinkedHashMap<>();
        for (Offer o : relays) {
            Offer old = m.get(o.relay());
            List<IpEndpoint> eps = new ArrayList<>(old == null ? List.of() : old.endpoints());
            for (IpEndpoint e : o.endpoints()) {
                if (!eps.contains(e)) {
                    eps.add(e);
                }
            }
            m.put(o.relay(), Offer.configured(o.relay(), eps));
        }
        configured = m;
        offers.entrySet().removeIf(e -> e.getValue().operator() == null && !m.containsKey(e.getKey()));
        for (Offer o : m.values()) {
            if (!offers.containsKey(o.relay()) && !o.relay().equals(self) && !o.relay().equals(ownRelay)
                    && offers.size() < MAX_RELAYS) {
                offers.put(o.relay(), o);
            }
        }
    }

    /**
     * Relays that peers' DHT records say the peers are registered with ({@link Offer#found}), replacing earlier ones;
     * the core passes the ones still believed before each pass. From that pass on they are relays like configured
     * ones, after the configured and offered ones (a relay already known gains their endpoints).
     */
    public void found(Collection<Offer> relays) {
        found = List.copyOf(relays);
    }

    /** A probe to {@code t} was sent at {@code now}. */
    public void probeSent(ProbeTarget t, Instant now) {
        probes.computeIfAbsent(t, x -> new Probed()).lastSent = now;
    }

    /** A probe reply from {@code t}: the round trip took {@code rtt}; the relay saw us at {@code observed}. */
    public void probeReply(ProbeTarget t, Duration rtt, IpEndpoint observed, Instant now) {
        Probed p = probes.get(t);
        if (p == null) {
            return;
        }
        double ms = rtt.toNanos() / 1e6;
        p.rttMillis = Double.isNaN(p.rttMillis) ? ms : 0.75 * p.rttMillis + 0.25 * ms;
        p.lastReply = now;
        p.observed = observed;
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
        if (!attached.containsKey(relay) || !peers.containsKey(peer)) {
            return false;
        }
        PeerPlan pp = peers.get(peer);
        Map<PublicKey, Disclosed> m = disclosures.computeIfAbsent(peer, k -> new HashMap<>());
        // a basic peer takes no part in the moment: it is not kept, so nothing waits for it or tries at it
        Disclosed old = m.put(relay, new Disclosed(endpoint, now, endpoint == null || pp.basic ? null : moment));
        if (endpoint == null) {
            return old != null && old.endpoint() != null;
        }
        if (pp.basic) {
            return old == null || !endpoint.equals(old.endpoint()) || old.at().plus(DEAD_AFTER).isBefore(now);
        }
        if (pp.mode == Mode.RELAYED && !pp.tried && relay.equals(pp.relay) && pp.nextTrial.isAfter(now)) {
            // relayed before the relay disclosed the peer (the peer reached us through it first): the first try is
            // at this relay's moment, the one the other end uses, so that both keep the same schedule after it
            pp.nextTrial = now;
            pp.passAsked = false;
        }
        return old == null || !endpoint.equals(old.endpoint()) || !sameMoment(old.moment(), moment)
                || old.at().plus(DEAD_AFTER).isBefore(now);
    }

    /** The fresh disclosure of {@code peer} by {@code relay} that has an endpoint, or null. */
    private Disclosed fresh(PublicKey peer, PublicKey relay, Instant now) {
        Map<PublicKey, Disclosed> m = disclosures.get(peer);
        Disclosed d = m == null || relay == null ? null : m.get(relay);
        return d != null && d.endpoint() != null && !d.at().plus(DEAD_AFTER).isBefore(now) ? d : null;
    }

    /** Every endpoint relays disclosed for {@code peer} lately: the relays' view, not a candidate of our own. */
    private Set<IpEndpoint> disclosedEndpoints(PublicKey peer) {
        Set<IpEndpoint> out = new HashSet<>();
        for (Disclosed d : disclosures.getOrDefault(peer, Map.of()).values()) {
            if (d.endpoint() != null) {
                out.add(d.endpoint());
            }
        }
        return out;
    }

    /**
     * The disclosure queries of this round: for each peer we relay, the relay in use; for each member peer that is
     * not direct and not relayed yet, every relay we are attached to (its answer says whether the peer is there).
     * At most {@value #MAX_QUERIES}.
     */
    public List<DisclosureQuery> disclosureQueries() {
        List<DisclosureQuery> out = new ArrayList<>();
        if (!use) {
            return out;
        }
        for (Map.Entry<PublicKey, PeerPlan> e : peers.entrySet()) {
            PeerPlan pp = e.getValue();
            if (pp.mode != Mode.DIRECT && pp.relay != null && attached.containsKey(pp.relay)) {
                out.add(new DisclosureQuery(pp.relay, attached.get(pp.relay), e.getKey()));
            } else if (pp.mode == Mode.DIRECT && pp.unhealthySince != null) {
                for (Map.Entry<PublicKey, IpEndpoint> a : attached.entrySet()) {
                    out.add(new DisclosureQuery(a.getKey(), a.getValue(), e.getKey()));
                }
            }
        }
        return out.size() > MAX_QUERIES ? new ArrayList<>(out.subList(0, MAX_QUERIES)) : out;
    }

    /**
     * When a pass must run for a relay's switch moment (the direct try starts then), or null: the runtime sets a
     * timer, so both ends start within milliseconds of each other rather than at their next periodic pass.
     */
    public Instant nextWake(Instant now) {
        Instant next = null;
        for (Map.Entry<PublicKey, PeerPlan> e : peers.entrySet()) {
            PeerPlan pp = e.getValue();
            if (pp.mode == Mode.TRIAL && pp.trialEnd.isAfter(now)) {
                // judge the try when it ends; a coordinated one is looked at while it runs, and any one once, to
                // see its endpoint in place before bytes count
                Instant at = (pp.coordinated || pp.rxAtTrial < 0) && pp.nextCheck.isAfter(now)
                        && pp.nextCheck.isBefore(pp.trialEnd) ? pp.nextCheck : pp.trialEnd;
                if (next == null || at.isBefore(next)) {
                    next = at;
                }
            }
            if (pp.holdUntil != null && pp.holdUntil.isAfter(now)) {
                // the end of a yield: start our own handshake then. A switch moment is not looked at while we
                // hold (plan skips the peer), so it wakes nothing before the hold ends
                if (next == null || pp.holdUntil.isBefore(next)) {
                    next = pp.holdUntil;
                }
                continue;
            }
            Disclosed d = pp.mode == Mode.RELAYED ? fresh(e.getKey(), pp.relay, now) : null;
            if (d == null || d.moment() == null || d.moment().isBefore(pp.nextTrial.minus(LATE_JOIN))
                    || now.isAfter(d.moment().plus(LATE_JOIN)) || sameMoment(d.moment(), pp.momentSeen)) {
                continue;
            }
            // a moment that passed while the peer was not yet relayed here is joined late, at once
            Instant at = d.moment().isAfter(now) ? d.moment() : now.plusMillis(1);
            if (next == null || at.isBefore(next)) {
                next = at;
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
        for (Map.Entry<PublicKey, PeerPlan> e : peers.entrySet()) {
            PeerPlan pp = e.getValue();
            if (pp.mode == Mode.TRIAL && (!pp.trialEnd.isAfter(now)
                    || ((pp.coordinated || pp.rxAtTrial < 0) && !pp.nextCheck.isAfter(now)))) {
                return true;
            }
            if (pp.holdUntil != null) {
                if (!pp.holdUntil.isAfter(now)) {
                    return true;
                }
                continue; // holding: plan looks at no switch moment of this peer until the hold ends
            }
            Disclosed d = pp.mode == Mode.RELAYED ? fresh(e.getKey(), pp.relay, now) : null;
            if (d != null && d.moment() != null && !d.moment().isAfter(now)
                    && !d.moment().isBefore(pp.nextTrial.minus(LATE_JOIN)) && !now.isAfter(d.moment().plus(LATE_JOIN))
                    && !sameMoment(d.moment(), pp.momentSeen)) {
                return true;
            }
        }
        return false;
    }

    /** The endpoints to probe now: every endpoint of every relay offered (at most {@value #MAX_RELAYS} relays). */
    public List<ProbeTarget> probeTargets() {
        List<ProbeTarget> out = new ArrayList<>();
        if (!use) {
            return out;
        }
        for (Offer o : offers.values()) {
            for (IpEndpoint e : o.endpoints()) {
                out.add(new ProbeTarget(o.relay(), e));
            }
        }
        return out;
    }

    /**
     * True when a pass should run now rather than at the next periodic one: a relay became alive or dead since the
     * last call, a direct try ended or one is due. The runtime asks every {@link #PROBE_INTERVAL}.
     */
    public boolean needsPass(Instant now) {
        boolean due = false;
        for (PeerPlan pp : peers.values()) {
            if ((pp.mode == Mode.TRIAL && !pp.trialEnd.isAfter(now) && !pp.passAsked)
                    || (pp.mode == Mode.RELAYED && pp.nextTrial != null && !pp.nextTrial.isAfter(now)
                            && !pp.passAsked)
                    || (pp.holdUntil != null && !pp.holdUntil.isAfter(now) && !pp.passAsked)) {
                pp.passAsked = true;
                due = true;
            }
        }
        boolean pass = livenessChanged(now) || due;
        passWanted |= pass;
        return pass;
    }

    /** True when a relay became alive or dead since the last call. */
    boolean livenessChanged(Instant now) {
        Set<PublicKey> alive = new HashSet<>();
        for (PublicKey k : offers.keySet()) {
            if (bestEndpoint(k, now) != null) {
                alive.add(k);
            }
        }
        boolean changed = !alive.equals(lastAlive);
        lastAlive.clear();
        lastAlive.addAll(alive);
        return changed;
    }

    /** Relay keys that are not mesh peers: the core never sees them on the device. */
    public Set<PublicKey> relayKeys() {
        Set<PublicKey> out = new HashSet<>(offers.keySet());
        out.addAll(attached.keySet());
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
        return kept.size() == d.peers().size() ? d : new DeviceState(d.name(), d.publicKey(), d.listenPort(), d.fwmark(), kept);
    }

    // ------------------------------------------------------------------ facts

    /** Our own RelayAttachment facts: the offer of our relay, and the relays we are registered with and see alive. */
    public List<Fact> localFacts(DeviceState raw, Instant now, Instant expires) {
        List<Fact> out = new ArrayList<>();
        if (ownRelay != null && !ownEndpoints.isEmpty()) {
            out.add(Fact.relay(self, new RelayAttachment(true, ownRelay, ownEndpoints.subList(0, Math.min(
                    RelayAttachment.MAX_ENDPOINTS, ownEndpoints.size()))), expires));
        }
        for (PublicKey r : usable(raw, now)) {
            out.add(Fact.relay(self, new RelayAttachment(false, r, List.of(attached.get(r))), expires));
        }
        return out;
    }

    /**
     * The relays of this pass: the configured ones first, then the offers in the believed facts (at most
     * {@value #MAX_RELAYS} in all). A configured relay that is also offered keeps its configured endpoints first and
     * gains the offered ones and the operator.
     */
    void offers(Collection<Fact> believed) {
        offers.clear();
        for (Offer o : configured.values()) {
            if (!o.relay().equals(self) && !o.relay().equals(ownRelay) && offers.size() < MAX_RELAYS) {
                offers.put(o.relay(), o);
            }
        }
        for (Fact f : believed) {
            if (f.attribute() == Attribute.RELAY && f.value() instanceof RelayAttachment a && a.operator()
                    && !f.subject().equals(self) && !a.relay().equals(ownRelay) && !a.endpoints().isEmpty()) {
                Offer had = offers.get(a.relay());
                if (had == null && offers.size() < MAX_RELAYS) {
                    offers.put(a.relay(), new Offer(a.relay(), f.subject(), a.endpoints()));
                } else if (had != null && had.configured() && had.operator() == null) {
                    List<IpEndpoint> eps = new ArrayList<>(had.endpoints());
                    for (IpEndpoint e : a.endpoints()) {
                        if (!eps.contains(e)) {
                            eps.add(e);
                        }
                    }
                    offers.put(a.relay(), new Offer(a.relay(), f.subject(), eps, true));
                }
            }
        }
        for (Offer o : found) {
            Offer had = offers.get(o.relay());
            if (o.relay().equals(self) || o.relay().equals(ownRelay)) {
                continue;
            } else if (had == null && offers.size() < MAX_RELAYS) {
                offers.put(o.relay(), o);
            } else if (had != null) {
                List<IpEndpoint> eps = new ArrayList<>(had.endpoints());
                o.endpoints().stream().filter(e -> !eps.contains(e)).forEach(eps::add);
                offers.put(o.relay(), new Offer(had.relay(), had.operator(), eps, had.configured()));
            }
        }
        probes.keySet().removeIf(t -> !offers.containsKey(t.relay()) || !offers.get(t.relay()).endpoints()
                .contains(t.endpoint()));
    }

    /** Relays each peer says it is attached to. */
    static Map<PublicKey, Set<PublicKey>> attachments(Collection<Fact> believed) {
        Map<PublicKey, Set<PublicKey>> out = new HashMap<>();
        for (Fact f : believed) {
            if (f.attribute() == Attribute.RELAY && f.value() instanceof RelayAttachment a && !a.operator()) {
                out.computeIfAbsent(f.subject(), k -> new HashSet<>()).add(a.relay());
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ liveness

    /** The endpoint of relay {@code k} that answered most recently within {@link #DEAD_AFTER}, or null: dead. */
    IpEndpoint bestEndpoint(PublicKey k, Instant now) {
        Offer o = offers.get(k);
        if (o == null) {
            return null;
        }
        IpEndpoint best = null;
        double bestRtt = Double.MAX_VALUE;
        for (IpEndpoint e : o.endpoints()) {
            Probed p = probes.get(new ProbeTarget(k, e));
            if (p != null && p.lastReply != null && !p.lastReply.plus(DEAD_AFTER).isBefore(now)
                    && p.rttMillis < bestRtt) {
                best = e;
                bestRtt = p.rttMillis;
            }
        }
        return best;
    }

    double rtt(PublicKey k, Instant now) {
        IpEndpoint e = bestEndpoint(k, now);
        Probed p = e == null ? null : probes.get(new ProbeTarget(k, e));
        return p == null ? Double.NaN : p.rttMillis;
    }

    /** Attached relays that are alive and that we completed a handshake with recently: what we publish and use. */
    Set<PublicKey> usable(DeviceState raw, Instant now) {
        Set<PublicKey> out = new TreeSet<>();
        for (Map.Entry<PublicKey, IpEndpoint> e : attached.entrySet()) {
            PeerState ps = raw.peer(e.getKey());
            if (ps != null && bestEndpoint(e.getKey(), now) != null && ps.lastHandshake().isAfter(now.minus(
                    REGISTERED_WITHIN))) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** Rendezvous hashing: the relay both ends of (self, peer) pick among the ones they share. */
    static PublicKey choose(PublicKey a, PublicKey b, Collection<PublicKey> common) {
        PublicKey lo = a.compareTo(b) < 0 ? a : b;
        PublicKey hi = lo == a ? b : a;
        PublicKey best = null;
        long bestScore = 0;
        for (PublicKey r : common) {
            long score = score(r, lo, hi);
            if (best == null || Long.compareUnsigned(score, bestScore) > 0
                    || (score == bestScore && r.compareTo(best) < 0)) {
                best = r;
                bestScore = score;
            }
        }
        return best;
    }

    private static long score(PublicKey r, PublicKey lo, PublicKey hi) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(r.toBytes());
            md.update(lo.toBytes());
            md.update(hi.toBytes());
            return ByteBuffer.wrap(md.digest()).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }

    // ------------------------------------------------------------------ the pass

    /**
     * Decides relays for this pass and merges the result into the reconciler's {@code base} change: relay peers added
     * or removed, relayed peers' endpoints (overriding the endpoint cycling of the reconciler for them).
     */
    public Plan plan(Instant now, DeviceState raw, Map<PublicKey, PeerIntent> intents, Collection<Fact> believed,
            DeviceChange base) {
        offers(believed);
        passWanted = false;
        List<Reason> reasons = new ArrayList<>();
        Set<PublicKey> switched = new HashSet<>();
        Map<PublicKey, Set<PublicKey>> theirs = attachments(believed);
        // a relay that just disclosed a peer has it registered (and the pair allowed): as good as its attachment
        disclosures.keySet().retainAll(intents.keySet());
        for (Map.Entry<PublicKey, Map<PublicKey, Disclosed>> e : disclosures.entrySet()) {
            e.getValue().values().removeIf(d -> d.at().plus(DISCLOSURE_TTL).isBefore(now));
            for (Map.Entry<PublicKey, Disclosed> d : e.getValue().entrySet()) {
                if (fresh(e.getKey(), d.getKey(), now) != null) {
                    theirs.computeIfAbsent(e.getKey(), k -> new HashSet<>()).add(d.getKey());
                }
            }
        }
        disclosures.values().removeIf(Map::isEmpty);
        Set<PublicKey> punch = new HashSet<>();
        Set<PublicKey> ours = usable(raw, now);
        Set<PublicKey> relayEndpointsKeys = relayKeys();
        Set<IpEndpoint> relayEndpoints = new HashSet<>();
        offers.values().forEach(o -> relayEndpoints.addAll(o.endpoints()));
        relayEndpoints.addAll(attached.values());

        // desired endpoint of each peer we manage; null key absent = leave to the reconciler
        Map<PublicKey, IpEndpoint> endpointFor = new LinkedHashMap<>();
        Set<PublicKey> reAdd = new HashSet<>();
        boolean needed = false;
        for (PeerIntent v : intents.values()) {
            PublicKey k = v.key();
            PeerState ps = raw.peer(k);
            if (!v.member() || ps == null || relayEndpointsKeys.contains(k) || k.equals(self)) {
                peers.remove(k);
                continue;
            }
            PeerPlan pp = peers.computeIfAbsent(k, x -> new PeerPlan());
            pp.basic = v.basic();
            boolean viaRelay = ps.endpoint() != null && relayEndpoints.contains(ps.endpoint());
            trackRx(pp, ps, now);
            if (pp.mode == Mode.DIRECT) {
                boolean stalled = pp.lastRelayed != null && v.healthy() && pp.rxChanged.plus(DIRECT_STALL).isBefore(now)
                        && ps.txBytes() > pp.txAtRx && now.minus(Duration.ofMinutes(10)).isBefore(pp.lastRelayed);
                if (v.healthy() && !viaRelay && !stalled) {
                    pp.unhealthySince = null;
                    pp.why = "";
                    continue;
                }
                if (pp.unhealthySince == null) {
                    pp.unhealthySince = now;
                }
                if (!pp.unhealthySince.plus(ATTACH_AFTER).isAfter(now)) {
                    needed = true;
                }
                // nothing of our own to try: no endpoint on the device, no candidate but what relays disclosed
                boolean nothingToTry = (ps.endpoint() == null || relayEndpoints.contains(ps.endpoint()))
                        && noCandidate(v, relayEndpoints, disclosedEndpoints(k));
                if (nothingToTry) {
                    needed = true; // register at once: there is nothing else to wait for
                }
                boolean givenUp = stalled || viaRelay || pp.lastRelayed != null || nothingToTry
                        || !pp.unhealthySince.plus(GIVE_UP_DIRECT).isAfter(now);
                if (!givenUp) {
                    continue;
                }
                if (stalled) {
                    pp.why = "direct path stopped answering";
                } else if (viaRelay) {
                    pp.why = "the peer reached us through a relay";
                } else if (nothingToTry) {
                    pp.why = "no endpoint of its own known";
                } else if (pp.why.isEmpty() || !pp.why.startsWith("no direct")) {
                    pp.why = "no direct handshake for " + Duration.between(pp.unhealthySince, now).toSeconds()
                            + " s with " + v.endpoints().size() + " endpoint candidates (punch timed out)";
                }
                needed = true;
                PublicKey r = choose(self, k, common(ours, theirs.get(k)));
                if (r == null) {
                    continue;
                }
                pp.mode = Mode.RELAYED;
                pp.tried = false;
                pp.relay = r;
                pp.relayEndpoint = attached.get(r);
                pp.relayedSince = now;
                pp.lastRelayed = now;
                pp.backoff = FIRST_RETRY;
                // with the relay disclosing the peer's mapping, try direct at its next switch moment; else later
                // (a basic peer has no moment: its first try waits, so the path through the relay works first)
                pp.nextTrial = fresh(k, r, now) != null && !pp.basic ? now : now.plus(FIRST_RETRY);
                pp.passAsked = false;
                boolean hold = hold(pp, k, ps, now);
                endpointFor.put(k, hold ? null : pp.relayEndpoint);
                if (ps.lastHandshake().isAfter(now.minus(SESSION)) && !pp.relayEndpoint.equals(ps.endpoint())) {
                    // a session made elsewhere: start afresh through the relay. One that already runs through it
                    // (the peer reached us through it) is kept: removing it would break the handshake in flight
                    reAdd.add(k);
                }
                reasons.add(new Reason(k, "via relay " + r + " at " + pp.relayEndpoint + " (" + pp.why + ")"
                        + (hold ? "; waiting up to " + YIELD.toMillis() + " ms for its handshake through the relay"
                                : "")));
                continue;
            }
            needed = true;
            pp.lastRelayed = now;
            Set<PublicKey> common = common(ours, theirs.get(k));
            if (pp.mode == Mode.TRIAL && !common.contains(pp.relay)) {
                pp.mode = Mode.RELAYED; // the relay died during a direct try: fail over now, try direct later
                pp.nextTrial = now.plus(pp.backoff);
                pp.passAsked = false;
            }
            if (pp.mode == Mode.TRIAL) {
                if (pp.trialEnd.isAfter(now)) {
                    pp.nextCheck = now.plus(TRIAL_CHECK);
                    if (pp.coordinated && ps.endpoint() != null && relayEndpoints.contains(ps.endpoint())
                            && pp.reasserted < MAX_REASSERTS) {
                        // a packet still in flight through the relay made WireGuard roam back to it: both ends
                        // send direct now, so set the direct endpoint again (and send) rather than lose the try
                        pp.reasserted++;
                        // what arrived so far may have come through the relay: only bytes received after a later
                        // check still finds the direct endpoint in place prove the direct path
                        pp.rxAtTrial = -1;
                        endpointFor.put(k, pp.trialEndpoint);
                        punch.add(k);
                        reasons.add(new Reason(k, "roamed back to relay " + pp.relay
                                + " during the direct try; direct at "
                                + pp.trialEndpoint + " again"));
                        continue;
                    }
                    if (pp.rxAtTrial < 0 && ps.endpoint() != null && ps.endpoint().equals(pp.trialEndpoint)) {
                        pp.rxAtTrial = ps.rxBytes(); // the direct endpoint held since it was set again
                    }
                    endpointFor.put(k, ps.endpoint()); // the trial runs; the reconciler must not move the endpoint
                    continue;
                }
                if (ps.endpoint() != null && ps.endpoint().equals(pp.trialEndpoint) && pp.rxAtTrial >= 0
                        && ps.rxBytes() > pp.rxAtTrial && v.healthy()) {
                    reasons.add(new Reason(k, "direct again at " + ps.endpoint() + " after " + pp.trials
                            + " tries; relay "
                            + pp.relay + " left"));
                    pp.mode = Mode.DIRECT;
                    pp.relay = null;
                    pp.unhealthySince = null;
                    pp.why = "";
                    pp.rxChanged = now;
                    continue;
                }
                pp.mode = Mode.RELAYED;
                pp.backoff = pp.backoff.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY
                        : pp.backoff.multipliedBy(2);
                pp.nextTrial = now.plus(pp.backoff);
                pp.passAsked = false;
                pp.why = "direct try " + pp.trials + " got no answer; next in " + pp.backoff.toSeconds() + " s";
            }
            // RELAYED: fail over when our relay for this peer is no longer shared and alive
            if (!common.contains(pp.relay)) {
                PublicKey r = choose(self, k, common);
                if (r != null) {
                    reasons.add(new Reason(k, "relay " + pp.relay + " lost, via relay " + r + " at "
                            + attached.get(r)));
                    pp.relay = r;
                    pp.relayEndpoint = attached.get(r);
                    // the new relay's path first: a direct try due meanwhile would cut the pair off right now
                    Instant settle = now.plus(pp.backoff);
                    if (pp.nextTrial == null || pp.nextTrial.isBefore(settle)) {
                        pp.nextTrial = settle;
                    }
                    pp.relayedSince = now;
                    reAdd.add(k);
                    hold(pp, k, ps, now);
                }
            } else {
                PublicKey r = choose(self, k, common);
                if (r != null && !r.equals(pp.relay)) {
                    // a better shared relay appeared (the peer attached to it): both ends move to it
                    reasons.add(new Reason(k, "via relay " + r + " (preferred for this pair) instead of " + pp.relay));
                    pp.relay = r;
                    pp.relayEndpoint = attached.get(r);
                    pp.relayedSince = now;
                    reAdd.add(k);
                    hold(pp, k, ps, now);
                }
            }
            if (pp.holdUntil != null) {
                if (ps.lastHandshake().isAfter(pp.holdFrom) || pp.relayEndpoint.equals(ps.endpoint())) {
                    pp.holdUntil = null; // the other end's handshake came through the relay
                } else if (pp.holdUntil.isAfter(now)) {
                    endpointFor.put(k, null); // still holding: keep what the device has
                    continue;
                } else {
                    // nothing came: start our own handshake. A re-add, because traffic while we held used up
                    // WireGuard's one initiation per 5 s (sent with no endpoint, or to the old one)
                    pp.holdUntil = null;
                    reAdd.add(k);
                    reasons.add(new Reason(k, "no handshake came through relay " + pp.relay + " in " + YIELD.toMillis()
                            + " ms; starting our own"));
                }
            }
            if (pp.mode == Mode.RELAYED && !reAdd.contains(k)) {
                // coordinated: at the relay's switch moment for the pair (the other end got the same one), with the
                // mapping the relay sees, once the path through the relay works (relayed first: the try then moves
                // a session, no handshakes cross); alone, at our own time, when the relay sets no moment
                Disclosed d = fresh(k, pp.relay, now);
                IpEndpoint direct = null;
                boolean coordinated = false;
                if (d != null && d.moment() != null && !d.moment().isAfter(now)) {
                    pp.momentSeen = d.moment();
                }
                if (d != null && d.moment() != null && v.healthy() && !d.moment().isAfter(now)
                        && !d.moment().isBefore(pp.nextTrial.minus(LATE_JOIN))
                        && !now.isAfter(d.moment().plus(LATE_JOIN))) {
                    direct = d.endpoint();
                    coordinated = true;
                } else if (!pp.nextTrial.isAfter(now) && (d == null || d.moment() == null
                        || !now.isBefore(pp.nextTrial.plus(MOMENT_WAIT)))) {
                    direct = d != null ? d.endpoint() : directCandidate(v, relayEndpoints, pp.trials);
                }
                if (direct != null) {
                    punch.add(k);
                    pp.tried = true;
                    pp.mode = Mode.TRIAL;
                    pp.passAsked = false;
                    pp.trials++;
                    pp.trialEndpoint = direct;
                    pp.trialEnd = now.plus(coordinated ? COORDINATED_TRIAL : TRIAL);
                    pp.coordinated = coordinated;
                    pp.reasserted = 0;
                    pp.nextCheck = now.plus(TRIAL_CHECK);
                    // bytes count only once a check finds the direct endpoint in place: one that came through the
                    // relay between this pass's device read and the endpoint being set made WireGuard roam to the
                    // relay before our write, so the write hides it (seen: a basic peer behind a symmetric NAT
                    // taken for direct)
                    pp.rxAtTrial = -1;
                    endpointFor.put(k, direct);
                    switched.add(k);
                    reasons.add(new Reason(k, "relayed via " + pp.relay + ", trying direct at " + direct + " (try "
                            + pp.trials + (coordinated ? ", at the relay's switch moment" : "") + ")"));
                    continue;
                }
                if (!pp.nextTrial.isAfter(now) && d == null) {
                    pp.nextTrial = now.plus(pp.backoff); // no candidate at all: look again later
                }
            }
            endpointFor.put(k, pp.relayEndpoint);
        }
        peers.keySet().retainAll(intents.keySet());
        if (needed) {
            neededUntil = now.plus(LINGER);
        }
        List<PeerChange> relayChanges = attach(now, raw, neededUntil != null && neededUntil.isAfter(now), reasons);
        Set<PublicKey> held = new HashSet<>();
        peers.forEach((k, pp) -> {
            if (pp.holdUntil != null) {
                held.add(k);
            }
        });
        return new Plan(merge(base, raw, endpointFor, reAdd, held, relayChanges, switched), reasons, switched,
                punch);
    }

    /**
     * Starts holding back our handshake with {@code k} through the relay ({@link #YIELD}) when ours is the end that
     * yields: the peer runs an agent (a basic peer never starts through a relay on its own), its key is smaller, and
     * the device does not already send through the relay. Returns whether it holds.
     */
    private boolean hold(PeerPlan pp, PublicKey k, PeerState ps, Instant now) {
        pp.holdUntil = null;
        if (pp.basic || self.compareTo(k) < 0 || pp.relayEndpoint.equals(ps.endpoint())) {
            return false;
        }
        pp.holdUntil = now.plus(YIELD);
        pp.holdFrom = now;
        pp.passAsked = false;
        return true;
    }

    private static void trackRx(PeerPlan pp, PeerState ps, Instant now) {
        if (ps.rxBytes() != pp.lastRx || pp.rxChanged == null) {
            pp.lastRx = ps.rxBytes();
            pp.rxChanged = now;
            pp.txAtRx = ps.txBytes();
        }
    }

    private static Set<PublicKey> common(Set<PublicKey> ours, Set<PublicKey> theirs) {
        Set<PublicKey> c = new TreeSet<>(ours);
        if (theirs == null) {
            c.clear();
        } else {
            c.retainAll(theirs);
        }
        return c;
    }

    /** Two answers' moments are the same moment when they differ by less than 250 ms (half the RTTs differ). */
    private static boolean sameMoment(Instant a, Instant b) {
        return a != null && b != null && Duration.between(a, b).abs().compareTo(Duration.ofMillis(250)) < 0;
    }

    /** True when the peer has no endpoint candidate but relays' and what relays disclosed. */
    private static boolean noCandidate(PeerIntent v, Set<IpEndpoint> relayEndpoints, Set<IpEndpoint> disclosed) {
        for (PeerIntent.Candidate c : v.endpoints()) {
            if (!relayEndpoints.contains(c.endpoint()) && !disclosed.contains(c.endpoint())) {
                return false;
            }
        }
        return true;
    }

    /** The peer's direct candidates, observed ones first, round robin over the tries. */
    private static IpEndpoint directCandidate(PeerIntent v, Set<IpEndpoint> relayEndpoints, int trial) {
        List<PeerIntent.Candidate> cands = new ArrayList<>();
        for (PeerIntent.Candidate c : v.endpoints()) {
            if (!relayEndpoints.contains(c.endpoint())) {
                cands.add(c);
            }
        }
        if (cands.isEmpty()) {
            return null;
        }
        cands.sort(Comparator.comparing((PeerIntent.Candidate c) -> !c.observed())
                .thenComparing(PeerIntent.Candidate::endpoint));
        return cands.get(trial % cands.size()).endpoint();
    }

    /** Keeps up to maxAttach alive relays as device peers while needed; removes the rest. */
    private List<PeerChange> attach(Instant now, DeviceState raw, boolean needed, List<Reason> reasons) {
        List<PeerChange> out = new ArrayList<>();
        Set<PublicKey> want = new TreeSet<>();
        if (use && needed) {
            for (PublicKey k : attached.keySet()) {
                if (bestEndpoint(k, now) != null && want.size() < maxAttach) {
                    want.add(k);
                }
            }
            List<PublicKey> byRtt = new ArrayList<>(offers.keySet());
            byRtt.removeIf(k -> bestEndpoint(k, now) == null);
            byRtt.sort(Comparator.comparingDouble((PublicKey k) -> rtt(k, now)).thenComparing(k -> k));
            for (PublicKey k : byRtt) {
                if (want.size() < maxAttach) {
                    want.add(k);
                }
            }
            // a dead relay we use stays registered (it may come back) unless something replaces it
            for (PublicKey k : attached.keySet()) {
                if (!want.contains(k) && offers.containsKey(k) && want.size() < maxAttach) {
                    want.add(k);
                }
            }
        }
        for (PublicKey k : new ArrayList<>(attached.keySet())) {
            if (!want.contains(k)) {
                attached.remove(k);
                out.add(PeerChange.removal(k));
                reasons.add(new Reason(k, "relay no longer needed or offered, unregistered"));
            }
        }
        for (PublicKey k : want) {
            IpEndpoint ep = attached.containsKey(k) ? attached.get(k) : bestEndpoint(k, now);
            PeerState ps = raw.peer(k);
            if (!attached.containsKey(k)) {
                attached.put(k, ep);
                reasons.add(new Reason(k, "registering with " + offers.get(k).describe() + " at " + ep + " (RTT "
                        + String.format("%.1f", rtt(k, now)) + " ms)"));
            }
            if (ps == null || !ep.equals(ps.endpoint()) || ps.persistentKeepaliveSeconds() != RELAY_KEEPALIVE_SECONDS
                    || !ps.allowedIps().isEmpty()) {
                out.add(new PeerChange(k, false, false, ep, RELAY_KEEPALIVE_SECONDS, true, List.of()));
            }
        }
        // relay peers left on the device by an earlier run that nobody offers any more
        for (PeerState p : raw.peers()) {
            if (p.persistentKeepaliveSeconds() == RELAY_KEEPALIVE_SECONDS && p.allowedIps().isEmpty()
                    && offers.containsKey(p.publicKey()) && !want.contains(p.publicKey())
                    && out.stream().noneMatch(c -> c.publicKey().equals(p.publicKey()))) {
                out.add(PeerChange.removal(p.publicKey()));
            }
        }
        return out;
    }

    private static DeviceChange merge(DeviceChange base, DeviceState raw, Map<PublicKey, IpEndpoint> endpointFor,
            Set<PublicKey> reAdd, Set<PublicKey> held, List<PeerChange> relayChanges, Set<PublicKey> switched) {
        // a peer with a preshared key is never re-added: the device does not give the key back, and a peer re-added
        // without it could never complete a handshake again. Its endpoint is only moved
        reAdd = new HashSet<>(reAdd);
        reAdd.removeIf(k -> raw.peer(k) != null && raw.peer(k).hasPresharedKey());
        List<PeerChange> out = new ArrayList<>();
        Set<PublicKey> done = new HashSet<>();
        for (PeerChange c : base.peers()) {
            PublicKey k = c.publicKey();
            IpEndpoint want = endpointFor.get(k);
            if (c.remove() || !endpointFor.containsKey(k)) {
                out.add(c);
                continue;
            }
            done.add(k);
            if (reAdd.contains(k) && (want != null || held.contains(k))) {
                out.addAll(reAdded(raw.peer(k), c, want));
                switched.add(k);
                continue;
            }
            PeerState ps = raw.peer(k);
            IpEndpoint ep = want == null || (ps != null && want.equals(ps.endpoint())) ? null : want;
            out.add(new PeerChange(k, c.remove(), c.updateOnly(), ep, c.persistentKeepaliveSeconds(),
                    c.replaceAllowedIps(), c.allowedIps()));
        }
        for (Map.Entry<PublicKey, IpEndpoint> e : endpointFor.entrySet()) {
            PublicKey k = e.getKey();
            PeerState ps = raw.peer(k);
            if (done.contains(k) || ps == null || (e.getValue() == null && !(held.contains(k) && reAdd.contains(k)))) {
                continue;
            }
            if (reAdd.contains(k)) {
                out.addAll(reAdded(ps, null, e.getValue()));
                switched.add(k);
            } else if (!e.getValue().equals(ps.endpoint())) {
                out.add(new PeerChange(k, false, true, e.getValue(), null, false, List.of()));
                switched.add(k);
            }
        }
        out.addAll(relayChanges);
        return DeviceChange.peers(out);
    }

    /** Whether the planner is moving {@code peer}: relayed, or trying direct from a relay. */
    public boolean managing(PublicKey peer) {
        PeerPlan pp = peers.get(peer);
        return pp != null && pp.mode != Mode.DIRECT;
    }

    /**
     * {@code change} with each of {@code keys} removed and re-added (see {@link #reAdded}) at the endpoint the change
     * sets, or else the one it has; a key the change removes, or that is not on the device, is left as it is.
     */
    public static DeviceChange withReAdds(DeviceChange change, DeviceState device, Set<PublicKey> keys) {
        List<PeerChange> out = new ArrayList<>();
        Set<PublicKey> done = new HashSet<>();
        Set<PublicKey> removed = new HashSet<>();
        for (PeerChange c : change.peers()) {
            if (c.remove()) {
                removed.add(c.publicKey());
            }
        }
        for (PeerChange c : change.peers()) {
            PublicKey k = c.publicKey();
            PeerState ps = device.peer(k);
            if (!keys.contains(k) || removed.contains(k) || ps == null || done.contains(k)) {
                out.add(c);
                continue;
            }
            done.add(k);
            out.addAll(reAdded(ps, c, c.endpoint() != null ? c.endpoint() : ps.endpoint()));
        }
        for (PublicKey k : keys) {
            PeerState ps = device.peer(k);
            if (!done.contains(k) && !removed.contains(k) && ps != null) {
                out.addAll(reAdded(ps, null, ps.endpoint()));
            }
        }
        return DeviceChange.peers(out);
    }

    /**
     * Removes and re-adds a peer, so its session is gone and the next packet starts a handshake through the new
     * relay: the peer comes back with the same allowed IPs (plus what the reconciler adds) and keepalive.
     */
    private static List<PeerChange> reAdded(PeerState ps, PeerChange c, IpEndpoint ep) {
        List<IpPrefix> ips = new ArrayList<>();
        if (c != null && c.replaceAllowedIps()) {
            ips.addAll(c.allowedIps());
        } else {
            ips.addAll(ps.allowedIps());
            if (c != null) {
                for (IpPrefix p : c.allowedIps()) {
                    if (!ips.contains(p)) {
                        ips.add(p);
                    }
                }
            }
        }
        return List.of(PeerChange.removal(ps.publicKey()), new PeerChange(ps.publicKey(), false, false, ep,
                ps.persistentKeepaliveSeconds(), true, ips));
    }

    // ------------------------------------------------------------------ status

    /**
     * Records the path the core computed for {@code peer} (direct, via router, none) and returns the path to show:
     * "via relay …" while relayed. Tracks since when the shown path holds.
     */
    public String path(PublicKey peer, String corePath, Instant now, java.util.function.Function<PublicKey, String> names) {
        PeerPlan pp = peers.get(peer);
        String path = corePath;
        PublicKey relay = null;
        if (pp != null && pp.mode != Mode.DIRECT && pp.relay != null) {
            Offer o = offers.get(pp.relay);
            String name = o == null || o.operator() == null ? null : names.apply(o.operator());
            path = "via relay " + (name != null ? name : pp.relay.toString());
            relay = pp.relay;
        }
        String why = pp == null || "direct".equals(path) ? "" : pp.why;
        PathInfo old = paths.get(peer);
        Instant since = old != null && old.path().equals(path) ? old.since() : now;
        paths.put(peer, new PathInfo(path, since, why, relay));
        return path;
    }

    /** The last pass's path of {@code peer}, or null. */
    public PathInfo pathInfo(PublicKey peer) {
        return paths.get(peer);
    }

    public void retainPaths(Set<PublicKey> keep) {
        paths.keySet().retainAll(keep);
    }

    /**
     * The relays we know of, for {@code show}: key, operator (null for a relay only the config names), whether the
     * config names it, endpoint in use, RTT, alive, attached.
     */
    public record RelayView(PublicKey relay, PublicKey operator, boolean configured, IpEndpoint endpoint,
            double rttMillis, boolean alive, boolean attached, IpEndpoint observed) {}

    public List<RelayView> relays(Instant now) {
        List<RelayView> out = new ArrayList<>();
        for (Offer o : offers.values()) {
            IpEndpoint best = bestEndpoint(o.relay(), now);
            IpEndpoint ep = attached.getOrDefault(o.relay(), best != null ? best : o.endpoints().get(0));
            Probed p = probes.get(new ProbeTarget(o.relay(), ep));
            out.add(new RelayView(o.relay(), o.operator(), o.configured(), ep, p == null ? Double.NaN : p.rttMillis,
                    best != null,
                    attached.containsKey(o.relay()), p == null ? null : p.observed));
        }
        return out;
    }
}
