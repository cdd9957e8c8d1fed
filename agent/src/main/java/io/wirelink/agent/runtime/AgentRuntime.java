package io.wirelink.agent.runtime;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.wirelink.agent.config.AgentConfig;
import io.wirelink.agent.config.PortMappingMode;
import io.wirelink.agent.core.AgentCore;
import io.wirelink.agent.core.CoreSettings;
import io.wirelink.agent.core.Driver;
import io.wirelink.agent.core.Input;
import io.wirelink.traversal.RelayPlanner;
import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.HostNetwork;
import io.wirelink.apply.WireGuardDevice;
import io.wirelink.apply.WireGuardException;
import io.wirelink.apply.sdnotify.SdNotify;
import io.wirelink.facts.Clock;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.store.FactStore;
import io.wirelink.linklocal.LinkLocal;
import io.wirelink.portmap.Mapping;
import io.wirelink.portmap.PortMapKeeper;
import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@link AgentCore} for real: one Vert.x event-loop context owns the core and its {@link Driver} (every call
 * into them happens there), one I/O thread does the blocking work (device, host, sends), a reader thread receives
 * gossip. What is read or received goes to the driver as an {@link Input}; a Vert.x timer is set for each
 * {@link Driver.Wake} it hands out. The driver decides when the core runs, the core what it does, both from the time
 * they are given: this class only does the I/O.
 */
public final class AgentRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AgentRuntime.class);
    /** How often the device is read (the simulator's {@code SimAgent} uses the same timing). */
    public static final Duration DEVICE_POLL = Duration.ofSeconds(1);
    /** How often host links and addresses are read. */
    public static final Duration HOST_POLL = Duration.ofSeconds(10);

    private final Supplier<AgentConfig> configSource;
    private final WireGuardDevice device;
    private final HostNetwork host;
    private final Clock clock;
    private final SdNotify notify;
    private final Vertx vertx;
    private final ExecutorService io;
    private Context context;
    private AgentCore core;
    private Driver driver;
    private FactStore store;
    private GossipSocket socket;
    private ControlServer control;
    private DhtService dht;
    private PortMapKeeper portMap;
    private RelayService relay;
    private RelayProber prober;
    private volatile boolean closed;
    private long lastDeviceError;

    /**
     * @param configSource loads the configuration; called at start and on reload (it may throw to refuse a reload)
     */
    public AgentRuntime(Supplier<AgentConfig> configSource, WireGuardDevice device, HostNetwork host, Clock clock,
            SdNotify notify) {
        this.configSource = configSource;
        this.device = device;
        this.host = host;
        this.clock = clock;
        this.notify = notify;
        // the blocked-thread checker wakes every second by default: every 10 s still reports a stuck event loop
        this.vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(1)
                .setWorkerPoolSize(2).setInternalBlockingPoolSize(1).setBlockedThreadCheckInterval(10_000));
        this.io = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "wirelink-io");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code work} on the I/O thread; completes on the core's context. */
    private <T> Future<T> blocking(Callable<T> work) {
        Promise<T> p = Promise.promise();
        io.execute(() -> {
            try {
                T v = work.call();
                context.runOnContext(x -> p.complete(v));
            } catch (Exception e) {
                context.runOnContext(x -> p.fail(e));
            }
        });
        return p.future();
    }

    /** Starts the agent; the future completes once it is gossiping (or fails with the reason it cannot). */
    public Future<Void> start() {
        context = vertx.getOrCreateContext();
        Promise<Void> started = Promise.promise();
        context.runOnContext(v -> startOnContext().onComplete(started));
        return started.future();
    }

    private Future<Void> startOnContext() {
        AgentConfig config = configSource.get();
        return blocking(() -> {
            PrivateKey key = device.privateKey();
            if (key == null) {
                throw new WireGuardException("start", config.iface(), 0, "the interface has no private key");
            }
            DeviceState d = device.read();
            ensureOwnLinkLocal(config, key);
            List<HostNetwork.Link> links = host.links();
            List<HostNetwork.InterfaceAddress> addrs = host.addresses();
            Files.createDirectories(config.stateDir());
            FactStore s = openStore(config);
            return new Opened(key, d, new Input.HostRead(links, addrs), s);
        }).compose(r -> {
            PrivateKey key = r.key();
            store = r.store();
            core = new AgentCore(key, config, store, CoreSettings.of(config.timers()), new SecureRandom(), clock.now(),
                    UUID.randomUUID());
            core.device(r.device());
            core.host(r.host().links(), r.host().addresses());
            driver = new Driver(core);
            int port = core.gossipPort();
            if (port == 0) {
                return Future.failedFuture(new IllegalStateException(
                        "the interface has no listen port, so no gossip port; set one or configure port"));
            }
            try {
                socket = new GossipSocket(config.iface(), LinkLocal.address(key.publicKey()), port,
                        (src, data) -> context.runOnContext(v -> received(src, data)));
            } catch (IOException e) {
                return Future.failedFuture(new IOException("cannot bind gossip socket [" + LinkLocal.format(
                        key.publicKey()) + "%" + config.iface() + "]:" + port + ": " + e.getMessage(), e));
            }
            if (config.dht().enabled()) {
                int dhtPort = config.dht().dhtPort() > 0 ? config.dht().dhtPort()
                        : r.device().listenPort() + 2;
                try {
                    dht = new DhtService(config.dht(), key, dhtPort, clock);
                } catch (IOException | IllegalArgumentException e) {
                    return Future.failedFuture(new IOException("cannot start the DHT on port " + dhtPort + ": "
                            + e.getMessage(), e));
                }
            }
            startPortMapping(config, r.device().listenPort());
            Future<Void> relayStarted = startRelay(config, key, r.device().listenPort());
            if (relayStarted.failed()) {
                return relayStarted;
            }
            control = new ControlServer(vertx, this);
            return control.listen(config.controlSocket());
        }).compose(v -> {
            log.info("wirelink {} on {} ({}): public key {}, gossip port {}, {} facts replayed", version(),
                    config.iface(), device.backend(), core.publicKey(), core.gossipPort(), store.size());
            vertx.setPeriodic(DEVICE_POLL.toMillis(), id -> pollDevice());
            vertx.setPeriodic(HOST_POLL.toMillis(), id -> pollHost());
            if (dht != null) {
                vertx.setPeriodic(2000, id -> dhtTick());
            }
            if (prober != null) {
                vertx.setPeriodic(RelayPlanner.PROBE_INTERVAL.toMillis(), id -> relayTick());
            }
            notify.watchdogInterval().ifPresent(w -> vertx.setPeriodic(Math.max(1, w.toMillis()), id -> sdNotify(
                    SdNotify::watchdog)));
            readThen(driver::start);
            sdNotify(n -> n.ready());
            sdNotify(n -> n.status("gossiping on port " + core.gossipPort()));
            return Future.<Void>succeededFuture();
        });
    }

    /**
     * Opens the fact log; a file that cannot be opened (damaged beyond MVStore's recovery, or not ours) is moved
     * aside and the agent starts with an empty log: peers send everything again within a pass or two.
     */
    private FactStore openStore(AgentConfig config) throws java.io.IOException {
        try {
            return FactStore.open(config.stateFile(), FactStore.Options.DEFAULTS, clock);
        } catch (io.wirelink.facts.store.FactStoreException e) {
            java.nio.file.Path aside = config.stateFile().resolveSibling(config.stateFile().getFileName() + ".bad-"
                    + clock.now().toEpochMilli());
            Files.move(config.stateFile(), aside);
            log.warn("fact log {} could not be opened ({}); moved it to {} and starting with an empty log",
                    config.stateFile(), e.getMessage(), aside);
            return FactStore.open(config.stateFile(), FactStore.Options.DEFAULTS, clock);
        }
    }

    /** What start reads on the I/O thread before the core exists. */
    private record Opened(PrivateKey key, DeviceState device, Input.HostRead host, FactStore store) {}

    private void ensureOwnLinkLocal(AgentConfig config, PrivateKey key) throws Exception {
        IpPrefix want = LinkLocal.interfacePrefix(key.publicKey());
        for (HostNetwork.InterfaceAddress a : host.addresses()) {
            if (config.iface().equals(a.ifname()) && a.prefix().equals(want)) {
                return;
            }
        }
        host.addAddress(config.iface(), want);
        log.info("added {} to {}", want, config.iface());
    }

    interface NotifyCall {
        boolean call(SdNotify n) throws IOException;
    }

    private void sdNotify(NotifyCall c) {
        try {
            c.call(notify);
        } catch (IOException e) {
            log.debug("sd_notify: {}", e.getMessage());
        }
    }

    private void received(IpEndpoint src, byte[] data) {
        if (closed) {
            return;
        }
        feed(new Input.Datagram(src, data)).dropped().ifPresent(r -> log.debug("dropped datagram from {}: {}", src,
                r));
    }

    /** Hands {@code in} to the driver and sets the timer it asks for. */
    private Driver.Fed feed(Input in) {
        Driver.Fed f = driver.input(in, clock.now());
        f.wake().ifPresent(this::wake);
        return f;
    }

    private void pollDevice() {
        if (closed) {
            return;
        }
        blocking(device::read).onSuccess(d -> {
            if (!closed) {
                feed(new Input.DeviceRead(d));
            }
        }).onFailure(e -> {
            long now = System.nanoTime();
            if (now - lastDeviceError > Duration.ofSeconds(30).toNanos()) {
                log.warn("reading {}: {}", core.config().iface(), e.getMessage());
                lastDeviceError = now;
            }
        });
    }

    private void pollHost() {
        if (closed) {
            return;
        }
        blocking(() -> new Input.HostRead(host.links(), host.addresses())).onSuccess(h -> {
            if (!closed) {
                feed(h);
            }
        }).onFailure(e -> log.warn("reading host addresses: {}", e.getMessage()));
    }

    /**
     * With {@code portMapping: auto} and an IPv4 default gateway, keeps the listen port mapped on the gateway (PCP,
     * NAT-PMP, UPnP-IGD) on the keeper's own thread (its retries take seconds, so neither the event loop nor the
     * I/O thread that polls the device waits for them), and feeds the mapped endpoint into the core on its context.
     */
    private void startPortMapping(AgentConfig config, int listenPort) {
        if (config.portMapping() != PortMappingMode.AUTO || listenPort <= 0) {
            return;
        }
        portMap = PortMapKeeper.onDefaultGateway(PortMapKeeper.Settings.of(listenPort), clock,
                m -> context.runOnContext(v -> mappingChanged(m)));
        portMap.start();
    }

    private void mappingChanged(java.util.Optional<Mapping> m) {
        if (closed) {
            return;
        }
        if (m.isPresent()) {
            log.info("port mapping: {} forwards {} to us (publishing it as our endpoint)", m.get().protocol().label(),
                    m.get().external());
        } else {
            log.info("port mapping lost");
        }
        feed(new Input.MappedEndpoints(m.map(x -> List.of(x.external())).orElse(List.of())));
    }

    /** The port mapping's state, for {@code /status}: null when port mapping is off. */
    PortMapKeeper.Status portMapStatus() {
        return portMap == null ? null : portMap.status();
    }

    private long lastAnnounce;
    private List<io.wirelink.facts.RelayAttachment> lastAnnouncedRelays = List.of();

    /** Every 2 s: look up unreachable configured peers; re-announce our candidates every minute. */
    private void dhtTick() {
        if (closed || core.snapshot() == null) {
            return;
        }
        AgentCore.Snapshot snap = core.snapshot();
        if (!snap.lookups().isEmpty()) {
            dht.lookup(snap.lookups(), found -> context.runOnContext(v -> {
                if (!closed && feed(new Input.DhtResult(found.owner(), found.seen(), found.wireGuard(),
                        found.relays(), found.ttl())).news()) {
                    log.info("DHT: {} may be at {} (seen at {}{}){}", found.owner(), found.wireGuard(), found.seen(),
                            found.proven() ? ", proven by ping" : "; the WireGuard handshake will prove it",
                            found.relays().isEmpty() ? "" : "; relays " + found.relays());
                }
            }));
        }
        long now = System.nanoTime();
        if (lastAnnounce == 0 || now - lastAnnounce > Duration.ofSeconds(60).toNanos()
                || now - lastAnnounce > Duration.ofSeconds(5).toNanos() && lastAnnounce - startNanos
                        < Duration.ofSeconds(30).toNanos()
                || !snap.recordRelays().equals(lastAnnouncedRelays) && now - lastAnnounce > Duration.ofSeconds(5)
                        .toNanos()) {
            // often at first (the NAT mapping the DHT observes settles as we join), then every minute; at once when
            // the relays we offer or use change, so a peer that looks us up finds the relay we just registered with
            lastAnnounce = now;
            lastAnnouncedRelays = snap.recordRelays();
            DeviceState d = core.lastDevice();
            List<IpEndpoint> candidates = new java.util.ArrayList<>(core.mappedEndpoints()); // a mapping first
            snap.localCandidates().stream().filter(e -> !candidates.contains(e)).forEach(candidates::add);
            dht.announce(candidates, d == null ? 0 : d.listenPort(), snap.recordRelays());
        }
    }

    private final long startNanos = System.nanoTime();

    /** The relay on public nodes (relay.enabled), and the prober for relays others offer (relay.use). */
    private Future<Void> startRelay(AgentConfig config, PrivateKey key, int listenPort) {
        if (config.relay().runs(config.dht().isPublic())) {
            int relayPort = config.relay().port() > 0 ? config.relay().port() : listenPort + 3;
            try {
                relay = new RelayService(config.relay(), key, relayPort, clock);
            } catch (IOException | RuntimeException e) {
                return Future.failedFuture(new IOException("cannot start the relay on port " + relayPort + ": "
                        + e.getMessage(), e));
            }
        }
        if (config.relay().use()) {
            try {
                prober = new RelayProber(a -> context.runOnContext(v -> {
                    if (!closed) {
                        feed(new Input.RelayProbeReply(a.target(), a.rtt(), a.observed()));
                    }
                }), key, a -> context.runOnContext(v -> disclosed(a)));
            } catch (IOException e) {
                return Future.failedFuture(new IOException("cannot open the relay probe socket: " + e.getMessage(), e));
            }
        }
        return Future.succeededFuture();
    }

    /**
     * A relay's answer to a disclosure query: the peer's NAT mapping as the relay sees it, and the pair's switch
     * moment, which the relay gave as milliseconds from when it answered (half the round trip ago).
     */
    private void disclosed(RelayProber.DisclosureAnswer a) {
        if (closed) {
            return;
        }
        java.time.Instant now = clock.now();
        java.time.Instant moment = now.plusMillis(a.disclosed().switchMillis()).minus(a.rtt().dividedBy(2));
        RelayPlanner.DisclosureQuery q = a.query();
        IpEndpoint ep = a.disclosed().endpoint();
        if (ep != null && !ep.equals(lastDisclosed.put(q.relay().toBase64() + q.peer().toBase64(), ep))) {
            log.info("relay {} sees {} at {} (switch in {} ms)", q.relay(), q.peer(), ep, a.disclosed()
                    .switchMillis());
        }
        if (lastDisclosed.size() > 1024) {
            lastDisclosed.clear();
        }
        feed(new Input.RelayDisclosure(q.relay(), q.endpoint(), q.peer(), ep, moment));
    }

    private final java.util.Map<String, IpEndpoint> lastDisclosed = new java.util.HashMap<>();

    /** Every 500 ms: probe the relays on offer; a relay that came alive or died makes a pass now. */
    private void relayTick() {
        if (closed || core.snapshot() == null) {
            return;
        }
        RelayPlanner planner = core.relays();
        java.time.Instant now = clock.now();
        var targets = planner.probeTargets();
        targets.forEach(t -> planner.probeSent(t, now));
        prober.probe(targets, (t, at) -> { });
        prober.disclose(planner.disclosureQueries(), java.time.Instant.now()); // WireGuard's clock, not an injected one
        feed(new Input.RelayProbesSent());
    }

    /** Before each tick: what our relay offers (on the last pass's candidates). After a pass: who may use it. */
    private void relayBeforePass() {
        if (relay != null && core.snapshot() != null) {
            core.relays().ownRelay(relay.publicKey(), relay.offerEndpoints(core.snapshot().localCandidates()));
        }
    }

    private void relayAfterPass() {
        if (relay == null || core.snapshot() == null) {
            return;
        }
        java.util.Set<PublicKey> members = new java.util.HashSet<>();
        for (AgentCore.PeerStatus p : core.snapshot().peers()) {
            if (p.member()) {
                members.add(p.key());
            }
        }
        relay.members(members);
        relay.refreshStatus();
    }

    /** The relay this node runs, or null. */
    RelayService relay() {
        return relay;
    }

    /** A timer for {@code w}: then the device is read and the driver ticks. */
    private void wake(Driver.Wake w) {
        long ms = Duration.between(clock.now(), w.at()).toMillis();
        vertx.setTimer(Math.max(1, ms), id -> readThen((d, now) -> driver.tick(w, d, now)));
    }

    /**
     * Reads the device, then runs {@code tick} on what it read (null when the read failed) and performs what it
     * decided. A pass must not act on the last poll (up to a second old): a datagram that made the core dirty came
     * over a session that poll may not have seen, so the peer would look unhealthy and have its endpoint (learned by
     * roaming) replaced by an untried candidate, losing what is sent to it next.
     */
    private void readThen(java.util.function.BiFunction<DeviceState, java.time.Instant, Driver.Tick> tick) {
        if (closed) {
            return;
        }
        blocking(device::read).onComplete(r -> {
            if (closed) {
                return;
            }
            relayBeforePass();
            Driver.Tick t = tick.apply(r.succeeded() ? r.result() : null, clock.now());
            if (t.passed()) {
                relayAfterPass();
            }
            t.wakes().forEach(this::wake);
            perform(t.actions());
        });
    }

    /** Logs the reasons, applies the device change, then sends the datagrams, on the I/O thread. */
    private void perform(AgentCore.Actions a) {
        for (String r : a.reasons()) {
            log.info("{}", r);
        }
        DeviceChange change = a.change();
        List<AgentCore.Outgoing> out = a.datagrams();
        if (change.isEmpty() && out.isEmpty()) {
            return;
        }
        blocking(() -> {
            if (!change.isEmpty()) {
                device.apply(change);
            }
            int failed = 0;
            for (AgentCore.Outgoing o : out) {
                try {
                    socket.send(o.address(), o.port(), o.payload());
                } catch (IOException e) {
                    failed++;
                }
            }
            return failed;
        }).onSuccess(failed -> {
            if (!change.isEmpty()) {
                pollDevice(); // see the result at once rather than a second later
            }
        }).onFailure(e -> log.warn("applying to {}: {}", core.config().iface(), e.getMessage()));
    }

    /** Re-reads the configuration and applies it without dropping working peers; fails with the reason. */
    public Future<Void> reload() {
        Promise<Void> p = Promise.promise();
        context.runOnContext(v -> {
            try {
                AgentConfig c = configSource.get();
                if (!c.iface().equals(core.config().iface())) {
                    p.fail("the interface cannot change on reload (" + core.config().iface() + " → " + c.iface()
                            + "); restart instead");
                    return;
                }
                sdNotify(SdNotify::reloading);
                feed(new Input.ConfigReload(c)); // a full pass at once
                log.info("configuration reloaded from {}", c.source() == null ? "defaults" : c.source());
                sdNotify(SdNotify::ready);
                p.complete();
            } catch (RuntimeException e) {
                log.warn("reload refused: {}", e.getMessage());
                p.fail(e);
            }
        });
        return p.future();
    }

    /** SIGUSR1: the facts, the peers and this node to the log, as the Go wirelink does; the agent carries on. */
    public void logFacts() {
        if (closed || context == null) {
            return;
        }
        onCore(c -> c == null ? List.of("no facts yet: the agent is starting")
                : FactLog.lines(c, device.backend(), version())).onSuccess(lines -> lines.forEach(l -> log.info(
                "{}", l))).onFailure(e -> log.warn("cannot list the facts: {}", e.toString()));
    }

    /** Runs {@code f} on the core's context and returns its result (for the control server). */
    <T> Future<T> onCore(java.util.function.Function<AgentCore, T> f) {
        Promise<T> p = Promise.promise();
        context.runOnContext(v -> {
            if (closed) {
                p.fail("the agent is stopping");
                return;
            }
            try {
                p.complete(f.apply(core));
            } catch (RuntimeException e) {
                p.fail(e);
            }
        });
        return p.future();
    }

    String backend() {
        return device.backend();
    }

    static String version() {
        Package p = AgentRuntime.class.getPackage();
        return p.getImplementationVersion() == null ? "dev" : p.getImplementationVersion();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        sdNotify(SdNotify::stopping);
        if (control != null) {
            control.close();
        }
        if (socket != null) {
            socket.close();
        }
        if (dht != null) {
            dht.close();
        }
        if (portMap != null) {
            portMap.close(); // deletes the mapping on the gateway (waits 3 s at most)
        }
        if (relay != null) {
            relay.close();
        }
        if (prober != null) {
            prober.close();
        }
        long tServices = System.nanoTime();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        } catch (Exception e) {
            log.debug("closing vert.x: {}", e.toString());
        }
        long tVertx = System.nanoTime();
        io.shutdown();
        try {
            io.awaitTermination(500, java.util.concurrent.TimeUnit.MILLISECONDS); // the device read under way
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long tIo = System.nanoTime();
        if (store != null) {
            store.close();
        }
        long tStore = System.nanoTime();
        device.close();
        host.close();
        log.info("stopped in {} ms (services {}, vert.x {}, I/O thread {}, fact log {})", ms(t0, System
                .nanoTime()), ms(t0, tServices), ms(tServices, tVertx), ms(tVertx, tIo), ms(tIo, tStore));
    }

    private static long ms(long from, long to) {
        return (to - from) / 1_000_000;
    }
}
