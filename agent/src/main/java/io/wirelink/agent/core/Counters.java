package io.wirelink.agent.core;

import io.wirelink.gossip.Drop;
import io.wirelink.gossip.InboundPipeline;

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
    /** Per {@link Drop} reason: groups refused whole, and facts refused one by one (see {@link #dropped}). */
    private final long[] dropped = new long[Drop.values().length];

    /**
     * How many received groups ({@link Drop#wholeGroup()}) or facts the inbound pipeline dropped for {@code reason}
     * since the start.
     */
    public long dropped(Drop reason) {
        return dropped[reason.ordinal()];
    }

    /** Counts a received datagram of {@code bytes} and what the inbound pipeline did with it. */
    void received(InboundPipeline.Result r, int bytes) {
        datagramsIn++;
        bytesIn += bytes;
        factsAccepted += r.accepted();
        withdrawalsIn += r.withdrawn();
        if (r.rejected() != null) {
            dropped[r.rejected().ordinal()]++;
            switch (r.rejected()) {
                case MALFORMED -> malformed++;
                case UNKNOWN_SIGNER -> unknownSigner++;
                case WRONG_SOURCE -> wrongSource++;
                case UNVERIFIED -> unverified++;
                default -> { }
            }
        }
        for (InboundPipeline.Dropped d : r.dropped()) {
            dropped[d.reason().ordinal()]++;
            if (d.reason() == Drop.UNTRUSTED) {
                factsRejected++;
            }
        }
    }
}
