package io.wirelink.apply.reconcile;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Endpoint trial state for unhealthy peers: which candidate to try next, and when. The order is deterministic
 * (wirelink's came from map iteration): candidates never tried come first, in class order: same LAN, then
 * endpoints other peers observed (NAT mappings that demonstrably reach the peer), then the peer's own public
 * addresses, then the rest; once all were tried, the least recently tried goes next, and the interval doubles with each round
 * over all candidates (up to {@value #MAX_DOUBLINGS} times) until the peer is healthy; an untried candidate of a better class still preempts the interval. Endpoints that would route through the tunnel itself are skipped.
 * Bounded: state is kept only for the peers the caller keeps. Single-threaded.
 */
public final class EndpointCycler {
    private final Duration interval;
    private final Map<PublicKey, Map<IpEndpoint, Instant>> tried = new HashMap<>();
    private final Map<PublicKey, Instant> lastSwitch = new HashMap<>();
    /** Per peer, how many times a candidate was tried again after all had been tried: the back-off exponent. */
    private final Map<PublicKey, Integer> rounds = new HashMap<>();
    /** Per peer, the endpoint it was last healthy at: where a peer the device lost is put back first. */
    private final Map<PublicKey, IpEndpoint> lastGood = new HashMap<>();
    /** The interval doubles per round over all candidates, up to this many times (6 s → 384 s by default). */
    static final int MAX_DOUBLINGS = 6;

    /** @param interval how long one endpoint gets before the next is tried (WireGuard retries every 5 s) */
    public EndpointCycler(Duration interval) {
        this.interval = interval;
    }

    /** True when {@code peer} may switch endpoint now. */
    public boolean due(PublicKey peer, Instant now) {
        Instant last = lastSwitch.get(peer);
        int r = Math.min(rounds.getOrDefault(peer, 0), MAX_DOUBLINGS);
        return last == null || !now.isBefore(last.plus(interval.multipliedBy(1L << r)));
    }

    /**
     * True when a candidate never tried has a better class than {@code current}: e.g. a NAT mapping another peer
     * observed arrived after the peer's own LAN address. It is tried at once instead of after the interval.
     */
    public boolean betterUntried(PublicKey peer, IpEndpoint current, List<PeerIntent.Candidate> candidates,
            List<IpPrefix> localSubnets, List<IpPrefix> tunnelSubnets) {
        if (current == null) {
            return !order(peer, candidates, localSubnets, tunnelSubnets).isEmpty();
        }
        Map<IpEndpoint, Instant> t = tried.getOrDefault(peer, Map.of());
        int currentRank = Integer.MAX_VALUE;
        int bestUntried = Integer.MAX_VALUE;
        for (PeerIntent.Candidate c : candidates) {
            int r = rank(c, localSubnets, tunnelSubnets);
            if (r < 0) {
                continue;
            }
            if (c.endpoint().equals(current)) {
                currentRank = Math.min(currentRank, r);
            } else if (!t.containsKey(c.endpoint())) {
                bestUntried = Math.min(bestUntried, r);
            }
        }
        return bestUntried < currentRank;
    }

    /** The class of a candidate: 0 same LAN, 1 observed, 2 public, 3 the rest; -1 unusable (would tunnel). */
    static int rank(PeerIntent.Candidate c, List<IpPrefix> localSubnets, List<IpPrefix> tunnelSubnets) {
        InetAddress a = c.endpoint().address();
        boolean local = false;
        for (IpPrefix p : localSubnets) {
            if (p.contains(a)) {
                local = true;
            }
        }
        if (local) {
            return 0;
        }
        for (IpPrefix p : tunnelSubnets) {
            if (p.contains(a)) {
                return -1;
            }
        }
        if (c.observed()) {
            return 1;
        }
        return isPublic(a) ? 2 : 3;
    }

    /** Not private, shared (CGNAT), loopback, link-local or ULA. */
    static boolean isPublic(InetAddress a) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return !((b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64);
        }
        return (b[0] & 0xfe) != 0xfc;
    }

    /** The candidates in trial order, unusable ones left out. */
    public List<IpEndpoint> order(PublicKey peer, List<PeerIntent.Candidate> candidates, List<IpPrefix> localSubnets,
            List<IpPrefix> tunnelSubnets) {
        Map<IpEndpoint, Instant> t = tried.getOrDefault(peer, Map.of());
        Map<IpEndpoint, Integer> best = new HashMap<>();
        for (PeerIntent.Candidate c : candidates) {
            int r = rank(c, localSubnets, tunnelSubnets);
            if (r >= 0) {
                best.merge(c.endpoint(), r, Math::min);
            }
        }
        List<IpEndpoint> out = new ArrayList<>(best.keySet());
        // untried candidates first, in class order; then round-robin by least recently tried
        out.sort(Comparator.<IpEndpoint, Instant>comparing(e -> t.get(e), Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparingInt(best::get)
                .thenComparing(Comparator.naturalOrder()));
        return out;
    }

    /** Picks the next endpoint for {@code peer} and stamps it as tried now; null when there is none. */
    public IpEndpoint next(PublicKey peer, List<PeerIntent.Candidate> candidates, List<IpPrefix> localSubnets,
            List<IpPrefix> tunnelSubnets, Instant now) {
        List<IpEndpoint> order = order(peer, candidates, localSubnets, tunnelSubnets);
        if (order.isEmpty()) {
            return null;
        }
        IpEndpoint pick = order.get(0);
        Map<IpEndpoint, Instant> t = tried.computeIfAbsent(peer, k -> new HashMap<>());
        if (t.containsKey(pick)) {
            rounds.merge(peer, 1, Integer::sum); // every candidate has been tried: back off until healthy
        }
        t.put(pick, now);
        t.keySet().retainAll(order); // bounded by the current candidates
        lastSwitch.put(peer, now);
        return pick;
    }

    /**
     * A healthy peer stops cycling; its history is kept so a later failure starts from the right place, and the
     * endpoint it is healthy at is remembered for {@link #resume}.
     *
     * @param at the device's endpoint for the peer, or null when it has none (it reached us)
     */
    public void healthy(PublicKey peer, IpEndpoint at) {
        lastSwitch.remove(peer);
        rounds.remove(peer);
        if (at != null) {
            lastGood.put(peer, at);
        }
    }

    /**
     * The endpoint for a peer being put (back) on the device: where it was last healthy, if that is still a usable
     * candidate, else {@link #next}. A device that lost its peers (WireGuard restarted under the agent) so gets
     * each one back at the endpoint that worked, not at the next untried candidate.
     */
    public IpEndpoint resume(PublicKey peer, List<PeerIntent.Candidate> candidates, List<IpPrefix> localSubnets,
            List<IpPrefix> tunnelSubnets, Instant now) {
        IpEndpoint good = lastGood.get(peer);
        if (good != null && order(peer, candidates, localSubnets, tunnelSubnets).contains(good)) {
            tried.computeIfAbsent(peer, k -> new HashMap<>()).put(good, now);
            lastSwitch.put(peer, now);
            return good;
        }
        return next(peer, candidates, localSubnets, tunnelSubnets, now);
    }

    /** Forgets peers not in {@code keep}. */
    public void retain(Set<PublicKey> keep) {
        tried.keySet().retainAll(keep);
        lastSwitch.keySet().retainAll(keep);
        rounds.keySet().retainAll(keep);
        lastGood.keySet().retainAll(keep);
    }
}
