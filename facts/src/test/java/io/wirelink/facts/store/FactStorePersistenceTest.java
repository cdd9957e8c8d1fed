package io.wirelink.facts.store;

import static io.wirelink.facts.store.TestFacts.T0;
import static io.wirelink.facts.store.TestFacts.alive;
import static io.wirelink.facts.store.TestFacts.allowed;
import static io.wirelink.facts.store.TestFacts.at;
import static io.wirelink.facts.store.TestFacts.config;
import static io.wirelink.facts.store.TestFacts.endpoint;
import static io.wirelink.facts.store.TestFacts.gossip;
import static io.wirelink.facts.store.TestFacts.key;
import static io.wirelink.facts.store.TestFacts.local;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.Fact;
import io.wirelink.facts.FactValue;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.ManualClock;
import io.wirelink.facts.MemberMetadata;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FactStorePersistenceTest {
    static final FactStore.Options OPTS = FactStore.Options.DEFAULTS.withCommitDelay(Duration.ofHours(1));

    @TempDir
    Path dir;

    Path file() {
        return dir.resolve("wg0.facts");
    }

    static FactEvent append(FactStore s, Fact f, Provenance p) {
        return assertInstanceOf(AppendResult.Appended.class, s.append(f, p)).event();
    }

    /** One event of every kind the store can hold, with every kind of source. */
    static List<FactEvent> fill(FactStore s) throws IOException {
        List<FactEvent> out = new ArrayList<>();
        InetAddress scoped = Inet6Address.getByAddress(null, InetAddress.getByName("fe80::1").getAddress(), 7);
        out.add(append(s, alive(1, 42, 255), gossip(1, 0)));
        out.add(append(s, endpoint(1, "198.51.100.1:51820", 255), gossip(2, 0)));
        out.add(append(s, endpoint(1, "[2001:db8::1]:51820", 255),
                new Provenance(key(3), Channel.RELAY, new IpEndpoint(scoped, 51821), at(0))));
        out.add(append(s, allowed(1, "10.0.1.7/24", 255), new Provenance(key(4), Channel.DHT,
                IpEndpoint.parse("[2001:db8::4]:4000"), at(0))));
        out.add(append(s, allowed(1, "2001:db8:1::/48", 255), config(9, 0)));
        out.add(append(s, Fact.member(key(1), MemberMetadata.of(Map.of(MemberMetadata.NAME,
                "nöde".getBytes(StandardCharsets.UTF_8), 0x7a, new byte[] {1, 2, 3})), at(255)), local(9, 0)));
        out.add(append(s, new Fact(io.wirelink.facts.Attribute.MEMBER, key(2), FactValue.Empty.INSTANCE, at(255)),
                gossip(2, 0)));
        return out;
    }

    @Test
    void whatWasAppendedIsThereAfterReopening() throws IOException {
        ManualClock clock = new ManualClock(T0);
        List<FactEvent> events;
        FactView view;
        try (FactStore s = FactStore.open(file(), OPTS, clock)) {
            events = fill(s);
            view = s.view(T0);
        }
        try (FactStore s = FactStore.open(file(), OPTS, clock)) {
            assertEquals(events, s.events());
            assertEquals(view, s.view(T0));
            assertEquals(((Inet6Address) events.get(2).provenance().source().address()).getScopeId(),
                    ((Inet6Address) s.events().get(2).provenance().source().address()).getScopeId());
            assertEquals(7, s.stats().replayed());
            assertEquals(0, s.stats().corruptSkipped());
            assertEquals(8, append(s, endpoint(5, "198.51.100.5:1", 300), gossip(5, 0)).seq());
        }
    }

    @Test
    void reopeningLaterDropsWhatExpiredAndNeverReusesASequenceNumber() {
        ManualClock clock = new ManualClock(T0);
        try (FactStore s = FactStore.open(file(), OPTS, clock)) {
            append(s, endpoint(1, "198.51.100.1:1", 100), gossip(1, 0));
            append(s, endpoint(1, "198.51.100.1:2", 500), gossip(1, 0));
            append(s, endpoint(1, "198.51.100.1:3", 50), gossip(1, 0));
        }
        clock.advance(Duration.ofSeconds(200));
        try (FactStore s = FactStore.open(file(), OPTS, clock)) {
            assertEquals(1, s.events().size());
            assertEquals(2, s.events().get(0).seq());
            assertEquals(2, s.stats().expired());
            s.expire(at(1000));
            assertEquals(List.of(), s.events());
        }
        try (FactStore s = FactStore.open(file(), OPTS, clock)) {
            assertEquals(0, s.stats().replayed(), "the expired records left the file");
            assertEquals(4, append(s, endpoint(1, "198.51.100.1:4", 900), gossip(1, 200)).seq());
        }
    }

    @Test
    void reopeningUnderSmallerLimitsKeepsWhatFits() {
        ManualClock clock = new ManualClock(T0);
        try (FactStore s = FactStore.open(file(), OPTS, clock)) {
            for (int port = 1; port <= 6; port++) {
                append(s, endpoint(1, "198.51.100.1:" + port, 255), gossip(2, 0));
            }
            append(s, endpoint(9, "198.51.100.9:1", 255), local(9, 0));
        }
        FactStore.Options tight = OPTS.withMaxEvents(5).withMaxEventsPerAuthor(3).withMaxTtl(Duration.ofSeconds(100));
        try (FactStore s = FactStore.open(file(), tight, clock)) {
            assertEquals(4, s.size());
            assertEquals(3, s.size(key(2)));
            assertEquals(1, s.size(key(9)));
            assertTrue(s.events().stream().allMatch(e -> !e.expires().isAfter(at(100))), "re-clamped");
        }
        try (FactStore s = FactStore.open(file(), tight, clock)) {
            assertEquals(4, s.stats().replayed(), "the dropped records left the file");
        }
    }

    @Test
    void aCrashLosesOnlyWhatWasNotCommitted() throws IOException {
        ManualClock clock = new ManualClock(T0);
        FactStore.Options opts = OPTS.withCommitDelay(Duration.ofSeconds(1));
        List<FactEvent> committed = new ArrayList<>();
        FactStore s = FactStore.open(file(), opts, clock);
        committed.add(append(s, endpoint(1, "198.51.100.1:1", 255), gossip(1, 0)));
        committed.add(append(s, endpoint(1, "198.51.100.1:2", 255), gossip(1, 0)));
        s.flush();
        // an auto-commit: the first store call a second after the first uncommitted change
        committed.add(append(s, endpoint(1, "198.51.100.1:3", 255), gossip(1, 0)));
        clock.advance(Duration.ofMillis(1500));
        committed.add(append(s, endpoint(1, "198.51.100.1:4", 255), gossip(1, 1)));
        // and these are never committed
        append(s, endpoint(1, "198.51.100.1:5", 255), gossip(1, 1));
        s.expire(at(1));
        append(s, endpoint(1, "198.51.100.1:6", 255), gossip(1, 1));
        s.closeImmediately();

        try (FactStore again = FactStore.open(file(), opts, clock)) {
            assertEquals(committed, again.events());
            assertEquals(5, append(again, endpoint(2, "198.51.100.2:1", 255), gossip(2, 1)).seq(),
                    "sequence numbers continue from the committed state");
        }
    }

    @Test
    void aTornLastCommitFallsBackToThePreviousOne() throws IOException {
        ManualClock clock = new ManualClock(T0);
        FactStore s = FactStore.open(file(), OPTS, clock);
        List<FactEvent> first = fill(s);
        s.flush();
        long committedSize = Files.size(file());
        for (int port = 1; port <= 50; port++) {
            append(s, endpoint(3, "198.51.100.3:" + port, 255), gossip(3, 0));
        }
        s.flush();
        s.closeImmediately();
        byte[] bytes = Files.readAllBytes(file());
        assertTrue(bytes.length > committedSize, "the second commit went to the end of the file");
        for (int i = (int) committedSize + 64; i < bytes.length - 64; i++) {
            bytes[i] ^= 0x5a; // the crash tore the second commit's chunk
        }
        Files.write(file(), bytes);
        try (FactStore again = FactStore.open(file(), OPTS, clock)) {
            assertEquals(first, again.events());
        }
    }

    @Test
    void undecodableRecordsAreSkippedCountedAndRemoved() {
        ManualClock clock = new ManualClock(T0);
        List<FactEvent> good = new ArrayList<>();
        try (FactStore s = FactStore.open(file(), OPTS, clock)) {
            good.add(append(s, endpoint(1, "198.51.100.1:1", 255), gossip(1, 0)));
            good.add(append(s, endpoint(1, "198.51.100.1:2", 255), gossip(1, 0)));
        }
        try (MVStore raw = new MVStore.Builder().fileName(file().toString()).autoCommitDisabled().open()) {
            MVMap<Long, byte[]> events = raw.openMap(MvEventLog.EVENTS, new MVMap.Builder<Long, byte[]>()
                    .keyType(LongDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
            byte[] valid = events.get(2L);
            events.put(10L, new byte[] {1, 2, 3});
            events.put(11L, new byte[0]);
            byte[] future = valid.clone();
            future[0] = 9;
            events.put(12L, future);
            byte[] truncated = java.util.Arrays.copyOf(valid, valid.length - 3);
            events.put(13L, truncated);
            byte[] unknownAttr = valid.clone();
            unknownAttr[valid.length - 6 - 1 - 32 - 1 - 1] = 'Z';
            events.put(14L, unknownAttr);
            raw.commit();
        }
        try (FactStore s = FactStore.open(file(), OPTS, clock)) {
            assertEquals(good, s.events());
            assertEquals(5, s.stats().corruptSkipped());
            assertEquals(15, append(s, endpoint(1, "198.51.100.1:3", 255), gossip(1, 0)).seq(),
                    "a skipped record's sequence number is not reused");
        }
        try (FactStore s = FactStore.open(file(), OPTS, clock)) {
            assertEquals(0, s.stats().corruptSkipped());
            assertEquals(3, s.events().size());
        }
    }

    @Test
    void aFileThatIsNotAnMvStoreIsAClearErrorAndIsLeftAlone() throws IOException {
        byte[] text = "[Interface]\nPrivateKey = not a fact store\n".repeat(200).getBytes(StandardCharsets.UTF_8);
        Files.write(file(), text);
        FactStoreException e = assertThrows(FactStoreException.class,
                () -> FactStore.open(file(), OPTS, new ManualClock(T0)));
        assertTrue(e.getMessage().contains(file().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("move it aside"), e.getMessage());
        assertEquals(file(), e.file());
        assertArrayEquals(text, Files.readAllBytes(file()));
    }

    @Test
    void anMvStoreOfSomethingElseIsNotTakenOver() {
        try (MVStore other = MVStore.open(file().toString())) {
            other.<String, String>openMap("accounts").put("alice", "42");
        }
        FactStoreException e = assertThrows(FactStoreException.class,
                () -> FactStore.open(file(), OPTS, new ManualClock(T0)));
        assertTrue(e.getMessage().contains("not a fact store"), e.getMessage());
        try (MVStore other = MVStore.open(file().toString())) {
            assertEquals("42", other.<String, String>openMap("accounts").get("alice"));
        }
    }

    @Test
    void aStoreOfAnotherFormatIsAClearError() {
        try (FactStore s = FactStore.open(file(), OPTS, new ManualClock(T0))) {
            append(s, endpoint(1, "198.51.100.1:1", 255), gossip(1, 0));
        }
        try (MVStore raw = MVStore.open(file().toString())) {
            raw.openMap(MvEventLog.META, new MVMap.Builder<String, String>().keyType(StringDataType.INSTANCE)
                    .valueType(StringDataType.INSTANCE)).put(MvEventLog.FORMAT_KEY, "wirelink-facts-9");
        }
        FactStoreException e = assertThrows(FactStoreException.class,
                () -> FactStore.open(file(), OPTS, new ManualClock(T0)));
        assertTrue(e.getMessage().contains("wirelink-facts-9"), e.getMessage());
    }

    @Test
    void aFileInUseIsAClearError() {
        try (FactStore s = FactStore.open(file(), OPTS, new ManualClock(T0))) {
            append(s, endpoint(1, "198.51.100.1:1", 255), gossip(1, 0));
            FactStoreException e = assertThrows(FactStoreException.class,
                    () -> FactStore.open(file(), OPTS, new ManualClock(T0)));
            assertTrue(e.getMessage().contains(file().toString()), e.getMessage());
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
    }

    @Test
    void aFileThatCannotBeWrittenIsReportedOnceAndTheStoreCarriesOnInMemory() {
        ManualClock clock = new ManualClock(T0);
        int[] closed = new int[1];
        EventLog failing = new EventLog() {
            @Override
            public void put(FactEvent e) {}

            @Override
            public void remove(long seq) {}

            @Override
            public void commit(long nextSeq) {
                throw new FactStoreException(Path.of("/full/disk.facts"), "commit failed (No space left)", null);
            }

            @Override
            public void close(long nextSeq) {}

            @Override
            public void closeImmediately() {
                closed[0]++;
            }

            @Override
            public long fileSize() {
                return 4096;
            }

            @Override
            public boolean persistent() {
                return true;
            }
        };
        FactStore s = FactStore.withLog(OPTS.withCommitDelay(Duration.ZERO), clock, failing);
        append(s, endpoint(1, "198.51.100.1:1", 255), gossip(1, 0)); // the due commit fails inside, quietly
        assertEquals(1, s.events().size(), "the append took effect");
        assertEquals(1, closed[0]);
        assertTrue(!s.persistent());
        assertTrue(s.writeFailure().orElseThrow().contains("No space left"), s.writeFailure().toString());
        assertEquals(1, s.stats().writeFailures());
        append(s, endpoint(1, "198.51.100.1:2", 255), gossip(1, 0));
        s.flush();
        assertEquals(2, s.view(T0).size());
        assertEquals(0, s.stats().fileBytes());
    }

    @Test
    void anEmptyFileBecomesAnEmptyStore() throws IOException {
        Files.write(file(), new byte[0]);
        try (FactStore s = FactStore.open(file(), OPTS, new ManualClock(T0))) {
            assertEquals(List.of(), s.events());
        }
    }
}
