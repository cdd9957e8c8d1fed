package io.wirelink.gossip;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactKey;
import io.wirelink.facts.SignedGroupValue;
import io.wirelink.facts.SignedGroups;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seals a planned {@link OutboundPlanner.Datagram} into signed groups for its peer (v2 or v1), and records in
 * {@link Delivery} the facts each group that asks for an Ack carried, so they are sent again if no Ack comes.
 */
public final class Sealer {
    private final SignedGroups groups;
    private final Random nonces;
    private final Delivery delivery;

    public Sealer(SignedGroups groups, Random nonces, Delivery delivery) {
        this.groups = groups;
        this.nonces = nonces;
        this.delivery = delivery;
    }

    /** The groups to send, in order (a datagram too big for one group is split). */
    public List<SignedGroups.Sealed> seal(OutboundPlanner.Datagram d, Instant now) {
        int flags = d.wantAck() ? SignedGroupValue.FLAG_ACK_REQUEST : 0;
        List<SignedGroups.Sealed> out = groups.sealTracked(d.v2() ? 2 : 1, d.peer(), d.facts(), now, nonces, flags);
        if (d.wantAck()) {
            for (SignedGroups.Sealed s : out) {
                List<FactKey> keys = new ArrayList<>();
                for (Fact f : s.facts()) {
                    if (f.attribute() != Attribute.ACK) {
                        keys.add(f.key());
                    }
                }
                if (!keys.isEmpty()) {
                    delivery.sent(d.peer(), s.id(), keys, now);
                }
            }
        }
        return out;
    }
}
