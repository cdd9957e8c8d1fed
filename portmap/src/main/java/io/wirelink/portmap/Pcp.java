package io.wirelink.portmap;

import io.wirelink.facts.MalformedInputException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * PCP (RFC 6887) MAP requests and responses, byte for byte. Requests go to the gateway's UDP port 5351;
 * addresses are 16 bytes, IPv4 as IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}).
 *
 * <pre>
 * request header (§7.1):   version 2 | R=0, opcode 7 bits | reserved u16 | requested lifetime u32
 *                          | client IP (16)                                             = 24 bytes
 * response header (§7.2):  version 2 | R=1, opcode | reserved u8 | result u8 | lifetime u32 | epoch u32
 *                          | reserved (12)                                              = 24 bytes
 * MAP payload (§11.1):     nonce (12) | protocol u8 | reserved (3) | internal port u16
 *                          | suggested / assigned external port u16 | suggested / assigned external IP (16) = 36
 * then options (§7.3):     code u8 | reserved u8 | length u16 | data, padded to 4 bytes
 * </pre>
 */
public final class Pcp {
    public static final int PORT = 5351;
    public static final int VERSION = 2;
    public static final int OP_MAP = 1;
    public static final int PROTO_UDP = 17;
    public static final int NONCE_LENGTH = 12;
    /** The largest PCP message (§7). */
    public static final int MAX_LENGTH = 1100;
    static final int HEADER = 24;
    static final int MAP_PAYLOAD = 36;

    private Pcp() {}

    /** A MAP response: the result, and on success what the server assigned. */
    public record MapResponse(int result, long lifetimeSeconds, long epoch, byte[] nonce, int protocol,
            int internalPort, int externalPort, InetAddress externalAddress) {
        @Override
        public byte[] nonce() {
            return nonce == null ? null : nonce.clone();
        }
    }

    public static String resultName(int code) {
        String[] names = {"SUCCESS", "UNSUPP_VERSION", "NOT_AUTHORIZED", "MALFORMED_REQUEST", "UNSUPP_OPCODE",
            "UNSUPP_OPTION", "MALFORMED_OPTION", "NETWORK_FAILURE", "NO_RESOURCES", "UNSUPP_PROTOCOL",
            "USER_EX_QUOTA", "CANNOT_PROVIDE_EXTERNAL", "ADDRESS_MISMATCH", "EXCESSIVE_REMOTE_PEERS"};
        return code >= 0 && code < names.length ? names[code] : "result " + code;
    }

    /**
     * A UDP MAP request from {@code client} (the address the server sees as our source, else it answers
     * ADDRESS_MISMATCH). {@code lifetimeSeconds} 0 deletes the mapping with this nonce (§15).
     *
     * @param suggestedExternal null for no preference (the all-zeros address of {@code client}'s family)
     */
    public static byte[] mapRequest(InetAddress client, byte[] nonce, int internalPort, int suggestedExternalPort,
            InetAddress suggestedExternal, long lifetimeSeconds) {
        if (nonce == null || nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("a PCP nonce is 12 bytes");
        }
        NatPmp.checkPort(internalPort, "internal port");
        if (suggestedExternalPort < 0 || suggestedExternalPort > 0xffff) {
            throw new IllegalArgumentException("suggested external port " + suggestedExternalPort);
        }
        if (lifetimeSeconds < 0 || lifetimeSeconds > 0xffffffffL) {
            throw new IllegalArgumentException("lifetime " + lifetimeSeconds);
        }
        byte[] zeros = client instanceof Inet4Address ? mapped(new byte[4]) : new byte[16];
        return ByteBuffer.allocate(HEADER + MAP_PAYLOAD)
                .put((byte) VERSION).put((byte) OP_MAP).putShort((short) 0).putInt((int) lifetimeSeconds)
                .put(address16(client))
                .put(nonce).put((byte) PROTO_UDP).put(new byte[3]).putShort((short) internalPort)
                .putShort((short) suggestedExternalPort)
                .put(suggestedExternal == null ? zeros : address16(suggestedExternal))
                .array();
    }

    /** Decodes a MAP response; an error response may carry the header alone. */
    public static MapResponse decodeMap(byte[] b) {
        if (b == null || b.length < 4) {
            throw new MalformedInputException("PCP response shorter than 4 bytes");
        }
        if ((b[0] & 0xff) != VERSION) {
            // a NAT-PMP-only server answers version 0, UNSUPP_VERSION (RFC 6887 §9)
            throw new MalformedInputException("PCP version " + (b[0] & 0xff) + ", want 2");
        }
        if (b.length < HEADER || b.length > MAX_LENGTH || b.length % 4 != 0) {
            throw new MalformedInputException("PCP response of " + b.length + " bytes (24..1100, a multiple of 4)");
        }
        if ((b[1] & 0xff) != (0x80 | OP_MAP)) {
            throw new MalformedInputException("PCP response opcode byte " + (b[1] & 0xff) + ", want 0x81 (MAP)");
        }
        int result = b[3] & 0xff;
        long lifetime = NatPmp.u32(b, 4);
        long epoch = NatPmp.u32(b, 8);
        if (b.length < HEADER + MAP_PAYLOAD) {
            if (result == 0) {
                throw new MalformedInputException("PCP MAP success without its 36-byte payload");
            }
            return new MapResponse(result, lifetime, epoch, null, 0, 0, 0, null);
        }
        int p = HEADER;
        byte[] nonce = java.util.Arrays.copyOfRange(b, p, p + NONCE_LENGTH);
        int protocol = b[p + 12] & 0xff;
        int internalPort = NatPmp.u16(b, p + 16);
        int externalPort = NatPmp.u16(b, p + 18);
        InetAddress ext = address(java.util.Arrays.copyOfRange(b, p + 20, p + 36));
        for (int o = HEADER + MAP_PAYLOAD; o < b.length; ) {
            if (o + 4 > b.length) {
                throw new MalformedInputException("PCP option header truncated at " + o);
            }
            int len = NatPmp.u16(b, o + 2);
            int padded = (len + 3) & ~3;
            if (o + 4 + padded > b.length) {
                throw new MalformedInputException("PCP option " + (b[o] & 0xff) + " of " + len + " bytes overruns");
            }
            o += 4 + padded;
        }
        return new MapResponse(result, lifetime, epoch, nonce, protocol, internalPort, externalPort, ext);
    }

    /** The 16-byte PCP form of an address (IPv4-mapped for IPv4). */
    static byte[] address16(InetAddress a) {
        byte[] raw = a.getAddress();
        return raw.length == 4 ? mapped(raw) : raw;
    }

    private static byte[] mapped(byte[] v4) {
        byte[] out = new byte[16];
        out[10] = (byte) 0xff;
        out[11] = (byte) 0xff;
        System.arraycopy(v4, 0, out, 12, 4);
        return out;
    }

    private static InetAddress address(byte[] a16) {
        try {
            // getByAddress turns an IPv4-mapped address into an Inet4Address
            InetAddress a = InetAddress.getByAddress(a16);
            if (!(a instanceof Inet4Address) && !(a instanceof Inet6Address)) {
                throw new MalformedInputException("PCP address of an unknown family");
            }
            return a;
        } catch (UnknownHostException e) {
            throw new MalformedInputException("PCP address: " + e.getMessage());
        }
    }
}
