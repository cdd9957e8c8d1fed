package io.wirelink.traversal;

import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerState;
import io.wirelink.detect.PathHealth;
import io.wirelink.detect.Routers;
import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactValue;
import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Punch coordination (PROTOCOL.md §6.3): a leaf asks its routers, with a PunchRequest, to have a peer send towards it
 * now, so both NATs see outbound traffic at once; a router passes the request on; the peer sends its Alive at once.
 * A relay's switch moment asks for the same send ({@link #sendNow}). Pure: the core passes the device, what it knows
 * of peers and the time.
 */
public final class Punches {
    /** Lifetime of a PunchRequest: it is acted on at once or not at all. */
    public static final Duration PUNCH_TTL = Duration.ofSeconds(10);
    /** At most this many requesters wait per peer to be passed on. */
    static final int MAX_REQUESTERS = 64;

    /** What a received PunchRequest asks of the core. */
    public enum Received {
        /** Nothing: not for us, not from a router or the requester, or too soon after the last punch. */
        IGNORED,
        /** Send towards the requester now ({@link #takeNow}). */
        PUNCH,
        /** As a router: pass it on to the target in the next pass. */
        PASS_ON
    }

    /** Per peer: a punch to send, when we last punched on a request, when we last asked our routers. */
    private static final class State {
        boolean now;
        Instant punchedAt;
        Instant asked;
    }

    private final PublicKey self;
    /** The shortest time between two punches towards a peer, and between two requests about it. */
    private final Duration repeat;
    private final Map<PublicKey, State> peers = new HashMap<>();
    /** As a router: requests to pass on, by the peer that should send (value: the requesters). */
    private final Map<PublicKey, Set<PublicKey>> toPassOn = new TreeMap<>();

    public Punches(PublicKey self, Duration repeat) {
        this.self = self;
        this.repeat = repeat;
    }

    /** A PunchRequest asking {@code target} to send towards {@code requester} now. */
    public static Fact request(PublicKey target, PublicKey requester, Instant now) {
        return new Fact(Attribute.PUNCH_REQUEST, target, new FactValue.Requester(requester), now.plus(PUNCH_TTL));
    }

    /**
     * A PunchRequest {@code f} signed by {@code signer}: from a leaf asking us (a router) to pass it on, or passed on
     * to us by a router (or sent by the requester itself), asking us to send towards the requester at once.
     *
     * @param device the last device read (a signer absent from it is not taken for a router)
     * @param selfRouter whether we are a router (asked only for a request to pass on)
     * @param readsAcks whether a peer reads Acks: only such a peer is passed requests on
     */
    public Received received(PublicKey signer, Fact f, DeviceState device, BooleanSupplier selfRouter,
            Predicate<PublicKey> readsAcks, Instant now) {
        if (!(f.value() instanceof FactValue.Requester r)) {
            return Received.IGNORED;
        }
        PublicKey requester = r.key();
        PublicKey target = f.subject();
        if (target.equals(self)) {
            PeerState from = device.peer(signer);
            boolean fromRouter = from != null && Routers.isRouter(from);
            State before = peers.get(requester);
            Instant last = before == null ? null : before.punchedAt;
            if ((fromRouter || signer.equals(requester)) && device.peer(requester) != null
                    && (last == null || !now.isBefore(last.plus(repeat)))) {
                State s = of(requester);
                s.now = true;
                s.punchedAt = now;
                return Received.PUNCH;
            }
        } else if (signer.equals(requester) && selfRouter.getAsBoolean() && device.peer(target) != null
                && readsAcks.test(target)) {
            Set<PublicKey> rs = toPassOn.computeIfAbsent(target, k -> new TreeSet<>());
            if (rs.size() < MAX_REQUESTERS) {
                rs.add(requester);
            }
            return Received.PASS_ON;
        }
        return Received.IGNORED;
    }

    /** Peers to send to at once: a direct try began at a relay's switch moment. */
    public void sendNow(Set<PublicKey> keys) {
        keys.forEach(k -> of(k).now = true);
    }

    /** Whether a punch towards {@code k} is to be sent now; taking it clears it. */
    public boolean takeNow(PublicKey k) {
        State s = peers.get(k);
        if (s == null || !s.now) {
            return false;
        }
        s.now = false;
        return true;
    }

    /**
     * As a leaf: the PunchRequests to send our routers. For an idle path whose traffic resumed without a handshake,
     * once per resumption; for a failed path, with each of its Alive probes (the peer, idle on its side, will not
     * probe us), at most every {@code repeat}.
     */
    public List<Fact> requests(PathHealth paths, AliveProbes probes, Instant now) {
        List<Fact> out = new ArrayList<>();
        paths.forEachWoken((k, resumed) -> {
            Instant asked = asked(k);
            if (asked == null || asked.isBefore(resumed)) {
                out.add(request(k, self, now));
                of(k).asked = now;
            }
        });
        for (PublicKey k : paths.failedPaths()) {
            Instant asked = asked(k);
            if (probes.dueOrUnscheduled(k, now) && (asked == null || !now.isBefore(asked.plus(repeat)))) {
                out.add(request(k, self, now));
                of(k).asked = now;
            }
        }
        return out;
    }

    /** As a router: the requests to pass on, by the peer that should send; taking them clears them. */
    public Map<PublicKey, Set<PublicKey>> takePassOn() {
        Map<PublicKey, Set<PublicKey>> out = new TreeMap<>(toPassOn);
        toPassOn.clear();
        return out;
    }

    /** Forgets every peer not in {@code known}. */
    public void retain(Set<PublicKey> known) {
        peers.keySet().retainAll(known);
    }

    private Instant asked(PublicKey k) {
        State s = peers.get(k);
        return s == null ? null : s.asked;
    }

    private State of(PublicKey k) {
        return peers.computeIfAbsent(k, x -> new State());
    }
}
