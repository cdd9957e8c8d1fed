package io.wirelink.facts.store;

import static io.wirelink.facts.store.TestFacts.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.ManualClock;
import io.wirelink.facts.MemberMetadata;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The incremental state equals the fold: after thousands of random appends (duplicates, refreshes, reboots, caps,
 * evictions) at random, advancing times, {@code store.view(now)} equals {@code FactView.fold(log, now)} where the log
 * is every event the store accepted minus the ones it reported evicted.
 */
class FactStorePropertyTest {
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    /** A random fact over a small key space, so that keys and authors collide often. */
    static Fact randomFact(Random r, Instant now) {
        int subject = 1 + r.nextInt(6);
        Instant expires = now.plusMillis(r.nextInt(10) == 0 ? -r.nextInt(5000) : 1 + r.nextInt(400_000));
        switch (r.nextInt(5)) {
            case 0:
                return Fact.alive(key(subject), new UUID(0, r.nextInt(3)), expires);
            case 1:
                return Fact.endpoint(key(subject), IpEndpoint.parse("198.51.100." + r.nextInt(4) + ":51820"), expires);
            case 2:
                return Fact.endpoint(key(subject), IpEndpoint.parse("[2001:db8::" + r.nextInt(3) + "]:51820"), expires);
            case 3:
                return Fact.allowedIp(key(subject), IpPrefix.parse("10.0." + r.nextInt(4) + ".0/24"), expires);
            default:
                return Fact.member(key(subject), MemberMetadata.of("node" + r.nextInt(2), r.nextBoolean()), expires);
        }
    }

    static Provenance randomProvenance(Random r, Instant now) {
        int author = 1 + r.nextInt(8);
        Channel c = Channel.values()[r.nextInt(Channel.values().length)];
        if (c.isLocal()) {
            return Provenance.local(key(100), c, now);
        }
        IpEndpoint src = r.nextBoolean() ? null : IpEndpoint.parse("192.0.2." + author + ":51821");
        return new Provenance(key(author), c, src, now);
    }

    static void run(long seed, FactStore store, ManualClock clock, int steps, Map<Long, FactEvent> log) {
        Random r = new Random(seed);
        List<FactEvent> recent = new ArrayList<>();
        int unchanged = 0;
        int refused = 0;
        int evicted = 0;
        int retracted = 0;
        Map<Attribute, Long> versions = new EnumMap<>(Attribute.class);
        Map<Attribute, List<FactEvent>> byAttribute = eventsByAttribute(store);
        for (Attribute a : Attribute.values()) {
            versions.put(a, store.version(a));
        }
        for (int i = 0; i < steps; i++) {
            clock.advance(Duration.ofMillis(r.nextInt(20) == 0 ? r.nextInt(200_000) : r.nextInt(2000)));
            Instant now = clock.now();
            Fact f;
            Provenance p;
            if (!recent.isEmpty() && r.nextInt(4) == 0) {
                // a duplicate as gossip delivers it: the same fact and expiry, maybe from the same author
                FactEvent old = recent.get(r.nextInt(recent.size()));
                f = old.fact();
                p = r.nextBoolean() ? old.provenance() : randomProvenance(r, now);
                p = new Provenance(p.author(), p.channel(), p.source(), now);
            } else {
                f = randomFact(r, now);
                p = randomProvenance(r, now);
            }
            if (recent.size() < 32) {
                recent.add(new FactEvent(0, f, p));
            } else {
                recent.set(r.nextInt(32), new FactEvent(0, f, p));
            }
            AppendResult res = store.append(f, p);
            if (res instanceof AppendResult.Appended a) {
                assertTrue(!log.containsKey(a.event().seq()), "sequence numbers are unique");
                log.put(a.event().seq(), a.event());
                if (a.evicted().isPresent()) {
                    log.remove(a.evicted().get().seq());
                    evicted++;
                }
            } else if (res instanceof AppendResult.Unchanged u) {
                unchanged++;
                // a no-op really is one: folding the attempt in (with a later seq) changes nothing
                List<FactEvent> with = new ArrayList<>(log.values());
                assertTrue(!f.expires().isAfter(u.current().expires()));
                with.add(new FactEvent(Long.MAX_VALUE, f, p));
                assertEquals(FactView.fold(log.values(), now), FactView.fold(with, now), "no-op at step " + i);
            } else {
                refused++;
            }
            if (r.nextInt(50) == 0) {
                store.expire(now);
            }
            if (!recent.isEmpty() && r.nextInt(15) == 0) {
                // a withdrawal: the author of a recent event (or another) stops asserting its key
                FactEvent old = recent.get(r.nextInt(recent.size()));
                Provenance by = r.nextBoolean() ? old.provenance() : randomProvenance(r, now);
                FactEvent held = store.assertion(old.key(), by.author());
                assertEquals(held != null, store.retract(old.fact(), by.author()), "retract at step " + i);
                if (held != null) {
                    // the log keeps the events the held one replaced: the withdrawal ends them all
                    assertTrue(held.expiredAt(now) || held.equals(log.get(held.seq())), "held at step " + i);
                    log.values().removeIf(e -> e.key().equals(old.key())
                            && e.provenance().author().equals(by.author()));
                    retracted++;
                }
                assertEquals(null, store.assertion(old.key(), by.author()));
            }
            if (r.nextInt(5) == 0) {
                checkIndexes(store, versions, byAttribute, "seed " + seed + " step " + i);
                byAttribute = eventsByAttribute(store);
            }
            if (i % 7 == 0 || r.nextInt(10) == 0) {
                // events expired by now count in no fold from now on (time only advances); forget them
                log.values().removeIf(e -> e.expiredAt(now));
                FactView expected = FactView.fold(log.values(), now);
                assertEquals(expected, store.view(now), "seed " + seed + " step " + i);
                assertEquals(expected, FactView.fold(store.events(), now), "seed " + seed + " step " + i);
                assertTrue(store.size() <= store.options().maxEvents());
            }
        }
        assertTrue(unchanged > steps / 50, "the run exercised no-ops: " + unchanged);
        assertTrue(refused > 0, "the run exercised refusals");
        assertTrue(retracted > 0, "the run exercised retractions");
        if (store.options().maxEvents() < 100 && steps >= 5000) {
            assertTrue(evicted > 0, "the run exercised eviction");
        }
    }

    static Map<Attribute, List<FactEvent>> eventsByAttribute(FactStore store) {
        Map<Attribute, List<FactEvent>> m = new EnumMap<>(Attribute.class);
        for (FactEvent e : store.events()) {
            m.computeIfAbsent(e.fact().attribute(), a -> new ArrayList<>()).add(e);
        }
        return m;
    }

    /**
     * The store's indexes agree with its events: each author's assertion of a key, the local events by channel (in
     * sequence order), and an attribute's version, which must change whenever its events did since {@code before}.
     */
    static void checkIndexes(FactStore store, Map<Attribute, Long> versions, Map<Attribute, List<FactEvent>> before,
            String where) {
        List<FactEvent> events = store.events();
        for (FactEvent e : events) {
            assertEquals(e, store.assertion(e.key(), e.provenance().author()), where);
        }
        for (Channel c : Channel.values()) {
            if (c.isLocal()) {
                assertEquals(events.stream().filter(e -> e.provenance().channel() == c).toList(),
                        store.localEvents(c), where);
            }
        }
        Map<Attribute, List<FactEvent>> now = eventsByAttribute(store);
        for (Attribute a : Attribute.values()) {
            long v = store.version(a);
            if (!now.getOrDefault(a, List.of()).equals(before.getOrDefault(a, List.of()))) {
                assertTrue(v != versions.get(a), a + " changed but its version did not, " + where);
            }
            versions.put(a, v);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void incrementalViewEqualsTheFoldInMemory(long seed) {
        ManualClock clock = new ManualClock(T0);
        FactStore store = FactStore.inMemory(FactStore.Options.DEFAULTS.withMaxEvents(60).withMaxEventsPerAuthor(20));
        run(seed, store, clock, 5000, new LinkedHashMap<>());
        FactStore roomy = FactStore.inMemory(FactStore.Options.DEFAULTS);
        run(seed, roomy, new ManualClock(T0), 3000, new LinkedHashMap<>());
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12})
    void incrementalViewEqualsTheFoldOnDiskAndAfterReopening(long seed, @TempDir Path dir) {
        Path file = dir.resolve("facts.mv");
        ManualClock clock = new ManualClock(T0);
        FactStore.Options opts = FactStore.Options.DEFAULTS.withMaxEvents(60).withMaxEventsPerAuthor(20)
                .withCommitDelay(Duration.ofSeconds(30));
        Map<Long, FactEvent> log = new LinkedHashMap<>();
        FactStore store = FactStore.open(file, opts, clock);
        run(seed, store, clock, 1500, log);
        store.expire(clock.now()); // reopening drops what has expired; so does this
        List<FactEvent> events = store.events();
        FactView view = store.view(clock.now());
        store.close();
        try (FactStore again = FactStore.open(file, opts, clock)) {
            assertEquals(events, again.events());
            assertEquals(view, again.view(clock.now()));
            run(seed + 100, again, clock, 500, log);
        }
    }
}
