package io.wirelink.agent.core;

import io.wirelink.facts.Fact;
import io.wirelink.facts.PublicKey;
import io.wirelink.gossip.InboundPipeline;
import io.wirelink.trust.TrustContext;
import io.wirelink.trust.TrustPolicy;

/** The trust policy at one moment, as the inbound pipeline asks it (gossip/ does not depend on trust/). */
record TrustGate(TrustContext ctx) implements InboundPipeline.Trust {

    @Override
    public boolean knows(PublicKey signer) {
        return ctx.known().contains(signer);
    }

    @Override
    public boolean believes(Fact f, PublicKey signer) {
        return TrustPolicy.accepts(f, signer, ctx);
    }
}
