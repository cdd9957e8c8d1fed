package io.wirelink.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.DeviceState;
import io.wirelink.apply.HostNetwork;
import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactValue;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.store.FactStore;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A gateway port mapping becomes two local facts about ourselves, and goes when the mapping goes. */
class AgentCorePortMappingTest {
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    static final IpEndpoint MAPPED = IpEndpoint.parse("198.51.100.2:40001");

    static List<Attribute> publishedFor(AgentCore core, IpEndpoint ep, Instant now) {
        return core.store().view(now).facts().stream()
                .filter(f -> f.subject().equals(core.publicKey()) && f.value() instanceof FactValue.Endpoint e
                        && e.endpoint().equals(ep))
                .map(Fact::attribute).sorted().toList();
    }

    @Test
    void mappedEndpointIsPublishedAsEndpointAndObservedEndpointThenRetracted() {
        byte[] k = new byte[32];
        new Random(7).nextBytes(k);
        PrivateKey key = PrivateKey.of(k);
        AgentCore core = new AgentCore(key, AgentCoreTest.config(List.of()), FactStore.inMemory(
                FactStore.Options.DEFAULTS), CoreSettings.DEFAULTS, new Random(7), T0, new UUID(7, 7));
        core.device(new DeviceState("wg0", key.publicKey(), 51820, 0, List.of()));
        core.host(List.of(), List.of(new HostNetwork.InterfaceAddress(2, "eth0", IpPrefix.parse("192.0.2.2/28"), 0, 0)));
        core.pass(T0);
        assertEquals(List.of(), publishedFor(core, MAPPED, T0));

        core.mappedEndpoints(List.of(MAPPED));
        assertTrue(core.dirty(), "a new mapping makes the core dirty");
        core.pass(T0.plusSeconds(1));
        assertEquals(List.of(Attribute.ENDPOINT_V4, Attribute.OBSERVED_ENDPOINT).stream().sorted().toList(),
                publishedFor(core, MAPPED, T0.plusSeconds(1)));
        assertTrue(publishedFor(core, IpEndpoint.parse("192.0.2.2:51820"), T0.plusSeconds(1))
                .contains(Attribute.ENDPOINT_V4), "the LAN address is still published");

        core.mappedEndpoints(List.of(MAPPED));
        assertEquals(List.of(MAPPED), core.mappedEndpoints());
        core.mappedEndpoints(List.of());
        assertTrue(core.dirty());
        core.pass(T0.plusSeconds(2));
        assertEquals(List.of(), publishedFor(core, MAPPED, T0.plusSeconds(2)), "a lost mapping is retracted");
    }
}
