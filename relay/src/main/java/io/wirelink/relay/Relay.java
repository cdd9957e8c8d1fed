package io.wirelink.relay;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.relay.RelayStats.Drop;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay as a pure state machine: {@link #onDatagram} takes the time and one datagram and returns what to send.
 * No I/O, no threads, no clock of its own; {@link UdpRelay} runs it on a socket.
 *
 * <p><b>Registration.</b> The relay is a WireGuard peer with its own key. A client registers by completing a
 * handshake with it: an initiation whose mac1 is for the relay's key is consumed by the relay's Noise IKpsk2
 * responder (the {@code admit} callback decides which static keys may register) and answered with a response. The
 * client becomes registered with the first transport packet under the new keys (WireGuard sends a keepalive right
 * after the handshake), from whose source the relay learns the client's NAT-mapped endpoint; later authenticated
 * packets from elsewhere move it (roaming), and it expires {@link RelaySettings#clientIdleTimeout} after the last.
 *
 * <p><b>Forwarding.</b> Between registered clients A and B that both asked for each other ({@link #allow}(A, B) and
 * {@link #allow}(B, A)), in either direction: an initiation from A is sent to the one peer of A whose key its mac1
 * is for (one keyed BLAKE2s per candidate, keyed digests cached per client), and its sender index is learned; a
 * response from B is routed by its receiver index (that sender index) and teaches B's own sender index; cookie
 * replies and data follow the learned indices. The datagram is forwarded as received: no bytes added, nothing
 * decrypted. Anything else is dropped, unregistered sources after one hash lookup and before any cryptography
 * (initiations after one BLAKE2s, to see whether they are for the relay).
 *
 * <p><b>Bounds.</b> Clients, routes, authorizations and per-source buckets are bounded tables; clients, routes and
 * the relay's own sessions expire. Per-client token buckets limit forwarded packets, bytes and handshake messages;
 * per-source buckets limit handshakes with the relay before any Diffie-Hellman, and above
 * {@link RelaySettings#underLoadHandshakes} per second the relay demands WireGuard cookies (mac2).
 *
 * <p>Not thread-safe: one thread owns it. Time is any monotonic nanosecond count, never read here.
 */
public final class Relay {
    private static final Logger log = LoggerFactory.getLogger(Relay.class);
    private static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;
    /** A route in use is moved to its table's tail at most this often. */
    private static final long REPLACE_INTERVAL_NANOS = 1_000_000_000L;
    private static final long SECOND = 1_000_000_000L;

    private final NoiseResponder responder;
    private final PrivateKey key;
    private final PublicKey publicKey;
    private final Macs.Mac1Checker ownMac1;
    private final CookieJar cookies;
    private final RelaySettings settings;
    private final Predicate<PublicKey> admit;
    private final Random random;
    private final long clientIdle;
    private final long handshakeTimeout;
    private final long routeIdle;

    private final Map<PublicKey, Client> clients = new HashMap<>();
    private final Map<IpEndpoint, Client> byEndpoint = new HashMap<>();
    /** The relay's own sessions, by the index the relay chose. */
    private final Map<Integer, Session> sessions = new HashMap<>();
    /** Routes made by initiations, waiting for a response; insertion order is age order. */
    private final LinkedHashMap<Long, Route> pending = new LinkedHashMap<>();
    /** Established routes; insertion order is (to within a second) order of last use. */
    private final LinkedHashMap<Long, Route> routes = new LinkedHashMap<>();
    /** Who asked to reach whom: {@code wants.get(a).contains(b)} after {@code allow(a, b)}. */
    private final Map<PublicKey, Set<PublicKey>> wants = new HashMap<>();
    private final LinkedHashMap<InetAddress, TokenBucket> sources;
    /** Switch moments of pairs told each other's endpoints (by the two client ids); insertion order is age order. */
    private final LinkedHashMap<Long, Long> moments = new LinkedHashMap<>();

    private int authEpoch;
    private int nextClientId;
    private boolean swept;
    private long lastSweep;
    private long loadWindowStart;
    private int loadCount;
    private boolean loadedBefore;
    private boolean loadStarted;

    private long datagrams;
    private long bytes;
    private final long[] forwarded = new long[5];
    private long forwardedBytes;
    private long handshakesAnswered;
    private long registrations;
    private long ownTransport;
    private long cookieRepliesSent;
    private long probesAnswered;
    private long disclosed;
    private long disclosedUnknown;
    private final long[] drops = new long[Drop.values().length];

    /**
     * @param key the relay's own WireGuard private key; clients list its public key as a peer
     * @param admit which static keys may register; called on the handshake path, after the initiator's key is
     *     decrypted and before the second Diffie-Hellman
     * @param random indices, ephemeral keys, cookie secrets and nonces: a {@link java.security.SecureRandom} in
     *     production
     */
    public Relay(PrivateKey key, RelaySettings settings, Predicate<PublicKey> admit, Random random) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.admit = Objects.requireNonNull(admit, "admit");
        this.random = Objects.requireNonNull(random, "random");
        this.responder = new NoiseResponder(Objects.requireNonNull(key, "key"), 4 * settings.maxClients());
        this.key = key;
        this.publicKey = key.publicKey();
        this.ownMac1 = new Macs.Mac1Checker(Macs.mac1Key(publicKey));
        this.cookies = new CookieJar(publicKey, random);
        this.clientIdle = settings.clientIdleTimeout().toNanos();
        this.handshakeTimeout = settings.handshakeTimeout().toNanos();
        this.routeIdle = settings.routeIdleTimeout().toNanos();
        int maxSources = settings.maxSources();
        this.sources = new LinkedHashMap<>(256, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, TokenBucket> eldest) {
                return size() > maxSources;
            }
        };
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public RelaySettings settings() {
        return settings;
    }

    // ------------------------------------------------------------------ authorization

    /**
     * Records that {@code a} asks to reach {@code b}. Traffic flows between them once both asked for each other and
     * both are registered. Idempotent.
     *
     * @throws IllegalStateException when {@code a} already asks for {@link RelaySettings#maxPeersPerClient} keys or
     *     {@link RelaySettings#maxAuthorizedKeys} keys have authorization sets
     */
    public void allow(PublicKey a, PublicKey b) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        if (a.equals(b)) {
            throw new IllegalArgumentException("a key cannot ask to reach itself");
        }
        Set<PublicKey> set = wantsOf(a);
        if (!set.contains(b) && set.size() >= settings.maxPeersPerClient()) {
            throw new IllegalStateException(a + " already asks to reach " + set.size() + " keys (maxPeersPerClient)");
        }
        set.add(b);
    }

    /** Withdraws {@code allow(a, b)}; forwarding between them stops at once, in both directions. */
    public void revoke(PublicKey a, PublicKey b) {
        Set<PublicKey> set = wants.get(a);
        if (set != null && set.remove(b)) {
            authEpoch++;
            if (set.isEmpty()) {
                wants.remove(a);
            }
        }
    }

    /** Replaces the set of keys {@code a} asks to reach (for an agent that recomputes it from membership). */
    public void setAllowed(PublicKey a, Set<PublicKey> peers) {
        Objects.requireNonNull(a, "a");
        if (peers.contains(a)) {
            throw new IllegalArgumentException("a key cannot ask to reach itself");
        }
        if (peers.size() > settings.maxPeersPerClient()) {
            throw new IllegalStateException(peers.size() + " keys exceed maxPeersPerClient");
        }
        Set<PublicKey> set = wantsOf(a);
        if (set.retainAll(peers)) {
            authEpoch++;
        }
        set.addAll(peers);
        if (set.isEmpty()) {
            wants.remove(a);
        }
    }

    /** True when {@code a} and {@code b} both asked to reach each other. */
    public boolean mutuallyAllowed(PublicKey a, PublicKey b) {
        Set<PublicKey> wa = wants.get(a);
        if (wa == null || !wa.contains(b)) {
            return false;
        }
        Set<PublicKey> wb = wants.get(b);
        return wb != null && wb.contains(a);
    }

    private Set<PublicKey> wantsOf(PublicKey a) {
        Set<PublicKey> set = wants.get(a);
        if (set == null) {
            if (wants.size() >= settings.maxAuthorizedKeys()) {
                throw new IllegalStateException(wants.size() + " keys already have authorizations "
                        + "(maxAuthorizedKeys)");
            }
            set = new HashSet<>();
            wants.put(a, set);
        }
        return set;
    }

    // ------------------------------------------------------------------ the packet path

    /**
     * Handles one datagram received from {@code src} at time {@code now} and returns what to send: nothing, the
     * datagram itself forwarded to another client, or the relay's own handshake response or cookie reply. Never
     * throws on any content of {@code data}.
     */
    public List<Send> onDatagram(long now, IpEndpoint src, byte[] data) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(data, "data");
        datagrams++;
        bytes += data.length;
        maybeSweep(now);
        if (Probe.isRequest(data)) {
            // liveness and RTT for clients choosing a relay: a reply of the request's size, nothing else
            probesAnswered++;
            return List.of(new Send(src, Probe.reply(data, src)));
        }
        if (Disclosure.isQuery(data)) {
            return onDisclosure(now, src, data);
        }
        int type = WireFormat.classify(data, data.length);
        switch (type) {
            case WireFormat.TYPE_TRANSPORT:
                return onTransport(now, src, data);
            case WireFormat.TYPE_INITIATION:
                return onInitiation(now, src, data);
            case WireFormat.TYPE_RESPONSE:
                return onResponse(now, src, data);
            case WireFormat.TYPE_COOKIE_REPLY:
                return onCookieReply(now, src, data);
            default:
                return drop(Drop.MALFORMED);
        }
    }

    private List<Send> onTransport(long now, IpEndpoint src, byte[] data) {
        int index = WireFormat.getIntLE(data, WireFormat.TRANSPORT_RECEIVER_OFFSET);
        Client from = byEndpoint.get(src);
        if (from != null) {
            long key = routeKey(from, index);
            Route r = routes.get(key);
            if (r != null) {
                if (!from.admitTraffic(now, data.length)) {
                    return drop(Drop.RATE_LIMITED);
                }
                if (!usable(r)) {
                    removeRoute(routes, key);
                    return drop(Drop.NOT_AUTHORIZED);
                }
                r.lastUsed = now;
                if (now - r.placed >= REPLACE_INTERVAL_NANOS) {
                    routes.remove(key);
                    r.placed = now;
                    routes.put(key, r);
                }
                return forward(WireFormat.TYPE_TRANSPORT, r.receiver, data);
            }
        }
        Session s = sessions.get(index);
        if (s != null && (from == null || from == s.client)) {
            return onOwnTransport(now, src, data, s);
        }
        return drop(from == null ? Drop.UNKNOWN_SOURCE : Drop.NO_ROUTE);
    }

    private List<Send> onInitiation(long now, IpEndpoint src, byte[] data) {
        if (ownMac1.matches(data, WireFormat.TYPE_INITIATION)) {
            return onOwnInitiation(now, src, data);
        }
        Client from = byEndpoint.get(src);
        if (from == null) {
            return drop(Drop.UNKNOWN_SOURCE);
        }
        if (!from.handshakes.tryTake(now, 1)) {
            return drop(Drop.RATE_LIMITED);
        }
        Set<PublicKey> candidates = wants.get(from.key);
        if (candidates == null) {
            return drop(Drop.NO_ROUTE);
        }
        for (PublicKey k : candidates) {
            Client to = clients.get(k);
            if (to == null || !to.registered() || !mutuallyAllowed(k, from.key)) {
                continue;
            }
            if (to.mac1.matches(data, WireFormat.TYPE_INITIATION)) {
                if (from.routes >= settings.maxRoutesPerClient()) {
                    return drop(Drop.TABLE_FULL);
                }
                // the response, cookie replies and data from `to` will carry this index as their receiver index
                putRoute(pending, routeKey(to, WireFormat.senderIndex(data)), new Route(to, from, from, now, authEpoch),
                        now);
                return forward(WireFormat.TYPE_INITIATION, to, data);
            }
        }
        return drop(Drop.NO_ROUTE);
    }

    private List<Send> onResponse(long now, IpEndpoint src, byte[] data) {
        Client from = byEndpoint.get(src);
        if (from == null) {
            return drop(Drop.UNKNOWN_SOURCE);
        }
        if (!from.handshakes.tryTake(now, 1)) {
            return drop(Drop.RATE_LIMITED);
        }
        long key = routeKey(from, WireFormat.getIntLE(data, WireFormat.RESPONSE_RECEIVER_OFFSET));
        Route r = pending.get(key);
        if (r == null) {
            return drop(Drop.NO_ROUTE);
        }
        if (!usable(r)) {
            removeRoute(pending, key);
            return drop(Drop.NOT_AUTHORIZED);
        }
        Client to = r.receiver;
        if (!to.mac1.matches(data, WireFormat.TYPE_RESPONSE)) {
            return drop(Drop.BAD_MAC);
        }
        if (from.routes >= settings.maxRoutesPerClient()) {
            return drop(Drop.TABLE_FULL);
        }
        removeRoute(pending, key);
        r.lastUsed = now;
        r.placed = now;
        putRoute(routes, key, r, now); // the initiation's route now carries data from `from` too
        // data from `to` will carry the response's sender index as its receiver index
        putRoute(routes, routeKey(to, WireFormat.senderIndex(data)), new Route(to, from, from, now, authEpoch), now);
        return forward(WireFormat.TYPE_RESPONSE, to, data);
    }

    private List<Send> onCookieReply(long now, IpEndpoint src, byte[] data) {
        Client from = byEndpoint.get(src);
        if (from == null) {
            return drop(Drop.UNKNOWN_SOURCE);
        }
        if (!from.handshakes.tryTake(now, 1)) {
            return drop(Drop.RATE_LIMITED);
        }
        long key = routeKey(from, WireFormat.getIntLE(data, WireFormat.COOKIE_RECEIVER_OFFSET));
        Route r = pending.get(key);
        LinkedHashMap<Long, Route> table = pending;
        if (r == null) {
            r = routes.get(key);
            table = routes;
        }
        if (r == null) {
            return drop(Drop.NO_ROUTE);
        }
        if (!usable(r)) {
            removeRoute(table, key);
            return drop(Drop.NOT_AUTHORIZED);
        }
        return forward(WireFormat.TYPE_COOKIE_REPLY, r.receiver, data);
    }

    private List<Send> forward(int type, Client to, byte[] data) {
        forwarded[type]++;
        forwardedBytes += data.length;
        return List.of(new Send(to.endpoint, data));
    }

    private List<Send> drop(Drop reason) {
        drops[reason.ordinal()]++;
        return List.of();
    }

    /** Both ends alive and registered, and (re-checked after any revocation) still mutually authorized. */
    private boolean usable(Route r) {
        if (!r.sender.alive || !r.receiver.alive || !r.receiver.registered()) {
            return false;
        }
        if (r.epoch != authEpoch) {
            if (!mutuallyAllowed(r.sender.key, r.receiver.key)) {
                return false;
            }
            r.epoch = authEpoch;
        }
        return true;
    }

    private static long routeKey(Client sender, int index) {
        return ((long) sender.id << 32) | (index & 0xffffffffL);
    }

    private void putRoute(LinkedHashMap<Long, Route> table, long key, Route r, long now) {
        Route old = table.remove(key);
        if (old != null) {
            old.owner.routes--;
        }
        if (table.size() >= settings.maxRoutes()) {
            sweepRoutes(now);
            if (table.size() >= settings.maxRoutes()) {
                Iterator<Map.Entry<Long, Route>> it = table.entrySet().iterator();
                it.next().getValue().owner.routes--;
                it.remove();
            }
        }
        table.put(key, r);
        r.owner.routes++;
    }

    private void removeRoute(LinkedHashMap<Long, Route> table, long key) {
        Route r = table.remove(key);
        if (r != null) {
            r.owner.routes--;
        }
    }

    // ------------------------------------------------------------------ endpoint disclosure

    /**
     * A {@link Disclosure} query: from a registered client (a hash lookup before anything else), within its rate,
     * with a valid mac (the client's key is derived once per client) and a timestamp later than any accepted before
     * (and than the handshake that registered it). Answered, to the query's source, with the peer's endpoint and the
     * pair's switch moment when the peer is registered and both allowed each other, else with "unknown".
     */
    private List<Send> onDisclosure(long now, IpEndpoint src, byte[] data) {
        Disclosure.Query q = Disclosure.decodeQuery(data);
        Client c = clients.get(q.client());
        if (c == null || !c.registered()) {
            return drop(Drop.DISCLOSURE_REJECTED);
        }
        if (!c.disclosures.tryTake(now, 1)) {
            return drop(Drop.RATE_LIMITED);
        }
        if (c.disclosureKeys == null) {
            c.disclosureKeys = Disclosure.relayKeys(key, c.key);
            if (c.disclosureKeys == null) {
                return drop(Drop.DISCLOSURE_REJECTED);
            }
        }
        if (!Disclosure.verify(c.disclosureKeys, data) || !Tai64n.after(q.timestamp(), c.lastQueryTimestamp)) {
            return drop(Drop.DISCLOSURE_REJECTED);
        }
        c.lastQueryTimestamp = q.timestamp();
        Client p = clients.get(q.peer());
        if (p == null || p == c || !p.registered() || !p.alive || !mutuallyAllowed(c.key, p.key)) {
            disclosedUnknown++;
            return List.of(new Send(src, Disclosure.answer(c.disclosureKeys, q.nonce(), q.peer(), null, 0, random)));
        }
        disclosed++;
        return List.of(new Send(src, Disclosure.answer(c.disclosureKeys, q.nonce(), q.peer(), p.endpoint,
                switchMillis(now, c, p), random)));
    }

    /**
     * The pair's switch moment, in milliseconds from now: set {@link Disclosure#SWITCH_LEAD_MILLIS} ahead by the
     * first answer about the pair (from either side), told to both until {@link Disclosure#SWITCH_HOLD_MILLIS} after
     * it, then set anew.
     */
    private int switchMillis(long now, Client a, Client b) {
        long pair = a.id < b.id ? ((long) a.id << 32) | (b.id & 0xffffffffL) : ((long) b.id << 32) | (a.id & 0xffffffffL);
        Long at = moments.get(pair);
        if (at == null || now - at > Disclosure.SWITCH_HOLD_MILLIS * 1_000_000L) {
            at = now + Disclosure.SWITCH_LEAD_MILLIS * 1_000_000L;
            moments.remove(pair);
            if (moments.size() >= settings.maxClients()) {
                Iterator<Long> it = moments.keySet().iterator();
                it.next();
                it.remove();
            }
            moments.put(pair, at);
        }
        return (int) Math.floorDiv(at - now, 1_000_000L);
    }

    // ------------------------------------------------------------------ the relay's own handshakes

    private List<Send> onOwnInitiation(long now, IpEndpoint src, byte[] data) {
        TokenBucket b = sources.get(src.address());
        if (b == null) {
            b = new TokenBucket(settings.sourceHandshakeRate(), settings.sourceHandshakeBurst(), now);
            sources.put(src.address(), b);
        }
        if (!b.tryTake(now, 1)) {
            return drop(Drop.RATE_LIMITED);
        }
        if (underLoad(now) && !cookies.mac2Valid(data, WireFormat.TYPE_INITIATION, src, now)) {
            drops[Drop.UNDER_LOAD.ordinal()]++;
            cookieRepliesSent++;
            return List.of(new Send(src, cookies.reply(data, WireFormat.TYPE_INITIATION, src, now)));
        }
        NoiseResponder.Consumed c;
        try {
            c = responder.consume(data, now, admit);
        } catch (NoiseResponder.Rejected e) {
            if (log.isDebugEnabled()) {
                log.debug("initiation from {} refused: {}", src, e.reason);
            }
            return drop(e.reason == NoiseResponder.Reason.NOT_ADMITTED ? Drop.NOT_ADMITTED : Drop.HANDSHAKE_REJECTED);
        }
        Client client = clients.get(c.peer());
        if (client == null) {
            if (clients.size() >= settings.maxClients()) {
                sweepClients(now);
                if (clients.size() >= settings.maxClients()) {
                    return drop(Drop.TABLE_FULL);
                }
            }
            client = new Client(c.peer(), nextClientId++, now, settings);
            clients.put(c.peer(), client);
        }
        if (Tai64n.after(c.timestamp(), client.lastQueryTimestamp)) {
            // disclosure queries must be later than the handshake that registered the client (no replays across
            // registrations: the client's agent and its WireGuard read the same clock)
            client.lastQueryTimestamp = c.timestamp();
        }
        int local = newLocalIndex(client);
        NoiseResponder.Responded r = responder.respond(c, local, random);
        Session s = new Session(local, c.senderIndex(), r.receiveKey(), r.sendKey(), now, client);
        if (client.next != null) {
            dropSession(client.next);
        }
        client.next = s;
        sessions.put(local, s);
        handshakesAnswered++;
        return List.of(new Send(src, r.message()));
    }

    private boolean underLoad(long now) {
        if (!loadStarted || now - loadWindowStart >= SECOND) {
            // a window over the threshold keeps the relay under load through the next one
            loadedBefore = loadStarted && loadCount > settings.underLoadHandshakes()
                    && now - loadWindowStart < 2 * SECOND;
            loadWindowStart = now;
            loadCount = 0;
            loadStarted = true;
        }
        loadCount++;
        return loadedBefore || loadCount > settings.underLoadHandshakes();
    }

    private int newLocalIndex(Client client) {
        while (true) {
            int i = random.nextInt();
            if (!sessions.containsKey(i) && !routes.containsKey(routeKey(client, i))) {
                return i;
            }
        }
    }

    private List<Send> onOwnTransport(long now, IpEndpoint src, byte[] data, Session s) {
        Client c = s.client;
        if (!c.admitTraffic(now, data.length)) {
            return drop(Drop.RATE_LIMITED);
        }
        byte[] plain = s.open(data, now);
        if (plain == null) {
            return drop(Drop.SESSION_REJECTED);
        }
        ownTransport++;
        c.confirmed = true;
        if (!s.confirmed) {
            s.confirmed = true;
            if (c.next == s) {
                c.next = null;
            }
            if (c.previous != null && c.previous != s) {
                dropSession(c.previous);
            }
            c.previous = c.current;
            c.current = s;
        }
        c.lastAuthenticated = now;
        if (!src.equals(c.endpoint)) {
            moveEndpoint(c, src, now);
        }
        return List.of();
    }

    private void moveEndpoint(Client c, IpEndpoint src, long now) {
        boolean first = c.endpoint == null;
        if (c.endpoint != null) {
            byEndpoint.remove(c.endpoint, c);
        }
        Client displaced = byEndpoint.put(src, c);
        if (displaced != null && displaced != c) {
            displaced.endpoint = null; // the address now belongs to c; the other client must authenticate again
        }
        c.endpoint = src;
        if (first) {
            c.registeredAt = now;
            registrations++;
            log.debug("registered {}", c);
        } else {
            log.debug("{} roamed", c);
        }
    }

    private void dropSession(Session s) {
        sessions.remove(s.localIndex, s);
        s.destroy();
    }

    /**
     * A keepalive sealed under the relay's current session with {@code client}, to its registered endpoint: for
     * probing a client or answering it. Empty when the client is not registered or its session is too old.
     */
    public Optional<Send> keepalive(long now, PublicKey client) {
        Client c = clients.get(client);
        if (c == null || c.endpoint == null || c.current == null) {
            return Optional.empty();
        }
        byte[] msg = c.current.seal(WgCrypto.EMPTY, now);
        return msg == null ? Optional.empty() : Optional.of(new Send(c.endpoint, msg));
    }

    // ------------------------------------------------------------------ expiry

    /** Expires what is due; {@link #onDatagram} does this too, at most once a second. */
    public void tick(long now) {
        maybeSweep(now);
    }

    private void maybeSweep(long now) {
        if (!swept || now - lastSweep >= SWEEP_INTERVAL_NANOS) {
            swept = true;
            lastSweep = now;
            sweepClients(now);
            sweepRoutes(now);
            long hold = Disclosure.SWITCH_HOLD_MILLIS * 1_000_000L;
            moments.values().removeIf(at -> now - at > hold);
        }
    }

    private void sweepRoutes(long now) {
        for (Iterator<Route> it = pending.values().iterator(); it.hasNext(); ) {
            Route r = it.next();
            if (now - r.placed < handshakeTimeout) {
                break;
            }
            r.owner.routes--;
            it.remove();
        }
        for (Iterator<Route> it = routes.values().iterator(); it.hasNext(); ) {
            Route r = it.next();
            if (now - r.placed < routeIdle) {
                break;
            }
            r.owner.routes--;
            it.remove();
        }
    }

    private void sweepClients(long now) {
        List<Client> dead = null;
        for (Client c : clients.values()) {
            expireSessions(c, now);
            boolean expired = c.confirmed ? now - c.lastAuthenticated >= clientIdle
                    : now - (c.next != null ? c.next.created : c.created) >= handshakeTimeout;
            if (expired) {
                if (dead == null) {
                    dead = new ArrayList<>();
                }
                dead.add(c);
            }
        }
        if (dead != null) {
            for (Client c : dead) {
                removeClient(c);
            }
        }
    }

    private void expireSessions(Client c, long now) {
        if (c.next != null && (c.next.expired(now) || now - c.next.created >= handshakeTimeout)) {
            dropSession(c.next);
            c.next = null;
        }
        if (c.previous != null && c.previous.expired(now)) {
            dropSession(c.previous);
            c.previous = null;
        }
        if (c.current != null && c.current.expired(now)) {
            dropSession(c.current);
            c.current = null;
        }
    }

    private void removeClient(Client c) {
        c.alive = false;
        clients.remove(c.key, c);
        if (c.endpoint != null) {
            byEndpoint.remove(c.endpoint, c);
        }
        for (Session s : new Session[] {c.next, c.current, c.previous}) {
            if (s != null) {
                dropSession(s);
            }
        }
        log.debug("forgot {}", c);
    }

    // ------------------------------------------------------------------ introspection

    /** The registered client with this key, if any. */
    public Optional<ClientInfo> client(PublicKey key) {
        Client c = clients.get(key);
        return c == null || !c.registered() ? Optional.empty() : Optional.of(info(c));
    }

    /** Every registered client. */
    public List<ClientInfo> clients() {
        List<ClientInfo> out = new ArrayList<>();
        for (Client c : clients.values()) {
            if (c.registered()) {
                out.add(info(c));
            }
        }
        return out;
    }

    private static ClientInfo info(Client c) {
        return new ClientInfo(c.key, c.endpoint, c.registeredAt, c.lastAuthenticated);
    }

    public RelayStats stats() {
        Map<Drop, Long> d = new EnumMap<>(Drop.class);
        for (Drop r : Drop.values()) {
            if (drops[r.ordinal()] != 0) {
                d.put(r, drops[r.ordinal()]);
            }
        }
        int registered = 0;
        for (Client c : clients.values()) {
            if (c.registered()) {
                registered++;
            }
        }
        return new RelayStats(datagrams, bytes, forwarded, forwardedBytes, handshakesAnswered, registrations,
                ownTransport, cookieRepliesSent, d, registered, routes.size(), pending.size());
    }

    /** Probes ({@link Probe}) answered. */
    public long probesAnswered() {
        return probesAnswered;
    }

    /** Disclosure queries answered with a peer's endpoint, and with "unknown". */
    public long[] disclosures() {
        return new long[] {disclosed, disclosedUnknown};
    }

    /** How many of the relay's own sessions (keypairs with clients) exist: at most three per client. */
    int ownSessionCount() {
        return sessions.size();
    }

    /** Client table size, registered or not (for bound tests). */
    int clientTableSize() {
        return clients.size();
    }

    int sourceTableSize() {
        return sources.size();
    }

    @Override
    public String toString() {
        return "Relay[" + publicKey + ", " + clients.size() + " clients, " + routes.size() + " routes]";
    }
}
