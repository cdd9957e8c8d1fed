package io.wirelink.traversal;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.RelayAttachment;
import io.wirelink.traversal.RelayPlanner.Offer;
import io.wirelink.traversal.RelayPlanner.ProbeTarget;
import io.wirelink.traversal.RelayPlanner.RelayView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The relays this node knows of and whether each is alive: the ones the config names, the operators' offers the node
 * believes, and the ones peers' DHT records name, at most {@value RelayPlanner#MAX_RELAYS}. The runtime probes every
 * endpoint of each (the relay liveness probe, {@link ProbeTarget}); a relay is alive while one of its endpoints
 * answered within {@link RelayPlanner#DEAD_AFTER}.
 */
final class RelayDirectory {
    /** Relays known at most: each is probed every {@link RelayPlanner#PROBE_INTERVAL}. */
    static final int MAX_RELAYS = 8;

    /** Liveness of one relay endpoint: the last reply, the smoothed RTT, our mapping there. */
    private static final class Probed {
        Instant lastReply;
        double rttMillis = Double.NaN;
        IpEndpoint observed;
    }

    private final PublicKey self;
    private final Map<PublicKey, Offer> offers = new TreeMap<>();
    /** Relays from the config ({@code relay.servers}), by key, in config order. */
    private Map<PublicKey, Offer> configured = Map.of();
    /** Relays from peers' DHT records, replaced on every pass. */
    private List<Offer> found = List.of();
    private final Map<ProbeTarget, Probed> probes = new HashMap<>();
    private final Set<PublicKey> lastAlive = new HashSet<>();

    RelayDirectory(PublicKey self) {
        this.self = self;
    }

    /** See {@link RelayPlanner#configured}: replaces the configured relays; they are known (probed) at once. */
    void configured(Collection<Offer> relays, PublicKey ownRelay) {
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

    void found(Collection<Offer> relays) {
        found = List.copyOf(relays);
    }

    /**
     * The relays of this pass: the configured ones first, then the offers in the believed facts, then the ones DHT
     * records name. A configured relay that is also offered keeps its configured endpoints first and gains the
     * offered ones and the operator; a relay already known gains a DHT record's endpoints.
     */
    void refresh(Collection<Fact> believed, PublicKey ownRelay) {
        offers.clear();
        for (Offer o : configured.values()) {
            if (!o.relay().equals(self) && !o.relay().equals(ownRelay) && offers.size() < MAX_RELAYS) {
                offers.put(o.relay(), o);
            }
        }
        for (Fact f : believed) {
            if (f.attribute() == Attribute.RELAY && f.value() instanceof RelayAttachment a && a.operator()
                    && !f.subject().equals(self) && !a.relay().equals(ownRelay) && !a.endpoints().isEmpty()) {
                addOffered(f.subject(), a);
            }
        }
        for (Offer o : found) {
            if (!o.relay().equals(self) && !o.relay().equals(ownRelay)) {
                addFound(o);
            }
        }
        probes.keySet().removeIf(t -> !offers.containsKey(t.relay()) || !offers.get(t.relay()).endpoints()
                .contains(t.endpoint()));
    }

    private void addOffered(PublicKey operator, RelayAttachment a) {
        Offer had = offers.get(a.relay());
        if (had == null && offers.size() < MAX_RELAYS) {
            offers.put(a.relay(), new Offer(a.relay(), operator, a.endpoints()));
        } else if (had != null && had.configured() && had.operator() == null) {
            List<IpEndpoint> eps = new ArrayList<>(had.endpoints());
            for (IpEndpoint e : a.endpoints()) {
                if (!eps.contains(e)) {
                    eps.add(e);
                }
            }
            offers.put(a.relay(), new Offer(a.relay(), operator, eps, true));
        }
    }

    private void addFound(Offer o) {
        Offer had = offers.get(o.relay());
        if (had == null && offers.size() < MAX_RELAYS) {
            offers.put(o.relay(), o);
        } else if (had != null) {
            List<IpEndpoint> eps = new ArrayList<>(had.endpoints());
            o.endpoints().stream().filter(e -> !eps.contains(e)).forEach(eps::add);
            offers.put(o.relay(), new Offer(had.relay(), had.operator(), eps, had.configured()));
        }
    }

    /** The relays known now, by key. */
    Map<PublicKey, Offer> offers() {
        return java.util.Collections.unmodifiableMap(offers);
    }

    Offer offer(PublicKey relay) {
        return offers.get(relay);
    }

    /** A probe to {@code t} went out: only a reply to an endpoint probed counts. */
    void probeSent(ProbeTarget t) {
        probes.computeIfAbsent(t, x -> new Probed());
    }

    void probeReply(ProbeTarget t, Duration rtt, IpEndpoint observed, Instant now) {
        Probed p = probes.get(t);
        if (p == null) {
            return;
        }
        double ms = rtt.toNanos() / 1e6;
        p.rttMillis = Double.isNaN(p.rttMillis) ? ms : 0.75 * p.rttMillis + 0.25 * ms;
        p.lastReply = now;
        p.observed = observed;
    }

    /** Every endpoint of every relay known. */
    List<ProbeTarget> targets() {
        List<ProbeTarget> out = new ArrayList<>();
        for (Offer o : offers.values()) {
            for (IpEndpoint e : o.endpoints()) {
                out.add(new ProbeTarget(o.relay(), e));
            }
        }
        return out;
    }

    /** The endpoint of relay {@code k} that answered within {@link RelayPlanner#DEAD_AFTER} with the lowest RTT. */
    IpEndpoint bestEndpoint(PublicKey k, Instant now) {
        Offer o = offers.get(k);
        if (o == null) {
            return null;
        }
        IpEndpoint best = null;
        double bestRtt = Double.MAX_VALUE;
        for (IpEndpoint e : o.endpoints()) {
            Probed p = probes.get(new ProbeTarget(k, e));
            if (p != null && p.lastReply != null && !p.lastReply.plus(RelayPlanner.DEAD_AFTER).isBefore(now)
                    && p.rttMillis < bestRtt) {
                best = e;
                bestRtt = p.rttMillis;
            }
        }
        return best;
    }

    boolean alive(PublicKey k, Instant now) {
        return bestEndpoint(k, now) != null;
    }

    double rtt(PublicKey k, Instant now) {
        IpEndpoint e = bestEndpoint(k, now);
        Probed p = e == null ? null : probes.get(new ProbeTarget(k, e));
        return p == null ? Double.NaN : p.rttMillis;
    }

    /** True when a relay became alive or dead since the last call. */
    boolean livenessChanged(Instant now) {
        Set<PublicKey> alive = new HashSet<>();
        for (PublicKey k : offers.keySet()) {
            if (alive(k, now)) {
                alive.add(k);
            }
        }
        boolean changed = !alive.equals(lastAlive);
        lastAlive.clear();
        lastAlive.addAll(alive);
        return changed;
    }

    /** The relays for {@code show}; {@code attached}: the ones registered with, at the endpoint in use. */
    List<RelayView> views(Instant now, Map<PublicKey, IpEndpoint> attached) {
        List<RelayView> out = new ArrayList<>();
        for (Offer o : offers.values()) {
            IpEndpoint best = bestEndpoint(o.relay(), now);
            IpEndpoint ep = attached.getOrDefault(o.relay(), best != null ? best : o.endpoints().get(0));
            Probed p = probes.get(new ProbeTarget(o.relay(), ep));
            out.add(new RelayView(o.relay(), o.operator(), o.configured(), ep, p == null ? Double.NaN : p.rttMillis,
                    best != null, attached.containsKey(o.relay()), p == null ? null : p.observed));
        }
        return out;
    }
}
