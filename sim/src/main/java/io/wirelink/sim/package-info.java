/**
 * The simulator: the real agent on a virtual network with a virtual clock, at thousands of nodes, in one process.
 *
 * <p>A {@link io.wirelink.sim.World} holds {@link io.wirelink.sim.Network}s (broadcast domains with latency, jitter
 * and loss), {@link io.wirelink.sim.Nat}s (cone or symmetric, with mapping timeouts and filtering) and
 * {@link io.wirelink.sim.Host}s, each with WireGuard devices ({@link io.wirelink.sim.SimWireGuard}, which models
 * handshakes, sessions, timers and roaming but no crypto) and UDP sockets. An agent on a host sees only the same
 * interfaces it uses in production: {@link io.wirelink.apply.WireGuardDevice}, {@link io.wirelink.apply.HostNetwork},
 * {@link io.wirelink.apply.DatagramPort} and {@link io.wirelink.apply.Scheduler}.
 *
 * <p>The world is single-threaded and driven by its scheduler: nothing happens except inside
 * {@link io.wirelink.sim.World#runFor} and {@link io.wirelink.sim.World#runUntil}, one event at a time, on the
 * caller's thread. Configure it and call device methods between runs or from tasks and handlers; never from another
 * thread. The same seed and the same calls give the same run.
 */
package io.wirelink.sim;
