package io.wirelink.facts.store;

import io.wirelink.facts.PublicKey;
import java.util.HashMap;
import java.util.Map;

/**
 * The store's bounds: events held per author and per subject, and the caps they are checked against, which grow with
 * the distinct subjects held when {@link #scale} is set (see {@link FactStore#scaleWithSubjects}).
 */
final class Limits {
    private final FactStore.Options options;
    private final Map<PublicKey, Integer> perAuthor = new HashMap<>();
    /** Events per subject: its key count is the number of distinct subjects the scaling multiplies. */
    private final Map<PublicKey, Integer> perSubject = new HashMap<>();

    private int perAuthorPerSubject;
    private int perSubjectEvents;
    private int perAuthorCeiling = Integer.MAX_VALUE;
    private int eventsCeiling = Integer.MAX_VALUE;

    Limits(FactStore.Options options) {
        this.options = options;
    }

    void scale(int perAuthorPerSubject, int perSubject, int maxEventsPerAuthorCeiling, int maxEventsCeiling) {
        if (perAuthorPerSubject < 0 || perSubject < 0 || maxEventsPerAuthorCeiling < 1 || maxEventsCeiling < 1) {
            throw new IllegalArgumentException("scaling must be non-negative and ceilings positive");
        }
        this.perAuthorPerSubject = perAuthorPerSubject;
        this.perSubjectEvents = perSubject;
        this.perAuthorCeiling = maxEventsPerAuthorCeiling;
        this.eventsCeiling = maxEventsCeiling;
    }

    void added(FactEvent e) {
        perAuthor.merge(e.provenance().author(), 1, Integer::sum);
        perSubject.merge(e.fact().subject(), 1, Integer::sum);
    }

    void removed(FactEvent e) {
        perAuthor.computeIfPresent(e.provenance().author(), (a, n) -> n == 1 ? null : n - 1);
        perSubject.computeIfPresent(e.fact().subject(), (a, n) -> n == 1 ? null : n - 1);
    }

    /** Whether a new assertion by {@code author} about {@code subject} finds no room with {@code held} events. */
    boolean full(PublicKey author, PublicKey subject, int held) {
        return authorFull(author, subject) || held >= maxEvents(subject);
    }

    boolean authorFull(PublicKey author, PublicKey subject) {
        return held(author) >= maxPerAuthor(subject);
    }

    /** The bound per author now, for a new fact about {@code subject}. */
    private int maxPerAuthor(PublicKey subject) {
        long scaled = (long) perAuthorPerSubject * subjectsWith(subject);
        return (int) Math.max(options.maxEventsPerAuthor(), Math.min(perAuthorCeiling, scaled));
    }

    int maxEvents(PublicKey subject) {
        long scaled = (long) perSubjectEvents * subjectsWith(subject);
        return (int) Math.max(options.maxEvents(), Math.min(eventsCeiling, scaled));
    }

    private int subjectsWith(PublicKey subject) {
        return perSubject.size() + (subject == null || perSubject.containsKey(subject) ? 0 : 1);
    }

    int held(PublicKey author) {
        return perAuthor.getOrDefault(author, 0);
    }

    int authors() {
        return perAuthor.size();
    }
}
