package io.wirelink.apply.reconcile;

import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerChange;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Level-triggered reconciliation: compares what the view wants with what the device has and returns the
 * smallest change. Running it again on the result changes nothing. Deterministic: peers are handled in key order.
 *
 * <p>Rules (PROTOCOL.md §6), wirelink's with its faults fixed:
 * <ul>
 *   <li>Every member peer gets its link-local /128. Its other allowed IPs go in only on a healthy path with a live
 *       peer (or a healthy basic peer); a healthy peer that is not alive is left as it is (hysteresis); an
 *       unhealthy peer falls back to its link-local /128 and its wider (router) routes, so traffic to its host
 *       routes takes a router's wider route, and a router keeps the routes nothing else could carry.</li>
 *   <li>Allowed IPs are removed, and non-members deleted, only when {@code mayDeconfigure}/{@code mayDelete}: never
 *       during the startup grace (a restarted agent replays its log and must not drop working routes), never on a
 *       router, and deletion only while a membership source is healthy (so a leaf cut off from its hub does not
 *       delete everyone). Configured peers are never deleted.</li>
 *   <li>Unhealthy peers cycle endpoints through {@link EndpointCycler}; healthy ones stay put.</li>
 *   <li>The relay client's decisions ({@link RelayDecisions}) come in with the context and are composed into the
 *       same change: a peer it routes gets its endpoint from it (or keeps the device's) and is re-added when it asks,
 *       relay peers are put in place or taken out, and first-contact retries re-add a peer where it is.</li>
 * </ul>
 *
 * <p>The reasons: the view's, device peers in key order then additions, followed by the relay decisions' own.
 */
public final class Reconciler {
    /** How far ahead an Alive must last for allowed IPs to go in (wirelink: half a 5 s pass). */
    public static final Duration ALIVE_MARGIN = Duration.ofMillis(2500);

    private Reconciler() {}

    /**
     * Everything a reconciliation pass needs besides the device.
     *
     * @param localSubnets subnets of the host's other interfaces (for same-LAN endpoints)
     * @param tunnelSubnets subnets on the WireGuard interface (endpoints there would tunnel)
     */
    public record Context(
            PublicKey self,
            Map<PublicKey, PeerIntent> peers,
            boolean mayDeconfigure,
            boolean mayDelete,
            List<IpPrefix> localSubnets,
            List<IpPrefix> tunnelSubnets,
            Instant now,
            RelayDecisions relays) {

        public Context {
            relays = relays == null ? RelayDecisions.NONE : relays;
        }

        /** A context without relay decisions. */
        public Context(PublicKey self, Map<PublicKey, PeerIntent> peers, boolean mayDeconfigure, boolean mayDelete,
                List<IpPrefix> localSubnets, List<IpPrefix> tunnelSubnets, Instant now) {
            this(self, peers, mayDeconfigure, mayDelete, localSubnets, tunnelSubnets, now, RelayDecisions.NONE);
        }
    }

    /**
     * The planned change, why each peer is touched, and the peers whose endpoint was switched (by the reconciler's
     * cycling or by the relay decisions).
     */
    public record Plan(DeviceChange change, List<Reason> reasons, Set<PublicKey> endpointSwitched) {}

    public static Plan plan(DeviceState device, Context ctx, EndpointCycler cycler, LinkLocalFn linkLocal) {
        List<PeerChange> changes = new ArrayList<>();
        List<Reason> reasons = new ArrayList<>();
        Set<PublicKey> switched = new HashSet<>();
        Map<PublicKey, PeerState> onDevice = new TreeMap<>();
        for (PeerState p : device.peers()) {
            onDevice.put(p.publicKey(), p);
        }
        for (PeerState d : onDevice.values()) {
            if (d.publicKey().equals(ctx.self())) {
                continue;
            }
            changes.addAll(RelayCompose.peer(d, own(d, ctx, cycler, linkLocal, reasons, switched), ctx.relays(),
                    switched));
        }
        for (PeerIntent v : new TreeMap<>(ctx.peers()).values()) {
            if (!v.member() || onDevice.containsKey(v.key()) || v.key().equals(ctx.self())) {
                continue;
            }
            IpEndpoint ep = cycler.resume(v.key(), v.endpoints(), ctx.localSubnets(), ctx.tunnelSubnets(), ctx.now());
            changes.add(new PeerChange(v.key(), false, false, ep, null, true, List.of(linkLocal.of(v.key()))));
            reasons.add(new Reason(v.key(), "added" + (ep != null ? " at " + ep : " without an endpoint")));
            if (ep != null) {
                switched.add(v.key());
            }
        }
        changes.addAll(RelayCompose.relayPeers(ctx.relays()));
        reasons.addAll(ctx.relays().reasons());
        switched.addAll(ctx.relays().switched());
        cycler.retain(new HashSet<>(ctx.peers().keySet()));
        return new Plan(DeviceChange.peers(changes), reasons, switched);
    }

    /** What the view wants of device peer {@code d}: a change, or null. */
    private static PeerChange own(PeerState d, Context ctx, EndpointCycler cycler, LinkLocalFn linkLocal,
            List<Reason> reasons, Set<PublicKey> switched) {
        PeerIntent v = ctx.peers().get(d.publicKey());
        if (v != null && v.member()) {
            return existing(d, v, ctx, cycler, linkLocal.of(v.key()), reasons, switched);
        }
        boolean configured = v != null && v.configured();
        if (ctx.mayDelete() && !configured) {
            reasons.add(new Reason(d.publicKey(), "removed, no longer a member"));
            return PeerChange.removal(d.publicKey());
        }
        if (!d.allowedIps().contains(linkLocal.of(d.publicKey()))) {
            // a peer we keep (e.g. a hub from wg-quick) must be reachable for gossip
            reasons.add(new Reason(d.publicKey(), "link-local address added"));
            return new PeerChange(d.publicKey(), false, true, null, null, false,
                    List.of(linkLocal.of(d.publicKey())));
        }
        return null;
    }

    private static PeerChange existing(PeerState d, PeerIntent v, Context ctx, EndpointCycler cycler, IpPrefix ll,
            List<Reason> reasons, Set<PublicKey> switched) {
        Set<IpPrefix> current = new LinkedHashSet<>(d.allowedIps());
        Set<IpPrefix> desired;
        boolean alive = v.aliveUntil() != null && v.aliveUntil().isAfter(ctx.now().plus(ALIVE_MARGIN));
        String why;
        if (v.healthy() && (alive || v.basic())) {
            desired = new LinkedHashSet<>();
            desired.add(ll);
            desired.addAll(v.allowedIps());
            why = "healthy and " + (alive ? "alive" : "basic");
        } else if (v.healthy()) {
            desired = new LinkedHashSet<>(current); // healthy, not (yet) alive: leave routes as they are
            desired.add(ll);
            why = "healthy, not alive";
        } else {
            desired = new LinkedHashSet<>(List.of(ll));
            desired.addAll(routerRoutes(current));
            why = "unhealthy";
        }
        List<IpPrefix> add = new ArrayList<>();
        for (IpPrefix p : desired) {
            if (!current.contains(p)) {
                add.add(p);
            }
        }
        boolean extra = false;
        for (IpPrefix p : current) {
            if (!desired.contains(p)) {
                extra = true;
            }
        }
        boolean replace = extra && ctx.mayDeconfigure();
        IpEndpoint endpoint = null;
        if (v.healthy()) {
            cycler.healthy(v.key(), d.endpoint());
        } else if (cycler.due(v.key(), ctx.now()) || cycler.betterUntried(v.key(), d.endpoint(), v.endpoints(),
                ctx.localSubnets(), ctx.tunnelSubnets())) {
            IpEndpoint next = cycler.next(v.key(), v.endpoints(), ctx.localSubnets(), ctx.tunnelSubnets(), ctx.now());
            if (next != null && !next.equals(d.endpoint())) {
                endpoint = next;
                switched.add(v.key());
            }
        }
        if (add.isEmpty() && !replace && endpoint == null) {
            return null;
        }
        List<IpPrefix> list = replace ? new ArrayList<>(desired) : add;
        list.sort(null);
        StringBuilder r = new StringBuilder(why);
        if (replace) {
            r.append(", allowed IPs set to ").append(list);
        } else if (!add.isEmpty()) {
            r.append(", allowed IPs added ").append(list);
        }
        if (endpoint != null) {
            r.append(", endpoint ").append(endpoint);
        }
        reasons.add(new Reason(v.key(), r.toString()));
        return new PeerChange(v.key(), false, true, endpoint, null, replace, list);
    }

    /**
     * The routes that make a peer a router (any prefix wider than a host, not link-local). They stay on an unhealthy
     * peer: the fallback for a host route is a router's wider route, and a router's own route has none (taken off,
     * the overlay's traffic would have nowhere to go, and the peer would stop being seen as a router, and so as a
     * trust and membership source, leaving it without its routes after it recovers).
     */
    static List<IpPrefix> routerRoutes(Set<IpPrefix> current) {
        List<IpPrefix> out = new ArrayList<>();
        for (IpPrefix p : current) {
            if (p.prefixLength() < p.address().getAddress().length * 8 && !p.address().isLinkLocalAddress()) {
                out.add(p);
            }
        }
        return out;
    }

    /** The link-local /128 of a key (wirelink's derivation; passed in to keep this module free of it). */
    @FunctionalInterface
    public interface LinkLocalFn {
        IpPrefix of(PublicKey key);
    }
}
