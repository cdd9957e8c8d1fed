package io.wirelink.apply.netlink;

import io.wirelink.facts.MalformedInputException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One netlink message as received: the {@code nlmsghdr} fields and a copy of the payload that follows the header.
 * {@link #parseAll} splits a datagram, which may hold several messages (multi-part dumps do).
 */
final class NlMessage {
    static final int NLMSG_NOOP = 1;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLMSG_OVERRUN = 4;

    static final int NLM_F_REQUEST = 0x01;
    static final int NLM_F_MULTI = 0x02;
    static final int NLM_F_ACK = 0x04;
    static final int NLM_F_DUMP_INTR = 0x10;
    static final int NLM_F_ROOT = 0x100;
    static final int NLM_F_MATCH = 0x200;
    static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    static final int NLM_F_REPLACE = 0x100;
    static final int NLM_F_EXCL = 0x200;
    static final int NLM_F_CREATE = 0x400;
    /** In an NLMSG_ERROR: the original request's payload was left out (NETLINK_CAP_ACK). */
    static final int NLM_F_CAPPED = 0x100;
    /** In an NLMSG_ERROR or NLMSG_DONE: extended ACK attributes follow. */
    static final int NLM_F_ACK_TLVS = 0x200;

    static final int NLMSGERR_ATTR_MSG = 1;
    static final int NLMSGERR_ATTR_OFFS = 2;

    private final int type;
    private final int flags;
    private final int seq;
    private final int pid;
    private final byte[] payload;

    NlMessage(int type, int flags, int seq, int pid, byte[] payload) {
        this.type = type;
        this.flags = flags;
        this.seq = seq;
        this.pid = pid;
        this.payload = payload;
    }

    int type() {
        return type;
    }

    int flags() {
        return flags;
    }

    int seq() {
        return seq;
    }

    int pid() {
        return pid;
    }

    /** The payload after the 16-byte header; not copied, do not modify. */
    byte[] payload() {
        return payload;
    }

    /** Zeroes the payload (replies that carried key material). */
    void wipe() {
        Arrays.fill(payload, (byte) 0);
    }

    /**
     * Splits {@code data[0, length)} into messages. Each {@code nlmsg_len} must cover at least the header and stay
     * inside the datagram; the padding after the last message may be missing.
     */
    static List<NlMessage> parseAll(byte[] data, int length) {
        if (length < 0 || length > data.length) {
            throw new MalformedInputException("datagram length " + length + " outside buffer of " + data.length);
        }
        ByteBuffer bb = ByteBuffer.wrap(data, 0, length).order(NlMessageBuilder.ORDER);
        List<NlMessage> out = new ArrayList<>();
        int pos = 0;
        while (pos < length) {
            int remaining = length - pos;
            if (remaining < NlMessageBuilder.NLMSG_HDRLEN) {
                throw new MalformedInputException(remaining + " stray bytes after netlink message at " + pos);
            }
            long len = Integer.toUnsignedLong(bb.getInt(pos));
            if (len < NlMessageBuilder.NLMSG_HDRLEN || len > remaining) {
                throw new MalformedInputException(
                        "netlink message at " + pos + " has length " + len + ", " + remaining + " bytes left");
            }
            int n = (int) len;
            int type = bb.getShort(pos + 4) & 0xffff;
            int flags = bb.getShort(pos + 6) & 0xffff;
            int seq = bb.getInt(pos + 8);
            int pid = bb.getInt(pos + 12);
            byte[] payload = Arrays.copyOfRange(data, pos + NlMessageBuilder.NLMSG_HDRLEN, pos + n);
            out.add(new NlMessage(type, flags, seq, pid, payload));
            pos += Math.min(NlMessageBuilder.align(n), remaining);
        }
        return out;
    }

    /** The error code of an NLMSG_ERROR (0 for an ACK) or NLMSG_DONE, as a positive errno, plus the kernel's text. */
    record Status(int errno, String message) {}

    /**
     * Decodes the status of an NLMSG_ERROR or NLMSG_DONE message. NLMSG_ERROR carries {@code struct nlmsgerr}: an int
     * error (0 or a negative errno) and the request's header (plus its payload unless NLM_F_CAPPED); with
     * NLM_F_ACK_TLVS, extended ACK attributes follow. NLMSG_DONE carries an int, possibly followed by them too.
     */
    Status status() {
        if (type != NLMSG_ERROR && type != NLMSG_DONE) {
            throw new IllegalStateException("not an NLMSG_ERROR or NLMSG_DONE: type " + type);
        }
        if (payload.length < 4) {
            if (type == NLMSG_DONE) {
                return new Status(0, null); // very old kernels sent an empty DONE
            }
            throw new MalformedInputException("NLMSG_ERROR payload of " + payload.length + " bytes");
        }
        ByteBuffer bb = ByteBuffer.wrap(payload).order(NlMessageBuilder.ORDER);
        int error = bb.getInt(0);
        if (error > 0) {
            throw new MalformedInputException("positive netlink error code " + error);
        }
        if (error == Integer.MIN_VALUE) {
            throw new MalformedInputException("netlink error code out of range");
        }
        int tlvStart;
        if (type == NLMSG_DONE) {
            tlvStart = 4;
        } else {
            if (payload.length < 4 + NlMessageBuilder.NLMSG_HDRLEN) {
                throw new MalformedInputException("NLMSG_ERROR without the request header");
            }
            if ((flags & NLM_F_CAPPED) != 0) {
                tlvStart = 4 + NlMessageBuilder.NLMSG_HDRLEN;
            } else {
                long inner = Integer.toUnsignedLong(bb.getInt(4));
                if (inner < NlMessageBuilder.NLMSG_HDRLEN || inner > payload.length - 4) {
                    throw new MalformedInputException("NLMSG_ERROR echoes a request of length " + inner);
                }
                tlvStart = 4 + NlMessageBuilder.align((int) inner);
            }
        }
        String text = null;
        if ((flags & NLM_F_ACK_TLVS) != 0 && tlvStart < payload.length) {
            NlAttr msg = NlAttr.find(NlAttr.parse(payload, tlvStart, payload.length - tlvStart), NLMSGERR_ATTR_MSG);
            if (msg != null) {
                text = msg.string();
            }
        }
        return new Status(-error, text == null || text.isEmpty() ? null : text);
    }
}
