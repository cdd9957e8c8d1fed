package io.wirelink.facts.store;

import java.util.Optional;

/** What {@link FactStore#append} did. A full store or an expired fact is a result, never an exception. */
public sealed interface AppendResult permits AppendResult.Appended, AppendResult.Unchanged, AppendResult.Refused {

    /** True when the event was added to the log. */
    default boolean appended() {
        return this instanceof Appended;
    }

    /**
     * The event is in the log.
     *
     * @param event the stored event; its fact's expiry may have been clamped to {@code receivedAt + maxTtl}
     * @param replaced the same author's earlier assertion of the same key, now removed
     * @param evicted a remote event removed to make room for this LOCAL or CONFIG one
     * @param clamped whether the expiry was shortened to the store's maximum TTL
     */
    record Appended(FactEvent event, Optional<FactEvent> replaced, Optional<FactEvent> evicted, boolean clamped)
            implements AppendResult {
        public Appended {
            if (event == null || replaced == null || evicted == null) {
                throw new IllegalArgumentException("appended result needs an event");
            }
        }
    }

    /**
     * Nothing changed: the author already asserts this key until at least as late. The common case for facts
     * re-gossiped within their lifetime.
     *
     * @param current the assertion that stays
     */
    record Unchanged(FactEvent current) implements AppendResult {
        public Unchanged {
            if (current == null) {
                throw new IllegalArgumentException("unchanged result needs the current event");
            }
        }
    }

    /** Nothing changed, and the fact was not stored for the given reason. */
    record Refused(Reason reason) implements AppendResult {
        public Refused {
            if (reason == null) {
                throw new IllegalArgumentException("refusal needs a reason");
            }
        }
    }

    /** Why an append was refused. */
    enum Reason {
        /** The fact had already expired when it was received ({@code expires <= receivedAt}). */
        EXPIRED,
        /** The author already holds its maximum number of events. */
        AUTHOR_FULL,
        /** The store holds its maximum number of events and the event is remote (or only local events remain). */
        STORE_FULL
    }
}
