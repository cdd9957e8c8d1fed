package io.wirelink.agent.core;

import io.wirelink.apply.DeviceState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * When the core runs and what it runs: the one scheduler of an {@link AgentCore}, shared by the runtime (Vert.x timers)
 * and the simulator (its virtual-time scheduler), so both run the same scheduling. It reads no clock and sets no
 * timer: the host passes {@code now}, feeds {@link Input}s, sets a timer for every {@link Wake} it is handed and, when
 * one fires, reads the device and calls {@link #tick}. What {@link #tick} returns are the actions to perform (device
 * change, datagrams, reasons) and the wakes to set next.
 *
 * <p>The policy, in one place:
 * <ul>
 *   <li>an input that leaves the core with work (a change to fold, an Ack owed, a probe or a relay moment due) asks
 *       for one {@link Cause#STEP} {@link #DEBOUNCE} later, one at a time, so a burst of inputs makes one pass;
 *   <li>a step runs a full pass when one is needed and the pass gap has passed ({@link #passAllowedAt}), else the
 *       core's quick step (owed Acks and due probes only); a pass the gap defers is asked for again at its end;
 *   <li>after each tick, a {@link Cause#WAKE} for the next probe, first-contact retry or relay moment, when it is
 *       earlier than the wake already set;
 *   <li>a full pass every anti-entropy interval ({@link Cause#ANTI_ENTROPY}), counted from {@link #start}, whatever
 *       the gap.
 * </ul>
 * A wake does not cancel one set before it: that one still fires and runs a step, which finds little to do.
 *
 * <p>Single-threaded, like the core: call it only on the core's thread.
 */
public final class Driver {
    /** How long a step waits after an input that wants one, so a burst of inputs makes one pass. */
    public static final Duration DEBOUNCE = Duration.ofMillis(50);
    /** The shortest time between two passes, per device peer: 50 ms at 100 peers, 500 ms at 1,000. */
    static final Duration PASS_GAP_PER_PEER = Duration.ofNanos(500_000);
    static final Duration MAX_PASS_GAP = Duration.ofSeconds(1);

    /** Why a wake was set, which decides what its tick runs. */
    public enum Cause {
        /** The periodic full pass; its tick sets the next one. */
        ANTI_ENTROPY,
        /** A full pass once (a reload). */
        PASS,
        /** The debounced step after inputs: a full pass if needed and allowed, else a quick step. */
        STEP,
        /** A probe, a first-contact retry or a relay's switch moment falls due: a step. */
        WAKE
    }

    /** A timer the host must set: call {@link #tick} with this wake at {@code at} (or as soon after as it can). */
    public record Wake(Instant at, Cause cause) {}

    /**
     * What one tick decided.
     *
     * @param actions what to perform: apply the device change, then send the datagrams; log the reasons
     * @param passed whether a full pass ran (else a quick step)
     * @param wakes timers to set, in order
     */
    public record Tick(AgentCore.Actions actions, boolean passed, List<Wake> wakes) {
        public Tick {
            wakes = List.copyOf(wakes);
        }

        /** The earliest of {@link #wakes}, or null when none is to be set. */
        public Instant nextWake() {
            Instant next = null;
            for (Wake w : wakes) {
                if (next == null || w.at().isBefore(next)) {
                    next = w.at();
                }
            }
            return next;
        }
    }

    /**
     * What an input did.
     *
     * @param wake a timer to set, when the input asked for a step and none was pending
     * @param news whether the input told the core something new (a datagram accepted, a DHT record or a disclosure
     *     with a fact it did not have)
     * @param dropped why a datagram was dropped, when it was
     */
    public record Fed(Optional<Wake> wake, boolean news, Optional<AgentCore.Received> dropped) {}

    private final AgentCore core;
    private final Duration debounce;
    private boolean stepPending;
    private Instant wakeAt;

    public Driver(AgentCore core) {
        this(core, DEBOUNCE);
    }

    Driver(AgentCore core, Duration debounce) {
        this.core = core;
        this.debounce = debounce;
    }

    public AgentCore core() {
        return core;
    }

    /**
     * The first pass, on the device as just read (null when the read failed); the anti-entropy interval counts from
     * {@code now}.
     */
    public Tick start(DeviceState read, Instant now) {
        if (read != null) {
            core.device(read);
        }
        return run(true, now, new ArrayList<>(List.of(new Wake(now.plus(antiEntropy()), Cause.ANTI_ENTROPY))));
    }

    /**
     * A wake's timer fired, and the host read the device just before (a pass must not act on a read up to a poll
     * period old: a datagram that made the core dirty came over a session that read may not have seen, so the peer
     * would look unhealthy and have the endpoint it roamed to replaced by an untried one).
     *
     * @param read the device as just read, or null when the read failed
     */
    public Tick tick(Wake wake, DeviceState read, Instant now) {
        if (read != null) {
            core.device(read);
        }
        return tick(wake, now);
    }

    /** A wake's timer fired; the core acts on the device as last read. */
    public Tick tick(Wake wake, Instant now) {
        List<Wake> next = new ArrayList<>();
        boolean full = switch (wake.cause()) {
            case ANTI_ENTROPY -> {
                next.add(new Wake(wake.at().plus(antiEntropy()), Cause.ANTI_ENTROPY));
                yield true;
            }
            case PASS -> true;
            case STEP -> {
                stepPending = false;
                yield false;
            }
            case WAKE -> {
                wakeAt = null;
                yield false;
            }
        };
        return run(full, now, next);
    }

    /** Hands {@code in} to the core; asks for a step when the core has work before the next tick. */
    public Fed input(Input in, Instant now) {
        boolean news = false;
        boolean wants;
        Optional<AgentCore.Received> dropped = Optional.empty();
        if (in instanceof Input.DeviceRead d) {
            core.device(d.state());
            wants = core.passNeeded(now) || core.acksOwed() || core.probeDue(now);
        } else if (in instanceof Input.Datagram d) {
            AgentCore.Received r = core.datagram(d.source(), d.data(), now);
            news = r == AgentCore.Received.ACCEPTED;
            if (!news && r != AgentCore.Received.NOTHING_NEW) {
                dropped = Optional.of(r);
            }
            wants = wantsStep();
        } else if (in instanceof Input.HostRead h) {
            core.host(h.links(), h.addresses());
            wants = core.dirty();
        } else if (in instanceof Input.MappedEndpoints m) {
            core.mappedEndpoints(m.endpoints());
            wants = core.dirty();
        } else if (in instanceof Input.DhtResult r) {
            news = core.dhtResolved(r.owner(), r.seen(), r.wireGuard(), r.relays(), r.ttl(), now) > 0;
            wants = news;
        } else if (in instanceof Input.RelayDisclosure r) {
            news = core.relayDisclosed(r.relay(), r.relayEndpoint(), r.peer(), r.endpoint(), r.moment(), now);
            wants = news;
        } else if (in instanceof Input.RelayProbeReply r) {
            core.relays().probeReply(r.target(), r.rtt(), r.observed(), now);
            wants = false; // a relay's change of liveness is looked at when the probes of the next interval go
        } else if (in instanceof Input.RelayProbesSent) {
            wants = core.relays().needsPass(now);
        } else if (in instanceof Input.ConfigReload c) {
            core.reconfigure(c.config());
            return new Fed(Optional.of(new Wake(now, Cause.PASS)), true, dropped);
        } else {
            throw new IllegalArgumentException("unknown input " + in);
        }
        return new Fed(wants ? requestStep(now) : Optional.empty(), news, dropped);
    }

    private Tick run(boolean full, Instant now, List<Wake> next) {
        boolean pass = full || core.passNeeded(now) && !now.isBefore(passAllowedAt());
        AgentCore.Actions a = pass ? core.pass(now) : core.quick(now);
        wakeAfter(now).ifPresent(next::add);
        if (wantsStep()) {
            requestStep(now).ifPresent(next::add); // a pass the gap deferred, or Acks owed since
        }
        return new Tick(a, pass, next);
    }

    /** Something to do before the next tick: a change to fold, or an Ack owed (a step sends it). */
    private boolean wantsStep() {
        return core.dirty() || core.acksOwed();
    }

    private Optional<Wake> requestStep(Instant now) {
        if (stepPending) {
            return Optional.empty();
        }
        stepPending = true;
        return Optional.of(new Wake(now.plus(stepDelay(now)), Cause.STEP));
    }

    /** {@link #debounce}, or until {@link #passAllowedAt} when a pass is wanted and the gap lasts longer. */
    private Duration stepDelay(Instant now) {
        if (core.dirty()) {
            Instant at = passAllowedAt();
            if (at.isAfter(now.plus(debounce))) {
                return Duration.between(now, at);
            }
        }
        return debounce;
    }

    /** A wake for the core's next due time, unless one at or before it is already set. */
    private Optional<Wake> wakeAfter(Instant now) {
        Instant at = core.nextWake(now);
        if (at == null || (wakeAt != null && !at.isBefore(wakeAt) && wakeAt.isAfter(now))) {
            return Optional.empty();
        }
        wakeAt = at;
        return Optional.of(new Wake(at, Cause.WAKE));
    }

    /**
     * When the next full pass may run: {@link #PASS_GAP_PER_PEER} per device peer after the last one (at most
     * {@link #MAX_PASS_GAP}). A pass costs O(facts + peers), and in a large mesh during a join every datagram brings
     * news; without the gap a 1,000-node mesh's nodes each folded their views eight times a second. Owed Acks and due
     * probes do not wait for it (a quick step sends them).
     */
    Instant passAllowedAt() {
        Instant last = core.lastPassAt();
        DeviceState device = core.lastDevice();
        if (last == null || device == null) {
            return Instant.MIN;
        }
        Duration gap = PASS_GAP_PER_PEER.multipliedBy(device.peers().size());
        return last.plus(gap.compareTo(MAX_PASS_GAP) > 0 ? MAX_PASS_GAP : gap);
    }

    private Duration antiEntropy() {
        return core.settings().gossip().antiEntropy();
    }
}
