package io.wirelink.facts.store;

import io.wirelink.facts.Clock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durability of a {@link FactStore}: where its changes go, when they are committed, and what happens when the file
 * cannot be written.
 *
 * <p>A write failure (disk full, read-only or failing file system) costs the mesh nothing: the store keeps serving
 * from memory. The file no longer follows the store, so it is closed and deleted at once (a restart must not replay
 * it as if it were current). From then on {@link #flushIfDue} retries on the owner's timer, with the injected clock:
 * after {@link #FIRST_RETRY}, doubling up to {@link #MAX_RETRY}. A retry writes every live event to
 * {@code <file>.new}, commits and fsyncs it, renames it over {@code <file>} (fsyncing the directory) and carries on
 * with it. A crash before that rename leaves no {@code <file>} (open deletes a leftover {@code .new} unread, so the
 * agent starts empty and peers re-send); after it, {@code <file>} is the complete rewrite.
 *
 * <p>Reporting: one ERROR at the failure, a DEBUG line per failed retry, one INFO when the store is persistent again.
 * Owned by the store's thread, like the store.
 */
final class DurableLog {
    private static final Logger log = LoggerFactory.getLogger(FactStore.class);
    static final Duration FIRST_RETRY = Duration.ofSeconds(10);
    static final Duration MAX_RETRY = Duration.ofMinutes(5);
    static final String REWRITE_SUFFIX = ".new";

    private final Path file;
    private final Clock clock;
    private final long commitDelayNanos;
    private final LogFiles files;
    private final LongSupplier nextSeq;
    private final Supplier<Collection<FactEvent>> held;

    private EventLog eventLog;
    private long dirtySinceNanos = -1;
    /** A write failed and the store serves from memory until a retry succeeds. */
    private boolean failed;
    private String failure;
    private long backoffNanos;
    private long retryAtNanos;
    private long recoveredAtNanos;

    private long commits;
    private long writeFailures;
    private long recoveries;

    /**
     * @param file the log's file, or null when it has none to rewrite (in memory, or a test's log)
     * @param nextSeq the next sequence number the store hands out, committed with each commit
     * @param held every event the store holds, for a rewrite
     */
    DurableLog(EventLog eventLog, Path file, Clock clock, Duration commitDelay, LogFiles files, LongSupplier nextSeq,
            Supplier<Collection<FactEvent>> held) {
        this.eventLog = eventLog;
        this.file = file;
        this.clock = clock;
        this.commitDelayNanos = commitDelay.toNanos();
        this.files = files;
        this.nextSeq = nextSeq;
        this.held = held;
    }

    /** The sibling a rewrite is written to before it replaces {@code file}. */
    static Path rewriteOf(Path file) {
        return file.resolveSibling(file.getFileName() + REWRITE_SUFFIX);
    }

    void put(FactEvent e) {
        eventLog.put(e);
        markDirty();
    }

    void remove(long seq) {
        eventLog.remove(seq);
        markDirty();
    }

    /** Notes a change made to the file outside {@link #put} and {@link #remove}. */
    void markDirty() {
        if (dirtySinceNanos < 0 && eventLog.persistent()) {
            dirtySinceNanos = clock.nanoTime();
        }
    }

    /**
     * Commits every change so far, with an fsync.
     *
     * @throws FactStoreException at the failure that makes the store memory-only (reported and handled already)
     */
    void flush() {
        if (dirtySinceNanos >= 0 && eventLog.persistent()) {
            try {
                eventLog.commit(nextSeq.getAsLong());
                commits++;
            } catch (FactStoreException e) {
                failed(e);
                throw e;
            }
        }
        dirtySinceNanos = -1;
    }

    /** Commits if a change has waited {@code commitDelay}, or retries the file if that is due. Never throws. */
    void flushIfDue() {
        if (failed) {
            if (clock.nanoTime() - retryAtNanos >= 0) {
                rewrite();
            }
        } else if (dirtySinceNanos >= 0 && eventLog.persistent()
                && clock.nanoTime() - dirtySinceNanos >= commitDelayNanos) {
            try {
                flush();
            } catch (FactStoreException e) {
                // failed() reported it; the store carries on in memory
            }
        }
    }

    private void failed(FactStoreException e) {
        writeFailures++;
        failure = e.getMessage();
        EventLog broken = eventLog;
        eventLog = EventLog.NONE;
        dirtySinceNanos = -1;
        closeQuietly(broken);
        if (file == null) {
            log.error("{}; continuing in memory only", failure);
            return;
        }
        failed = true;
        long now = clock.nanoTime();
        boolean again = recoveries > 0 && now - recoveredAtNanos < MAX_RETRY.toNanos();
        backoffNanos = again ? Math.min(2 * backoffNanos, MAX_RETRY.toNanos()) : FIRST_RETRY.toNanos();
        retryAtNanos = now + backoffNanos;
        String deleted = deleteQuietly(file) ? "deleted it" : "could not delete it either";
        log.error("{}; serving from memory ({} so that no restart replays it); rewriting it in {} s, then backing "
                + "off to {} s", failure, deleted, backoffNanos / 1_000_000_000L, MAX_RETRY.toSeconds());
    }

    /**
     * Writes every live event to a new file and carries on with it; on failure, schedules the next attempt.
     *
     * @return true when the store is persistent again
     */
    private boolean rewrite() {
        Path tmp = rewriteOf(file);
        EventLog fresh = null;
        int written = 0;
        try {
            files.delete(file); // left by a failure that could not delete it: never replayed once a rewrite starts
            files.delete(tmp);
            fresh = files.open(tmp).log();
            Instant now = clock.now();
            for (FactEvent e : held.get()) {
                if (!e.expiredAt(now)) {
                    fresh.put(e);
                    written++;
                }
            }
            fresh.commit(nextSeq.getAsLong());
            files.replace(tmp, file);
            fresh.movedTo(file);
        } catch (IOException | RuntimeException e) {
            if (fresh != null) {
                closeQuietly(fresh);
            }
            deleteQuietly(tmp);
            backoffNanos = Math.min(2 * backoffNanos, MAX_RETRY.toNanos());
            retryAtNanos = clock.nanoTime() + backoffNanos;
            log.debug("fact store {}: still cannot write ({}); next attempt in {} s", file, e.getMessage(),
                    backoffNanos / 1_000_000_000L);
            return false;
        }
        eventLog = fresh;
        failed = false;
        failure = null;
        commits++;
        recoveries++;
        recoveredAtNanos = clock.nanoTime();
        log.info("fact store {}: writable again; wrote {} live events to it, persistent again", file, written);
        return true;
    }

    private static void closeQuietly(EventLog l) {
        try {
            l.closeImmediately();
        } catch (RuntimeException ignored) {
            // a log that failed may fail to close too; it is abandoned either way
        }
    }

    private boolean deleteQuietly(Path f) {
        try {
            files.delete(f);
            return true;
        } catch (IOException | RuntimeException e) {
            log.debug("fact store {}: cannot delete ({})", f, e.getMessage());
            return false;
        }
    }

    /** Commits and closes; a store that lost its file tries once more to write it first. */
    void close() {
        if (failed) {
            rewrite();
        }
        eventLog.close(nextSeq.getAsLong());
    }

    void closeImmediately() {
        eventLog.closeImmediately();
    }

    boolean persistent() {
        return eventLog.persistent();
    }

    /** The failure that made the store memory-only, while it is. */
    Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    long fileSize() {
        return eventLog.fileSize();
    }

    long commits() {
        return commits;
    }

    long writeFailures() {
        return writeFailures;
    }

    long recoveries() {
        return recoveries;
    }
}
