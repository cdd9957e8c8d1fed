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
    public long passes;
}
