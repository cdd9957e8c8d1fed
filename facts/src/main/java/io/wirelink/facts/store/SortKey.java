package io.wirelink.facts.store;

import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactKey;
import io.wirelink.facts.PublicKey;
import java.util.Arrays;

/**
 * A fact key with its sort order: subject, then attribute byte, then value bytes (unsigned, shorter first on a
 * common prefix). Alive's value is not part of its key, so it sorts with empty value bytes. Comparing two sort keys
 * gives 0 exactly when their {@link FactKey}s are equal.
 */
final class SortKey implements Comparable<SortKey> {
    private static final byte[] EMPTY = new byte[0];

    final FactKey key;
    private final PublicKey subject;
    private final int attribute;
    private final byte[] value;

    private SortKey(FactKey key, PublicKey subject, Attribute attribute, byte[] value) {
        this.key = key;
        this.subject = subject;
        this.attribute = attribute.code() & 0xff;
        this.value = value;
    }

    static SortKey of(Fact f) {
        byte[] v = f.attribute() == Attribute.ALIVE ? EMPTY : f.value().toBytes();
        return new SortKey(f.key(), f.subject(), f.attribute(), v);
    }

    @Override
    public int compareTo(SortKey o) {
        int c = subject.compareTo(o.subject);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(attribute, o.attribute);
        return c != 0 ? c : Arrays.compareUnsigned(value, o.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SortKey k && key.equals(k.key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    @Override
    public String toString() {
        return key.toString();
    }
}
