package io.wirelink.traversal;

import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerState;
import io.wirelink.apply.reconcile.Reason;
import io.wirelink.apply.reconcile.RelayDecisions.RelayPeer;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The relays this node is registered with: kept as WireGuard peers (no allowed IPs, keepalive
 * {@value RelayPlanner#RELAY_KEEPALIVE_SECONDS} s) while some peer needs a relay, up to {@code maxAttach} alive ones:
 * the ones it has, then the lowest RTT. A registered relay that is alive and handshook within
 * {@link RelayPlanner#REGISTERED_WITHIN} is usable: we publish it as an attachment and relay peers through it.
 */
final class Registrations {
    /** Disclosure queries per round, at most (a round is a probe round). */
    static final int MAX_QUERIES = 32;
    private final RelayDirectory directory;
    private final boolean use;
    private final int maxAttach;
    /** Registered relays, at the endpoint registered with. */
    private final Map<PublicKey, IpEndpoint> attached = new TreeMap<>();

    Registrations(RelayDirectory directory, boolean use, int maxAttach) {
        this.directory = directory;
        this.use = use;
        this.maxAttach = maxAttach;
    }

    boolean has(PublicKey relay) {
        return attached.containsKey(relay);
    }

    /** The endpoint registered with at {@code relay}, or null. */
    IpEndpoint endpoint(PublicKey relay) {
        return attached.get(relay);
    }

    Map<PublicKey, IpEndpoint> all() {
        return Collections.unmodifiableMap(attached);
    }

    Collection<IpEndpoint> endpoints() {
        return attached.values();
    }

    /** See {@link RelayPlanner#disclosureQueries}. */
    List<RelayPlanner.DisclosureQuery> queries(Map<PublicKey, PeerPath> paths) {
        List<RelayPlanner.DisclosureQuery> out = new ArrayList<>();
        for (Map.Entry<PublicKey, PeerPath> e : paths.entrySet()) {
            PeerPath pp = e.getValue();
            if (pp.state() != PeerPath.State.DIRECT && pp.relay() != null && has(pp.relay())) {
                out.add(new RelayPlanner.DisclosureQuery(pp.relay(), endpoint(pp.relay()), e.getKey()));
            } else if (pp.state() == PeerPath.State.DIRECT && pp.unhealthySince() != null) {
                for (Map.Entry<PublicKey, IpEndpoint> a : attached.entrySet()) {
                    out.add(new RelayPlanner.DisclosureQuery(a.getKey(), a.getValue(), e.getKey()));
                }
            }
        }
        return out.size() > MAX_QUERIES ? new ArrayList<>(out.subList(0, MAX_QUERIES)) : out;
    }

    /** Registered relays that are alive and that we completed a handshake with recently. */
    Set<PublicKey> usable(DeviceState raw, Instant now) {
        Set<PublicKey> out = new TreeSet<>();
        for (Map.Entry<PublicKey, IpEndpoint> e : attached.entrySet()) {
            PeerState ps = raw.peer(e.getKey());
            if (ps != null && directory.alive(e.getKey(), now) && ps.lastHandshake().isAfter(now.minus(
                    RelayPlanner.REGISTERED_WITHIN))) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /**
     * Registers with up to maxAttach alive relays while {@code needed}, unregisters the rest: the relay peers the
     * device must put in place or take out.
     */
    List<RelayPeer> attach(Instant now, DeviceState raw, boolean needed, List<Reason> reasons) {
        List<RelayPeer> out = new ArrayList<>();
        Set<PublicKey> want = use && needed ? wanted(now) : new TreeSet<>();
        for (PublicKey k : new ArrayList<>(attached.keySet())) {
            if (!want.contains(k)) {
                attached.remove(k);
                out.add(RelayPeer.removal(k));
                reasons.add(new Reason(k, "relay no longer needed or offered, unregistered"));
            }
        }
        for (PublicKey k : want) {
            IpEndpoint ep = attached.containsKey(k) ? attached.get(k) : directory.bestEndpoint(k, now);
            PeerState ps = raw.peer(k);
            if (!attached.containsKey(k)) {
                attached.put(k, ep);
                reasons.add(new Reason(k, "registering with " + directory.offer(k).describe() + " at " + ep
                        + " (RTT " + String.format("%.1f", directory.rtt(k, now)) + " ms)"));
            }
            if (ps == null || !ep.equals(ps.endpoint())
                    || ps.persistentKeepaliveSeconds() != RelayPlanner.RELAY_KEEPALIVE_SECONDS
                    || !ps.allowedIps().isEmpty()) {
                out.add(new RelayPeer(k, ep, RelayPlanner.RELAY_KEEPALIVE_SECONDS));
            }
        }
        // relay peers left on the device by an earlier run that nobody offers any more
        for (PeerState p : raw.peers()) {
            if (p.persistentKeepaliveSeconds() == RelayPlanner.RELAY_KEEPALIVE_SECONDS && p.allowedIps().isEmpty()
                    && directory.offer(p.publicKey()) != null && !want.contains(p.publicKey())
                    && out.stream().noneMatch(c -> c.key().equals(p.publicKey()))) {
                out.add(RelayPeer.removal(p.publicKey()));
            }
        }
        return out;
    }

    /** The relays to be registered with: alive ones we have, then the lowest RTT, then dead ones we use. */
    private Set<PublicKey> wanted(Instant now) {
        Set<PublicKey> want = new TreeSet<>();
        for (PublicKey k : attached.keySet()) {
            if (directory.alive(k, now) && want.size() < maxAttach) {
                want.add(k);
            }
        }
        List<PublicKey> byRtt = new ArrayList<>(directory.offers().keySet());
        byRtt.removeIf(k -> !directory.alive(k, now));
        byRtt.sort(Comparator.comparingDouble((PublicKey k) -> directory.rtt(k, now)).thenComparing(k -> k));
        for (PublicKey k : byRtt) {
            if (want.size() < maxAttach) {
                want.add(k);
            }
        }
        // a dead relay we use stays registered (it may come back) unless something replaces it
        for (PublicKey k : attached.keySet()) {
            if (!want.contains(k) && directory.offer(k) != null && want.size() < maxAttach) {
                want.add(k);
            }
        }
        return want;
    }
}
