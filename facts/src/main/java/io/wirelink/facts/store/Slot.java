package io.wirelink.facts.store;

import io.wirelink.facts.PublicKey;
import java.util.Arrays;
import java.util.List;

/**
 * One fact key's state: each author's current assertion, in author order, and the view entry they make (null
 * when an assertion changed since it was last built). Unchanged keys keep their entry object from view to view.
 */
final class Slot {
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
