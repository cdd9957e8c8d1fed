package io.wirelink.dht.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.dht.Contact;
import io.wirelink.dht.DhtConfig;
import io.wirelink.dht.DhtNode;
import io.wirelink.dht.DhtRecord;
import io.wirelink.dht.LookupResult;
import io.wirelink.dht.sim.SimIdentities;
import io.wirelink.facts.Clock;
import io.wirelink.facts.IpEndpoint;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real UDP on the loopback interface: a public node and two nodes that find each other through it. */
class UdpDhtRunnerTest {
    static final String NET = "udp-test";

    @Test
    @Timeout(30)
    void nodesFindEachOtherOverLoopback() throws Exception {
        Random r = new Random(8);
        DhtConfig cfg = DhtConfig.builder(NET, 2).build();
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        List<UdpDhtRunner> runners = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                UdpDhtRunner u = UdpDhtRunner.open(any, cfg, SimIdentities.real(r, 2, NET), Clock.system(),
                        new Random(i));
                runners.add(u);
                Thread t = new Thread(() -> {
                    try {
                        u.run();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, "dht-" + i);
                t.start();
                threads.add(t);
            }
            UdpDhtRunner boot = runners.get(0);
            Contact seed = new Contact(boot.node().publicKey(), boot.localEndpoint());
            for (UdpDhtRunner u : runners.subList(1, 3)) {
                CompletableFuture<LookupResult> joined = new CompletableFuture<>();
                u.submit((node, now, out) -> node.bootstrap(List.of(seed), now, out, joined::complete));
                assertEquals(LookupResult.Outcome.CLOSEST, joined.get(10, TimeUnit.SECONDS).outcome());
            }
            UdpDhtRunner b = runners.get(1);
            UdpDhtRunner c = runners.get(2);
            CompletableFuture<Integer> stored = new CompletableFuture<>();
            c.submit((node, now, out) -> node.announce(new DhtRecord(node.publicKey(), now, 600, List.of(),
                    List.of()), now, out, stored::complete));
            assertTrue(stored.get(10, TimeUnit.SECONDS) >= 1);
            CompletableFuture<DhtNode.Resolution> res = new CompletableFuture<>();
            b.submit((node, now, out) -> node.resolve(c.node().publicKey(), now, out, res::complete));
            IpEndpoint verified = res.get(10, TimeUnit.SECONDS).verified();
            assertEquals(c.localEndpoint(), verified, "found over the DHT and proven by an authenticated PING");
        } finally {
            for (UdpDhtRunner u : runners) {
                u.close();
            }
            for (Thread t : threads) {
                t.join(5000);
            }
        }
    }
}
