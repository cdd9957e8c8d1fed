package io.wirelink.relay;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * WireGuard's four message types on the wire: lengths, field offsets and the little-endian integers, for code that
 * looks at a datagram in place (the relay's packet path) rather than decoding it into a {@link WgMessage}.
 *
 * <pre>
 * 1 initiation   148 B: type u8, 3 zero bytes, sender u32le, ephemeral 32, static 32+16, timestamp 12+16, mac1 16, mac2 16
 * 2 response      92 B: type, 3 zero bytes, sender u32le, receiver u32le, ephemeral 32, empty 0+16, mac1 16, mac2 16
 * 3 cookie reply  64 B: type, 3 zero bytes, receiver u32le, nonce 24, cookie 16+16
 * 4 transport  &gt;= 32 B: type, 3 zero bytes, receiver u32le, counter u64le, packet n+16 (n = 0: a keepalive)
 * </pre>
 *
 * <p>Like WireGuard itself, a message is well formed only when its first four bytes read as the little-endian type
 * (the three reserved bytes are zero) and its length is exactly that type's length (at least 32 for transport).
 * Stateless and thread-safe.
 */
public final class WireFormat {
    public static final int TYPE_INITIATION = 1;
    public static final int TYPE_RESPONSE = 2;
    public static final int TYPE_COOKIE_REPLY = 3;
    public static final int TYPE_TRANSPORT = 4;

    public static final int INITIATION_LENGTH = 148;
    public static final int RESPONSE_LENGTH = 92;
    public static final int COOKIE_REPLY_LENGTH = 64;
    public static final int TRANSPORT_HEADER_LENGTH = 16;
    public static final int TAG_LENGTH = 16;
    /** The shortest transport message: a keepalive (header and the tag of an empty packet). */
    public static final int TRANSPORT_MIN_LENGTH = TRANSPORT_HEADER_LENGTH + TAG_LENGTH;
    /** The largest UDP payload; longer input is never a datagram. */
    public static final int MAX_LENGTH = 65535;
    public static final int KEY_LENGTH = 32;
    public static final int MAC_LENGTH = 16;
    public static final int TIMESTAMP_LENGTH = 12;
    public static final int COOKIE_NONCE_LENGTH = 24;

    /** Sender index of an initiation or a response. */
    public static final int SENDER_OFFSET = 4;
    public static final int RESPONSE_RECEIVER_OFFSET = 8;
    public static final int COOKIE_RECEIVER_OFFSET = 4;
    public static final int TRANSPORT_RECEIVER_OFFSET = 4;
    public static final int TRANSPORT_COUNTER_OFFSET = 8;

    public static final int INITIATION_EPHEMERAL_OFFSET = 8;
    public static final int INITIATION_STATIC_OFFSET = 40;
    public static final int INITIATION_STATIC_LENGTH = KEY_LENGTH + TAG_LENGTH;
    public static final int INITIATION_TIMESTAMP_OFFSET = 88;
    public static final int INITIATION_TIMESTAMP_LENGTH = TIMESTAMP_LENGTH + TAG_LENGTH;
    public static final int INITIATION_MAC1_OFFSET = 116;
    public static final int INITIATION_MAC2_OFFSET = 132;

    public static final int RESPONSE_EPHEMERAL_OFFSET = 12;
    public static final int RESPONSE_EMPTY_OFFSET = 44;
    public static final int RESPONSE_MAC1_OFFSET = 60;
    public static final int RESPONSE_MAC2_OFFSET = 76;

    public static final int COOKIE_NONCE_OFFSET = 8;
    public static final int COOKIE_ENCRYPTED_OFFSET = 32;
    public static final int COOKIE_ENCRYPTED_LENGTH = MAC_LENGTH + TAG_LENGTH;

    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private WireFormat() {}

    /**
     * The type of the message in {@code data[0, length)} when it is well formed (see the class comment), else 0.
     * Never throws, whatever the arguments.
     */
    public static int classify(byte[] data, int length) {
        if (data == null || length < 4 || length > data.length || length > MAX_LENGTH
                || (data[1] | data[2] | data[3]) != 0) {
            return 0;
        }
        switch (data[0]) {
            case TYPE_INITIATION:
                return length == INITIATION_LENGTH ? TYPE_INITIATION : 0;
            case TYPE_RESPONSE:
                return length == RESPONSE_LENGTH ? TYPE_RESPONSE : 0;
            case TYPE_COOKIE_REPLY:
                return length == COOKIE_REPLY_LENGTH ? TYPE_COOKIE_REPLY : 0;
            case TYPE_TRANSPORT:
                return length >= TRANSPORT_MIN_LENGTH ? TYPE_TRANSPORT : 0;
            default:
                return 0;
        }
    }

    /** {@link #classify(byte[], int)} of the whole array. */
    public static int classify(byte[] data) {
        return data == null ? 0 : classify(data, data.length);
    }

    /** Where mac1 starts in a message of {@code type}, or -1 for types without macs (3 and 4). */
    public static int mac1Offset(int type) {
        return type == TYPE_INITIATION ? INITIATION_MAC1_OFFSET : type == TYPE_RESPONSE ? RESPONSE_MAC1_OFFSET : -1;
    }

    /** Where mac2 starts in a message of {@code type}, or -1 for types without macs (3 and 4). */
    public static int mac2Offset(int type) {
        return type == TYPE_INITIATION ? INITIATION_MAC2_OFFSET : type == TYPE_RESPONSE ? RESPONSE_MAC2_OFFSET : -1;
    }

    /** The sender index of a well-formed initiation or response. */
    public static int senderIndex(byte[] data) {
        return getIntLE(data, SENDER_OFFSET);
    }

    /**
     * The receiver index of a well-formed message of {@code type} 2, 3 or 4 (the index its recipient chose).
     *
     * @throws IllegalArgumentException for an initiation, which has none
     */
    public static int receiverIndex(byte[] data, int type) {
        switch (type) {
            case TYPE_RESPONSE:
                return getIntLE(data, RESPONSE_RECEIVER_OFFSET);
            case TYPE_COOKIE_REPLY:
                return getIntLE(data, COOKIE_RECEIVER_OFFSET);
            case TYPE_TRANSPORT:
                return getIntLE(data, TRANSPORT_RECEIVER_OFFSET);
            default:
                throw new IllegalArgumentException("message type " + type + " has no receiver index");
        }
    }

    /** The counter (nonce) of a well-formed transport message. */
    public static long counter(byte[] data) {
        return getLongLE(data, TRANSPORT_COUNTER_OFFSET);
    }

    public static int getIntLE(byte[] b, int offset) {
        return (int) INT_LE.get(b, offset);
    }

    public static void putIntLE(byte[] b, int offset, int value) {
        INT_LE.set(b, offset, value);
    }

    public static long getLongLE(byte[] b, int offset) {
        return (long) LONG_LE.get(b, offset);
    }

    public static void putLongLE(byte[] b, int offset, long value) {
        LONG_LE.set(b, offset, value);
    }

    /** A fresh message of {@code length} bytes whose header says {@code type}. */
    static byte[] header(int type, int length) {
        byte[] b = new byte[length];
        b[0] = (byte) type;
        return b;
    }
}
