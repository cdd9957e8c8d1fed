package io.wirelink.portmap;

import io.wirelink.facts.MalformedInputException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * NAT-PMP (RFC 6886) messages, byte for byte. Requests go to the gateway's UDP port 5351; all integers are big
 * endian.
 *
 * <pre>
 * external address request (§3.2):  version 0 | opcode 0
 * its response:                      version 0 | opcode 128 | result u16 | epoch u32 | external IPv4 (4)
 * map request (§3.3):                version 0 | opcode 1 (UDP) or 2 (TCP) | reserved u16 | internal port u16
 *                                    | suggested external port u16 | requested lifetime u32
 * its response:                      version 0 | opcode 128+op | result u16 | epoch u32 | internal port u16
 *                                    | mapped external port u16 | lifetime u32
 * </pre>
 */
public final class NatPmp {
    public static final int PORT = 5351;
    public static final int VERSION = 0;
    public static final int OP_EXTERNAL_ADDRESS = 0;
    public static final int OP_MAP_UDP = 1;
    public static final int OP_MAP_TCP = 2;

    private NatPmp() {}

    /** The result of a response; 0 is success (§3.5). */
    public static String resultName(int code) {
        switch (code) {
            case 0:
                return "SUCCESS";
            case 1:
                return "UNSUPPORTED_VERSION";
            case 2:
                return "NOT_AUTHORIZED";
            case 3:
                return "NETWORK_FAILURE";
            case 4:
                return "OUT_OF_RESOURCES";
            case 5:
                return "UNSUPPORTED_OPCODE";
            default:
                return "result " + code;
        }
    }

    /** A response to an external address request. */
    public record ExternalAddressResponse(int result, long epoch, InetAddress address) {}

    /** A response to a map request. */
    public record MapResponse(int opcode, int result, long epoch, int internalPort, int externalPort,
            long lifetimeSeconds) {}

    public static byte[] externalAddressRequest() {
        return new byte[] {VERSION, OP_EXTERNAL_ADDRESS};
    }

    /**
     * A UDP map request; {@code lifetimeSeconds} 0 with {@code suggestedExternalPort} 0 deletes the mapping of
     * {@code internalPort} (§3.4).
     */
    public static byte[] mapRequest(int internalPort, int suggestedExternalPort, long lifetimeSeconds) {
        checkPort(internalPort, "internal port");
        if (suggestedExternalPort < 0 || suggestedExternalPort > 0xffff) {
            throw new IllegalArgumentException("suggested external port " + suggestedExternalPort);
        }
        if (lifetimeSeconds < 0 || lifetimeSeconds > 0xffffffffL) {
            throw new IllegalArgumentException("lifetime " + lifetimeSeconds);
        }
        return ByteBuffer.allocate(12).put((byte) VERSION).put((byte) OP_MAP_UDP).putShort((short) 0)
                .putShort((short) internalPort).putShort((short) suggestedExternalPort)
                .putInt((int) lifetimeSeconds).array();
    }

    public static ExternalAddressResponse decodeExternalAddress(byte[] b) {
        if (b == null || b.length < 4) {
            throw new MalformedInputException("NAT-PMP response shorter than 4 bytes");
        }
        header(b, 128 + OP_EXTERNAL_ADDRESS);
        int result = u16(b, 2);
        if (result != 0) {
            // an error response may stop after the result (or the epoch); nothing else is needed
            return new ExternalAddressResponse(result, b.length >= 8 ? u32(b, 4) : 0, null);
        }
        if (b.length < 12) {
            throw new MalformedInputException("NAT-PMP external address response of " + b.length + " bytes, want 12");
        }
        try {
            InetAddress a = InetAddress.getByAddress(new byte[] {b[8], b[9], b[10], b[11]});
            return new ExternalAddressResponse(result, u32(b, 4), (Inet4Address) a);
        } catch (UnknownHostException e) {
            throw new MalformedInputException("NAT-PMP external address: " + e.getMessage());
        }
    }

    /** Decodes a map response; {@code expectOpcode} is the request's opcode (1 for UDP). */
    public static MapResponse decodeMap(byte[] b, int expectOpcode) {
        if (b == null || b.length < 4) {
            throw new MalformedInputException("NAT-PMP response shorter than 4 bytes");
        }
        header(b, 128 + expectOpcode);
        int result = u16(b, 2);
        if (result != 0) {
            return new MapResponse(expectOpcode, result, b.length >= 8 ? u32(b, 4) : 0, 0, 0, 0);
        }
        if (b.length < 16) {
            throw new MalformedInputException("NAT-PMP map response of " + b.length + " bytes, want 16");
        }
        return new MapResponse(expectOpcode, result, u32(b, 4), u16(b, 8), u16(b, 10), u32(b, 12));
    }

    private static void header(byte[] b, int opcode) {
        if (b[0] != VERSION) {
            throw new MalformedInputException("NAT-PMP version " + (b[0] & 0xff) + ", want 0");
        }
        if ((b[1] & 0xff) != opcode) {
            throw new MalformedInputException("NAT-PMP opcode " + (b[1] & 0xff) + ", want " + opcode);
        }
    }

    static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    static long u32(byte[] b, int off) {
        return ((long) (b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8)
                | (b[off + 3] & 0xff);
    }

    static void checkPort(int port, String what) {
        if (port < 1 || port > 0xffff) {
            throw new IllegalArgumentException(what + " " + port + " is not 1..65535");
        }
    }
}
