package io.wirelink.facts.store;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactKey;
import io.wirelink.facts.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the fact log says at one instant: for every fact key still asserted, the fact with the latest expiry and every
 * author's current assertion of it. Immutable; iteration is ordered by subject, attribute byte, then value bytes, so
 * two views of the same events print and compare the same.
 *
 * <p>The view is a pure function of the events and {@code now} ({@link #fold}); {@link FactStore} maintains the same
 * result incrementally.
 */
public final class FactView {
    private static final FactView EMPTY = new FactView(List.of());
    private static final Comparator<FactEvent> BY_AUTHOR = Comparator.comparing(e -> e.provenance().author());

    /**
     * One fact key as currently asserted.
     *
     * @param key the fact's identity
     * @param fact the assertion with the latest expiry across authors (on equal expiry, the lowest sequence number)
     * @param assertions each author's current assertion of the key (one per author, the one with the latest expiry),
     *     ordered by author key
     */
    public record Entry(FactKey key, Fact fact, List<FactEvent> assertions) {
        public Entry {
            if (key == null || fact == null || assertions == null || assertions.isEmpty()) {
                throw new IllegalArgumentException("entry needs a key, a fact and at least one assertion");
            }
            assertions = List.copyOf(assertions);
        }

        public Instant expires() {
            return fact.expires();
        }

        /** The provenance of each current assertion, in author order. */
        public List<Provenance> provenances() {
            List<Provenance> out = new ArrayList<>(assertions.size());
            for (FactEvent e : assertions) {
                out.add(e.provenance());
            }
            return Collections.unmodifiableList(out);
        }

        /** The author's current assertion of this key, if it has one. */
        public Optional<FactEvent> assertionBy(PublicKey author) {
            for (FactEvent e : assertions) {
                if (e.provenance().author().equals(author)) {
                    return Optional.of(e);
                }
            }
            return Optional.empty();
        }

        public boolean assertedBy(PublicKey author) {
            return assertionBy(author).isPresent();
        }

        public boolean assertedVia(Channel channel) {
            for (FactEvent e : assertions) {
                if (e.provenance().channel() == channel) {
                    return true;
                }
            }
            return false;
        }
    }

    private final List<Entry> entries;
    private final Instant nextExpiry;
    // indexes, built on first use: a view the store hands out is often only iterated
    private volatile Map<FactKey, Entry> byKey;
    private volatile TreeMap<PublicKey, List<Entry>> bySubject;
    private volatile EnumMap<Attribute, List<Entry>> byAttribute;

    /** {@code sorted} must be in key order with unique keys. */
    private FactView(List<Entry> sorted) {
        this.entries = List.copyOf(sorted);
        Instant next = null;
        for (Entry e : entries) {
            for (FactEvent a : e.assertions()) {
                if (next == null || a.expires().isBefore(next)) {
                    next = a.expires();
                }
            }
        }
        this.nextExpiry = next;
    }

    /** {@code sorted} must be in key order with unique keys, {@code nextExpiry} their earliest assertion's expiry. */
    private FactView(Entry[] sorted, Instant nextExpiry) {
        this.entries = List.of(sorted);
        this.nextExpiry = nextExpiry;
    }

    private Map<FactKey, Entry> keys() {
        Map<FactKey, Entry> m = byKey;
        if (m == null) {
            m = new HashMap<>();
            for (Entry e : entries) {
                m.put(e.key(), e);
            }
            byKey = m;
        }
        return m;
    }

    private TreeMap<PublicKey, List<Entry>> subjectIndex() {
        TreeMap<PublicKey, List<Entry>> m = bySubject;
        if (m == null) {
            m = new TreeMap<>();
            // entries are in key order, subject first: each subject's entries are one run
            int from = 0;
            for (int i = 1; i <= entries.size(); i++) {
                PublicKey s = entries.get(from).fact().subject();
                if (i == entries.size() || !entries.get(i).fact().subject().equals(s)) {
                    m.put(s, entries.subList(from, i));
                    from = i;
                }
            }
            bySubject = m;
        }
        return m;
    }

    private EnumMap<Attribute, List<Entry>> attributes() {
        EnumMap<Attribute, List<Entry>> m = byAttribute;
        if (m == null) {
            m = new EnumMap<>(Attribute.class);
            for (Entry e : entries) {
                m.computeIfAbsent(e.fact().attribute(), k -> new ArrayList<>()).add(e);
            }
            m.replaceAll((k, v) -> List.copyOf(v));
            byAttribute = m;
        }
        return m;
    }

    public static FactView empty() {
        return EMPTY;
    }

    /**
     * The view of {@code events} at {@code now}: events with {@code expires <= now} are ignored; for each (fact key,
     * author) the event with the latest expiry counts (on equal expiry the lowest sequence number, so a re-received
     * duplicate changes nothing). Pure: no I/O, no clock.
     */
    public static FactView fold(Iterable<FactEvent> events, Instant now) {
        Map<SortKey, Map<PublicKey, FactEvent>> best = new HashMap<>();
        Map<FactKey, SortKey> sortKeys = new HashMap<>();
        for (FactEvent e : events) {
            if (e.expiredAt(now)) {
                continue;
            }
            SortKey k = sortKeys.computeIfAbsent(e.key(), x -> SortKey.of(e.fact()));
            best.computeIfAbsent(k, x -> new HashMap<>())
                    .merge(e.provenance().author(), e, (old, neu) -> neu.beats(old) ? neu : old);
        }
        List<SortKey> order = new ArrayList<>(best.keySet());
        Collections.sort(order);
        List<Entry> out = new ArrayList<>(order.size());
        for (SortKey k : order) {
            out.add(entry(k.key, best.get(k).values()));
        }
        return of(out);
    }

    /** Builds a view from entries already in key order. */
    static FactView of(List<Entry> sorted) {
        return sorted.isEmpty() ? EMPTY : new FactView(sorted);
    }

    /**
     * Builds a view from entries already in key order whose earliest assertion expires at {@code nextExpiry} (for
     * {@link FactStore}, which knows it).
     */
    static FactView of(Entry[] sorted, Instant nextExpiry) {
        return sorted.length == 0 ? EMPTY : new FactView(sorted, nextExpiry);
    }

    /** The entry for {@code key} from each author's current (unexpired) assertion. */
    static Entry entry(FactKey key, Collection<FactEvent> assertions) {
        if (assertions.size() == 1) {
            FactEvent only = assertions.iterator().next();
            return new Entry(key, only.fact(), List.of(only)); // the usual case, in 24 bytes rather than 48
        }
        List<FactEvent> list = new ArrayList<>(assertions);
        list.sort(BY_AUTHOR);
        FactEvent winner = list.get(0);
        for (FactEvent e : list) {
            if (e.beats(winner)) {
                winner = e;
            }
        }
        return new Entry(key, winner.fact(), list);
    }

    /** Every current entry, in key order. */
    public List<Entry> entries() {
        return entries;
    }

    /** The current fact of every entry, in key order. */
    public List<Fact> facts() {
        List<Fact> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            out.add(e.fact());
        }
        return Collections.unmodifiableList(out);
    }

    public Optional<Entry> get(FactKey key) {
        return Optional.ofNullable(keys().get(key));
    }

    public boolean contains(FactKey key) {
        return keys().containsKey(key);
    }

    /** Entries about {@code subject}, in key order. */
    public List<Entry> bySubject(PublicKey subject) {
        return subjectIndex().getOrDefault(subject, List.of());
    }

    /** Entries of {@code attribute}, in key order. */
    public List<Entry> byAttribute(Attribute attribute) {
        return attributes().getOrDefault(attribute, List.of());
    }

    /** Every subject with at least one entry, ascending. */
    public NavigableSet<PublicKey> subjects() {
        return Collections.unmodifiableNavigableSet(subjectIndex().navigableKeySet());
    }

    /** Whether {@code author} currently asserts {@code key}. */
    public boolean assertedBy(FactKey key, PublicKey author) {
        Entry e = keys().get(key);
        return e != null && e.assertedBy(author);
    }

    /** Whether some current assertion of {@code key} arrived over {@code channel}. */
    public boolean assertedVia(FactKey key, Channel channel) {
        Entry e = keys().get(key);
        return e != null && e.assertedVia(channel);
    }

    /**
     * The earliest expiry of any current assertion: the next instant at which this view changes without new input.
     * Empty when the view is empty.
     */
    public Optional<Instant> nextExpiry() {
        return Optional.ofNullable(nextExpiry);
    }

    public int size() {
        return entries.size();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FactView v && entries.equals(v.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("FactView[").append(entries.size()).append(" facts");
        for (Entry e : entries) {
            sb.append("\n  ").append(e.fact()).append(" <- ").append(e.assertions().size()).append(" author(s)");
        }
        return sb.append(']').toString();
    }
}
