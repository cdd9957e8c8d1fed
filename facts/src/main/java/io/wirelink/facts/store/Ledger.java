package io.wirelink.facts.store;

import io.wirelink.facts.Clock;
import io.wirelink.facts.Fact;
import io.wirelink.facts.PublicKey;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * The rules that change what a {@link FactStore} holds (admission with its bounds and eviction, replacement, removal,
 * replay), applied to the in-memory {@link EventIndex}, the {@link Limits} and the {@link DurableLog} together, with
 * the counters {@link FactStore.Stats} reports.
 */
final class Ledger {
    final FactStore.Options options;
    final EventIndex index = new EventIndex();
    final Limits limits;
    final DurableLog durable;
    private long nextSeq;

    long appended;
    long unchanged;
    long retracted;
    long refusedExpired;
    long refusedAuthorFull;
    long refusedStoreFull;
    long evicted;
    long clamped;
    long expired;
    long replayed;
    long corruptSkipped;

    Ledger(FactStore.Options options, Clock clock, EventLog eventLog, Path file, LogFiles files, long nextSeq) {
        this.options = options;
        this.limits = new Limits(options);
        this.nextSeq = nextSeq;
        this.durable = new DurableLog(eventLog, file, clock, options.commitDelay(), files, () -> this.nextSeq,
                index::all);
    }

    void replay(List<FactEvent> events, Instant now) {
        for (FactEvent e : events) {
            if (e.expiredAt(now)) {
                durable.remove(e.seq());
                expired++;
                continue;
            }
            AppendResult r = admit(e.fact(), e.provenance(), e.seq());
            if (r.appended()) {
                replayed++;
            } else {
                durable.remove(e.seq());
            }
        }
        // the counters count what happened since the store was opened, not the replay
        appended = 0;
        refusedExpired = 0;
        refusedAuthorFull = 0;
        refusedStoreFull = 0;
        unchanged = 0;
        clamped = 0;
        evicted = 0;
    }

    /** The admission rule shared by append ({@code seq < 0}: a new event) and replay (the persisted seq). */
    AppendResult admit(Fact fact, Provenance provenance, long seq) {
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
        FactEvent candidate = new FactEvent(seq < 0 ? nextSeq : seq, f, provenance);
        FactEvent current = index.current(f.key(), provenance.author());
        if (current != null && !candidate.beats(current)) {
            unchanged++;
            return new AppendResult.Unchanged(current);
        }
        FactEvent victim = null;
        if (current == null) {
            AppendResult.Refused refused = makeRoom(f.subject(), provenance, now);
            if (refused != null) {
                return refused;
            }
            victim = index.size() >= limits.maxEvents(f.subject()) ? index.firstRemoteToExpire() : null;
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
            durable.put(candidate);
        }
        appended++;
        if (clamp) {
            clamped++;
        }
        return new AppendResult.Appended(candidate, Optional.ofNullable(current), Optional.ofNullable(victim), clamp);
    }

    /**
     * Room for a new (key, author) pair: expired events go first; then an author at its cap is refused, and in a
     * full store a remote fact is refused (a local one may evict, if there is a remote one to evict).
     *
     * @return the refusal, or null when there is room or a victim to evict
     */
    private AppendResult.Refused makeRoom(PublicKey subject, Provenance provenance, Instant now) {
        PublicKey author = provenance.author();
        if (limits.full(author, subject, index.size())) {
            expire(now); // make room from what has expired before refusing anything
        }
        if (limits.authorFull(author, subject)) {
            refusedAuthorFull++;
            return new AppendResult.Refused(AppendResult.Reason.AUTHOR_FULL);
        }
        if (index.size() >= limits.maxEvents(subject)
                && (!provenance.channel().isLocal() || index.firstRemoteToExpire() == null)) {
            refusedStoreFull++;
            return new AppendResult.Refused(AppendResult.Reason.STORE_FULL);
        }
        return null;
    }

    private void insert(FactEvent e) {
        index.insert(e);
        limits.added(e);
    }

    /** Removes {@code e} from memory and from the log. */
    void drop(FactEvent e) {
        index.remove(e);
        limits.removed(e);
        durable.remove(e.seq());
    }

    /** Drops every event with {@code expires <= now}; returns how many. */
    int expire(Instant now) {
        int n = 0;
        for (FactEvent e = index.firstToExpire(); e != null && e.expiredAt(now); e = index.firstToExpire()) {
            drop(e);
            n++;
        }
        expired += n;
        return n;
    }

    FactStore.Stats stats(boolean closed) {
        return new FactStore.Stats(index.size(), limits.authors(), appended, unchanged, refusedExpired,
                refusedAuthorFull, refusedStoreFull, evicted, clamped, expired, replayed, corruptSkipped,
                durable.commits(), closed ? 0 : durable.fileSize(), !closed && durable.persistent(),
                durable.writeFailures(), durable.recoveries());
    }
}
