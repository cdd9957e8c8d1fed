package io.wirelink.relay;

import static io.wirelink.relay.WireFormat.COOKIE_ENCRYPTED_LENGTH;
import static io.wirelink.relay.WireFormat.COOKIE_ENCRYPTED_OFFSET;
import static io.wirelink.relay.WireFormat.COOKIE_NONCE_LENGTH;
import static io.wirelink.relay.WireFormat.COOKIE_NONCE_OFFSET;
import static io.wirelink.relay.WireFormat.COOKIE_RECEIVER_OFFSET;
import static io.wirelink.relay.WireFormat.COOKIE_REPLY_LENGTH;
import static io.wirelink.relay.WireFormat.INITIATION_EPHEMERAL_OFFSET;
import static io.wirelink.relay.WireFormat.INITIATION_LENGTH;
import static io.wirelink.relay.WireFormat.INITIATION_MAC1_OFFSET;
import static io.wirelink.relay.WireFormat.INITIATION_MAC2_OFFSET;
import static io.wirelink.relay.WireFormat.INITIATION_STATIC_LENGTH;
import static io.wirelink.relay.WireFormat.INITIATION_STATIC_OFFSET;
import static io.wirelink.relay.WireFormat.INITIATION_TIMESTAMP_LENGTH;
import static io.wirelink.relay.WireFormat.INITIATION_TIMESTAMP_OFFSET;
import static io.wirelink.relay.WireFormat.KEY_LENGTH;
import static io.wirelink.relay.WireFormat.MAC_LENGTH;
import static io.wirelink.relay.WireFormat.RESPONSE_EMPTY_OFFSET;
import static io.wirelink.relay.WireFormat.RESPONSE_EPHEMERAL_OFFSET;
import static io.wirelink.relay.WireFormat.RESPONSE_LENGTH;
import static io.wirelink.relay.WireFormat.RESPONSE_MAC1_OFFSET;
import static io.wirelink.relay.WireFormat.RESPONSE_MAC2_OFFSET;
import static io.wirelink.relay.WireFormat.RESPONSE_RECEIVER_OFFSET;
import static io.wirelink.relay.WireFormat.SENDER_OFFSET;
import static io.wirelink.relay.WireFormat.TAG_LENGTH;
import static io.wirelink.relay.WireFormat.TRANSPORT_COUNTER_OFFSET;
import static io.wirelink.relay.WireFormat.TRANSPORT_HEADER_LENGTH;
import static io.wirelink.relay.WireFormat.TRANSPORT_RECEIVER_OFFSET;

import io.wirelink.facts.MalformedInputException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A WireGuard message, decoded: the four types of {@link WireFormat}. Byte fields are copied in and out, so a
 * message is immutable; equality compares contents. Encrypted fields stay encrypted: this is framing only.
 */
public sealed interface WgMessage
        permits WgMessage.Initiation, WgMessage.Response, WgMessage.CookieReply, WgMessage.Transport {

    /** The message type, 1 to 4. */
    int type();

    /** The exact wire bytes. */
    byte[] encode();

    /**
     * Decodes one datagram.
     *
     * @throws MalformedInputException when it is not a well-formed WireGuard message (the only exception)
     */
    static WgMessage decode(byte[] data) {
        if (data == null) {
            throw new MalformedInputException("no datagram");
        }
        int type = WireFormat.classify(data);
        switch (type) {
            case WireFormat.TYPE_INITIATION:
                return new Initiation(WireFormat.senderIndex(data), slice(data, INITIATION_EPHEMERAL_OFFSET, KEY_LENGTH),
                        slice(data, INITIATION_STATIC_OFFSET, INITIATION_STATIC_LENGTH),
                        slice(data, INITIATION_TIMESTAMP_OFFSET, INITIATION_TIMESTAMP_LENGTH),
                        slice(data, INITIATION_MAC1_OFFSET, MAC_LENGTH), slice(data, INITIATION_MAC2_OFFSET, MAC_LENGTH));
            case WireFormat.TYPE_RESPONSE:
                return new Response(WireFormat.senderIndex(data), WireFormat.getIntLE(data, RESPONSE_RECEIVER_OFFSET),
                        slice(data, RESPONSE_EPHEMERAL_OFFSET, KEY_LENGTH), slice(data, RESPONSE_EMPTY_OFFSET, TAG_LENGTH),
                        slice(data, RESPONSE_MAC1_OFFSET, MAC_LENGTH), slice(data, RESPONSE_MAC2_OFFSET, MAC_LENGTH));
            case WireFormat.TYPE_COOKIE_REPLY:
                return new CookieReply(WireFormat.getIntLE(data, COOKIE_RECEIVER_OFFSET),
                        slice(data, COOKIE_NONCE_OFFSET, COOKIE_NONCE_LENGTH),
                        slice(data, COOKIE_ENCRYPTED_OFFSET, COOKIE_ENCRYPTED_LENGTH));
            case WireFormat.TYPE_TRANSPORT:
                return new Transport(WireFormat.getIntLE(data, TRANSPORT_RECEIVER_OFFSET), WireFormat.counter(data),
                        slice(data, TRANSPORT_HEADER_LENGTH, data.length - TRANSPORT_HEADER_LENGTH));
            default:
                throw new MalformedInputException(describe(data));
        }
    }

    private static String describe(byte[] data) {
        if (data.length < 4) {
            return "not a WireGuard message: " + data.length + " bytes";
        }
        if ((data[1] | data[2] | data[3]) != 0) {
            return "not a WireGuard message: reserved header bytes are not zero";
        }
        int t = data[0] & 0xff;
        if (t < 1 || t > 4) {
            return "not a WireGuard message: unknown type " + t;
        }
        return "WireGuard message of type " + t + " has the wrong length " + data.length;
    }

    private static byte[] slice(byte[] b, int offset, int length) {
        return Arrays.copyOfRange(b, offset, offset + length);
    }

    private static byte[] check(byte[] b, int length, String field) {
        if (b == null || b.length != length) {
            throw new IllegalArgumentException(field + " must be " + length + " bytes, got "
                    + (b == null ? "null" : b.length));
        }
        return b.clone();
    }

    /** Type 1, the handshake initiation: routed by mac1, which is keyed with the responder's public key. */
    record Initiation(int senderIndex, byte[] ephemeral, byte[] encryptedStatic, byte[] encryptedTimestamp,
            byte[] mac1, byte[] mac2) implements WgMessage {
        public Initiation {
            ephemeral = check(ephemeral, KEY_LENGTH, "ephemeral");
            encryptedStatic = check(encryptedStatic, INITIATION_STATIC_LENGTH, "encrypted static");
            encryptedTimestamp = check(encryptedTimestamp, INITIATION_TIMESTAMP_LENGTH, "encrypted timestamp");
            mac1 = check(mac1, MAC_LENGTH, "mac1");
            mac2 = check(mac2, MAC_LENGTH, "mac2");
        }

        @Override
        public int type() {
            return WireFormat.TYPE_INITIATION;
        }

        @Override
        public byte[] encode() {
            byte[] b = WireFormat.header(WireFormat.TYPE_INITIATION, INITIATION_LENGTH);
            WireFormat.putIntLE(b, SENDER_OFFSET, senderIndex);
            System.arraycopy(ephemeral, 0, b, INITIATION_EPHEMERAL_OFFSET, KEY_LENGTH);
            System.arraycopy(encryptedStatic, 0, b, INITIATION_STATIC_OFFSET, INITIATION_STATIC_LENGTH);
            System.arraycopy(encryptedTimestamp, 0, b, INITIATION_TIMESTAMP_OFFSET, INITIATION_TIMESTAMP_LENGTH);
            System.arraycopy(mac1, 0, b, INITIATION_MAC1_OFFSET, MAC_LENGTH);
            System.arraycopy(mac2, 0, b, INITIATION_MAC2_OFFSET, MAC_LENGTH);
            return b;
        }

        @Override
        public byte[] ephemeral() {
            return ephemeral.clone();
        }

        @Override
        public byte[] encryptedStatic() {
            return encryptedStatic.clone();
        }

        @Override
        public byte[] encryptedTimestamp() {
            return encryptedTimestamp.clone();
        }

        @Override
        public byte[] mac1() {
            return mac1.clone();
        }

        @Override
        public byte[] mac2() {
            return mac2.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Initiation m && Arrays.equals(encode(), m.encode());
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(encode());
        }

        @Override
        public String toString() {
            return "Initiation[sender=" + Integer.toUnsignedString(senderIndex) + ", ephemeral="
                    + HexFormat.of().formatHex(ephemeral) + "]";
        }
    }

    /** Type 2, the handshake response: routed by its receiver index, the initiation's sender index. */
    record Response(int senderIndex, int receiverIndex, byte[] ephemeral, byte[] encryptedNothing, byte[] mac1,
            byte[] mac2) implements WgMessage {
        public Response {
            ephemeral = check(ephemeral, KEY_LENGTH, "ephemeral");
            encryptedNothing = check(encryptedNothing, TAG_LENGTH, "encrypted nothing");
            mac1 = check(mac1, MAC_LENGTH, "mac1");
            mac2 = check(mac2, MAC_LENGTH, "mac2");
        }

        @Override
        public int type() {
            return WireFormat.TYPE_RESPONSE;
        }

        @Override
        public byte[] encode() {
            byte[] b = WireFormat.header(WireFormat.TYPE_RESPONSE, RESPONSE_LENGTH);
            WireFormat.putIntLE(b, SENDER_OFFSET, senderIndex);
            WireFormat.putIntLE(b, RESPONSE_RECEIVER_OFFSET, receiverIndex);
            System.arraycopy(ephemeral, 0, b, RESPONSE_EPHEMERAL_OFFSET, KEY_LENGTH);
            System.arraycopy(encryptedNothing, 0, b, RESPONSE_EMPTY_OFFSET, TAG_LENGTH);
            System.arraycopy(mac1, 0, b, RESPONSE_MAC1_OFFSET, MAC_LENGTH);
            System.arraycopy(mac2, 0, b, RESPONSE_MAC2_OFFSET, MAC_LENGTH);
            return b;
        }

        @Override
        public byte[] ephemeral() {
            return ephemeral.clone();
        }

        @Override
        public byte[] encryptedNothing() {
            return encryptedNothing.clone();
        }

        @Override
        public byte[] mac1() {
            return mac1.clone();
        }

        @Override
        public byte[] mac2() {
            return mac2.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Response m && Arrays.equals(encode(), m.encode());
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(encode());
        }

        @Override
        public String toString() {
            return "Response[sender=" + Integer.toUnsignedString(senderIndex) + ", receiver="
                    + Integer.toUnsignedString(receiverIndex) + "]";
        }
    }

    /** Type 3, the cookie reply a responder under load sends instead of a response; routed by receiver index. */
    record CookieReply(int receiverIndex, byte[] nonce, byte[] encryptedCookie) implements WgMessage {
        public CookieReply {
            nonce = check(nonce, COOKIE_NONCE_LENGTH, "nonce");
            encryptedCookie = check(encryptedCookie, COOKIE_ENCRYPTED_LENGTH, "encrypted cookie");
        }

        @Override
        public int type() {
            return WireFormat.TYPE_COOKIE_REPLY;
        }

        @Override
        public byte[] encode() {
            byte[] b = WireFormat.header(WireFormat.TYPE_COOKIE_REPLY, COOKIE_REPLY_LENGTH);
            WireFormat.putIntLE(b, COOKIE_RECEIVER_OFFSET, receiverIndex);
            System.arraycopy(nonce, 0, b, COOKIE_NONCE_OFFSET, COOKIE_NONCE_LENGTH);
            System.arraycopy(encryptedCookie, 0, b, COOKIE_ENCRYPTED_OFFSET, COOKIE_ENCRYPTED_LENGTH);
            return b;
        }

        @Override
        public byte[] nonce() {
            return nonce.clone();
        }

        @Override
        public byte[] encryptedCookie() {
            return encryptedCookie.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CookieReply m && Arrays.equals(encode(), m.encode());
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(encode());
        }

        @Override
        public String toString() {
            return "CookieReply[receiver=" + Integer.toUnsignedString(receiverIndex) + "]";
        }
    }

    /** Type 4, transport data (a keepalive when the packet is empty); routed by receiver index. */
    record Transport(int receiverIndex, long counter, byte[] encryptedPacket) implements WgMessage {
        public Transport {
            if (encryptedPacket == null || encryptedPacket.length < TAG_LENGTH
                    || encryptedPacket.length > WireFormat.MAX_LENGTH - TRANSPORT_HEADER_LENGTH) {
                throw new IllegalArgumentException("encrypted packet must be " + TAG_LENGTH + " to "
                        + (WireFormat.MAX_LENGTH - TRANSPORT_HEADER_LENGTH) + " bytes, got "
                        + (encryptedPacket == null ? "null" : encryptedPacket.length));
            }
            encryptedPacket = encryptedPacket.clone();
        }

        @Override
        public int type() {
            return WireFormat.TYPE_TRANSPORT;
        }

        @Override
        public byte[] encode() {
            byte[] b = WireFormat.header(WireFormat.TYPE_TRANSPORT, TRANSPORT_HEADER_LENGTH + encryptedPacket.length);
            WireFormat.putIntLE(b, TRANSPORT_RECEIVER_OFFSET, receiverIndex);
            WireFormat.putLongLE(b, TRANSPORT_COUNTER_OFFSET, counter);
            System.arraycopy(encryptedPacket, 0, b, TRANSPORT_HEADER_LENGTH, encryptedPacket.length);
            return b;
        }

        @Override
        public byte[] encryptedPacket() {
            return encryptedPacket.clone();
        }

        /** A keepalive: the encrypted packet is only the tag of an empty plaintext. */
        public boolean isKeepalive() {
            return encryptedPacket.length == TAG_LENGTH;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Transport m && Arrays.equals(encode(), m.encode());
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(encode());
        }

        @Override
        public String toString() {
            return "Transport[receiver=" + Integer.toUnsignedString(receiverIndex) + ", counter="
                    + Long.toUnsignedString(counter) + ", " + encryptedPacket.length + " B]";
        }
    }
}
