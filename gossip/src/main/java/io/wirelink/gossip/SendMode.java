package io.wirelink.gossip;

/**
 * How one peer is sent to on a pass: how much it gets, when our Alive goes, the format it reads.
 *
 * @param v2 it reads v2 groups
 * @param acks it reads Acks (v2 with acknowledged delivery)
 * @param peerRouter it is a router: a leaf's PunchRequests go to it
 * @param greeting our Alive goes now as a greeting on a quiet healthy path (counted by the agent)
 */
public record SendMode(SendPlanner.Level level, SendPlanner.AliveRule rule, boolean v2, boolean acks,
        boolean peerRouter, boolean greeting) {}
