package io.wirelink.agent.core;

/** What the core has seen, for {@code show}, logs and benchmarks. Single-threaded like the core. */
public final class Counters {
    public long datagramsIn;
    public long bytesIn;
    public long malformed;
    public long unverified;
    public long unknownSigner;
    public long wrongSource;
    public long factsAccepted;
    public long factsRejected;
    public long datagramsOut;
    public long bytesOut;
    /** PunchRequests sent (asking routers) and acted on (sending towards the requester). */
    public long punchRequests;
    /** Alive sent to quiet peers: greetings on a healthy path, probes of an unhealthy one, coordinated punches. */
    public long aliveGreetings;
    public long aliveProbes;
    public long alivePunches;
    /** Withdrawals (TTL-0 facts) sent, and received that retracted an assertion. */
    public long withdrawalsOut;
    public long withdrawalsIn;
    public long passes;
    /** Quick steps: Acks and due probes sent without a pass ({@code AgentCore.quick}). */
    public long quickPasses;
    /** Peers re-added because a first handshake got no answer ({@code FirstContact}). */
    public long firstContactRetries;
}
