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
        this.hash = (attribute.hashCode() * 31 + subject.hashCode()) * 31 + Arrays.hashCode(value);
    }

    public static FactKey of(Fact f) {
        byte[] v = f.attribute() == Attribute.ALIVE ? new byte[0] : f.value().toBytes();
        return new FactKey(f.attribute(), f.subject(), v);
    }

    public Attribute attribute() {
        return attribute;
    }

    public PublicKey subject() {
        return subject;
    }

    @Override
    public boolean equals(Object o) {
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
