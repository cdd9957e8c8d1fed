package io.wirelink.facts.store;

import static io.wirelink.facts.store.TestFacts.T0;
import static io.wirelink.facts.store.TestFacts.endpoint;
import static io.wirelink.facts.store.TestFacts.gossip;
import static io.wirelink.facts.store.TestFacts.key;
import static io.wirelink.facts.store.TestFacts.local;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.wirelink.facts.Fact;
import io.wirelink.facts.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * The store when its file cannot be written: it serves from memory, reports once, retries on its clock with a
 * back-off, rewrites every live event when it can, and a crash at any step of that leaves a file that replays to a
 * consistent log (never the file that stopped following the store).
 */
class FactStoreRecoveryTest {
    static final FactStore.Options OPTS = FactStore.Options.DEFAULTS.withCommitDelay(Duration.ofSeconds(1));

    @TempDir
    Path dir;

    final ManualClock clock = new ManualClock(T0);
    final Disk disk = new Disk();
    final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    final Logger logger = (Logger) LoggerFactory.getLogger(FactStore.class);

    Path file() {
        return dir.resolve("wg0.facts");
    }

    @BeforeEach
    void captureLog() {
        logged.start();
        logger.addAppender(logged);
        logger.setLevel(Level.DEBUG);
    }

    @AfterEach
    void releaseLog() {
        logger.detachAppender(logged);
        logger.setLevel(null);
        disk.crashAll();
    }

    /** Where the test crashes a rewrite. */
    enum Step { BEFORE_COMMIT, BEFORE_RENAME, AFTER_RENAME }

    /** What a crash throws: nothing in the store catches it, as nothing survives one. */
    static final class Crash extends Error {
        private static final long serialVersionUID = 1L;
    }

    /** Real MVStore files, on a disk the test can fill, make read-only, or crash at a step of a rewrite. */
    static final class Disk implements LogFiles {
        boolean full;
        boolean readOnly;
        Step crashAt;
        int opens;
        final List<EventLog> opened = new ArrayList<>();

        @Override
        public MvEventLog.Opened open(Path file) {
            opens++;
            if (full || readOnly) {
                throw new FactStoreException(file, "cannot open (" + (full ? "No space left" : "Read-only") + ")",
                        null);
            }
            MvEventLog.Opened o = MvEventLog.open(file);
            EventLog l = new Faulty(o.log(), file);
            opened.add(l);
            return new MvEventLog.Opened(l, o.events(), o.nextSeq(), o.corrupt());
        }

        @Override
        public void replace(Path from, Path to) throws IOException {
            crash(Step.BEFORE_RENAME);
            MV.replace(from, to);
            crash(Step.AFTER_RENAME);
        }

        @Override
        public void delete(Path file) throws IOException {
            if (readOnly && Files.exists(file)) {
                throw new IOException("Read-only file system");
            }
            MV.delete(file);
        }

        void crash(Step step) {
            if (step == crashAt) {
                crashAll();
                throw new Crash();
            }
        }

        /** What dies with the process: every open file, uncommitted. */
        void crashAll() {
            opened.forEach(EventLog::closeImmediately);
            opened.clear();
        }

        /** The real log, failing its commits while the disk is full or read-only. */
        final class Faulty implements EventLog {
            final EventLog real;
            final Path file;

            Faulty(EventLog real, Path file) {
                this.real = real;
                this.file = file;
            }

            @Override
            public void put(FactEvent e) {
                real.put(e);
            }

            @Override
            public void remove(long seq) {
                real.remove(seq);
            }

            @Override
            public void commit(long nextSeq) {
                if (full || readOnly) {
                    throw new FactStoreException(file, "commit failed (" + (full ? "No space left on device"
                            : "Read-only file system") + ")", null);
                }
                crash(Step.BEFORE_COMMIT);
                real.commit(nextSeq);
            }

            @Override
            public void close(long nextSeq) {
                real.close(nextSeq);
                opened.remove(this);
            }

            @Override
            public void closeImmediately() {
                real.closeImmediately();
            }

            @Override
            public void movedTo(Path to) {
                real.movedTo(to);
            }

            @Override
            public long fileSize() {
                return real.fileSize();
            }

            @Override
            public boolean persistent() {
                return true;
            }
        }
    }

    FactStore open() {
        return FactStore.open(file(), OPTS, clock, disk);
    }

    static Fact ep(int subject, int port) {
        return endpoint(subject, "198.51.100." + subject + ":" + port, 3600);
    }

    long count(Level level) {
        return logged.list.stream().filter(e -> e.getLevel() == level).count();
    }

    /** Appends until the due commit meets the full disk. */
    FactStore failedStore() {
        FactStore s = open();
        for (int i = 1; i <= 5; i++) {
            assertInstanceOf(AppendResult.Appended.class, s.append(ep(i, 1), gossip(i, 0)));
        }
        s.flush();
        assertTrue(s.persistent());
        disk.full = true;
        s.append(ep(6, 1), gossip(6, 0));
        clock.advance(Duration.ofSeconds(1));
        s.flushIfDue();
        assertFalse(s.persistent());
        return s;
    }

    @Test
    void theFirstFailureIsReportedOnceAndMemoryKeepsWorking() {
        FactStore s = failedStore();
        assertEquals(1, count(Level.ERROR));
        String error = logged.list.stream().filter(e -> e.getLevel() == Level.ERROR).findFirst().orElseThrow()
                .getFormattedMessage();
        assertTrue(error.contains(file().toString()) && error.contains("No space left on device"), error);
        assertFalse(Files.exists(file()), "the file that stopped following the store is gone");
        for (int i = 7; i <= 20; i++) {
            s.append(ep(i, 1), gossip(i, 0));
            s.retract(ep(i - 1, 1), key(i - 1));
            clock.advance(Duration.ofSeconds(2));
            s.flushIfDue();
        }
        s.flush();
        assertEquals(1, count(Level.ERROR), "one error, however long it lasts");
        assertEquals(s.events().size(), s.view(clock.now()).size(), "the view follows the appends and retractions");
        assertEquals(List.of(key(1), key(2), key(3), key(4), key(5), key(20)),
                s.events().stream().map(e -> e.fact().subject()).toList());
        FactStore.Stats st = s.stats();
        assertFalse(st.persistent());
        assertEquals(1, st.writeFailures());
        assertEquals(0, st.fileBytes());
        assertTrue(s.writeFailure().orElseThrow().contains("No space left"));
        s.close();
    }

    @Test
    void retriesBackOffFromTenSecondsToFiveMinutes() {
        FactStore s = failedStore();
        int opens = disk.opens;
        long[] gaps = {10, 20, 40, 80, 160, 300, 300};
        for (long gap : gaps) {
            clock.advance(Duration.ofSeconds(gap - 1));
            s.flushIfDue();
            assertEquals(opens, disk.opens, "no attempt before " + gap + " s");
            clock.advance(Duration.ofSeconds(1));
            s.flushIfDue();
            assertEquals(++opens, disk.opens, "an attempt after " + gap + " s");
        }
        assertEquals(1, count(Level.ERROR));
        assertEquals(gaps.length, logged.list.stream().filter(e -> e.getLevel() == Level.DEBUG
                && e.getFormattedMessage().contains("still cannot write")).count(), "one debug line per attempt");
        s.close();
    }

    @Test
    void aRetryWritesEveryLiveEventAndTheStoreIsPersistentAgain() {
        FactStore s = failedStore();
        s.append(endpoint(7, "198.51.100.7:7", 5), gossip(7, 0)); // expires before the retry
        s.append(ep(8, 1), local(9, 0));
        s.retract(ep(2, 1), key(2));
        clock.advance(Duration.ofSeconds(10));
        disk.full = false;
        s.flushIfDue();
        assertTrue(s.persistent());
        assertEquals(1, s.stats().recoveries());
        assertTrue(s.writeFailure().isEmpty());
        List<FactEvent> live = s.events().stream().filter(e -> !e.expiredAt(clock.now())).toList();
        assertEquals(6, live.size());
        ILoggingEvent info = logged.list.stream().filter(e -> e.getLevel() == Level.INFO).reduce((a, b) -> b)
                .orElseThrow();
        assertTrue(info.getFormattedMessage().contains("wrote 6 live events"), info.getFormattedMessage());
        // it carries on with the new file: a later change is committed as before
        s.append(ep(10, 1), gossip(10, 0));
        clock.advance(Duration.ofSeconds(1));
        s.flushIfDue();
        List<FactEvent> expected = s.events().stream().filter(e -> !e.expiredAt(clock.now())).toList();
        FactView view = s.view(clock.now());
        s.closeImmediately();
        disk.crashAll();
        try (FactStore r = FactStore.open(file(), OPTS, clock)) {
            assertEquals(expected, r.events());
            assertEquals(view, r.view(clock.now()));
        }
    }

    @Test
    void aFailedRetryLeavesNothingBehindAndTheNextOneSucceeds() {
        FactStore s = failedStore();
        clock.advance(Duration.ofSeconds(10));
        s.flushIfDue(); // the disk is still full
        assertFalse(s.persistent());
        assertFalse(Files.exists(DurableLog.rewriteOf(file())));
        assertFalse(Files.exists(file()));
        disk.full = false;
        clock.advance(Duration.ofSeconds(19));
        s.flushIfDue();
        assertFalse(s.persistent(), "the second attempt waits 20 s");
        clock.advance(Duration.ofSeconds(1));
        s.flushIfDue();
        assertTrue(s.persistent());
        assertEquals(1, count(Level.ERROR));
        s.close();
        try (FactStore r = FactStore.open(file(), OPTS, clock)) {
            assertEquals(6, r.size());
        }
    }

    @Test
    void closingAStoreThatLostItsFileWritesItOnceMore() {
        FactStore s = failedStore();
        disk.full = false;
        List<FactEvent> held = s.events();
        s.close();
        try (FactStore r = FactStore.open(file(), OPTS, clock)) {
            assertEquals(held, r.events());
        }
    }

    /** A crash at each step of a rewrite, then a restart: what replays is a whole, committed log, or nothing. */
    @ParameterizedTest
    @EnumSource(Step.class)
    void aCrashDuringARewriteReplaysAConsistentLog(Step step) {
        FactStore s = failedStore();
        List<FactEvent> held = s.events();
        disk.full = false;
        disk.crashAt = step;
        clock.advance(Duration.ofSeconds(10));
        assertThrows(Crash.class, s::flushIfDue);
        s.closeImmediately();
        try (FactStore r = FactStore.open(file(), OPTS, clock)) {
            assertFalse(Files.exists(DurableLog.rewriteOf(file())), "an unfinished rewrite is never replayed");
            assertEquals(step == Step.AFTER_RENAME ? held : List.of(), r.events());
            assertTrue(r.persistent());
        }
    }

    /**
     * Read-only: the stale file cannot even be deleted at the failure. It is deleted before the rewrite begins, so a
     * crash during the rewrite does not bring it back either.
     */
    @Test
    void aFileThatCouldNotBeDeletedIsNeverReplayedAfterARewriteBegan() {
        FactStore s = open();
        s.append(ep(1, 1), gossip(1, 0));
        s.flush();
        disk.readOnly = true;
        s.append(ep(2, 1), gossip(2, 0));
        assertThrows(FactStoreException.class, s::flush);
        assertTrue(Files.exists(file()), "a read-only file system keeps it");
        clock.advance(Duration.ofSeconds(10));
        s.flushIfDue();
        assertFalse(s.persistent());
        disk.readOnly = false;
        disk.crashAt = Step.BEFORE_RENAME;
        clock.advance(Duration.ofSeconds(20));
        assertThrows(Crash.class, s::flushIfDue);
        s.closeImmediately();
        try (FactStore r = FactStore.open(file(), OPTS, clock)) {
            assertEquals(List.of(), r.events(), "the stale file is gone, not replayed");
        }
        assertEquals(1, count(Level.ERROR));
    }
}
