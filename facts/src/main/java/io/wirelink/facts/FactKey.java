package io.wirelink.facts;

import java.util.Arrays;

/**
 * A fact's identity, as wirelink's {@code KeyOf}: attribute, subject and value bytes. Alive ignores its value, so
 * a new boot ID replaces the old one rather than standing beside it.
 */
public final class FactKey {
    private final Attribute attribute;
    private final PublicKey subject;
    private final byte[] value;
    private final int hash;

    private FactKey(Attribute attribute, PublicKey subject, byte[] value) {
        this.attribute = attribute;
        this.subject = subject;
        this.value = value;
        // the attribute's wire code, not its (identity) hash: sets of keys iterate in the same order in every JVM
        this.hash = (attribute.code() * 31 + subject.hashCode()) * 31 + Arrays.hashCode(value);
    }

    private static final Interner<FactKey> SHARED = new Interner<>();

    /** The key of {@code f}: one shared instance per distinct key in the process (see {@link Interner}). */
    public static FactKey of(Fact f) {
        byte[] v = f.attribute() == Attribute.ALIVE ? EMPTY : f.value().toBytes();
        return SHARED.intern(new FactKey(f.attribute(), f.subject(), v));
    }

    private static final byte[] EMPTY = new byte[0];

    public Attribute attribute() {
        return attribute;
    }

    public PublicKey subject() {
        return subject;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true; // the usual case: keys are shared (Interner)
        }
        return o instanceof FactKey k
                && hash == k.hash
                && attribute == k.attribute
                && subject.equals(k.subject)
                && Arrays.equals(value, k.value);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return attribute.specName() + "/" + subject;
    }
}
