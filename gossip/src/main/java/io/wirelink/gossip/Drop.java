package io.wirelink.gossip;

/**
 * Why the {@link InboundPipeline} dropped a received group or one of its facts: one reason per stage that can
 * refuse. The first four refuse a whole group (nothing in it is read); the others refuse one fact and the rest of
 * the group goes on. Transport signals (Ack, PunchRequest) and withdrawals are handled, not dropped.
 */
public enum Drop {
    /** Not a well-formed signed group (open). */
    MALFORMED(true),
    /** Signed by a key that is neither a device peer nor a configured one (source check). */
    UNKNOWN_SIGNER(true),
    /** Not sent from the signer's own link-local address (source check). */
    WRONG_SOURCE(true),
    /** The tag does not verify for the signer: forged or corrupted (open, reported after the source check). */
    UNVERIFIED(true),
    /** A filter the owner injected did not keep the fact (the simulator's stand-ins keep a narrow view). */
    FILTERED(false),
    /** The trust policy does not believe the signer about this fact (trust). */
    UNTRUSTED(false);

    private final boolean wholeGroup;

    Drop(boolean wholeGroup) {
        this.wholeGroup = wholeGroup;
    }

    /** Whether this reason refuses a whole group rather than one fact of it. */
    public boolean wholeGroup() {
        return wholeGroup;
    }
}
