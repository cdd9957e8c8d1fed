package io.wirelink.facts;

/** The value of a fact; which kind is allowed depends on the attribute. */
public sealed interface FactValue
        permits FactValue.BootId, FactValue.Endpoint, FactValue.Cidr, FactValue.Empty, FactValue.Grant,
                FactValue.Acks, FactValue.Requester, MemberMetadata, SignedGroupValue, RelayAttachment {

    /** The value's wire bytes (without any length prefix). */
    byte[] toBytes();

    /** The boot ID an Alive fact carries: a random UUID, 16 raw big-endian bytes on the wire. */
    record BootId(java.util.UUID id) implements FactValue {
        public BootId {
            if (id == null) {
                throw new IllegalArgumentException("boot id is missing");
            }
        }

        @Override
        public byte[] toBytes() {
            return java.nio.ByteBuffer.allocate(16)
                    .putLong(id.getMostSignificantBits())
                    .putLong(id.getLeastSignificantBits())
                    .array();
        }

        @Override
        public String toString() {
            return id.toString();
        }
    }

    /** An endpoint value (EndpointV4/V6): address then big-endian port. */
    record Endpoint(IpEndpoint endpoint) implements FactValue {
        public Endpoint {
            if (endpoint == null) {
                throw new IllegalArgumentException("endpoint is missing");
            }
        }

        @Override
        public byte[] toBytes() {
            byte[] a = endpoint.address().getAddress();
            byte[] out = new byte[a.length + 2];
            System.arraycopy(a, 0, out, 0, a.length);
            out[a.length] = (byte) (endpoint.port() >>> 8);
            out[a.length + 1] = (byte) endpoint.port();
            return out;
        }

        @Override
        public String toString() {
            return endpoint.toString();
        }
    }

    /** An allowed-IP value (AllowedCidrV4/V6): address then one prefix-length byte; host bits kept. */
    record Cidr(IpPrefix prefix) implements FactValue {
        public Cidr {
            if (prefix == null) {
                throw new IllegalArgumentException("prefix is missing");
            }
        }

        @Override
        public byte[] toBytes() {
            byte[] a = prefix.address().getAddress();
            byte[] out = new byte[a.length + 1];
            System.arraycopy(a, 0, out, 0, a.length);
            out[a.length] = (byte) prefix.prefixLength();
            return out;
        }

        @Override
        public String toString() {
            return prefix.toString();
        }
    }

    /** A trust level granted by a DelegateTrust peer: the level's ordinal (0 Untrusted .. 4 DelegateTrust). */
    record Grant(int level) implements FactValue {
        public Grant {
            if (level < 0 || level > 4) {
                throw new IllegalArgumentException("trust level ordinal out of range: " + level);
            }
        }

        @Override
        public byte[] toBytes() {
            return new byte[] {(byte) level};
        }

        @Override
        public String toString() {
            return Integer.toString(level);
        }
    }

    /** The datagram ids an Ack acknowledges: 1 to {@link #MAX} of them, 8 bytes each. */
    record Acks(java.util.List<Long> ids) implements FactValue {
        public static final int MAX = 64;

        public Acks {
            ids = java.util.List.copyOf(ids);
            if (ids.isEmpty() || ids.size() > MAX) {
                throw new IllegalArgumentException("an Ack carries 1 to " + MAX + " ids, not " + ids.size());
            }
        }

        @Override
        public byte[] toBytes() {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * ids.size());
            ids.forEach(b::putLong);
            return b.array();
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            for (long id : ids) {
                sb.append(sb.length() == 0 ? "" : " ").append(String.format("%016x", id));
            }
            return sb.toString();
        }
    }

    /** The peer asking for a punch (PunchRequest's value). */
    record Requester(PublicKey key) implements FactValue {
        public Requester {
            if (key == null) {
                throw new IllegalArgumentException("requester is missing");
            }
        }

        @Override
        public byte[] toBytes() {
            return key.raw();
        }

        @Override
        public String toString() {
            return key.toString();
        }
    }

    /** The empty value of the deprecated Member attribute. */
    enum Empty implements FactValue {
        INSTANCE;

        @Override
        public byte[] toBytes() {
            return new byte[0];
        }
    }
}
