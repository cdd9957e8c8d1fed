package io.wirelink.tools.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.agent.core.AgentCore;
import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.PeerChange;
import io.wirelink.apply.reconcile.Reason;
import io.wirelink.facts.Fact;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.SignedGroups;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class DecisionDigestTest {
    private static final Instant NOW = Instant.ofEpochSecond(1_000_000);
    private static final PrivateKey SELF = key(1);
    private static final PublicKey A = key(2).publicKey();
    private static final PublicKey B = key(3).publicKey();

    private static PrivateKey key(int seed) {
        byte[] raw = new byte[32];
        new Random(seed).nextBytes(raw);
        return PrivateKey.of(raw);
    }

    private static PeerChange peer(PublicKey k, String... ips) {
        List<IpPrefix> p = new ArrayList<>();
        for (String ip : ips) {
            p.add(IpPrefix.parse(ip));
        }
        return new PeerChange(k, false, false, IpEndpoint.parse("192.0.2.7:51820"), 25, true, p);
    }

    private static AgentCore.Actions actions(DeviceChange c, List<AgentCore.Outgoing> out, String... reasons) {
        return new AgentCore.Actions(c, out, Stream.of(reasons).map(r -> new Reason(null, r)).toList());
    }

    /** A datagram to A carrying {@code facts}, sealed with {@code nonceSeed} (nonces differ, keys do not). */
    private static AgentCore.Outgoing datagram(List<Fact> facts, long nonceSeed) throws Exception {
        byte[] payload = new SignedGroups(SELF, 16).seal(2, A, facts, NOW, new Random(nonceSeed)).get(0);
        return new AgentCore.Outgoing(A, (Inet6Address) InetAddress.getByName("fe80::1"), 51821, payload);
    }

    private static String digest(Consumer<DecisionDigest> adds) {
        DecisionDigest d = new DecisionDigest();
        adds.accept(d);
        return d.hex();
    }

    @Test
    void peersAndAllowedIpsAreSetsButTimeAgentAndReasonsCount() {
        DeviceChange ab = DeviceChange.peers(List.of(peer(A, "172.16.0.2/32", "fd00::2/128"), peer(B)));
        DeviceChange ba = DeviceChange.peers(List.of(peer(B), peer(A, "fd00::2/128", "172.16.0.2/32")));
        String one = digest(d -> d.add(5, SELF.publicKey(), actions(ab, List.of(), "A: added"), NOW));
        assertEquals(one, digest(d -> d.add(5, SELF.publicKey(), actions(ba, List.of(), "A: added"), NOW)));
        assertNotEquals(one, digest(d -> d.add(6, SELF.publicKey(), actions(ab, List.of(), "A: added"), NOW)));
        assertNotEquals(one, digest(d -> d.add(5, A, actions(ab, List.of(), "A: added"), NOW)));
        assertNotEquals(one, digest(d -> d.add(5, SELF.publicKey(), actions(ab, List.of(), "A: removed"), NOW)));
        DeviceChange other = DeviceChange.peers(List.of(peer(A, "172.16.0.3/32", "fd00::2/128"), peer(B)));
        assertNotEquals(one, digest(d -> d.add(5, SELF.publicKey(), actions(other, List.of(), "A: added"), NOW)));
    }

    @Test
    void aDatagramCountsByItsFactKeysInOrderNotItsNonce() throws Exception {
        Fact ep = Fact.endpoint(A, IpEndpoint.parse("192.0.2.9:51820"), NOW.plusSeconds(100));
        Fact ip = Fact.allowedIp(A, IpPrefix.parse("172.16.0.2/32"), NOW.plusSeconds(100));
        DeviceChange none = DeviceChange.peers(List.of());
        AgentCore.Outgoing first = datagram(List.of(ep, ip), 1);
        AgentCore.Outgoing sameOtherNonce = datagram(List.of(ep, ip), 2);
        AgentCore.Outgoing reordered = datagram(List.of(ip, ep), 3);
        String one = digest(d -> d.add(5, B, actions(none, List.of(first)), NOW));
        assertEquals(one, digest(d -> d.add(5, B, actions(none, List.of(sameOtherNonce)), NOW)));
        assertNotEquals(one, digest(d -> d.add(5, B, actions(none, List.of(reordered)), NOW)));
        Fact moved = Fact.endpoint(A, IpEndpoint.parse("192.0.2.9:51821"), NOW.plusSeconds(100));
        assertNotEquals(one, digest(d -> {
            try {
                d.add(5, B, actions(none, List.of(datagram(List.of(moved, ip), 4))), NOW);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }));
    }

    @Test
    void emptyBatchesAddNothingAndTheLogShowsWhatWasHashed() throws Exception {
        DeviceChange none = DeviceChange.peers(List.of());
        List<String> lines = new ArrayList<>();
        DecisionDigest d = new DecisionDigest(lines::add);
        String start = d.hex();
        d.add(5, B, actions(none, List.of()), NOW);
        assertEquals(start, d.hex());
        assertEquals(0, d.batches());
        d.add(7, B, actions(DeviceChange.peers(List.of(peer(A))), List.of(), "why"), NOW);
        assertNotEquals(start, d.hex());
        assertEquals(1, lines.size());
        assertTrue(lines.get(0).startsWith("B 7 " + B + " C"), lines.get(0));
        assertTrue(lines.get(0).endsWith("R \"why\""), lines.get(0));
    }
}
