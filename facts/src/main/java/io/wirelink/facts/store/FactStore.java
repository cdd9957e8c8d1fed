package io.wirelink.facts.store;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Clock;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactKey;
import io.wirelink.facts.PublicKey;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
 * (disk full, I/O error), the commit that finds out throws {@link FactStoreException} once and the store carries on
 * in memory only: the mesh matters more than its cache.
 */
public final class FactStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FactStore.class);
    private static final Comparator<FactEvent> BY_EXPIRY =
            Comparator.comparing(FactEvent::expires).thenComparingLong(FactEvent::seq);

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
     */
    public record Stats(int events, int authors, long appended, long unchanged, long refusedExpired,
            long refusedAuthorFull, long refusedStoreFull, long evicted, long clamped, long expired, long replayed,
            long corruptSkipped, long commits, long fileBytes) {}

    private final Options options;
    private final Clock clock;
    private EventLog eventLog;

    /**
     * One fact key's state: each author's current assertion, in author order, and the view entry they make (null
     * when an assertion changed since it was last built). Unchanged keys keep their entry object from view to view.
     */
    private static final class Slot {
        private static final FactEvent[] NONE = new FactEvent[0];
        final SortKey key;
        /**
         * Each author's current assertion, sorted by author, exactly as long as needed: nearly always one (a
         * TreeMap per key cost 88 bytes more, and a node holds one slot per fact of the mesh).
         */
        private FactEvent[] authors = NONE;
        FactView.Entry entry;

        Slot(SortKey key) {
            this.key = key;
        }

        private int find(PublicKey author) {
            int lo = 0;
            int hi = authors.length - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = authors[mid].provenance().author().compareTo(author);
                if (c == 0) {
                    return mid;
                }
                if (c < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return -(lo + 1);
        }

        FactEvent get(PublicKey author) {
            int i = find(author);
            return i >= 0 ? authors[i] : null;
        }

        void put(FactEvent e) {
            int i = find(e.provenance().author());
            if (i >= 0) {
                authors[i] = e;
                return;
            }
            int at = -i - 1;
            FactEvent[] a = new FactEvent[authors.length + 1];
            System.arraycopy(authors, 0, a, 0, at);
            a[at] = e;
            System.arraycopy(authors, at, a, at + 1, authors.length - at);
            authors = a;
        }

        void remove(PublicKey author) {
            int i = find(author);
            if (i < 0) {
                return;
            }
            FactEvent[] a = authors.length == 1 ? NONE : new FactEvent[authors.length - 1];
            System.arraycopy(authors, 0, a, 0, i);
            System.arraycopy(authors, i + 1, a, i, authors.length - i - 1);
            authors = a;
        }

        boolean isEmpty() {
            return authors.length == 0;
        }

        /** The assertions in author order. */
        List<FactEvent> values() {
            return Arrays.asList(authors);
        }

        FactView.Entry entry() {
            if (entry == null) {
                entry = FactView.entry(key.key, values());
            }
            return entry;
        }
    }

    // the incremental state: per key (in view order and by key), each author's current assertion
    private final TreeMap<SortKey, Slot> byKey = new TreeMap<>();
    private final HashMap<FactKey, Slot> slots = new HashMap<>();
    private final EnumMap<Channel, TreeMap<Long, FactEvent>> localBySeq = new EnumMap<>(Channel.class);
    private final long[] versions = new long[Attribute.values().length];
    private final TreeSet<FactEvent> byExpiry = new TreeSet<>(BY_EXPIRY);
    private final TreeSet<FactEvent> remoteByExpiry = new TreeSet<>(BY_EXPIRY);
    private final Map<PublicKey, Integer> perAuthor = new HashMap<>();
    /** Events per subject (for {@link #scaleWithSubjects}). */
    private final Map<PublicKey, Integer> perSubject = new HashMap<>();

    private long nextSeq;
    private long dirtySinceNanos = -1;
    private boolean closed;

    private FactView cachedView;
    private Instant cachedAt;

    private long appended;
    private long unchanged;
    private long retracted;
    private long refusedExpired;
    private long refusedAuthorFull;
    private long refusedStoreFull;
    private long evicted;
    private long clamped;
    private long expired;
    private long replayed;
    private long corruptSkipped;
    private long commits;

    private FactStore(Options options, Clock clock, EventLog eventLog, long nextSeq) {
        this.options = options;
        this.clock = clock;
        this.eventLog = eventLog;
        this.nextSeq = nextSeq;
    }

    /** A store that keeps everything in memory: for tests and the simulator. */
    public static FactStore inMemory(Options options) {
        if (options == null) {
            throw new IllegalArgumentException("options are missing");
        }
        return new FactStore(options, null, EventLog.NONE, 1);
    }

    /** A store over any log: for tests that need a failing file. */
    static FactStore withLog(Options options, Clock clock, EventLog eventLog) {
        return new FactStore(options, clock, eventLog, 1);
    }

    /**
     * Opens (or creates) the store in {@code file} and replays it at {@code clock.now()}: expired events are dropped,
     * undecodable records skipped, counted and deleted, and the rest admitted under the current limits (events that
     * no longer fit are dropped). {@code clock} also times auto-commits.
     *
     * @throws FactStoreException if the file is not a fact store, is damaged beyond skipping records, or is locked
     */
    public static FactStore open(Path file, Options options, Clock clock) {
        if (file == null || options == null || clock == null) {
            throw new IllegalArgumentException("file, options and clock are required");
        }
        MvEventLog.Opened opened = MvEventLog.open(file);
        FactStore store = new FactStore(options, clock, opened.log(), opened.nextSeq());
        try {
            store.replay(opened.events(), clock.now());
            store.corruptSkipped = opened.corrupt();
            if (opened.corrupt() > 0) {
                log.warn("fact store {}: skipped {} undecodable records", file, opened.corrupt());
            }
            store.flush();
        } catch (RuntimeException e) {
            opened.log().closeImmediately();
            throw e;
        }
        return store;
    }

    private void replay(List<FactEvent> events, Instant now) {
        for (FactEvent e : events) {
            if (e.expiredAt(now)) {
                eventLog.remove(e.seq());
                expired++;
                markDirty();
                continue;
            }
            AppendResult r = admit(e.fact(), e.provenance(), e.seq());
            if (r.appended()) {
                replayed++;
            } else {
                eventLog.remove(e.seq());
                markDirty();
            }
        }
        appended = 0;
        refusedExpired = 0;
        refusedAuthorFull = 0;
        refusedStoreFull = 0;
        unchanged = 0;
        clamped = 0;
        evicted = 0;
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
     * @throws FactStoreException if a commit fell due and the file cannot be written; the append itself took effect
     */
    public AppendResult append(Fact fact, Provenance provenance) {
        checkOpen();
        if (fact == null || provenance == null) {
            throw new IllegalArgumentException("fact and provenance are required");
        }
        AppendResult r = admit(fact, provenance, -1);
        flushIfDue();
        return r;
    }

    /** The admission rule shared by append ({@code seq < 0}: a new event) and replay (the persisted seq). */
    private AppendResult admit(Fact fact, Provenance provenance, long seq) {
        if (!EventCodec.storable(fact.attribute())) {
            throw new IllegalArgumentException(fact.attribute().specName() + " is a container, not a storable fact");
        }
        Instant now = provenance.receivedAt();
        Instant limit = now.plus(options.maxTtl());
        boolean clamp = fact.expires().isAfter(limit);
        // clamp first, so that "never" (Instant.MAX) is clamped rather than overflowing the millisecond encoding
        Instant expires = clamp ? limit : fact.expires().truncatedTo(ChronoUnit.MILLIS);
        if (!expires.isAfter(now)) {
            refusedExpired++;
            return new AppendResult.Refused(AppendResult.Reason.EXPIRED);
        }
        Fact f = expires.equals(fact.expires()) ? fact : fact.withExpiry(expires);
        SortKey key = SortKey.of(f);
        PublicKey author = provenance.author();
        FactEvent candidate = new FactEvent(seq < 0 ? nextSeq : seq, f, provenance);
        FactEvent current = current(key, author);
        if (current != null && !candidate.beats(current)) {
            unchanged++;
            return new AppendResult.Unchanged(current);
        }
        FactEvent victim = null;
        if (current == null) {
            PublicKey subject = f.subject();
            if (full(author, subject)) {
                expire(now); // make room from what has expired before refusing anything
            }
            if (perAuthor.getOrDefault(author, 0) >= maxPerAuthor(subject)) {
                refusedAuthorFull++;
                return new AppendResult.Refused(AppendResult.Reason.AUTHOR_FULL);
            }
            if (byExpiry.size() >= maxEvents(subject)) {
                if (!provenance.channel().isLocal() || remoteByExpiry.isEmpty()) {
                    refusedStoreFull++;
                    return new AppendResult.Refused(AppendResult.Reason.STORE_FULL);
                }
                victim = remoteByExpiry.first();
            }
        }
        if (seq < 0) {
            nextSeq++;
        }
        if (victim != null) {
            drop(victim);
            evicted++;
        }
        if (current != null) {
            drop(current);
        }
        insert(candidate);
        if (seq < 0 || clamp) {
            eventLog.put(candidate);
            markDirty();
        }
        appended++;
        if (clamp) {
            clamped++;
        }
        return new AppendResult.Appended(candidate, Optional.ofNullable(current), Optional.ofNullable(victim), clamp);
    }

    private boolean full(PublicKey author, PublicKey subject) {
        return perAuthor.getOrDefault(author, 0) >= maxPerAuthor(subject) || byExpiry.size() >= maxEvents(subject);
    }

    private FactEvent current(SortKey key, PublicKey author) {
        return current(key.key, author);
    }

    private FactEvent current(FactKey key, PublicKey author) {
        Slot slot = slots.get(key);
        return slot == null ? null : slot.get(author);
    }

    private void insert(FactEvent e) {
        FactKey k = e.key();
        Slot slot = slots.get(k);
        if (slot == null) {
            slot = new Slot(SortKey.of(e.fact()));
            slots.put(k, slot);
            byKey.put(slot.key, slot);
        }
        slot.put(e);
        slot.entry = null;
        byExpiry.add(e);
        Channel channel = e.provenance().channel();
        if (channel.isLocal()) {
            localBySeq.computeIfAbsent(channel, c -> new TreeMap<>()).put(e.seq(), e);
        } else {
            remoteByExpiry.add(e);
        }
        perAuthor.merge(e.provenance().author(), 1, Integer::sum);
        perSubject.merge(e.fact().subject(), 1, Integer::sum);
        versions[e.fact().attribute().ordinal()]++;
        cachedView = null;
    }

    /** Removes {@code e} from memory and from the log. */
    private void drop(FactEvent e) {
        FactKey k = e.key();
        Slot slot = slots.get(k);
        slot.remove(e.provenance().author());
        slot.entry = null;
        if (slot.isEmpty()) {
            slots.remove(k);
            byKey.remove(slot.key);
        }
        byExpiry.remove(e);
        Channel channel = e.provenance().channel();
        if (channel.isLocal()) {
            TreeMap<Long, FactEvent> local = localBySeq.get(channel);
            local.remove(e.seq());
        } else {
            remoteByExpiry.remove(e);
        }
        versions[e.fact().attribute().ordinal()]++;
        perAuthor.computeIfPresent(e.provenance().author(), (a, n) -> n == 1 ? null : n - 1);
        perSubject.computeIfPresent(e.fact().subject(), (a, n) -> n == 1 ? null : n - 1);
        eventLog.remove(e.seq());
        markDirty();
        cachedView = null;
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
        FactEvent e = current(fact.key(), author);
        if (e == null) {
            return false;
        }
        drop(e);
        retracted++;
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
        int n = 0;
        while (!byExpiry.isEmpty() && byExpiry.first().expiredAt(now)) {
            drop(byExpiry.first());
            n++;
        }
        expired += n;
        flushIfDue();
        return n;
    }

    /**
     * The current view at {@code now}; equal to {@code FactView.fold(events(), now)}. Cheap: the same object until
     * something changes, and then O(keys) without rebuilding the entries of keys that did not change.
     */
    public FactView view(Instant now) {
        checkOpen();
        if (cachedView != null && !now.isBefore(cachedAt)
                && cachedView.nextExpiry().map(now::isBefore).orElse(true)) {
            return cachedView;
        }
        // the assertions held but expired by now (expire has not dropped them yet) and the first that is not
        Set<SortKey> stale = null;
        Instant nextExpiry = null;
        for (FactEvent e : byExpiry) {
            if (!e.expiredAt(now)) {
                nextExpiry = e.expires();
                break;
            }
            if (stale == null) {
                stale = new HashSet<>();
            }
            stale.add(slots.get(e.key()).key);
        }
        FactView.Entry[] entries = new FactView.Entry[byKey.size()];
        int n = 0;
        if (stale == null) {
            for (Slot slot : byKey.values()) {
                entries[n++] = slot.entry();
            }
        } else {
            List<FactEvent> live = new ArrayList<>();
            for (Slot slot : byKey.values()) {
                if (!stale.contains(slot.key)) {
                    entries[n++] = slot.entry();
                    continue;
                }
                live.clear();
                for (FactEvent e : slot.values()) {
                    if (!e.expiredAt(now)) {
                        live.add(e);
                    }
                }
                if (!live.isEmpty()) {
                    entries[n++] = FactView.entry(slot.key.key, live);
                }
            }
        }
        cachedView = FactView.of(n == entries.length ? entries : Arrays.copyOf(entries, n), nextExpiry);
        cachedAt = now;
        return cachedView;
    }

    /**
     * The assertion {@code author} holds of {@code key}, or null; expired ones included until {@link #expire}. O(1).
     */
    public FactEvent assertion(FactKey key, PublicKey author) {
        checkOpen();
        return current(key, author);
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
        TreeMap<Long, FactEvent> local = localBySeq.get(channel);
        return local == null ? List.of() : List.copyOf(local.values());
    }

    /**
     * A counter that changes whenever an event of {@code attribute} is added or removed (appended, replaced,
     * retracted, evicted or expired): while it stays the same, so do the events of that attribute the store holds.
     * For caches of what is derived from them; the view at a later instant can still differ, as held events expire.
     */
    public long version(Attribute attribute) {
        return versions[attribute.ordinal()];
    }

    /** Every event held, in sequence order (for {@code --dump-facts}). */
    public List<FactEvent> events() {
        checkOpen();
        List<FactEvent> out = new ArrayList<>(byExpiry); // every event held (no index by sequence: it cost 56 B each)
        out.sort(Comparator.comparingLong(FactEvent::seq));
        return List.copyOf(out);
    }

    /** How many events the store holds (expired ones included until {@link #expire}). */
    /**
     * Lets the bounds grow with the mesh: an author may hold up to {@code perAuthorPerSubject} events per distinct
     * subject held (counting the one a new fact is about), and the store {@code perSubject} per subject, each at least
     * the {@link Options} bound and at most the ceiling. A router asserts about six facts about every member, so a
     * fixed 10,000 per author refused a hub's facts beyond about 1,700 members: a sampled 3,000-node simulation never
     * converged. The ceilings still bound what a flood of made-up subjects can take. Off (0) unless set.
     */
    public void scaleWithSubjects(int perAuthorPerSubject, int perSubject, int maxEventsPerAuthorCeiling,
            int maxEventsCeiling) {
        if (perAuthorPerSubject < 0 || perSubject < 0 || maxEventsPerAuthorCeiling < 1 || maxEventsCeiling < 1) {
            throw new IllegalArgumentException("scaling must be non-negative and ceilings positive");
        }
        this.perAuthorPerSubject = perAuthorPerSubject;
        this.perSubjectEvents = perSubject;
        this.perAuthorCeiling = maxEventsPerAuthorCeiling;
        this.eventsCeiling = maxEventsCeiling;
    }

    private int perAuthorPerSubject;
    private int perSubjectEvents;
    private int perAuthorCeiling = Integer.MAX_VALUE;
    private int eventsCeiling = Integer.MAX_VALUE;

    /** The bound per author now, for a new fact about {@code subject}. */
    private int maxPerAuthor(PublicKey subject) {
        long scaled = (long) perAuthorPerSubject * subjectsWith(subject);
        return (int) Math.max(options.maxEventsPerAuthor(), Math.min(perAuthorCeiling, scaled));
    }

    private int maxEvents(PublicKey subject) {
        long scaled = (long) perSubjectEvents * subjectsWith(subject);
        return (int) Math.max(options.maxEvents(), Math.min(eventsCeiling, scaled));
    }

    private int subjectsWith(PublicKey subject) {
        return perSubject.size() + (subject == null || perSubject.containsKey(subject) ? 0 : 1);
    }

    public int size() {
        return byExpiry.size();
    }

    /** The key object the store holds for {@code key}'s fact, or {@code key} itself when it holds none. */
    public FactKey canonical(FactKey key) {
        Slot s = slots.get(key);
        return s == null ? key : s.key.key;
    }

    /** How many events {@code author} holds. */
    public int size(PublicKey author) {
        return perAuthor.getOrDefault(author, 0);
    }

    /** The earliest expiry of any held event: when {@link #expire} next has work. */
    public Optional<Instant> nextExpiry() {
        return byExpiry.isEmpty() ? Optional.empty() : Optional.of(byExpiry.first().expires());
    }

    public Options options() {
        return options;
    }

    public Stats stats() {
        return new Stats(byExpiry.size(), perAuthor.size(), appended, unchanged, refusedExpired, refusedAuthorFull,
                refusedStoreFull, evicted, clamped, expired, replayed, corruptSkipped, commits,
                closed ? 0 : eventLog.fileSize());
    }

    /**
     * Commits every change so far and fsyncs the file; a no-op in memory or when nothing changed.
     *
     * @throws FactStoreException if the file cannot be written; the store then lets go of the file and carries on in
     *     memory (this is reported once; {@link #persistent()} turns false)
     */
    public void flush() {
        checkOpen();
        if (dirtySinceNanos >= 0 && eventLog.persistent()) {
            try {
                eventLog.commit(nextSeq);
                commits++;
            } catch (FactStoreException e) {
                log.error("fact store: {}; continuing in memory only", e.getMessage());
                EventLog failed = eventLog;
                eventLog = EventLog.NONE;
                dirtySinceNanos = -1;
                try {
                    failed.closeImmediately();
                } catch (RuntimeException ignored) {
                    // the file is already unusable
                }
                throw e;
            }
        }
        dirtySinceNanos = -1;
    }

    /** Whether changes still go to a file (false in memory, and after a write failure). */
    public boolean persistent() {
        return eventLog.persistent();
    }

    /** Commits if a change has waited at least {@code commitDelay}; for the owner's timer. */
    public void flushIfDue() {
        checkOpen();
        if (dirtySinceNanos >= 0 && eventLog.persistent()
                && clock.nanoTime() - dirtySinceNanos >= options.commitDelay().toNanos()) {
            flush();
        }
    }

    private void markDirty() {
        if (dirtySinceNanos < 0 && eventLog.persistent()) {
            dirtySinceNanos = clock.nanoTime();
        }
    }

    /** Commits and closes the file. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            eventLog.close(nextSeq);
        }
    }

    /**
     * Closes without committing, as a crash would: changes since the last commit are lost. For tests of crash
     * safety.
     */
    public void closeImmediately() {
        if (!closed) {
            closed = true;
            eventLog.closeImmediately();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("fact store is closed");
        }
    }
}
