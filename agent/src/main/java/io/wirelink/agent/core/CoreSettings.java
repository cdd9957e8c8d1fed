package io.wirelink.agent.core;

import io.wirelink.gossip.GossipSettings;
import java.time.Duration;

/**
 * Timing of the agent core.
 *
 * @param startupGrace after start, nothing is deconfigured or deleted (the replayed log and fresh Alives settle)
 * @param endpointInterval how long an unhealthy peer keeps one endpoint before the next is tried
 * @param membershipSettle a membership source must have been alive this long before its silence about a peer
 *     can delete that peer
 */
public record CoreSettings(GossipSettings gossip, Duration startupGrace, Duration endpointInterval,
        Duration membershipSettle) {
    public static final CoreSettings DEFAULTS = of(io.wirelink.agent.config.Timers.DEFAULTS);

    /** The core's settings for the configured timers. */
    public static CoreSettings of(io.wirelink.agent.config.Timers t) {
        return new CoreSettings(new GossipSettings(t.factTtl(), t.aliveTtl(), t.alivePeriod(), t.antiEntropy()),
                t.startupGrace(), t.endpointInterval(), t.membershipSettle());
    }
}
