package io.wirelink.facts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Builds and opens signed-group datagrams for one local key: packing facts into groups of at most
 * {@link FactCodec#MAX_INNER} inner bytes, signing each for one recipient, and verifying received ones.
 */
public final class SignedGroups {
    private final SharedKeyCache keys;

    public SignedGroups(PrivateKey self, int cacheCapacity) {
        this.keys = new SharedKeyCache(self, cacheCapacity);
    }

    public SignedGroups(SharedKeyCache keys) {
        this.keys = keys;
    }

    /** The shared-secret cache this uses. */
    public SharedKeyCache keys() {
        return keys;
    }

    /** A decoded group and whether its tag verified. */
    public record Opened(PublicKey signer, SignedGroupValue group, boolean verified) {
        public List<Fact> facts() {
            return group.facts();
        }
    }

    /** One sealed datagram, its id (the first 8 bytes of its nonce) and the facts it carries. */
    public record Sealed(byte[] datagram, long id, List<Fact> facts) {}

    /**
     * Packs {@code facts} in order into as few groups as fit (a fact larger than a group gets one of its own) and
     * signs each for {@code recipient}. {@code version} is 1 (wirelink {@code S}) or 2 ({@code G}).
     */
    public List<byte[]> seal(int version, PublicKey recipient, List<Fact> facts, Instant now, Random nonceSource) {
        List<byte[]> out = new ArrayList<>();
        for (Sealed s : sealTracked(version, recipient, facts, now, nonceSource, 0)) {
            out.add(s.datagram());
        }
        return out;
    }

    /**
     * As {@link #seal}, saying which facts went into which datagram. {@code flags} (v2 only, e.g.
     * {@link SignedGroupValue#FLAG_ACK_REQUEST}) are set on every group.
     */
    public List<Sealed> sealTracked(int version, PublicKey recipient, List<Fact> facts, Instant now,
            Random nonceSource, int flags) {
        if (version != 1 && version != 2) {
            throw new IllegalArgumentException("group version must be 1 or 2");
        }
        if (version == 1 && flags != 0) {
            throw new IllegalArgumentException("v1 groups have no flags");
        }
        byte[] key = keys.sharedWith(recipient);
        List<Sealed> out = new ArrayList<>();
        ByteSink inner = new ByteSink(FactCodec.MAX_INNER);
        int first = 0;
        for (int i = 0; i < facts.size(); i++) {
            Fact f = facts.get(i);
            int before = inner.length();
            if (version == 1) {
                FactCodec.encodeV1(inner, f, now);
            } else {
                FactCodec.encodeV2(inner, f, now);
            }
            if (inner.length() > FactCodec.MAX_INNER && before > 0) {
                byte[] carry = java.util.Arrays.copyOfRange(inner.array(), before, inner.length());
                inner.truncate(before);
                out.add(sealOne(version, key, inner, nonceSource, flags, facts.subList(first, i)));
                inner.truncate(0);
                inner.write(carry);
                first = i;
            }
        }
        if (inner.length() > 0) {
            out.add(sealOne(version, key, inner, nonceSource, flags, facts.subList(first, facts.size())));
        }
        return out;
    }

    private Sealed sealOne(int version, byte[] key, ByteSink inner, Random rnd, int flags, List<Fact> facts) {
        byte[] nonce = new byte[SignedGroupValue.NONCE_LENGTH];
        rnd.nextBytes(nonce);
        int n = inner.length();
        ByteSink d = new ByteSink(n + 80);
        d.writeByte(version == 1 ? Attribute.SIGNED_GROUP.code() : Attribute.SIGNED_GROUP_V2.code());
        d.writeByte(0); // TTL 0: the group itself does not expire
        d.write(keys.self().raw());
        byte[] tag;
        if (version == 1) {
            tag = GroupSigner.get().tag(key, nonce, inner.array(), 0, n);
        } else {
            d.writeByte(FactCodec.V2_VERSION);
            d.writeByte(flags);
            byte[] ad = FactCodec.v2Ad(flags, inner.array(), 0, n);
            tag = GroupSigner.get().tag(key, nonce, ad, 0, ad.length);
        }
        d.write(nonce);
        d.write(tag);
        d.write(inner.array(), 0, n);
        return new Sealed(d.toByteArray(), SignedGroupValue.idOf(nonce, 0), List.copyOf(facts));
    }

    /**
     * Decodes {@code datagram} as a signed group and verifies its tag against the signer's key. The caller must
     * still check that the signer is a peer it knows and that the source address belongs to it.
     *
     * @throws MalformedInputException when the datagram is not a well-formed signed group
     */
    public Opened open(byte[] datagram, Instant now) {
        Fact top = FactCodec.decodeDatagram(datagram, now);
        if (!(top.value() instanceof SignedGroupValue g)) {
            throw new MalformedInputException("top-level fact is " + top.attribute().specName() + ", not a signed group");
        }
        return new Opened(top.subject(), g, verify(top.subject(), g));
    }

    /** Verifies {@code g} as signed by {@code signer} for us. A low-order signer key never verifies. */
    public boolean verify(PublicKey signer, SignedGroupValue g) {
        byte[] key;
        try {
            key = keys.sharedWith(signer);
        } catch (IllegalArgumentException lowOrder) {
            return false;
        }
        byte[] ad = g.inner();
        return GroupSigner.get().verify(key, g.nonce(), g.tag(), ad, 0, ad.length);
    }
}
