package io.wirelink.facts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Facts and fact keys hash by content alone, never by identity (an enum's hash is its identity hash), so hash sets
 * of them iterate in the same order in every JVM and the facts a datagram carries come in the same order: the
 * simulator's runs are then equal across JVMs, not only within one. The values are pinned: an identity hash would
 * differ from them in practically every run.
 */
class FactHashTest {
    private static final PublicKey SUBJECT = PublicKey.of(bytes());
    private static final Instant EXPIRES = Instant.ofEpochSecond(1000);

    private static byte[] bytes() {
        byte[] k = new byte[PublicKey.LENGTH];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) i;
        }
        return k;
    }

    @Test
    void anEndpointHashesByContent() {
        Fact f = Fact.endpoint(SUBJECT, IpEndpoint.parse("192.0.2.1:51820"), EXPIRES);
        assertEquals(-147039466, f.key().hashCode());
        assertEquals(-2113875447, f.hashCode());
    }

    @Test
    void aMemberHashesByContentThoughItsValueIsAnEnum() {
        Fact f = new Fact(Attribute.MEMBER, SUBJECT, FactValue.Empty.INSTANCE, EXPIRES);
        assertEquals(797671229, f.key().hashCode());
        assertEquals(-1041994708, f.hashCode());
    }
}
