package io.wirelink.portmap;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one UDP port mapped on the default gateway, on its own thread: maps it, renews it at half its lifetime,
 * maps afresh when a renewal fails past the expiry or the gateway changes, retries a gateway that gave nothing
 * after {@link Settings#retry}, and deletes the mapping on {@link #close()}. Every change of the mapping (obtained,
 * moved to another external endpoint, lost) is reported to the listener, on the keeper's thread.
 */
public final class PortMapKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PortMapKeeper.class);

    /**
     * @param lease the lifetime asked for (the gateway may grant another)
     * @param order the protocols to try, in order
     * @param retry how long to wait after no gateway (or no protocol) gave a mapping
     * @param closeTimeout how long {@link #close()} waits for the deletion
     */
    public record Settings(int internalPort, Duration lease, List<MappingProtocol> order, Duration retry,
            Duration closeTimeout) {
        public Settings {
            NatPmp.checkPort(internalPort, "internal port");
            order = List.copyOf(order);
            if (order.isEmpty()) {
                throw new IllegalArgumentException("no port mapping protocol to try");
            }
        }

        public static Settings of(int internalPort) {
            return new Settings(internalPort, Duration.ofHours(2), List.of(MappingProtocol.values()),
                    Duration.ofMinutes(5), Duration.ofSeconds(3));
        }
    }

    /** What the keeper is doing: the mapping, or why there is none. */
    public record Status(Optional<Mapping> mapping, String error) {}

    private final Supplier<Optional<? extends InetAddress>> gateways;
    private final Function<InetAddress, Mapper> mappers;
    private final Settings settings;
    private final Consumer<Optional<Mapping>> listener;
    private final io.wirelink.facts.Clock clock;
    private final ScheduledExecutorService exec;
    private InetAddress gateway;
    private Mapper mapper;
    private volatile Mapping current;
    private volatile String error = "not started";
    private ScheduledFuture<?> next;
    private boolean closed;
    private volatile Consumer<Mapping> onRenewal = m -> {};

    /**
     * @param gateways the default gateway now (asked before every attempt)
     * @param mappers a mapper for a gateway
     * @param clock the time a failed renewal is compared with the mapping's expiry
     */
    public PortMapKeeper(Supplier<Optional<? extends InetAddress>> gateways, Function<InetAddress, Mapper> mappers,
            Settings settings, io.wirelink.facts.Clock clock, Consumer<Optional<Mapping>> listener) {
        this.gateways = gateways;
        this.clock = clock;
        this.mappers = mappers;
        this.settings = settings;
        this.listener = listener;
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "wirelink-portmap");
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        this.exec = e;
    }

    /** A keeper on the default gateway from {@code /proc/net/route}, with {@link PortMapper}s. */
    public static PortMapKeeper onDefaultGateway(Settings settings, io.wirelink.facts.Clock clock,
            Consumer<Optional<Mapping>> listener) {
        return new PortMapKeeper(DefaultGateway::read, gw -> new PortMapper(gw, clock, PortMapper.Options.DEFAULTS),
                settings, clock, listener);
    }

    /** Also tells {@code r} of every successful renewal (on the keeper's thread). */
    public PortMapKeeper onRenewal(Consumer<Mapping> r) {
        this.onRenewal = r;
        return this;
    }

    /** Starts mapping at once (on the keeper's thread). */
    public synchronized PortMapKeeper start() {
        schedule(this::obtain, Duration.ZERO);
        return this;
    }

    public Optional<Mapping> current() {
        return Optional.ofNullable(current);
    }

    public Status status() {
        Mapping m = current;
        return new Status(Optional.ofNullable(m), m == null ? error : "");
    }

    private synchronized void schedule(Runnable r, Duration delay) {
        if (closed) {
            return;
        }
        next = exec.schedule(() -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("port mapping: {}", e.toString());
                error = e.toString();
                schedule(this::obtain, settings.retry());
            }
        }, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    private void obtain() {
        Optional<? extends InetAddress> gw = gateways.get();
        if (gw.isEmpty()) {
            error = "no IPv4 default gateway";
            schedule(this::obtain, settings.retry());
            return;
        }
        if (!gw.get().equals(gateway)) {
            gateway = gw.get();
            mapper = mappers.apply(gateway);
        }
        long t0 = System.nanoTime();
        try {
            Mapping m = mapper.map(settings.internalPort(), settings.lease(), settings.order());
            if (m.external().address().equals(m.internal().address())) {
                // the gateway maps to our own address: we are not behind a NAT and need no mapping
                deleteQuietly(m);
                error = "not behind a NAT (the gateway maps to our own address)";
                schedule(this::obtain, settings.retry());
                return;
            }
            log.info("port mapping: {} in {} ms", m, (System.nanoTime() - t0) / 1_000_000);
            set(m);
            schedule(this::renew, Duration.between(m.obtained(), m.renewAt()));
        } catch (PortMapException e) {
            error = e.getMessage();
            log.info("port mapping: {}; again in {} s", e.getMessage(), settings.retry().toSeconds());
            schedule(this::obtain, settings.retry());
        }
    }

    private void renew() {
        Mapping m = current;
        if (m == null) {
            obtain();
            return;
        }
        Optional<? extends InetAddress> gw = gateways.get();
        if (gw.isEmpty() || !gw.get().equals(gateway)) {
            log.info("port mapping: the default gateway changed; mapping afresh");
            deleteQuietly(m);
            set(null);
            obtain();
            return;
        }
        try {
            Mapping r = mapper.renew(m, settings.lease());
            log.debug("port mapping renewed: {}", r);
            set(r);
            onRenewal.accept(r);
            schedule(this::renew, Duration.between(r.obtained(), r.renewAt()));
        } catch (PortMapException e) {
            Duration left = Duration.between(clock.now(), m.expires());
            if (left.compareTo(Duration.ofSeconds(2)) > 0) {
                Duration again = left.dividedBy(4).compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1)
                        : left.dividedBy(4);
                log.info("port mapping: renewal failed ({}); again in {} ms", e.getMessage(), again.toMillis());
                schedule(this::renew, again);
            } else {
                log.info("port mapping: renewal failed ({}) and the mapping expired", e.getMessage());
                error = e.getMessage();
                set(null);
                obtain();
            }
        }
    }

    private void set(Mapping m) {
        Mapping old = current;
        current = m;
        if (m != null) {
            error = "";
        }
        boolean changed = old == null ? m != null : m == null || !old.external().equals(m.external());
        if (changed) {
            listener.accept(Optional.ofNullable(m));
        }
    }

    private void deleteQuietly(Mapping m) {
        try {
            mapper.delete(m);
        } catch (PortMapException | RuntimeException e) {
            log.debug("port mapping: deleting {}: {}", m, e.getMessage());
        }
    }

    /** Stops renewing and deletes the mapping on the gateway (waiting at most {@link Settings#closeTimeout}). */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (next != null) {
                next.cancel(false);
            }
        }
        Mapping m = current;
        if (m != null) {
            java.util.concurrent.Future<?> f = exec.submit(() -> {
                deleteQuietly(m);
                current = null;
                log.info("port mapping deleted: {}", m);
            });
            try {
                f.get(settings.closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                log.info("port mapping: deletion did not finish: {}", e.toString());
            }
        }
        exec.shutdownNow();
    }

    @Override
    public String toString() {
        return "PortMapKeeper[" + settings.internalPort() + ", " + Objects.toString(current, error) + "]";
    }
}
