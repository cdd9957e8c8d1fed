package io.wirelink.facts.store;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Clock;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactKey;
import io.wirelink.facts.PublicKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event-sourced fact store: an append-only log of {@link FactEvent}s, bounded, optionally persisted, with the
 * current {@link FactView} maintained incrementally.
 *
 * <p><b>Threading.</b> One thread owns a store: the agent's event loop. Every method must be called from it; there is
 * no locking, and the store starts no thread of its own (MVStore's background writer is disabled).
 *
 * <p><b>Semantics.</b> For each (fact key, author) the store keeps only the assertion with the latest expiry, so an
 * append that does not extend the author's current assertion is a no-op ({@link AppendResult.Unchanged}). At every
 * moment {@code view(now)} equals {@code FactView.fold(events(), now)}, and also the fold of every event ever
 * appended minus those reported as {@code evicted}. Time passed in ({@code receivedAt}, {@code now}) must not go
 * backwards: events already dropped by {@link #expire} are gone.
 *
 * <p><b>Bounds.</b> At most {@link Options#maxEvents} events in all and {@link Options#maxEventsPerAuthor} per author;
 * expiry at most {@link Options#maxTtl} after receipt (longer expiries are clamped, see {@link #append}). Replacing an
 * author's assertion never needs room. A new assertion from an author at its cap is refused; when the whole store is
 * full a remote one is refused, and a LOCAL or CONFIG one evicts the remote event that expires first. LOCAL and CONFIG
 * events are never evicted.
 *
 * <p><b>Durability</b> (file-backed stores). Changes are committed by {@link #flush} (MVStore commit, then fsync; call
 * it after a batch that must survive a crash) and automatically by the first store call at least
 * {@link Options#commitDelay} after the first uncommitted change, measured on the injected clock's monotonic time.
 * A crash therefore loses at most the changes since the last commit: those of the last {@code commitDelay}, or, if
 * the owner made no store call since, those since its last call (the agent calls {@link #expire} every tick). The
 * file always reopens at the last commit; lost events are facts that peers re-send. If the file cannot be written
 * (disk full, read-only, I/O error), the store carries on in memory (the mesh matters more than its cache), reports it
 * once, and rewrites the file from memory when it can again, retrying from {@link #flushIfDue}: see
 * {@link DurableLog}. Only an explicit {@link #flush} throws, and only at the failure.
 */
public final class FactStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FactStore.class);

    /**
     * Limits and commit policy, validated on construction.
     *
     * @param maxEvents the most events the store holds
     * @param maxEventsPerAuthor the most events one author may hold (at most {@code maxEvents})
     * @param maxTtl the longest lifetime accepted: expiry is clamped to {@code receivedAt + maxTtl}
     * @param commitDelay how long a change may stay uncommitted (file stores); zero commits every change
     */
    public record Options(int maxEvents, int maxEventsPerAuthor, Duration maxTtl, Duration commitDelay) {
        /** 100 000 events, 10 000 per author, 24 h lifetime, commit within 1 s. */
        public static final Options DEFAULTS =
                new Options(100_000, 10_000, Duration.ofHours(24), Duration.ofSeconds(1));

        public Options {
            if (maxEvents < 1) {
                throw new IllegalArgumentException("maxEvents must be at least 1, got " + maxEvents);
            }
            if (maxEventsPerAuthor < 1 || maxEventsPerAuthor > maxEvents) {
                throw new IllegalArgumentException("maxEventsPerAuthor must be in [1, maxEvents=" + maxEvents
                        + "], got " + maxEventsPerAuthor);
            }
            if (maxTtl == null || maxTtl.toMillis() < 1 || maxTtl.compareTo(Duration.ofDays(366)) > 0) {
                throw new IllegalArgumentException("maxTtl must be between 1 ms and 366 days, got " + maxTtl);
            }
            if (commitDelay == null || commitDelay.isNegative()) {
                throw new IllegalArgumentException("commitDelay must not be negative, got " + commitDelay);
            }
        }

        /** A copy with {@code maxEvents = n}, lowering {@code maxEventsPerAuthor} to {@code n} if it was higher. */
        public Options withMaxEvents(int n) {
            return new Options(n, Math.min(maxEventsPerAuthor, n), maxTtl, commitDelay);
        }

        public Options withMaxEventsPerAuthor(int n) {
            return new Options(maxEvents, n, maxTtl, commitDelay);
        }

        public Options withMaxTtl(Duration d) {
            return new Options(maxEvents, maxEventsPerAuthor, d, commitDelay);
        }

        public Options withCommitDelay(Duration d) {
            return new Options(maxEvents, maxEventsPerAuthor, maxTtl, d);
        }
    }

    /**
     * Counters since the store was opened, for metrics and {@code --dump-facts}.
     *
     * @param events events held now
     * @param authors authors holding at least one event
     * @param appended appends that added an event
     * @param unchanged appends that changed nothing (superseded duplicates)
     * @param refusedExpired appends refused because the fact had expired on arrival
     * @param refusedAuthorFull appends refused because the author was at its cap
     * @param refusedStoreFull appends refused because the store was full
     * @param evicted remote events evicted for LOCAL or CONFIG ones
     * @param clamped appends whose expiry was clamped to {@code maxTtl}
     * @param expired events dropped because they expired
     * @param replayed events read back from the file on open
     * @param corruptSkipped undecodable records skipped (and deleted) on open
     * @param commits commits to the file
     * @param fileBytes the file's size now (0 in memory)
     * @param persistent whether changes go to the file now (false in memory and after a write failure)
     * @param writeFailures write failures that made the store memory-only
     * @param recoveries rewrites that made it persistent again
     */
    public record Stats(int events, int authors, long appended, long unchanged, long refusedExpired,
            long refusedAuthorFull, long refusedStoreFull, long evicted, long clamped, long expired, long replayed,
            long corruptSkipped, long commits, long fileBytes, boolean persistent, long writeFailures,
            long recoveries) {}

    private final Ledger ledger;
    private boolean closed;

    private FactStore(Options options, Clock clock, EventLog eventLog, Path file, LogFiles files, long nextSeq) {
        this.ledger = new Ledger(options, clock, eventLog, file, files, nextSeq);
    }

    /** A store that keeps everything in memory: for tests and the simulator. */
    public static FactStore inMemory(Options options) {
        if (options == null) {
            throw new IllegalArgumentException("options are missing");
        }
        return new FactStore(options, null, EventLog.NONE, null, LogFiles.MV, 1);
    }

    /** A store over any log, with no file to rewrite after a failure: for tests that need a failing log. */
    static FactStore withLog(Options options, Clock clock, EventLog eventLog) {
        return new FactStore(options, clock, eventLog, null, LogFiles.MV, 1);
    }

    /**
     * Opens (or creates) the store in {@code file} and replays it at {@code clock.now()}: expired events are dropped,
     * undecodable records skipped, counted and deleted, and the rest admitted under the current limits (events that
     * no longer fit are dropped). {@code clock} also times auto-commits and retries. A rewrite left unfinished by a
     * crash ({@code <file>.new}) is deleted unread.
     *
     * @throws FactStoreException if the file is not a fact store, is damaged beyond skipping records, or is locked
     */
    public static FactStore open(Path file, Options options, Clock clock) {
        if (file == null || options == null || clock == null) {
            throw new IllegalArgumentException("file, options and clock are required");
        }
        return open(file, options, clock, LogFiles.MV);
    }

    /** {@link #open(Path, Options, Clock)} on {@code files}: for tests that fail or crash a recovery step. */
    static FactStore open(Path file, Options options, Clock clock, LogFiles files) {
        Path unfinished = DurableLog.rewriteOf(file);
        try {
            if (Files.exists(unfinished)) {
                log.info("fact store {}: deleting {}, a rewrite a crash left unfinished", file, unfinished);
            }
            files.delete(unfinished);
        } catch (IOException e) {
            throw new FactStoreException(unfinished, "cannot delete this unfinished rewrite (" + e.getMessage() + ")",
                    e);
        }
        MvEventLog.Opened opened = files.open(file);
        FactStore store = new FactStore(options, clock, opened.log(), file, files, opened.nextSeq());
        try {
            store.ledger.replay(opened.events(), clock.now());
            store.ledger.corruptSkipped = opened.corrupt();
            if (opened.corrupt() > 0) {
                log.warn("fact store {}: skipped {} undecodable records", file, opened.corrupt());
            }
        } catch (RuntimeException e) {
            opened.log().closeImmediately();
            throw e;
        }
        try {
            store.flush();
        } catch (FactStoreException e) {
            // reported; the replayed store serves from memory and rewrites the file when it can
        }
        return store;
    }

    /**
     * Adds {@code fact} as asserted by {@code provenance.author()}, received at {@code provenance.receivedAt()}.
     *
     * <ul>
     *   <li>An expiry later than {@code receivedAt + maxTtl} is clamped to it (and reported); expiries are kept to
     *       the millisecond. Clamping rather than refusing keeps a peer with a long TTL visible while bounding how
     *       long its fact can live here.
     *   <li>A fact that has expired by {@code receivedAt} is refused ({@link AppendResult.Reason#EXPIRED}).
     *   <li>If the author already asserts the key until at least as late, nothing changes
     *       ({@link AppendResult.Unchanged}); if later, the new event replaces the old one.
     *   <li>A new (key, author) pair needs room; see the class comment for the bounds.
     * </ul>
     *
     * @throws IllegalArgumentException for a signed group (a container, never a fact in the log)
     */
    public AppendResult append(Fact fact, Provenance provenance) {
        checkOpen();
        if (fact == null || provenance == null) {
            throw new IllegalArgumentException("fact and provenance are required");
        }
        AppendResult r = ledger.admit(fact, provenance, -1);
        flushIfDue();
        return r;
    }

    /**
     * Withdraws {@code author}'s assertion of {@code fact}'s key, from memory and from the file: the node's own
     * local/config facts that it no longer derives (a peer left the device, the config changed) must stop counting
     * at once rather than at expiry, or they keep what they described alive (wirelink's pruneRemovedLocalFacts).
     * Other authors' assertions of the same key stay.
     *
     * @return true when there was such an assertion
     */
    public boolean retract(Fact fact, PublicKey author) {
        checkOpen();
        FactEvent e = ledger.index.current(fact.key(), author);
        if (e == null) {
            return false;
        }
        ledger.drop(e);
        ledger.retracted++;
        flushIfDue();
        return true;
    }

    /**
     * Drops every event with {@code expires <= now} from memory and from the file, then commits if a commit is due.
     * The agent calls this once per tick.
     *
     * @return how many events were dropped
     */
    public int expire(Instant now) {
        checkOpen();
        int n = ledger.expire(now);
        flushIfDue();
        return n;
    }

    /**
     * The current view at {@code now}; equal to {@code FactView.fold(events(), now)}. Cheap: the same object until
     * something changes, and then O(keys) without rebuilding the entries of keys that did not change.
     */
    public FactView view(Instant now) {
        checkOpen();
        return ledger.index.view(now);
    }

    /**
     * The assertion {@code author} holds of {@code key}, or null; expired ones included until {@link #expire}. O(1).
     */
    public FactEvent assertion(FactKey key, PublicKey author) {
        checkOpen();
        return ledger.index.current(key, author);
    }

    /**
     * Every event held that arrived over the local channel {@code channel} (LOCAL or CONFIG), in sequence order,
     * expired ones included until {@link #expire}: what the node itself asserts, without folding a view.
     */
    public List<FactEvent> localEvents(Channel channel) {
        checkOpen();
        if (channel == null || !channel.isLocal()) {
            throw new IllegalArgumentException("not a local channel: " + channel);
        }
        return ledger.index.local(channel);
    }

    /**
     * A counter that changes whenever an event of {@code attribute} is added or removed (appended, replaced,
     * retracted, evicted or expired): while it stays the same, so do the events of that attribute the store holds.
     * For caches of what is derived from them; the view at a later instant can still differ, as held events expire.
     */
    public long version(Attribute attribute) {
        return ledger.index.version(attribute);
    }

    /** Every event held, in sequence order (for {@code --dump-facts}). */
    public List<FactEvent> events() {
        checkOpen();
        return ledger.index.bySeq();
    }

    /**
     * Lets the bounds grow with the mesh: an author may hold up to {@code perAuthorPerSubject} events per distinct
     * subject held (counting the one a new fact is about), and the store {@code perSubject} per subject, each at least
     * the {@link Options} bound and at most the ceiling. A router asserts about six facts about every member, so a
     * fixed 10,000 per author refused a hub's facts beyond about 1,700 members: a sampled 3,000-node simulation never
     * converged. The ceilings still bound what a flood of made-up subjects can take. Off (0) unless set.
     */
    public void scaleWithSubjects(int perAuthorPerSubject, int perSubject, int maxEventsPerAuthorCeiling,
            int maxEventsCeiling) {
        ledger.limits.scale(perAuthorPerSubject, perSubject, maxEventsPerAuthorCeiling, maxEventsCeiling);
    }

    /** How many events the store holds (expired ones included until {@link #expire}). */
    public int size() {
        return ledger.index.size();
    }

    /** The key object the store holds for {@code key}'s fact, or {@code key} itself when it holds none. */
    public FactKey canonical(FactKey key) {
        return ledger.index.canonical(key);
    }

    /** How many events {@code author} holds. */
    public int size(PublicKey author) {
        return ledger.limits.held(author);
    }

    /** The earliest expiry of any held event: when {@link #expire} next has work. */
    public Optional<Instant> nextExpiry() {
        FactEvent first = ledger.index.firstToExpire();
        return first == null ? Optional.empty() : Optional.of(first.expires());
    }

    public Options options() {
        return ledger.options;
    }

    public Stats stats() {
        return ledger.stats(closed);
    }

    /**
     * Commits every change so far and fsyncs the file; a no-op in memory, when nothing changed, and while the store
     * is memory-only after a write failure (the retries run from {@link #flushIfDue}).
     *
     * @throws FactStoreException at the write failure that makes the store memory-only; it is logged already, and
     *     the store carries on in memory ({@link #persistent()} turns false)
     */
    public void flush() {
        checkOpen();
        ledger.durable.flush();
    }

    /** Whether changes go to a file now (false in memory, and after a write failure until a retry succeeds). */
    public boolean persistent() {
        return ledger.durable.persistent();
    }

    /** Why the store is memory-only after a write failure (the error, naming the file); empty while persistent. */
    public Optional<String> writeFailure() {
        return ledger.durable.failure();
    }

    /**
     * Commits if a change has waited at least {@code commitDelay}, and after a write failure retries the file when
     * the back-off allows; for the owner's timer. Never throws: a failure is logged and the store carries on.
     */
    public void flushIfDue() {
        checkOpen();
        ledger.durable.flushIfDue();
    }

    /** Commits and closes the file (after a write failure, after one more attempt to write it). Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ledger.durable.close();
        }
    }

    /**
     * Closes without committing, as a crash would: changes since the last commit are lost. For tests of crash
     * safety.
     */
    public void closeImmediately() {
        if (!closed) {
            closed = true;
            ledger.durable.closeImmediately();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("fact store is closed");
        }
    }
}
