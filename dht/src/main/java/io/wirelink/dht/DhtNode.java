package io.wirelink.dht;

import io.wirelink.dht.DhtStats.Counter;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.MalformedInputException;
import io.wirelink.facts.PublicKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * One authenticated Kademlia node: a pure, single-threaded state machine. It never reads a clock, opens a socket or
 * starts a thread. The owner feeds it datagrams ({@link #receive}) and timer ticks ({@link #tick}, due at
 * {@link #nextWakeup()}), always with the current time, and sends what it puts in the {@link Outbox}. Every method
 * must be called from one thread.
 *
 * <p>{@code now} is milliseconds on a clock that is both monotonic and close to Unix time (the I/O adapter reads
 * the wall clock once at start and adds monotonic elapsed time), because it is used for timeouts and for the
 * packet timestamps checked against the replay window.
 *
 * <p>Receive path, cheapest checks first: per-source token bucket; decode; not our own key; timestamp within the
 * window; workbit of the sender (one BLAKE2s, which is also its node ID); pair key from the cache, or one X25519
 * within a node-wide budget; MAC; nonce not seen. Only then is anything answered or learned, and a packet failing
 * any step gets no reply at all. A reply is never larger than its request unless the request carried a cookie
 * proving the requester receives at its source address; requests without one are padded to
 * {@link DhtConfig#unvalidatedRequestSize()}.
 *
 * <p>A node with {@code readOnly = false} serves the DHT; one with no mesh around it is a public node.
 */
public final class DhtNode {
    private enum Kind { LOOKUP, EVICTION_PING, PING, STORE }

    /**
     * One request awaiting its reply. It is sent once, and once more (with a fresh nonce) when the peer's adaptive
     * timeout passes; it has failed when every transmission has gone unanswered for twice its timeout. The first
     * reply to either transmission completes it.
     */
    private static final class Pending {
        final Peer peer;
        final IpEndpoint to;
        final Message request;
        final Kind kind;
        boolean done;
        int outstanding;
        boolean retried;
        Lookup lookup;
        Lookup.Cand cand;
        Consumer<Boolean> callback;
        int bucket = -1;

        Pending(Peer peer, IpEndpoint to, Message request, Kind kind) {
            this.peer = peer;
            this.to = to;
            this.request = request;
            this.kind = kind;
        }
    }

    /** One transmission of a request: what a reply's {@code inReplyTo} names. */
    private static final class Transmission {
        final long nonce;
        final Pending pending;
        final long sentAt;
        boolean done;

        Transmission(long nonce, Pending pending, long sentAt) {
            this.nonce = nonce;
            this.pending = pending;
            this.sentAt = sentAt;
        }
    }

    private record Timer(long at, Transmission tx, boolean soft) {}

    private static final long REBOOTSTRAP_MILLIS = 30_000;

    private final DhtConfig cfg;
    private final DhtIdentity identity;
    private final PublicKey self;
    private final byte[] network;
    private final NodeId selfId;
    private final Random random;
    private final RoutingTable table;
    private final RecordStore store;
    private final LinkedHashMap<PublicKey, Peer> peers;
    private final ReplayGuard replay;
    private final TokenBuckets<java.net.InetAddress> rate;
    private final TokenBuckets<Boolean> derivations;
    private final Cookies cookies;
    private final RttEstimator global = new RttEstimator();
    private final ObservedAddresses observed = new ObservedAddresses();
    private final Map<Long, Transmission> pending = new HashMap<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> Long.compare(a.at, b.at));
    private final List<Lookup> lookups = new ArrayList<>();
    private final ArrayDeque<NodeId> refreshQueue = new ArrayDeque<>();
    private final DhtStats stats = new DhtStats();
    private List<Contact> seeds = List.of();
    private int backgroundActive;
    private long nextMaintenance;
    private long nextSelfRefresh;
    private long nextBootstrap;
    private long nextExpiry;
    private DhtRecord ownRecord;
    private long nextRepublish = Long.MAX_VALUE;

    /**
     * @param random nonces, cookie secret and refresh targets; a {@link java.security.SecureRandom} in production,
     *     seeded in simulations
     */
    public DhtNode(DhtConfig cfg, DhtIdentity identity, Random random, long now) {
        this.cfg = cfg;
        this.identity = identity;
        this.self = identity.publicKey();
        this.network = Workbit.networkBytes(cfg.network());
        this.selfId = NodeId.of(self, network);
        if (selfId.workbit() < cfg.minWorkbit()) {
            throw new IllegalArgumentException("own key has workbit " + selfId.workbit() + ", the network needs "
                    + cfg.minWorkbit() + " (mine one with wirelink genkey --workbit " + cfg.minWorkbit() + ")");
        }
        this.random = random;
        this.table = new RoutingTable(selfId, cfg.k(), cfg.replacementCacheSize(), now);
        this.store = new RecordStore(selfId, network, cfg.recordStoreCapacity());
        int peerCap = cfg.peerCacheCapacity();
        this.peers = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<PublicKey, Peer> eldest) {
                return size() > peerCap;
            }
        };
        this.replay = new ReplayGuard(cfg.replayCacheCapacity(), cfg.replayWindowMillis());
        this.rate = new TokenBuckets<>(cfg.rateLimitPerSecond(), cfg.rateLimitBurst(), cfg.rateTableCapacity());
        this.derivations = new TokenBuckets<>(cfg.keyDerivationsPerSecond(), cfg.keyDerivationBurst(), 1);
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        this.cookies = new Cookies(seed, cfg.cookieEpochMillis());
        this.nextMaintenance = now + cfg.maintenanceMillis();
        this.nextSelfRefresh = now + cfg.neighbourhoodRefreshMillis();
        this.nextBootstrap = Long.MAX_VALUE;
    }

    // ------------------------------------------------------------------------------------------------- views

    public PublicKey publicKey() {
        return self;
    }

    public NodeId id() {
        return selfId;
    }

    public DhtConfig config() {
        return cfg;
    }

    public DhtStats stats() {
        return stats;
    }

    public int routingTableSize() {
        return table.size();
    }

    public boolean inRoutingTable(PublicKey key) {
        return table.get(key) != null;
    }

    /** Every contact in the routing table (a copy). */
    public List<Contact> contacts() {
        List<Contact> l = new ArrayList<>(table.size());
        for (RoutingTable.Entry e : table.entries()) {
            l.add(e.contact());
        }
        return l;
    }

    /** Up to {@code n} routing-table contacts closest to {@code target}. */
    public List<Contact> closest(NodeId target, int n) {
        List<Contact> l = new ArrayList<>(n);
        for (RoutingTable.Entry e : table.closest(target, n, null)) {
            l.add(e.contact());
        }
        return l;
    }

    /** Our address as most recent replies saw it, or null. */
    public IpEndpoint observedEndpoint() {
        return observed.current();
    }

    public int storedRecords() {
        return store.size();
    }

    public int activeLookups() {
        return lookups.size();
    }

    /** When {@link #tick} should next be called (absolute, same clock as {@code now}). */
    public long nextWakeup() {
        Timer t = timers.peek();
        return t == null ? nextMaintenance : Math.min(t.at, nextMaintenance);
    }

    // ------------------------------------------------------------------------------------------------ inputs

    /** Handles one datagram from {@code from}. Never throws for bad input: it is counted and dropped. */
    public void receive(IpEndpoint from, byte[] data, long now, Outbox out) {
        stats.inc(Counter.RECEIVED);
        if (!rate.allow(from.address(), now)) {
            stats.inc(Counter.RATE_LIMITED);
            return;
        }
        Packet p;
        try {
            p = DhtCodec.decode(data);
        } catch (MalformedInputException e) {
            stats.inc(Counter.MALFORMED);
            return;
        }
        if (p.sender().equals(self)) {
            stats.inc(Counter.FROM_SELF);
            return;
        }
        if (Math.abs(p.timestampMillis() - now) > cfg.replayWindowMillis()) {
            stats.inc(Counter.STALE);
            return;
        }
        Peer peer = knownPeer(p.sender());
        if (peer == null) {
            NodeId id = NodeId.of(p.sender(), network);
            if (id.workbit() < cfg.minWorkbit()) {
                stats.inc(Counter.BELOW_WORKBIT);
                return;
            }
            if (!derivations.allow(Boolean.TRUE, now)) {
                stats.inc(Counter.KEY_BUDGET);
                return;
            }
            peer = derive(p.sender(), id);
            if (peer == null) {
                stats.inc(Counter.BAD_KEY);
                return;
            }
        }
        if (!DhtCodec.verify(data, peer.pairKey, self)) {
            stats.inc(Counter.BAD_MAC);
            return;
        }
        if (!replay.accept(p.nonce() ^ peer.id.w0, p.timestampMillis(), now)) {
            stats.inc(Counter.REPLAYED);
            return;
        }
        if (p.message() instanceof Message.Reply r) {
            onReply(peer, from, p, r, now, out);
        } else {
            onRequest(peer, from, p, data.length, now, out);
        }
    }

    /** Fires due timeouts and periodic maintenance. */
    public void tick(long now, Outbox out) {
        withContext(now, out, () -> fire(now, out));
    }

    private void fire(long now, Outbox out) {
        while (!timers.isEmpty() && timers.peek().at <= now) {
            Timer t = timers.poll();
            Transmission tx = t.tx;
            Pending pd = tx.pending;
            if (tx.done || pd.done) {
                continue;
            }
            if (t.soft) {
                stats.inc(Counter.SOFT_TIMEOUTS);
                if (pd.lookup != null) {
                    pd.lookup.onSoftTimeout(pd.cand, now, out);
                }
                if (!pd.retried && (pd.lookup == null || !pd.lookup.finished())) {
                    pd.retried = true;
                    transmit(pd, now, out);
                }
            } else {
                tx.done = true;
                pending.remove(tx.nonce);
                if (--pd.outstanding == 0) {
                    pd.done = true;
                    timedOut(pd, now, out);
                }
            }
        }
        if (now >= nextMaintenance) {
            maintenance(now, out);
        }
    }

    // ------------------------------------------------------------------------------------------- operations

    /**
     * Joins the DHT through {@code seeds} (key and endpoint of known nodes, e.g. configured boot nodes): a lookup of
     * our own ID, then a refresh of every bucket farther away than our closest neighbour. Seeds below the workbit are
     * ignored. If the routing table ever empties, the seeds are tried again every 30 s.
     */
    public void bootstrap(Collection<Contact> seeds, long now, Outbox out, Consumer<LookupResult> done) {
        List<Contact> ok = new ArrayList<>();
        for (Contact c : seeds) {
            if (!c.key().equals(self) && NodeId.of(c.key(), network).workbit() >= cfg.minWorkbit()) {
                ok.add(c);
            }
        }
        this.seeds = List.copyOf(ok);
        nextBootstrap = now + REBOOTSTRAP_MILLIS;
        Lookup l = newLookup(selfId, null, false, now, r -> {
            afterJoin();
            if (done != null) {
                done.accept(r);
            }
        });
        for (Contact c : this.seeds) {
            l.add(c.key(), NodeId.of(c.key(), network), c.endpoint(), 1);
        }
        start(l, now, out);
    }

    private void afterJoin() {
        int deepest = table.deepestNonEmpty();
        for (int i = cfg.minWorkbit(); i < deepest; i++) {
            if (table.bucket(i).entries.size() < cfg.k()) {
                refreshQueue.add(selfId.randomWithPrefix(i, random));
            }
        }
        nextSelfRefresh = lastNow + cfg.neighbourhoodRefreshMillis();
    }

    /**
     * Finds the k nodes closest to {@code target}. With {@code stopAtTarget}, stops as soon as the node whose ID is
     * the target answers (outcome FOUND_TARGET), which is how a node's DHT endpoint is found and proven at once.
     */
    public void findNode(NodeId target, boolean stopAtTarget, long now, Outbox out, Consumer<LookupResult> done) {
        start(newLookup(target, null, stopAtTarget, now, done), now, out);
    }

    /** Finds the record of {@code key} (outcome FOUND_VALUE). The record is a hint; see {@link #resolve}. */
    public void findValue(PublicKey key, long now, Outbox out, Consumer<LookupResult> done) {
        start(newLookup(NodeId.of(key, network), key, false, now, done), now, out);
    }

    /**
     * Finds {@code key}'s record and proves it: each DHT endpoint in the record is sent an authenticated PING, and
     * the first PONG from {@code key} gives the verified endpoint. Endpoints that do not answer stay unverified.
     */
    public void resolve(PublicKey key, long now, Outbox out, Consumer<Resolution> done) {
        findValue(key, now, out, r -> {
            if (r.record() == null) {
                done.accept(new Resolution(key, null, null, r));
                return;
            }
            List<IpEndpoint> eps = new ArrayList<>();
            for (RecordEndpoint e : r.record().endpoints()) {
                if (e.kind() == EndpointKind.DHT && !eps.contains(e.endpoint())) {
                    eps.add(e.endpoint());
                }
            }
            Peer peer = eps.isEmpty() ? null : peerFor(key, null);
            if (peer == null) {
                done.accept(new Resolution(key, r.record(), null, r));
                return;
            }
            int[] left = {eps.size()};
            boolean[] fired = {false};
            for (IpEndpoint ep : eps) {
                Pending pd = sendRequest(peer, ep, new Message.Ping(), Kind.PING, lastNow, lastOut);
                pd.callback = ok -> {
                    left[0]--;
                    if (fired[0]) {
                        return;
                    }
                    if (ok) {
                        fired[0] = true;
                        done.accept(new Resolution(key, r.record(), ep, r));
                    } else if (left[0] == 0) {
                        fired[0] = true;
                        done.accept(new Resolution(key, r.record(), null, r));
                    }
                };
            }
        });
    }

    /** Sends an authenticated PING; {@code done} gets true when the PONG arrives, false on timeout. */
    public void ping(Contact c, long now, Outbox out, Consumer<Boolean> done) {
        Peer peer = peerFor(c.key(), null);
        if (peer == null) {
            done.accept(false);
            return;
        }
        sendRequest(peer, c.endpoint(), new Message.Ping(), Kind.PING, now, out).callback = done;
    }

    /**
     * Publishes our own record at the k nodes closest to our ID and republishes it every TTL/2 until replaced. The
     * record's owner must be this node. {@code stored} (may be null) gets the number of nodes that acknowledged.
     */
    public void announce(DhtRecord record, long now, Outbox out, IntConsumer stored) {
        if (!record.owner().equals(self)) {
            throw new IllegalArgumentException("a node announces only its own record");
        }
        DhtRecord r = record.withTtl(Math.min(record.ttlSeconds(), cfg.maxRecordTtlSeconds()));
        ownRecord = r;
        nextRepublish = now + Math.max(1000L, r.ttlSeconds() * 500L);
        start(newLookup(selfId, null, false, now, res -> storeAt(res.closest(), r, stored)), now, out);
    }

    private void storeAt(List<Contact> targets, DhtRecord r, IntConsumer stored) {
        int[] acks = {0};
        int[] left = {targets.size()};
        if (targets.isEmpty() && stored != null) {
            stored.accept(0);
        }
        for (Contact c : targets) {
            Peer peer = peerFor(c.key(), null);
            if (peer == null) {
                left[0]--;
                continue;
            }
            Pending pd = sendRequest(peer, c.endpoint(), new Message.Store(r), Kind.STORE, lastNow, lastOut);
            pd.callback = ok -> {
                if (ok) {
                    acks[0]++;
                }
                if (--left[0] == 0 && stored != null) {
                    stored.accept(acks[0]);
                }
            };
        }
    }

    // Lookup completion callbacks run inside receive/tick; these hold that call's time and outbox for follow-ups.
    private long lastNow;
    private Outbox lastOut = (to, d) -> { };

    // -------------------------------------------------------------------------------------------- internals

    private Lookup newLookup(NodeId target, PublicKey valueKey, boolean stopAtTarget, long now,
            Consumer<LookupResult> done) {
        stats.inc(Counter.LOOKUPS_STARTED);
        Lookup[] holder = new Lookup[1];
        Lookup l = new Lookup(target, valueKey, stopAtTarget, self, cfg, this::query, now, r -> {
            stats.inc(Counter.LOOKUPS_FINISHED);
            lookups.remove(holder[0]);
            if (done != null) {
                done.accept(r);
            }
        });
        holder[0] = l;
        int bi = selfId.commonPrefixLength(target);
        if (bi < 256) {
            table.bucket(bi).lastLookup = now;
        }
        for (RoutingTable.Entry e : table.closest(target, cfg.k(), null)) {
            l.add(e.peer.key, e.peer.id, e.endpoint, 1);
        }
        return l;
    }

    private void start(Lookup l, long now, Outbox out) {
        lookups.add(l);
        withContext(now, out, () -> l.step(now, out));
    }

    private void withContext(long now, Outbox out, Runnable r) {
        long savedNow = lastNow;
        Outbox savedOut = lastOut;
        lastNow = now;
        lastOut = out;
        try {
            r.run();
        } finally {
            lastNow = savedNow;
            lastOut = savedOut;
        }
    }

    private boolean query(Lookup l, Lookup.Cand c, long now, Outbox out) {
        Peer peer = peerFor(c.key, c.id);
        if (peer == null) {
            return false;
        }
        Message m = l.valueKey != null ? new Message.FindValue(l.valueKey) : new Message.FindNode(l.target);
        Pending pd = sendRequest(peer, c.endpoint, m, Kind.LOOKUP, now, out);
        pd.lookup = l;
        pd.cand = c;
        return true;
    }

    private Peer knownPeer(PublicKey key) {
        Peer p = peers.get(key);
        if (p != null) {
            return p;
        }
        RoutingTable.Entry e = table.get(key);
        if (e != null) {
            peers.put(key, e.peer);
            return e.peer;
        }
        return null;
    }

    /** The peer for an outgoing request, deriving its key if needed; null below the workbit or for a bad key. */
    private Peer peerFor(PublicKey key, NodeId id) {
        Peer p = knownPeer(key);
        if (p != null) {
            return p;
        }
        NodeId nid = id != null ? id : NodeId.of(key, network);
        if (nid.workbit() < cfg.minWorkbit() || key.equals(self)) {
            return null;
        }
        return derive(key, nid);
    }

    private Peer derive(PublicKey key, NodeId id) {
        byte[] ss;
        try {
            ss = identity.sharedSecret(key);
        } catch (IllegalArgumentException lowOrder) {
            return null;
        }
        stats.inc(Counter.KEY_DERIVATIONS);
        Peer p = new Peer(key, id, PairKeys.derive(ss, network, self, key));
        Arrays.fill(ss, (byte) 0);
        peers.put(key, p);
        return p;
    }

    private Pending sendRequest(Peer peer, IpEndpoint to, Message m, Kind kind, long now, Outbox out) {
        Pending pd = new Pending(peer, to, m, kind);
        transmit(pd, now, out);
        return pd;
    }

    /** Sends (or re-sends) {@code pd} with a fresh nonce; the first transmission also gets the soft timer. */
    private void transmit(Pending pd, long now, Outbox out) {
        long nonce;
        do {
            nonce = random.nextLong();
        } while (nonce == 0 || pending.containsKey(nonce));
        Peer peer = pd.peer;
        Cookie c = peer.cookieFor(pd.to, now, cfg);
        Packet p = new Packet(cfg.readOnly(), self, now, nonce, c, pd.request, 0);
        if (c == null) {
            int pad = cfg.unvalidatedRequestSize() - DhtCodec.length(p);
            if (pad > 0) {
                p = new Packet(cfg.readOnly(), self, now, nonce, null, pd.request, pad);
            }
        }
        send(pd.to, DhtCodec.encode(p, peer.pairKey, peer.key), out);
        Transmission tx = new Transmission(nonce, pd, now);
        pending.put(nonce, tx);
        pd.outstanding++;
        long rto = peer.rto(global.rto(cfg), cfg);
        if (!pd.retried) {
            timers.add(new Timer(now + rto, tx, true));
        }
        timers.add(new Timer(now + 2 * rto, tx, false));
    }

    private void send(IpEndpoint to, byte[] bytes, Outbox out) {
        stats.inc(Counter.PACKETS_SENT);
        stats.add(Counter.BYTES_SENT, bytes.length);
        out.send(to, bytes);
    }

    private void learn(Peer peer, IpEndpoint from, Packet p, long now, Outbox out) {
        if (p.readOnly()) {
            if (table.get(peer.key) != null) {
                table.remove(peer.key);
            }
            return;
        }
        RoutingTable.Entry lru = table.seen(peer, from, now);
        if (lru != null) {
            Pending pd = sendRequest(lru.peer, lru.endpoint, new Message.Ping(), Kind.EVICTION_PING, now, out);
            pd.bucket = lru.bucket;
            RoutingTable.Bucket b = table.bucket(lru.bucket);
            b.evictionPing = true;
            b.evictionTarget = lru.peer.key;
        }
    }

    private void onRequest(Peer peer, IpEndpoint from, Packet p, int length, long now, Outbox out) {
        withContext(now, out, () -> learn(peer, from, p, now, out));
        boolean validated = p.cookie() != null && cookies.valid(p.cookie(), peer.key, from, now);
        int limit = validated ? DhtCodec.MAX_PACKET : Math.min(length, DhtCodec.MAX_PACKET);
        Cookie fresh = cookies.make(peer.key, from, now);
        long re = p.nonce();
        Message m = p.message();
        Message reply = null;
        if (m instanceof Message.Ping) {
            reply = new Message.Pong(re, from, fresh);
        } else if (m instanceof Message.FindNode f) {
            reply = nodes(re, from, fresh, f.target(), peer.key, now, limit);
        } else if (m instanceof Message.FindValue v) {
            DhtRecord r = v.key().equals(self) ? ownRecordToServe() : store.get(v.key(), now);
            if (r != null) {
                reply = new Message.Value(re, from, fresh, r);
                if (replyLength(reply) > limit) {
                    reply = null;
                }
            }
            if (reply == null) {
                reply = nodes(re, from, fresh, NodeId.of(v.key(), network), peer.key, now, limit);
            }
        } else if (m instanceof Message.Store s) {
            DhtRecord r = s.record();
            if (!r.owner().equals(peer.key)) {
                stats.inc(Counter.STORE_REFUSED);
                return;
            }
            r = r.withTtl(Math.min(r.ttlSeconds(), cfg.maxRecordTtlSeconds()))
                    .withFirstEndpoint(new RecordEndpoint(EndpointKind.DHT, from));
            if (store.put(r, now)) {
                stats.inc(Counter.RECORDS_STORED);
            } else {
                stats.inc(Counter.STORE_REFUSED);
            }
            reply = new Message.Pong(re, from, fresh);
        }
        if (reply == null) {
            return;
        }
        Packet rp = new Packet(cfg.readOnly(), self, now, nextNonce(), null, reply, 0);
        if (DhtCodec.length(rp) > limit) {
            stats.inc(Counter.REPLY_TOO_LARGE);
            return;
        }
        stats.inc(Counter.REQUESTS_ANSWERED);
        send(from, DhtCodec.encode(rp, peer.pairKey, peer.key), out);
    }

    /** Our record as we hand it out ourselves: the address others see us at goes first, as a storer would put it. */
    private DhtRecord ownRecordToServe() {
        DhtRecord r = ownRecord;
        IpEndpoint seen = observed.current();
        return r == null || seen == null ? r : r.withFirstEndpoint(new RecordEndpoint(EndpointKind.DHT, seen));
    }

    private long nextNonce() {
        long n;
        do {
            n = random.nextLong();
        } while (n == 0);
        return n;
    }

    private static int replyLength(Message reply) {
        return DhtCodec.HEADER + DhtCodec.bodyLength(reply) + DhtCodec.MAC_LENGTH;
    }

    private Message.Nodes nodes(long re, IpEndpoint from, Cookie fresh, NodeId target, PublicKey requester,
            long now, int limit) {
        Message.Nodes empty = new Message.Nodes(re, from, fresh, List.of());
        int len = replyLength(empty);
        List<Contact> list = new ArrayList<>(cfg.k());
        for (RoutingTable.Entry e : table.closest(target, cfg.k(), requester)) {
            Contact c = e.contact();
            int cl = DhtCodec.contactLength(c);
            if (len + cl > limit) {
                break;
            }
            len += cl;
            list.add(c);
        }
        return list.isEmpty() ? empty : new Message.Nodes(re, from, fresh, list);
    }

    private static boolean answers(Message request, Message.Reply reply) {
        if (request instanceof Message.Ping || request instanceof Message.Store) {
            return reply instanceof Message.Pong;
        }
        if (request instanceof Message.FindNode) {
            return reply instanceof Message.Nodes;
        }
        return request instanceof Message.FindValue
                && (reply instanceof Message.Nodes || reply instanceof Message.Value);
    }

    private void onReply(Peer peer, IpEndpoint from, Packet p, Message.Reply r, long now, Outbox out) {
        Transmission tx = pending.get(r.inReplyTo());
        if (tx == null || !tx.pending.peer.key.equals(peer.key) || !answers(tx.pending.request, r)) {
            stats.inc(Counter.UNEXPECTED_REPLY);
            return;
        }
        stats.inc(Counter.REPLIES_ACCEPTED);
        pending.remove(tx.nonce);
        tx.done = true;
        Pending pd = tx.pending;
        boolean first = !pd.done;
        pd.done = true;
        // each transmission has its own nonce, so the sample is unambiguous even after a retry (no Karn problem)
        double rtt = Math.max(0, now - tx.sentAt);
        pd.peer.sample(rtt);
        global.sample(rtt);
        pd.peer.cookie = r.cookie();
        pd.peer.cookieAt = now;
        pd.peer.cookieEndpoint = from;
        observed.report(peer.key, r.observed());
        withContext(now, out, () -> {
            learn(pd.peer, from, p, now, out);
            if (!first) {
                return; // the other transmission was answered already
            }
            switch (pd.kind) {
                case LOOKUP:
                    if (r instanceof Message.Nodes n) {
                        List<Contact> cs = new ArrayList<>(n.contacts().size());
                        List<NodeId> ids = new ArrayList<>(n.contacts().size());
                        for (Contact c : n.contacts()) {
                            if (c.key().equals(self)) {
                                continue;
                            }
                            if (pd.lookup.knows(c.key())) {
                                cs.add(c);
                                ids.add(null); // known: add() only lowers its depth, the ID is not needed
                                continue;
                            }
                            Peer known = knownPeer(c.key());
                            NodeId id = known != null ? known.id : NodeId.of(c.key(), network);
                            if (id.workbit() < cfg.minWorkbit()) {
                                stats.inc(Counter.BELOW_WORKBIT);
                                continue;
                            }
                            cs.add(c);
                            ids.add(id);
                        }
                        pd.lookup.onNodes(pd.cand, cs, ids, now, out);
                    } else if (r instanceof Message.Value v) {
                        pd.lookup.onValue(pd.cand, v.record(), now, out);
                    }
                    break;
                case EVICTION_PING:
                    clearEvictionPing(pd);
                    break;
                case PING:
                case STORE:
                    if (pd.callback != null) {
                        pd.callback.accept(true);
                    }
                    break;
                default:
                    break;
            }
        });
    }

    private void clearEvictionPing(Pending pd) {
        if (pd.bucket >= 0) {
            RoutingTable.Bucket b = table.bucket(pd.bucket);
            if (b.evictionPing && pd.peer.key.equals(b.evictionTarget)) {
                b.evictionPing = false;
                b.evictionTarget = null;
            }
        }
    }

    private void timedOut(Pending pd, long now, Outbox out) {
        stats.inc(Counter.TIMEOUTS);
        pd.peer.timedOut();
        withContext(now, out, () -> {
            if (pd.kind == Kind.EVICTION_PING) {
                clearEvictionPing(pd);
                RoutingTable.Entry e = table.get(pd.peer.key);
                if (e != null) {
                    table.evict(e);
                    stats.inc(Counter.CONTACTS_EVICTED);
                }
                return;
            }
            if (table.failed(pd.peer.key)) {
                stats.inc(Counter.CONTACTS_EVICTED);
            }
            if (pd.kind == Kind.LOOKUP) {
                pd.lookup.onHardTimeout(pd.cand, now, out);
            } else if (pd.callback != null) {
                pd.callback.accept(false);
            }
        });
    }

    private void maintenance(long now, Outbox out) {
        nextMaintenance = now + cfg.maintenanceMillis();
        withContext(now, out, () -> {
            for (Lookup l : new ArrayList<>(lookups)) {
                l.checkDeadline(now);
            }
            if (now >= nextExpiry) {
                nextExpiry = now + 30_000;
                store.expire(now);
            }
            if (table.size() == 0 && !seeds.isEmpty() && now >= nextBootstrap) {
                bootstrap(seeds, now, out, null);
                return;
            }
            if (table.size() > 0 && now >= nextSelfRefresh) {
                nextSelfRefresh = now + cfg.neighbourhoodRefreshMillis();
                refreshQueue.addFirst(selfId);
            }
            int deepest = table.deepestNonEmpty();
            for (int i = cfg.minWorkbit(); i <= deepest && i < 256; i++) {
                RoutingTable.Bucket b = table.bucket(i);
                if (now - b.lastLookup >= cfg.bucketRefreshMillis()) {
                    b.lastLookup = now;
                    refreshQueue.add(selfId.randomWithPrefix(i, random));
                }
            }
            while (backgroundActive < cfg.maxBackgroundLookups() && !refreshQueue.isEmpty()) {
                NodeId target = refreshQueue.poll();
                backgroundActive++;
                start(newLookup(target, null, false, now, r -> backgroundActive--), now, out);
            }
            if (ownRecord != null && now >= nextRepublish) {
                announce(ownRecord, now, out, null);
            }
        });
    }

    /** What {@link #resolve} found. {@code verified} is an endpoint where {@code key} answered a PING, or null. */
    public record Resolution(PublicKey key, DhtRecord record, IpEndpoint verified, LookupResult lookup) {}
}
