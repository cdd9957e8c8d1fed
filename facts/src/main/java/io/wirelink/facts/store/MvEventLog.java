package io.wirelink.facts.store;

import io.wirelink.facts.MalformedInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;

/**
 * The event log in an MVStore file: map {@code facts.events} (sequence number → {@link EventCodec} record) and map
 * {@code facts.meta} (format version, next sequence number).
 *
 * <p>Commits happen only in {@link #commit}, which follows each MVStore commit with an fsync. MVStore's background
 * writer is not started (no hidden thread, no wall-clock timer: the owner decides when to commit) and its
 * memory-triggered auto-commit is off. That ordering is what makes a retention time of 0 safe: a chunk that became
 * dead is only overwritten by a later commit, after the commit that made it dead is on disk, so a crash at any point
 * leaves at least the last fsynced version readable. MVStore's auto-compaction also lives in that background thread,
 * so {@link #commit} runs a bounded compaction step itself when the live fraction of the file falls low.
 */
final class MvEventLog implements EventLog {
    static final String EVENTS = "facts.events";
    static final String META = "facts.meta";
    static final String FORMAT_KEY = "format";
    static final String FORMAT = "wirelink-facts-1";
    static final String NEXT_SEQ_KEY = "nextSeq";
    /** Rewrite chunks when less than this percentage of the bytes in chunks is live. */
    static final int COMPACT_FILL_RATE = 50;
    /** At most this many bytes are rewritten per commit by compaction. */
    static final int COMPACT_WRITE_LIMIT = 256 * 1024;

    private static final String MOVE_ASIDE =
            "if it is damaged or not a fact store, move it aside: peers and this host supply every fact again";

    private Path file;
    private final MVStore store;
    private final MVMap<Long, byte[]> events;
    private final MVMap<String, String> meta;
    private RuntimeException failure;

    /** What {@link #open} found. */
    record Opened(EventLog log, List<FactEvent> events, long nextSeq, int corrupt) {}

    private MvEventLog(Path file, MVStore store, MVMap<Long, byte[]> events, MVMap<String, String> meta) {
        this.file = file;
        this.store = store;
        this.events = events;
        this.meta = meta;
    }

    /**
     * Opens or creates the file and reads every record. Undecodable records are deleted and counted; anything that is
     * not an MVStore fact store is a {@link FactStoreException} naming the file.
     */
    static Opened open(Path file) {
        MVStore store;
        try {
            store = new MVStore.Builder()
                    .fileName(file.toAbsolutePath().toString())
                    .autoCommitDisabled() // no background thread
                    .autoCommitBufferSize(0) // no commit from inside put()
                    .cacheSize(1) // MB; everything live is in memory anyway
                    .open();
        } catch (MVStoreException e) {
            if (e.getErrorCode() == DataUtils.ERROR_FILE_LOCKED) {
                throw new FactStoreException(file, "is in use by another process (" + reason(e) + ")", e);
            }
            throw new FactStoreException(file, "cannot open (" + reason(e) + "); " + MOVE_ASIDE, e);
        } catch (RuntimeException e) {
            throw new FactStoreException(file, "cannot open (" + reason(e) + ")", e);
        }
        try {
            store.setRetentionTime(0);
            return read(file, store);
        } catch (RuntimeException e) {
            store.closeImmediately();
            if (e instanceof FactStoreException) {
                throw e;
            }
            throw new FactStoreException(file, "cannot read (" + reason(e) + "); " + MOVE_ASIDE, e);
        }
    }

    private static Opened read(Path file, MVStore store) {
        boolean fresh = !store.hasMap(META);
        if (fresh && !store.getMapNames().isEmpty()) {
            throw new FactStoreException(file, "is an MVStore file but not a fact store (maps "
                    + store.getMapNames() + "); use another path", null);
        }
        MVMap<String, String> meta = store.openMap(META,
                new MVMap.Builder<String, String>().keyType(StringDataType.INSTANCE)
                        .valueType(StringDataType.INSTANCE));
        if (fresh) {
            meta.put(FORMAT_KEY, FORMAT);
            store.commit();
            store.sync();
        } else if (!FORMAT.equals(meta.get(FORMAT_KEY))) {
            throw new FactStoreException(file, "has fact store format '" + meta.get(FORMAT_KEY)
                    + "', this version reads '" + FORMAT + "'; " + MOVE_ASIDE, null);
        }
        MVMap<Long, byte[]> events = store.openMap(EVENTS,
                new MVMap.Builder<Long, byte[]>().keyType(LongDataType.INSTANCE)
                        .valueType(ByteArrayDataType.INSTANCE));
        List<FactEvent> decoded = new ArrayList<>(events.size());
        List<Long> bad = new ArrayList<>();
        long nextSeq = 1;
        for (Map.Entry<Long, byte[]> e : events.entrySet()) {
            long seq = e.getKey();
            nextSeq = Math.max(nextSeq, seq + 1);
            try {
                decoded.add(EventCodec.decode(seq, e.getValue()));
            } catch (MalformedInputException | IllegalArgumentException ex) {
                bad.add(seq);
            }
        }
        for (Long seq : bad) {
            events.remove(seq);
        }
        String stored = meta.get(NEXT_SEQ_KEY);
        if (stored != null) {
            try {
                nextSeq = Math.max(nextSeq, Long.parseLong(stored));
            } catch (NumberFormatException ex) {
                // keep the value derived from the records
            }
        }
        MvEventLog log = new MvEventLog(file, store, events, meta);
        return new Opened(log, decoded, nextSeq, bad.size());
    }

    /**
     * What went wrong, in the operator's terms: the root cause's message when there is one (MVStore's "Writing to
     * FileChannelImpl@... failed" wraps the "No space left on device" that matters).
     */
    private static String reason(RuntimeException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e && root.getMessage() != null) {
            return root.getMessage();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * Writes never throw, so that the store's memory is never left half-updated: the first failure stops further
     * writes and is reported by the next {@link #commit}.
     */
    @Override
    public void put(FactEvent e) {
        if (failure == null) {
            try {
                events.put(e.seq(), EventCodec.encode(e));
            } catch (RuntimeException ex) {
                failure = ex;
            }
        }
    }

    @Override
    public void remove(long seq) {
        if (failure == null) {
            try {
                events.remove(seq);
            } catch (RuntimeException ex) {
                failure = ex;
            }
        }
    }

    @Override
    public void commit(long nextSeq) {
        if (failure != null) {
            throw new FactStoreException(file, "a write failed (" + reason(failure) + "); the file no longer follows "
                    + "the store", failure);
        }
        try {
            meta.put(NEXT_SEQ_KEY, Long.toString(nextSeq));
            store.commit();
            store.sync();
            if (store.compact(COMPACT_FILL_RATE, COMPACT_WRITE_LIMIT)) {
                store.commit();
                store.sync();
            }
        } catch (RuntimeException e) {
            failure = e;
            throw new FactStoreException(file, "commit failed (" + reason(e) + ")", e);
        }
    }

    @Override
    public void close(long nextSeq) {
        try {
            meta.put(NEXT_SEQ_KEY, Long.toString(nextSeq));
            store.close();
        } catch (RuntimeException e) {
            throw new FactStoreException(file, "close failed (" + reason(e) + ")", e);
        }
    }

    @Override
    public void closeImmediately() {
        store.closeImmediately();
    }

    @Override
    public void movedTo(Path to) {
        file = to;
    }

    @Override
    public long fileSize() {
        return store.getFileStore().size();
    }

    @Override
    public boolean persistent() {
        return true;
    }
}
