package io.wirelink.facts.store;

import static io.wirelink.facts.store.TestFacts.T0;
import static io.wirelink.facts.store.TestFacts.key;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.Fact;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file does not grow without bound: an agent's life of refreshes, reboots, endpoint churn and expiry, compared
 * with the bytes of live events, not with time.
 */
class FactStoreCompactionTest {
    @TempDir
    Path dir;

    @Test
    void theFileStaysWithinABoundDerivedFromLiveData() throws Exception {
        Path file = dir.resolve("wg0.facts");
        ManualClock clock = new ManualClock(T0);
        Random r = new Random(7);
        FactStore.Options opts = FactStore.Options.DEFAULTS.withCommitDelay(Duration.ofSeconds(5));
        int peers = 40;
        long maxSize = 0;
        long maxLive = 0;
        long appendedTotal = 0;
        StringBuilder trace = new StringBuilder();
        try (FactStore s = FactStore.open(file, opts, clock)) {
            for (int round = 1; round <= 600; round++) {
                clock.advance(Duration.ofSeconds(5));
                Instant now = clock.now();
                for (int p = 1; p <= peers; p++) {
                    // every peer re-gossips its facts every 30 s on average: each refresh replaces a record
                    if (r.nextInt(6) != 0) {
                        continue;
                    }
                    Provenance from = new Provenance(key(p), Channel.GOSSIP, IpEndpoint.parse("192.0.2.1:51821"), now);
                    Instant exp = now.plusSeconds(255);
                    s.append(Fact.alive(key(p), new UUID(p, round / 50), exp), from);
                    s.append(Fact.allowedIp(key(p), IpPrefix.parse("10.0." + p + ".0/24"), exp), from);
                    // a roaming endpoint: a new one now and then, the old one left to expire
                    s.append(Fact.endpoint(key(p), IpEndpoint.parse("198.51.100." + p + ":" + (40000 + round / 20)),
                            exp), from);
                    appendedTotal += 3;
                }
                // a long-lived hint, never refreshed: it pins whatever chunk its record landed in
                IpEndpoint hint = IpEndpoint.parse("203.0.113." + (round % 250) + ":" + (1000 + round));
                s.append(Fact.endpoint(key(100 + round % 50), hint, now.plusSeconds(1000)),
                        new Provenance(key(100 + round % 50), Channel.DHT, null, now));
                // the node's own facts, refreshed each tick
                Provenance self = Provenance.local(key(200), Channel.LOCAL, now);
                s.append(Fact.endpoint(key(200), IpEndpoint.parse("203.0.113.1:51820"), now.plusSeconds(255)), self);
                s.expire(now);
                s.flush();
                long size = Files.size(file);
                long live = liveBytes(s);
                if (round > 250) { // past warm-up: the live set has reached its steady size
                    maxSize = Math.max(maxSize, size);
                    maxLive = Math.max(maxLive, live);
                }
                if (round % 100 == 0) {
                    trace.append(String.format("round %d: %d events, %d live bytes, file %d bytes, %d commits%n",
                            round, s.size(), live, size, s.stats().commits()));
                }
            }
            trace.append(String.format("appended %d events; max file %d bytes for at most %d live bytes%n",
                    appendedTotal, maxSize, maxLive));
        }
        // measured: about 240 KB for 40 KB live with compaction; without it the file passes 2 MB and keeps growing
        long bound = 256 * 1024 + 8 * maxLive;
        assertTrue(maxSize <= bound, "file " + maxSize + " > bound " + bound + "\n" + trace);
        // a closed store with nothing live shrinks to almost nothing
        try (FactStore s = FactStore.open(file, opts, clock)) {
            s.expire(clock.now().plusSeconds(10_000));
        }
        long empty = Files.size(file);
        assertTrue(empty <= 256 * 1024, "empty store file is " + empty + " bytes\n" + trace);
    }

    static long liveBytes(FactStore s) {
        long n = 0;
        for (FactEvent e : s.events()) {
            n += EventCodec.encode(e).length + 8;
        }
        return n;
    }
}
