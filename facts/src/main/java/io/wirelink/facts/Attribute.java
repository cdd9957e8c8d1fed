package io.wirelink.facts;

/**
 * Fact attributes. The v1 attributes are wirelink's, byte for byte; {@link #SIGNED_GROUP_V2} is the
 * extensible group of PROTOCOL.md §3 and is never a fact inside a group. Names are the spec's names, used in
 * JSON output and {@code --dump-facts}.
 */
public enum Attribute {
    ALIVE('!', "Alive", 16),
    ENDPOINT_V4('e', "EndpointV4", 6),
    ENDPOINT_V6('E', "EndpointV6", 18),
    ALLOWED_CIDR_V4('a', "AllowedCidrV4", 5),
    ALLOWED_CIDR_V6('A', "AllowedCidrV6", 17),
    MEMBER('m', "Member", 0),
    MEMBER_METADATA('M', "MemberMetadata", -1),
    SIGNED_GROUP('S', "SignedGroup", -1),
    SIGNED_GROUP_V2('G', "SignedGroupV2", -1),
    /** v2 only: a DelegateTrust peer grants the subject a trust level (one byte, the level's ordinal). */
    TRUST_GRANT('T', "TrustGrant", 1),
    /**
     * v2 only: the endpoint the author's device sees the subject at, with a recent handshake (for a peer behind a
     * NAT, its mapping). IPv4 + port (6 bytes) or IPv6 + port (18).
     */
    OBSERVED_ENDPOINT('o', "ObservedEndpoint", -1),
    /**
     * v2 only: the subject can be reached through a relay (PROTOCOL.md §3.1): flags (1, bit 0 = the subject operates
     * the relay) | relay public key (32) | n (1, 0..4) | n × (family 04/06 | IP | port).
     */
    RELAY('r', "RelayAttachment", -1),
    /**
     * v2 only: the author received the listed datagrams (1 to {@value FactValue.Acks#MAX} ids of 8 bytes each, the
     * first 8 bytes of each group's nonce). A transport signal with TTL 0: never stored, never forwarded.
     */
    ACK('k', "Ack", -1),
    /**
     * v2 only: ask for a coordinated punch. Subject: the peer that should send towards the requester now; value:
     * the requester's public key (32 bytes). A leaf sends it to its routers, which pass it on to the subject. A
     * transport signal with a short TTL: never stored.
     */
    PUNCH_REQUEST('p', "PunchRequest", 32);

    private static final Attribute[] BY_CODE = new Attribute[256];

    static {
        for (Attribute a : values()) {
            BY_CODE[a.code & 0xff] = a;
        }
    }

    private final byte code;
    private final String specName;
    private final int fixedLength;

    Attribute(char code, String specName, int fixedLength) {
        this.code = (byte) code;
        this.specName = specName;
        this.fixedLength = fixedLength;
    }

    /** The wire byte. */
    public byte code() {
        return code;
    }

    /** The name used in the spec and in JSON, e.g. {@code EndpointV4}. */
    public String specName() {
        return specName;
    }

    /** The value length the attribute fixes, or -1 when the value is variable. */
    public int fixedLength() {
        return fixedLength;
    }

    /** True for wirelink's own attributes, which may travel in a v1 {@code S} group. */
    public boolean isV1() {
        return this != SIGNED_GROUP_V2 && this != TRUST_GRANT && this != OBSERVED_ENDPOINT && this != RELAY
                && this != ACK && this != PUNCH_REQUEST;
    }

    /** The attribute for a wire byte, or null if unknown. */
    public static Attribute fromCode(int code) {
        return BY_CODE[code & 0xff];
    }

    public static Attribute fromSpecName(String name) {
        for (Attribute a : values()) {
            if (a.specName.equalsIgnoreCase(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown attribute '" + name + "'");
    }
}
