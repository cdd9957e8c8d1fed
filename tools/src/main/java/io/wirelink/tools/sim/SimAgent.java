package io.wirelink.tools.sim;

import io.wirelink.agent.config.AgentConfig;
import io.wirelink.agent.config.RouterMode;
import io.wirelink.agent.core.AgentCore;
import io.wirelink.agent.core.CoreSettings;
import io.wirelink.agent.core.Driver;
import io.wirelink.agent.core.Input;
import io.wirelink.agent.runtime.AgentRuntime;
import io.wirelink.apply.DatagramPort;
import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.HostNetwork;
import io.wirelink.apply.Scheduler;
import io.wirelink.apply.WireGuardDevice;
import io.wirelink.apply.WireGuardException;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.store.FactStore;
import io.wirelink.linklocal.LinkLocal;
import io.wirelink.sim.Host;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Runs an unmodified {@link AgentCore} on a simulated {@link Host}, driven by the same {@link Driver} as
 * {@link AgentRuntime} on a real machine, with the world's {@link Scheduler} (virtual time) in place of Vert.x:
 *
 * <ul>
 *   <li>start: read the private key from the device, read the device, add the key's link-local /64 to the interface
 *       if missing, read links and addresses, open an in-memory {@link FactStore}, create the core, bind the gossip
 *       port (the core's {@link AgentCore#gossipPort()}), then the driver's first pass ({@link Driver#start});
 *   <li>timers: device read every {@link AgentRuntime#DEVICE_POLL}, host read every {@link AgentRuntime#HOST_POLL},
 *       both counted from start, and one timer per {@link Driver.Wake} the driver hands out;
 *   <li>a received datagram, device read or host read goes to {@link Driver#input}; a wake's timer reads the device
 *       (so a pass never acts on a poll up to a second old) and calls {@link Driver#tick}, then applies the device
 *       change, then sends the datagrams; a failed apply sends nothing (the runtime does both in one blocking task);
 *       a non-empty change is followed at once by a device read.
 * </ul>
 *
 * <p>Where the runtime hands blocking work to an I/O thread, the simulator does it inline: device and host calls
 * take no virtual time. Randomness (gossip nonces, the boot ID) comes from the seed given at construction, so a run
 * is a function of the world's seed. Everything runs on the thread that runs the world.
 */
public final class SimAgent {
    private final Host host;
    private final WireGuardDevice device;
    private final HostNetwork hostNetwork;
    private final Scheduler scheduler;
    private final AgentConfig config;
    private final CoreSettings settings;
    private final long seed;
    private final List<Scheduler.Cancellable> timers = new ArrayList<>();
    private Consumer<String> log = s -> {};
    private Consumer<AgentCore.Outgoing> sent;
    private Consumer<AgentCore.Actions> decided;
    private AgentCore core;
    private Driver driver;
    /** The pending anti-entropy wake. */
    private Scheduler.Cancellable antiEntropy;
    private DatagramPort socket;
    private boolean closed;
    private long applyErrors;
    private long deviceErrors;
    private long hostErrors;

    /**
     * @param host where the agent runs
     * @param config its configuration (the interface name picks the WireGuard device on the host)
     * @param settings the core's timing ({@link CoreSettings#DEFAULTS} in production)
     * @param seed for the gossip nonces and the boot ID
     */
    public SimAgent(Host host, AgentConfig config, CoreSettings settings, long seed) {
        this.host = host;
        this.device = host.wireGuard(config.iface());
        if (device == null) {
            throw new IllegalArgumentException("no WireGuard interface " + config.iface() + " on " + host.name());
        }
        this.hostNetwork = host.hostNetwork();
        this.scheduler = host.scheduler();
        this.config = config;
        this.settings = settings;
        this.seed = seed;
    }

    /**
     * The configuration of a zero-config agent on {@code iface}: {@code reference.conf}'s defaults and no peers (the
     * directories are never touched, since the simulator's fact store is in memory).
     */
    public static AgentConfig zeroConfig(String iface) {
        return new AgentConfig(iface, 0, RouterMode.AUTO, false, false, List.of(), List.of(),
                Path.of("/var/lib/wirelink"), Path.of("/run/wirelink"), io.wirelink.agent.config.Timers.DEFAULTS,
                new io.wirelink.agent.config.Dht("wirelink", 8, List.of(), false, 0),
                io.wirelink.agent.config.RelayConfig.DEFAULTS, List.of(), null);
    }

    /**
     * Makes this agent a stand-in with a narrow view: received facts about other subjects than these (and itself)
     * are dropped on arrival, before trust, storage or the note of what the sender holds (a filter stage of the
     * core's inbound pipeline, {@link AgentCore#receiveFilter}). A stand-in behaves as a full agent towards its hubs
     * and the sampled nodes, which is all they can observe of it, at a fraction of the memory. Set before
     * {@link #start}.
     */
    public SimAgent onlySubjects(java.util.function.Predicate<io.wirelink.facts.PublicKey> subjects) {
        this.subjects = subjects;
        return this;
    }

    private java.util.function.Predicate<io.wirelink.facts.PublicKey> subjects;

    /** Receives the core's reasons (what it changed on the device and why), as the runtime logs them. */
    public SimAgent log(Consumer<String> sink) {
        this.log = sink == null ? s -> {} : sink;
        return this;
    }

    /** Sees every datagram the agent sends, before it goes (for measurements; it must not change anything). */
    public SimAgent onSend(Consumer<AgentCore.Outgoing> observer) {
        this.sent = observer;
        return this;
    }

    /** Sees every batch of actions the core returns, before the driver acts on them (it must not change anything). */
    public SimAgent onActions(Consumer<AgentCore.Actions> observer) {
        this.decided = observer;
        return this;
    }

    /**
     * Starts the agent now (virtual time) and runs its first pass.
     *
     * @throws IllegalStateException when the device has no private key or no listen port, or the gossip port is taken
     * @throws WireGuardException when the device cannot be read
     */
    public SimAgent start() throws Exception {
        if (core != null) {
            throw new IllegalStateException("already started");
        }
        PrivateKey key = device.privateKey();
        if (key == null) {
            throw new IllegalStateException(config.iface() + " on " + host.name() + " has no private key");
        }
        DeviceState d = device.read();
        ensureOwnLinkLocal(key);
        List<HostNetwork.Link> links = hostNetwork.links();
        List<HostNetwork.InterfaceAddress> addrs = hostNetwork.addresses();
        FactStore store = FactStore.inMemory(FactStore.Options.DEFAULTS);
        SplittableRandom r = new SplittableRandom(seed);
        core = new AgentCore(key, config, store, settings, new Random(r.nextLong()), scheduler.now(),
                new UUID(r.nextLong(), r.nextLong()));
        if (subjects != null) {
            java.util.function.Predicate<io.wirelink.facts.PublicKey> keep = subjects;
            io.wirelink.facts.PublicKey me = core.publicKey();
            core.receiveFilter((signer, f) -> f.subject().equals(me) || keep.test(f.subject()));
        }
        core.device(d);
        core.host(links, addrs);
        int port = core.gossipPort();
        if (port == 0) {
            throw new IllegalStateException("the interface has no listen port, so no gossip port");
        }
        socket = host.openDatagramPort(port);
        socket.onReceive(this::received);
        every(AgentRuntime.DEVICE_POLL, this::pollDevice);
        every(AgentRuntime.HOST_POLL, this::pollHost);
        driver = new Driver(core);
        act(driver.start(readDevice(), scheduler.now()));
        return this;
    }

    private void ensureOwnLinkLocal(PrivateKey key) throws Exception {
        IpPrefix want = LinkLocal.interfacePrefix(key.publicKey());
        for (HostNetwork.InterfaceAddress a : hostNetwork.addresses()) {
            if (config.iface().equals(a.ifname()) && a.prefix().equals(want)) {
                return;
            }
        }
        hostNetwork.addAddress(config.iface(), want);
    }

    /** A periodic timer like Vert.x's setPeriodic: first run one period after start. */
    private void every(Duration period, Runnable task) {
        int slot = timers.size();
        timers.add(null);
        timers.set(slot, scheduler.schedule(period, new Runnable() {
            @Override
            public void run() {
                if (closed) {
                    return;
                }
                timers.set(slot, scheduler.schedule(period, this));
                task.run();
            }
        }));
    }

    private void received(IpEndpoint src, byte[] data) {
        if (closed) {
            return;
        }
        feed(new Input.Datagram(src, data));
    }

    private void feed(Input in) {
        driver.input(in, scheduler.now()).wake().ifPresent(this::wakeAt);
    }

    private void pollDevice() {
        if (closed) {
            return;
        }
        DeviceState d = readDevice();
        if (d != null) {
            feed(new Input.DeviceRead(d));
        }
    }

    private void pollHost() {
        if (closed) {
            return;
        }
        List<HostNetwork.Link> links;
        List<HostNetwork.InterfaceAddress> addrs;
        try {
            links = hostNetwork.links();
            addrs = hostNetwork.addresses();
        } catch (Exception e) {
            hostErrors++;
            return;
        }
        feed(new Input.HostRead(links, addrs));
    }

    /** A timer for {@code w}; when it fires, the device is read and the driver ticks. */
    private void wakeAt(Driver.Wake w) {
        Scheduler.Cancellable c = scheduler.schedule(java.time.Duration.between(scheduler.now(), w.at()), () -> {
            if (closed) {
                return;
            }
            DeviceState d = readDevice();
            act(driver.tick(w, d, scheduler.now()));
        });
        if (w.cause() == Driver.Cause.ANTI_ENTROPY) {
            antiEntropy = c; // the periodic pass stops with the agent; other wakes find it closed and do nothing
        }
    }

    /** The device as it is now, or null when the read failed. */
    private DeviceState readDevice() {
        try {
            return device.read();
        } catch (WireGuardException e) {
            deviceErrors++;
            return null;
        }
    }

    private void act(Driver.Tick t) {
        AgentCore.Actions a = t.actions();
        if (decided != null) {
            decided.accept(a);
        }
        t.wakes().forEach(this::wakeAt);
        for (String r : a.reasons()) {
            log.accept(r);
        }
        DeviceChange change = a.change();
        List<AgentCore.Outgoing> out = a.datagrams();
        if (change.isEmpty() && out.isEmpty()) {
            return;
        }
        if (!change.isEmpty()) {
            try {
                device.apply(change);
            } catch (WireGuardException e) {
                applyErrors++;
                log.accept("applying to " + config.iface() + ": " + e.getMessage());
                return;
            }
        }
        for (AgentCore.Outgoing o : out) {
            if (sent != null) {
                sent.accept(o);
            }
            socket.send(new IpEndpoint(o.address(), o.port()), o.payload());
        }
        if (!change.isEmpty()) {
            pollDevice(); // see the result at once rather than a second later
        }
    }

    /** Stops the timers and unbinds the gossip port; the core keeps its state for inspection. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Scheduler.Cancellable c : timers) {
            if (c != null) {
                c.cancel();
            }
        }
        if (antiEntropy != null) {
            antiEntropy.cancel();
        }
        if (socket != null) {
            socket.close();
        }
    }

    /** The core, or null before {@link #start()}. */
    public AgentCore core() {
        return core;
    }

    public Host host() {
        return host;
    }

    /** Device changes the device refused. */
    public long applyErrors() {
        return applyErrors;
    }

    /** Device reads that failed. */
    public long deviceErrors() {
        return deviceErrors;
    }

    /** Host reads that failed. */
    public long hostErrors() {
        return hostErrors;
    }
}
