package io.wirelink.portmap;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.Clock;
import io.wirelink.facts.IpEndpoint;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The keeper's lifecycle against a fake gateway: map, renew at half the lifetime, retry, delete on close. */
class PortMapKeeperTest {
    static final InetAddress GW = addr("192.0.2.1");
    static final IpEndpoint INTERNAL = IpEndpoint.parse("192.0.2.2:51820");

    static InetAddress addr(String s) {
        return IpEndpoint.parse(s + ":1").address();
    }

    /** A gateway that grants {@code lifetime}, refuses the first {@code refusals} map requests, counts calls. */
    static class FakeGateway implements Mapper {
        final Duration lifetime;
        final AtomicInteger refusals;
        final AtomicInteger maps = new AtomicInteger();
        final AtomicInteger renewals = new AtomicInteger();
        final List<Mapping> deleted = new CopyOnWriteArrayList<>();
        volatile boolean failRenewals;

        FakeGateway(Duration lifetime, int refusals) {
            this.lifetime = lifetime;
            this.refusals = new AtomicInteger(refusals);
        }

        Mapping grant(int port) {
            return new Mapping(MappingProtocol.NAT_PMP, IpEndpoint.parse("198.51.100.2:" + port), INTERNAL, GW, lifetime,
                    Clock.system().now(), null, null, null);
        }

        @Override
        public Mapping map(int internalPort, Duration lease, List<MappingProtocol> order) throws PortMapException {
            maps.incrementAndGet();
            if (refusals.getAndDecrement() > 0) {
                throw new PortMapException("refused: NOT_AUTHORIZED");
            }
            return grant(40000 + maps.get());
        }

        @Override
        public Mapping renew(Mapping m, Duration lease) throws PortMapException {
            renewals.incrementAndGet();
            if (failRenewals) {
                throw new PortMapException("no answer");
            }
            return grant(m.external().port());
        }

        @Override
        public void delete(Mapping m) {
            deleted.add(m);
        }
    }

    static PortMapKeeper.Settings settings(Duration retry) {
        return new PortMapKeeper.Settings(51820, Duration.ofSeconds(7200), List.of(MappingProtocol.values()), retry,
                Duration.ofSeconds(2));
    }

    @Test
    void mapsRenewsAtHalfLifeAndDeletesOnClose() {
        FakeGateway g = new FakeGateway(Duration.ofMillis(400), 0);
        List<Optional<Mapping>> changes = new CopyOnWriteArrayList<>();
        PortMapKeeper k = new PortMapKeeper(() -> Optional.of(GW), gw -> g, settings(Duration.ofSeconds(60)),
                Clock.system(), changes::add);
        AtomicInteger renewed = new AtomicInteger();
        k.onRenewal(m -> renewed.incrementAndGet());
        try {
            k.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> g.renewals.get() >= 3);
            assertEquals(1, g.maps.get());
            await().atMost(Duration.ofSeconds(5)).until(() -> renewed.get() >= 3);
            assertEquals(1, changes.size(), "a renewal that keeps the endpoint is not a change");
            assertEquals(IpEndpoint.parse("198.51.100.2:40001"), k.current().orElseThrow().external());
        } finally {
            k.close();
        }
        assertEquals(1, g.deleted.size());
        assertEquals(Optional.empty(), k.current());
    }

    @Test
    void retriesAfterARefusalAndWithoutAGateway() {
        FakeGateway g = new FakeGateway(Duration.ofHours(1), 2);
        AtomicInteger gatewayAsks = new AtomicInteger();
        try (PortMapKeeper k = new PortMapKeeper(() -> gatewayAsks.incrementAndGet() == 1 ? Optional.empty()
                : Optional.of(GW), gw -> g, settings(Duration.ofMillis(50)), Clock.system(), m -> {})) {
            k.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> k.current().isPresent());
            assertEquals(3, g.maps.get());
        }
    }

    @Test
    void aMappingThatCannotBeRenewedIsDroppedAndObtainedAfresh() {
        FakeGateway g = new FakeGateway(Duration.ofMillis(2400), 0);
        List<Optional<Mapping>> changes = new CopyOnWriteArrayList<>();
        try (PortMapKeeper k = new PortMapKeeper(() -> Optional.of(GW), gw -> g, settings(Duration.ofMillis(50)),
                Clock.system(), changes::add)) {
            g.failRenewals = true;
            k.start();
            await().atMost(Duration.ofSeconds(15)).until(() -> g.maps.get() >= 2);
            assertTrue(g.renewals.get() >= 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() >= 3);
            assertEquals(Optional.empty(), changes.get(1), "the lost mapping is reported");
        }
    }

    @Test
    void aGatewayThatMapsToOurOwnAddressMeansNoNat() {
        Mapper selfMapping = new FakeGateway(Duration.ofHours(1), 0) {
            @Override
            public Mapping map(int internalPort, Duration lease, List<MappingProtocol> order) {
                maps.incrementAndGet();
                return new Mapping(MappingProtocol.PCP, INTERNAL, INTERNAL, GW, lifetime, Clock.system().now(), null,
                        null, null);
            }
        };
        try (PortMapKeeper k = new PortMapKeeper(() -> Optional.of(GW), gw -> selfMapping,
                settings(Duration.ofHours(1)), Clock.system(), m -> {})) {
            k.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> k.status().error().startsWith("not behind a NAT"));
            assertEquals(1, ((FakeGateway) selfMapping).deleted.size());
        }
    }
}
