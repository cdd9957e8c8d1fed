package io.wirelink.gossip;

import io.wirelink.facts.PublicKey;
import java.time.Instant;

/**
 * What the send plan asks of path traversal about our Alive on a path: coordinated punches and the probes of paths
 * that carry no traffic are scheduled there, not here. The agent supplies it.
 */
public interface PathProbes {
    /** Whether a router asked us to send towards {@code peer} now (a coordinated punch); asking consumes it. */
    boolean punchOwed(PublicKey peer);

    /** The path to {@code peer} carries traffic: it needs no probe schedule. */
    void pathWorks(PublicKey peer);

    /** Our Alive on a path to {@code peer} that carries no traffic: {@code NOW} when a probe is due. */
    SendPlanner.AliveRule probe(PublicKey peer, Instant now);
}
