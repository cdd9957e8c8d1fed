package io.wirelink.facts.store;

import java.nio.file.Path;

/** Where {@link FactStore} writes its log: nowhere (in memory) or an MVStore file. Owned by the store's thread. */
interface EventLog {
    void put(FactEvent e);

    void remove(long seq);

    /** Makes every put and remove so far durable; {@code nextSeq} is the next sequence number to hand out. */
    void commit(long nextSeq);

    /** Commits and closes. */
    void close(long nextSeq);

    /** Closes without committing: what a crash leaves behind. */
    void closeImmediately();

    /** The file was renamed to {@code to} while open (the name its messages give). */
    default void movedTo(Path to) {}

    /** Bytes on disk (0 in memory). */
    long fileSize();

    boolean persistent();

    EventLog NONE = new EventLog() {
        @Override
        public void put(FactEvent e) {}

        @Override
        public void remove(long seq) {}

        @Override
        public void commit(long nextSeq) {}

        @Override
        public void close(long nextSeq) {}

        @Override
        public void closeImmediately() {}

        @Override
        public long fileSize() {
            return 0;
        }

        @Override
        public boolean persistent() {
            return false;
        }
    };
}
