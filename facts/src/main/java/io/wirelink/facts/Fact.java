package io.wirelink.facts;

import java.time.Instant;

/**
 * A subject/attribute/value/expiry fact. The subject is always a WireGuard public key. On the wire the expiry is a
 * TTL in whole seconds relative to the moment of sending or receiving.
 *
 * <p>Immutable, with value semantics over the four components. A class rather than a record so that it can keep its
 * {@link #key()}, which costs an encoding and an interner lookup and is needed for every fact sent to every peer: at
 * a hub of 10,000 nodes several hundred million times in a join.
 */
public final class Fact {
    private final Attribute attribute;
    private final PublicKey subject;
    private final FactValue value;
    private final Instant expires;
    /** Computed on first use; a race computes the same shared instance twice, which is harmless. */
    private FactKey key;

    public Fact(Attribute attribute, PublicKey subject, FactValue value, Instant expires) {
        if (attribute == null || subject == null || value == null || expires == null) {
            throw new IllegalArgumentException("fact needs attribute, subject, value and expiry");
        }
        if (!fits(attribute, value)) {
            throw new IllegalArgumentException(
                    attribute.specName() + " cannot carry a " + value.getClass().getSimpleName() + " value");
        }
        this.attribute = attribute;
        this.subject = subject;
        this.value = value;
        this.expires = expires;
    }

    public Attribute attribute() {
        return attribute;
    }

    public PublicKey subject() {
        return subject;
    }

    public FactValue value() {
        return value;
    }

    public Instant expires() {
        return expires;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Fact f && attribute == f.attribute && subject.equals(f.subject)
                && value.equals(f.value) && expires.equals(f.expires);
    }

    @Override
    public int hashCode() {
        // no identity hashes (an enum's, Member's Empty value's): sets of facts iterate alike in every JVM
        int v = value instanceof Enum<?> ? 0 : value.hashCode();
        return ((attribute.code() * 31 + subject.hashCode()) * 31 + v) * 31 + expires.hashCode();
    }

    static boolean fits(Attribute a, FactValue v) {
        switch (a) {
            case ALIVE:
                return v instanceof FactValue.BootId;
            case ENDPOINT_V4:
                return v instanceof FactValue.Endpoint e && !e.endpoint().isIpv6();
            case ENDPOINT_V6:
                return v instanceof FactValue.Endpoint e && e.endpoint().isIpv6();
            case ALLOWED_CIDR_V4:
                return v instanceof FactValue.Cidr c && c.prefix().isIpv4();
            case ALLOWED_CIDR_V6:
                return v instanceof FactValue.Cidr c && !c.prefix().isIpv4();
            case MEMBER:
                return v instanceof FactValue.Empty;
            case MEMBER_METADATA:
                return v instanceof MemberMetadata;
            case SIGNED_GROUP:
            case SIGNED_GROUP_V2:
                return v instanceof SignedGroupValue;
            case TRUST_GRANT:
                return v instanceof FactValue.Grant;
            case OBSERVED_ENDPOINT:
                return v instanceof FactValue.Endpoint;
            case RELAY:
                return v instanceof RelayAttachment;
            case ACK:
                return v instanceof FactValue.Acks;
            case PUNCH_REQUEST:
                return v instanceof FactValue.Requester;
            default:
                return false;
        }
    }

    public static Fact endpoint(PublicKey subject, IpEndpoint ep, Instant expires) {
        return new Fact(ep.isIpv6() ? Attribute.ENDPOINT_V6 : Attribute.ENDPOINT_V4, subject,
                new FactValue.Endpoint(ep), expires);
    }

    /** The endpoint our device sees {@code subject} at (v2 only). */
    public static Fact observed(PublicKey subject, IpEndpoint ep, Instant expires) {
        return new Fact(Attribute.OBSERVED_ENDPOINT, subject, new FactValue.Endpoint(ep), expires);
    }

    /** {@code subject} can be reached through {@code relay} (v2 only). */
    public static Fact relay(PublicKey subject, RelayAttachment relay, Instant expires) {
        return new Fact(Attribute.RELAY, subject, relay, expires);
    }

    public static Fact allowedIp(PublicKey subject, IpPrefix prefix, Instant expires) {
        return new Fact(prefix.isIpv4() ? Attribute.ALLOWED_CIDR_V4 : Attribute.ALLOWED_CIDR_V6, subject,
                new FactValue.Cidr(prefix), expires);
    }

    public static Fact alive(PublicKey subject, java.util.UUID bootId, Instant expires) {
        return new Fact(Attribute.ALIVE, subject, new FactValue.BootId(bootId), expires);
    }

    public static Fact member(PublicKey subject, MemberMetadata md, Instant expires) {
        return new Fact(Attribute.MEMBER_METADATA, subject, md, expires);
    }

    /** The identity of this fact: attribute, subject and value bytes (Alive ignores its value). */
    public FactKey key() {
        FactKey k = key;
        if (k == null) {
            k = FactKey.of(this);
            key = k; // FactKey's fields are final: safe to publish through a data race
        }
        return k;
    }

    /** The same fact with another expiry; it keeps the key (the key does not depend on the expiry). */
    public Fact withExpiry(Instant e) {
        Fact f = new Fact(attribute, subject, value, e);
        f.key = key;
        return f;
    }

    @Override
    public String toString() {
        return attribute.specName() + "(" + subject + " = " + value + ", until " + expires + ")";
    }
}
