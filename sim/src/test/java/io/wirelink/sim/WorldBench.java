package io.wirelink.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * 1,000 leaves (30% public, 50% behind cone NATs, 20% behind symmetric NATs) peered with 3 public hubs, each leaf
 * starting within the first 10 s with persistent keepalive 25 s; 120 simulated seconds. Prints events, simulated
 * time, wall time and events per second (the only place wall time is read). Not part of the normal test suite (tag
 * "bench", and the class name does not match surefire's includes). Run it with:
 *
 * <pre>mvn -B -ntp -pl sim -am test -Dtest=WorldBench -Dgroups=bench -DexcludedGroups=none
 *     -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@Tag("bench")
class WorldBench {
    private static final int LEAVES = 1000;
    private static final int HUBS = 3;
    private static final Duration SIMULATED = Duration.ofSeconds(120);

    @Test
    void keepalivesOnly() throws Exception {
        run("keepalives only", null);
    }

    @Test
    void withGossipEverySecond() throws Exception {
        run("plus 200-byte gossip to each hub every second", Duration.ofSeconds(1));
    }

    private static void run(String label, Duration gossipEvery) throws Exception {
        for (int round = 0; round < 3; round++) { // the first rounds warm the JIT up
            long t0 = System.nanoTime();
            Mesh m = new Mesh(1000 + round, HUBS, LEAVES, Duration.ofSeconds(10), gossipEvery, 200);
            long built = System.nanoTime();
            m.world.runFor(SIMULATED);
            long ran = System.nanoTime();
            double wallSeconds = (ran - built) / 1e9;
            long events = m.world.eventsProcessed();
            TrafficStats t = m.world.totalTraffic();
            System.out.printf("%s, round %d: %d hosts, %d NATs; build %.2f s; %,d events in %d simulated s, "
                            + "wall %.3f s, %,.0f events/s (%.0fx real time); direct leaf-hub pairs %d/%d; "
                            + "underlay %,d B in %,d packets, tunnel payload %,d B; gossip received %,d; drops %s%n",
                    label, round, m.world.hosts().size(), (int) Math.round(LEAVES * 0.7),
                    (built - t0) / 1e9, events, SIMULATED.toSeconds(), wallSeconds, events / wallSeconds,
                    SIMULATED.toSeconds() / wallSeconds, m.directPairs(), LEAVES * HUBS, t.underlayTxBytes(),
                    t.underlayTxPackets(), t.tunnelTxBytes(), m.gossipReceived, m.world.drops());
            assertEquals(LEAVES * HUBS, m.directPairs());
        }
    }
}
