package io.wirelink.gossip;

import io.wirelink.facts.Fact;
import io.wirelink.facts.FactKey;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The eligible list as {@link Knowledge} last prepared it: its facts and keys, each key's index, and the keys
 * changed in each generation, so that a {@link Knowledge.Scan} can look at the facts new or changed since a peer's
 * last plan rather than at all of them. Apart from {@link Knowledge} because it depends only on the lists given,
 * not on any peer. Single-threaded.
 */
final class EligibleList {
    /** Generations of the eligible list remembered; a peer planned longer ago is planned in full. */
    private static final int GENERATIONS = 64;

    private List<Fact> preparedList;
    private Fact[] facts = new Fact[0];
    private FactKey[] keys = new FactKey[0];
    private Map<FactKey, Integer> indexOf = new HashMap<>();
    private boolean uniqueKeys = true;
    private long generation;
    private final ArrayDeque<Changes> changes = new ArrayDeque<>();

    private record Changes(long generation, FactKey[] keys) {}

    int size() {
        return facts.length;
    }

    Fact fact(int index) {
        return facts[index];
    }

    /** The key of the fact at {@code index} (computed once per list). */
    FactKey key(int index) {
        return keys[index];
    }

    long generation() {
        return generation;
    }

    /** False once any list had a repeated key: changes are then ambiguous and every plan is in full. */
    boolean uniqueKeys() {
        return uniqueKeys;
    }

    /** Makes {@code eligible} the current list: a new generation when its content differs from the last one. */
    void prepare(List<Fact> eligible) {
        if (eligible == preparedList) {
            return;
        }
        if (sameContent(eligible)) {
            preparedList = eligible;
            return;
        }
        int n = eligible.size();
        Map<FactKey, Integer> oldIndex = indexOf;
        Fact[] oldFacts = facts;
        Fact[] newFacts = new Fact[n];
        FactKey[] newKeys = new FactKey[n];
        Map<FactKey, Integer> newIndex = new HashMap<>(n * 2);
        FactKey[] changed = new FactKey[n];
        int c = 0;
        boolean unique = true;
        for (int i = 0; i < n; i++) {
            Fact f = eligible.get(i);
            FactKey k = f.key(); // computed once per Fact, which keeps it
            newFacts[i] = f;
            newKeys[i] = k;
            if (newIndex.put(k, i) != null) {
                unique = false;
            }
            Integer was = oldIndex.get(k);
            if (was == null || !(oldFacts[was] == f || oldFacts[was].equals(f))) {
                changed[c++] = k;
            }
        }
        preparedList = eligible;
        facts = newFacts;
        keys = newKeys;
        indexOf = newIndex;
        // a list with a repeated key (never the agent's: one fact per key) makes changes ambiguous: plan in full
        uniqueKeys &= unique;
        generation++;
        changes.addLast(new Changes(generation, Arrays.copyOf(changed, c)));
        if (changes.size() > GENERATIONS) {
            changes.removeFirst();
        }
    }

    /** Whether {@code eligible} holds the current facts, in order: then it is no new generation. */
    private boolean sameContent(List<Fact> eligible) {
        int n = eligible.size();
        if (n != facts.length) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            Fact f = eligible.get(i);
            if (!(f == facts[i] || f.equals(facts[i]))) {
                return false;
            }
        }
        return true;
    }

    /** {@code changed} and the indexes of {@code forgotten} keys in the list, ascending, once each; null: null. */
    int[] withForgotten(int[] changed, List<FactKey> forgotten) {
        if (changed == null || forgotten == null) {
            return changed;
        }
        int[] out = Arrays.copyOf(changed, changed.length + forgotten.size());
        int n = changed.length;
        for (FactKey k : forgotten) {
            Integer i = indexOf.get(k);
            if (i != null) {
                out[n++] = i; // a key no longer in the list is not planned anyway
            }
        }
        return sortedDistinct(out, n);
    }

    /** The indexes of the keys changed after generation {@code since}, ascending; null when not known or many. */
    int[] changedSince(long since) {
        if (since == generation) {
            return new int[0];
        }
        if (changes.isEmpty() || changes.peekFirst().generation() > since + 1) {
            return null; // older than what is remembered
        }
        int[] out = new int[16];
        int n = 0;
        for (Iterator<Changes> it = changes.descendingIterator(); it.hasNext(); ) {
            Changes c = it.next();
            if (c.generation() <= since) {
                break;
            }
            for (FactKey k : c.keys()) {
                Integer i = indexOf.get(k);
                if (i != null) {
                    if (n == out.length) {
                        if (n > keys.length / 4) {
                            return null; // as cheap to look at everything
                        }
                        out = Arrays.copyOf(out, n * 2);
                    }
                    out[n++] = i;
                }
            }
        }
        // a key changed in several generations is listed once
        return sortedDistinct(out, n);
    }

    /** The first {@code n} of {@code a}, sorted, each value once; sorts {@code a} in place. */
    private static int[] sortedDistinct(int[] a, int n) {
        Arrays.sort(a, 0, n);
        int m = 0;
        for (int j = 0; j < n; j++) {
            if (m == 0 || a[j] != a[m - 1]) {
                a[m++] = a[j];
            }
        }
        return Arrays.copyOf(a, m);
    }
}
