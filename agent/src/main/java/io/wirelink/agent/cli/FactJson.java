package io.wirelink.agent.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactCodec;
import io.wirelink.facts.FactValue;
import io.wirelink.facts.MemberMetadata;
import io.wirelink.facts.SignedGroupValue;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

/**
 * The JSON form of facts shared by {@code decode} and {@code --dump-facts}: attribute names as in the spec, keys
 * in base64, endpoints {@code ip:port}, CIDRs {@code ip/len}, TTL in whole seconds.
 */
public final class FactJson {
    private FactJson() {}

    public static ObjectNode fact(Fact f, Instant now) {
        ObjectNode n = JsonTree.F.objectNode();
        n.put("attribute", f.attribute().specName());
        n.put(f.value() instanceof SignedGroupValue ? "signer" : "subject", f.subject().toBase64());
        n.put("ttl", FactCodec.ttlSeconds(f.expires(), now));
        FactValue v = f.value();
        if (v instanceof SignedGroupValue g) {
            n.put("version", g.version());
            n.put("nonce", HexFormat.of().formatHex(g.nonce()));
            n.put("tag", HexFormat.of().formatHex(g.tag()));
            if (g.skippedUnknown() > 0) {
                n.put("skippedUnknown", g.skippedUnknown());
            }
            var arr = n.putArray("facts");
            for (Fact inner : g.facts()) {
                arr.add(fact(inner, now));
            }
        } else if (v instanceof MemberMetadata md) {
            ObjectNode m = n.putObject("value");
            if (md.name() != null) {
                m.put("name", md.name());
            }
            if (md.basic() != null) {
                m.put("basic", md.basic());
            }
            for (Map.Entry<Integer, byte[]> e : md.entries().entrySet()) {
                if (e.getKey() != MemberMetadata.NAME && e.getKey() != MemberMetadata.BASIC) {
                    m.put(String.format("0x%02x", e.getKey()), HexFormat.of().formatHex(e.getValue()));
                }
            }
        } else if (v instanceof FactValue.Empty) {
            n.putNull("value");
        } else {
            n.put("value", v.toString());
        }
        return n;
    }
}
