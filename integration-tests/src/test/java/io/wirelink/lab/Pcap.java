package io.wirelink.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A small reader for classic pcap files as {@code tcpdump -w} writes them (not pcapng): the global header (either
 * byte order, micro- or nanosecond timestamps), then records. Frames of the link types {@code tcpdump -i any} uses
 * (LINUX_SLL, 113, and LINUX_SLL2, 276) and of RAW (101) are decoded down to IPv4 or IPv6 and UDP. Anything it does
 * not understand is an {@link IllegalArgumentException} naming the record, so a test cannot silently skip packets.
 */
final class Pcap {
    static final int LINKTYPE_RAW = 101;
    static final int LINKTYPE_LINUX_SLL = 113;
    static final int LINKTYPE_LINUX_SLL2 = 276;
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final int MAGIC_NANOS = 0xa1b23c4d;
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_IPV6 = 0x86dd;
    static final int PROTO_UDP = 17;

    /**
     * One record: its index in the file, link type, whether the cooked header says it was sent by this host, and when
     * it was captured (nanoseconds since 1970, at the capture's resolution).
     */
    record Frame(int index, int linkType, boolean outgoing, byte[] bytes, int networkOffset, int etherType,
            long epochNanos) {
        /** Whether {@code needle} occurs anywhere in the captured bytes (headers included). */
        boolean contains(byte[] needle) {
            return indexOf(bytes, needle, 0) >= 0;
        }
    }

    /** A UDP datagram out of a frame. */
    record Udp(Frame frame, InetAddress src, int srcPort, InetAddress dst, int dstPort, byte[] payload) {}

    private Pcap() {}

    /** Every record of {@code file}. */
    static List<Frame> read(Path file) throws IOException {
        return parse(Files.readAllBytes(file));
    }

    static List<Frame> parse(byte[] data) {
        if (data.length < 24) {
            throw new IllegalArgumentException("not a pcap file: " + data.length + " bytes, the header alone is 24");
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
            b.order(ByteOrder.BIG_ENDIAN);
            magic = b.getInt(0);
            if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
                throw new IllegalArgumentException(String.format("not a pcap file (magic %08x; pcapng is not read)",
                        b.order(ByteOrder.LITTLE_ENDIAN).getInt(0)));
            }
        }
        int major = b.getShort(4) & 0xffff;
        if (major != 2) {
            throw new IllegalArgumentException("pcap version " + major + " is not 2");
        }
        int linkType = b.getInt(20) & 0x0fffffff; // the top bits may carry an FCS length
        long fraction = magic == MAGIC_NANOS ? 1 : 1000;
        List<Frame> out = new ArrayList<>();
        int at = 24;
        while (at < data.length) {
            if (data.length - at < 16) {
                throw new IllegalArgumentException("record " + out.size() + ": truncated header at byte " + at);
            }
            int incl = b.getInt(at + 8);
            int orig = b.getInt(at + 12);
            if (incl < 0 || incl > data.length - at - 16) {
                throw new IllegalArgumentException("record " + out.size() + ": " + incl + " bytes do not fit");
            }
            if (incl != orig) {
                throw new IllegalArgumentException("record " + out.size() + ": captured " + incl + " of " + orig
                        + " bytes (snap length too small)");
            }
            byte[] frame = Arrays.copyOfRange(data, at + 16, at + 16 + incl);
            long ts = (b.getInt(at) & 0xffffffffL) * 1_000_000_000L + (b.getInt(at + 4) & 0xffffffffL) * fraction;
            out.add(frame(out.size(), linkType, frame, ts));
            at += 16 + incl;
        }
        return out;
    }

    private static Frame frame(int index, int linkType, byte[] f, long ts) {
        ByteBuffer b = ByteBuffer.wrap(f); // cooked headers are big-endian
        switch (linkType) {
            case LINKTYPE_LINUX_SLL: {
                // packet type (2) | ARPHRD (2) | address length (2) | address (8) | protocol (2)
                need(index, f, 16);
                int packetType = b.getShort(0) & 0xffff;
                return new Frame(index, linkType, packetType == 4, f, 16, b.getShort(14) & 0xffff, ts);
            }
            case LINKTYPE_LINUX_SLL2: {
                // protocol (2) | reserved (2) | interface index (4) | ARPHRD (2) | packet type (1) | address length
                // (1) | address (8)
                need(index, f, 20);
                int packetType = f[10] & 0xff;
                return new Frame(index, linkType, packetType == 4, f, 20, b.getShort(0) & 0xffff, ts);
            }
            case LINKTYPE_RAW: {
                need(index, f, 1);
                int version = (f[0] & 0xff) >>> 4;
                return new Frame(index, linkType, false, f, 0, version == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, ts);
            }
            default:
                throw new IllegalArgumentException("link type " + linkType + " is not read (LINUX_SLL 113, "
                        + "LINUX_SLL2 276, RAW 101)");
        }
    }

    /** The UDP datagram in {@code f}, or null when the frame is not UDP over IPv4 or IPv6. */
    static Udp udp(Frame f) {
        byte[] d = f.bytes();
        int ip = f.networkOffset();
        int udp;
        InetAddress src;
        InetAddress dst;
        if (f.etherType() == ETHERTYPE_IPV4) {
            need(f.index(), d, ip + 20);
            if ((d[ip] & 0xf0) != 0x40) {
                throw new IllegalArgumentException("record " + f.index() + ": IPv4 ethertype, version "
                        + ((d[ip] & 0xff) >>> 4));
            }
            int ihl = (d[ip] & 0x0f) * 4;
            int fragment = ((d[ip + 6] & 0x1f) << 8) | (d[ip + 7] & 0xff);
            boolean moreFragments = (d[ip + 6] & 0x20) != 0;
            if (d[ip + 9] != PROTO_UDP) {
                return null;
            }
            if (fragment != 0 || moreFragments) {
                throw new IllegalArgumentException("record " + f.index() + ": a fragmented UDP datagram");
            }
            src = address(d, ip + 12, 4);
            dst = address(d, ip + 16, 4);
            udp = ip + ihl;
        } else if (f.etherType() == ETHERTYPE_IPV6) {
            need(f.index(), d, ip + 40);
            if (d[ip + 6] != PROTO_UDP) {
                return null; // extension headers are not followed; tcpdump's "udp" does not match them either
            }
            src = address(d, ip + 8, 16);
            dst = address(d, ip + 24, 16);
            udp = ip + 40;
        } else {
            return null;
        }
        need(f.index(), d, udp + 8);
        int srcPort = ((d[udp] & 0xff) << 8) | (d[udp + 1] & 0xff);
        int dstPort = ((d[udp + 2] & 0xff) << 8) | (d[udp + 3] & 0xff);
        int length = ((d[udp + 4] & 0xff) << 8) | (d[udp + 5] & 0xff);
        if (length < 8 || udp + length > d.length) {
            throw new IllegalArgumentException("record " + f.index() + ": UDP length " + length + " with "
                    + (d.length - udp) + " bytes captured");
        }
        return new Udp(f, src, srcPort, dst, dstPort, Arrays.copyOfRange(d, udp + 8, udp + length));
    }

    private static void need(int index, byte[] d, int n) {
        if (d.length < n) {
            throw new IllegalArgumentException("record " + index + ": " + d.length + " bytes, need " + n);
        }
    }

    private static InetAddress address(byte[] d, int off, int len) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(d, off, off + len));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
