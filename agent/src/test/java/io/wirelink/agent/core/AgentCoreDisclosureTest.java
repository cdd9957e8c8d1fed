package io.wirelink.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.agent.config.AgentConfig;
import io.wirelink.agent.config.PeerConfig;
import io.wirelink.agent.config.RelayConfig;
import io.wirelink.agent.config.RouterMode;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.DeviceStates;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.Attribute;
import io.wirelink.facts.FactValue;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.store.Channel;
import io.wirelink.facts.store.FactEvent;
import io.wirelink.facts.store.FactStore;
import io.wirelink.facts.store.FactView;
import io.wirelink.traversal.RelayPlanner;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A peer known by key alone and a configured relay: the relay's disclosure becomes an ObservedEndpoint hint with
 * provenance {@code relay}, the peer is relayed through that relay at once, and the core asks for a pass at the
 * switch moment.
 */
class AgentCoreDisclosureTest {
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    static PrivateKey key(long seed) {
        byte[] k = new byte[32];
        new Random(seed).nextBytes(k);
        return PrivateKey.of(k);
    }

    @Test
    void aDisclosureIsAHintAndRelaysAPeerThatHasNoEndpoint() {
        PrivateKey self = key(1);
        PublicKey peer = key(2).publicKey();
        PublicKey relay = key(3).publicKey();
        IpEndpoint relayEp = IpEndpoint.parse("203.0.113.10:51823");
        IpEndpoint mapped = IpEndpoint.parse("198.51.100.3:51820");
        AgentConfig cfg = new AgentConfig("wg0", 0, RouterMode.AUTO, false, false, List.of(), List.of(), Path.of(
                "/tmp"), Path.of("/tmp"), io.wirelink.agent.config.Timers.DEFAULTS,
                new io.wirelink.agent.config.Dht("wirelink", 0, List.of(), false, 0),
                new RelayConfig(RouterMode.AUTO, 0, null, true, 3, List.of(new RelayConfig.Server(relay, relayEp))),
                List.of(new PeerConfig(peer, "b", null, List.of(), List.of(IpPrefix.parse("198.18.0.3/32")), false,
                        false)), null);
        AgentCore core = new AgentCore(self, cfg, FactStore.inMemory(FactStore.Options.DEFAULTS),
                CoreSettings.DEFAULTS, new Random(1), T0, new UUID(1, 1));
        DeviceState[] dev = {new DeviceState("wg0", self.publicKey(), 51820, 0, List.of())};
        Instant[] now = {T0};
        Runnable pass = () -> {
            RelayPlanner rp = core.relays();
            for (RelayPlanner.ProbeTarget t : rp.probeTargets()) {
                rp.probeSent(t, now[0]);
                rp.probeReply(t, Duration.ofMillis(2), IpEndpoint.parse("198.51.100.2:40000"), now[0]);
            }
            // the relay peer registers at once (a handshake with the relay)
            List<PeerState> ps = new ArrayList<>();
            for (PeerState p : dev[0].peers()) {
                ps.add(p.publicKey().equals(relay) ? new PeerState(relay, false, p.endpoint(), p.allowedIps(), now[0],
                        1, 1, p.persistentKeepaliveSeconds()) : p);
            }
            dev[0] = new DeviceState("wg0", self.publicKey(), 51820, 0, ps);
            core.device(dev[0]);
            dev[0] = DeviceStates.apply(dev[0], core.pass(now[0]).change());
        };
        pass.run();
        assertNull(dev[0].peer(peer).endpoint(), "the configured peer is on the device, with no endpoint");
        now[0] = now[0].plusMillis(500);
        pass.run();
        assertTrue(dev[0].peer(relay) != null, "registering with the relay at once: nothing else to try");
        assertFalse(core.relays().disclosureQueries().isEmpty(), "asking the relay where the peer is");
        now[0] = now[0].plusMillis(500);
        pass.run();

        assertTrue(core.relayDisclosed(relay, relayEp, peer, mapped, now[0].plusMillis(700), now[0]));
        FactView.Entry hint = core.store().view(now[0]).entries().stream().filter(e -> e.fact().attribute()
                == Attribute.OBSERVED_ENDPOINT && e.fact().subject().equals(peer)).findFirst().orElseThrow();
        assertEquals(mapped, ((FactValue.Endpoint) hint.fact().value()).endpoint());
        FactEvent by = hint.assertions().get(0);
        assertEquals(Channel.RELAY, by.provenance().channel());
        assertEquals(peer, by.provenance().author());
        assertEquals(relayEp, by.provenance().source());
        assertEquals(now[0].plus(RelayPlanner.DISCLOSURE_TTL), hint.fact().expires());
        assertFalse(core.relayDisclosed(relay, relayEp, peer, mapped, now[0].plusMillis(700), now[0]),
                "the same answer again is no news");

        now[0] = now[0].plusMillis(50);
        pass.run();
        assertEquals(relayEp, dev[0].peer(peer).endpoint(), "relayed through the relay that has the peer");
        assertEquals("via relay " + relay, core.relays().pathInfo(peer).path());
        assertEquals(List.of(new RelayPlanner.DisclosureQuery(relay, relayEp, peer)),
                core.relays().disclosureQueries());
    }
}
