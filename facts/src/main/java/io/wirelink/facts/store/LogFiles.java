package io.wirelink.facts.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The file operations of the durable log: opening a log file, replacing one file by another, deleting one. An
 * interface so that tests can fail or stop at each step of a recovery as a full disk or a crash would.
 */
interface LogFiles {
    /** Opens or creates the log in {@code file}; see {@link MvEventLog#open}. */
    MvEventLog.Opened open(Path file);

    /** Renames {@code from} to {@code to} atomically, replacing {@code to}, and makes the rename durable. */
    void replace(Path from, Path to) throws IOException;

    /** Deletes {@code file} if it exists. */
    void delete(Path file) throws IOException;

    /** MVStore files on the real file system. */
    LogFiles MV = new LogFiles() {
        @Override
        public MvEventLog.Opened open(Path file) {
            return MvEventLog.open(file);
        }

        @Override
        public void replace(Path from, Path to) throws IOException {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(to.toAbsolutePath().getParent());
        }

        @Override
        public void delete(Path file) throws IOException {
            if (Files.deleteIfExists(file)) {
                syncDirectory(file.toAbsolutePath().getParent());
            }
        }

        /** A rename or deletion is durable only once its directory is synced. */
        private void syncDirectory(Path dir) throws IOException {
            try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                ch.force(true);
            }
        }
    };
}
