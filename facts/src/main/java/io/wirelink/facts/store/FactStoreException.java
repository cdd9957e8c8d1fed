package io.wirelink.facts.store;

import java.nio.file.Path;

/**
 * The fact store file cannot be used: it is not a fact store, it is damaged beyond what replay can skip, it is locked
 * by another process, or the disk failed. The message names the file. The store is a cache of facts that peers
 * re-send, so moving the file aside and starting empty is always safe.
 */
public final class FactStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public FactStoreException(Path file, String message, Throwable cause) {
        super("fact store " + file + ": " + message, cause);
        this.file = file;
    }

    /** The store file concerned. */
    public Path file() {
        return file;
    }
}
