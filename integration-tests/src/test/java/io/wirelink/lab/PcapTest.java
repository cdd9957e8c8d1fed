package io.wirelink.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.relay.Probe;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pcap reader and the relay-port classifier of {@link AgentRelayIT}, on hand-made captures (no root). */
class PcapTest {
    static final byte[] PAYLOAD = HexFormat.of().parseHex("04000000" + "11".repeat(28));

    @Test
    void readsCookedV1AndV2FramesInBothByteOrders() throws Exception {
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            byte[] v4 = udp4("192.0.2.2", 40000, "203.0.113.11", 51823, PAYLOAD);
            byte[] v6 = udp6("fd00::2", 40001, "fd00::7", 51823, PAYLOAD);
            byte[] file = pcap(order, Pcap.LINKTYPE_LINUX_SLL2, sll2(0x0800, 0, v4), sll2(0x86dd, 4, v6));
            List<Pcap.Frame> frames = Pcap.parse(file);
            assertEquals(2, frames.size());
            Pcap.Udp a = Pcap.udp(frames.get(0));
            assertFalse(frames.get(0).outgoing());
            assertEquals(InetAddress.getByName("192.0.2.2"), a.src());
            assertEquals(40000, a.srcPort());
            assertEquals(InetAddress.getByName("203.0.113.11"), a.dst());
            assertEquals(51823, a.dstPort());
            assertArrayEquals(PAYLOAD, a.payload());
            Pcap.Udp b = Pcap.udp(frames.get(1));
            assertTrue(frames.get(1).outgoing());
            assertEquals(InetAddress.getByName("fd00::7"), b.dst());
            assertArrayEquals(PAYLOAD, b.payload());

            List<Pcap.Frame> v1 = Pcap.parse(pcap(order, Pcap.LINKTYPE_LINUX_SLL, sll(0x0800, 4, v4)));
            assertTrue(v1.get(0).outgoing());
            assertArrayEquals(PAYLOAD, Pcap.udp(v1.get(0)).payload());
            assertEquals(51823, Pcap.udp(v1.get(0)).dstPort());
        }
    }

    @Test
    void findsTheMarkerAnywhereInAFrame() {
        byte[] icmp = new byte[84];
        icmp[0] = 0x45;
        icmp[9] = 1;
        System.arraycopy(AgentRelayIT.MARKER, 0, icmp, 60, 8);
        List<Pcap.Frame> frames = Pcap.parse(pcap(ByteOrder.LITTLE_ENDIAN, Pcap.LINKTYPE_RAW, icmp));
        assertTrue(frames.get(0).contains(AgentRelayIT.MARKER));
        assertNull(Pcap.udp(frames.get(0)), "ICMP is not UDP");
    }

    @Test
    void refusesWhatItCannotRead() {
        assertThrows(IllegalArgumentException.class, () -> Pcap.parse(new byte[10]));
        assertThrows(IllegalArgumentException.class, () -> Pcap.parse(new byte[24]));
        byte[] v4 = udp4("192.0.2.2", 1, "203.0.113.11", 2, PAYLOAD);
        assertThrows(IllegalArgumentException.class, () -> Pcap.parse(pcap(ByteOrder.LITTLE_ENDIAN, 1, v4)),
                "Ethernet is not a link type tcpdump -i any writes");
        byte[] truncated = pcap(ByteOrder.LITTLE_ENDIAN, Pcap.LINKTYPE_LINUX_SLL2, sll2(0x0800, 0, v4));
        ByteBuffer.wrap(truncated).order(ByteOrder.LITTLE_ENDIAN).putInt(24 + 12, 9999); // original length
        assertThrows(IllegalArgumentException.class, () -> Pcap.parse(truncated));
    }

    @Test
    void classifiesWhatMayBeOnARelayPort() throws Exception {
        assertEquals("initiation", AgentRelayIT.relayPortMessage(wg(1, 148), true));
        assertEquals("response", AgentRelayIT.relayPortMessage(wg(2, 92), false));
        assertEquals("cookie", AgentRelayIT.relayPortMessage(wg(3, 64), false));
        assertEquals("transport", AgentRelayIT.relayPortMessage(wg(4, 32), true));
        assertEquals("transport", AgentRelayIT.relayPortMessage(wg(4, 128), true));
        assertNull(AgentRelayIT.relayPortMessage(wg(1, 149), true));
        assertNull(AgentRelayIT.relayPortMessage(wg(2, 148), true));
        assertNull(AgentRelayIT.relayPortMessage(wg(4, 31), true));
        assertNull(AgentRelayIT.relayPortMessage(wg(4, 40), true), "transport is padded to 16");
        assertNull(AgentRelayIT.relayPortMessage(wg(5, 64), true));
        byte[] notZero = wg(4, 32);
        notZero[2] = 1;
        assertNull(AgentRelayIT.relayPortMessage(notZero, true));
        byte[] req = Probe.request(new byte[Probe.NONCE_LENGTH]);
        assertEquals("probe", AgentRelayIT.relayPortMessage(req, true));
        assertNull(AgentRelayIT.relayPortMessage(req, false), "requests only go to the relay");
        req[63] = 1;
        assertNull(AgentRelayIT.relayPortMessage(req, true));
        byte[] reply = reply(IpEndpoint.parse("198.51.100.2:40000"));
        assertEquals("probe reply", AgentRelayIT.relayPortMessage(reply, false));
        assertNull(AgentRelayIT.relayPortMessage(reply, true), "replies only come from the relay");
        assertEquals("probe reply", AgentRelayIT.relayPortMessage(reply(IpEndpoint.parse("[fd00::2]:40000")),
                false));
        reply[30] = 7; // inside the unused part of an IPv4 address field
        assertNull(AgentRelayIT.relayPortMessage(reply, false));
        assertNull(AgentRelayIT.relayPortMessage(new byte[0], true));
        assertNull(AgentRelayIT.relayPortMessage("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII), true));
    }

    static byte[] wg(int type, int length) {
        byte[] b = new byte[length];
        b[0] = (byte) type;
        for (int i = 4; i < length; i++) {
            b[i] = (byte) (i * 7 + 1);
        }
        return b;
    }

    /** A probe reply as the relay builds it (Probe.reply is package-private). */
    static byte[] reply(IpEndpoint src) {
        byte[] b = new byte[Probe.LENGTH];
        b[0] = (byte) 0xF3;
        b[1] = 1;
        byte[] a = src.address().getAddress();
        b[20] = (byte) (a.length == 4 ? 4 : 6);
        System.arraycopy(a, 0, b, 21, a.length);
        b[37] = (byte) (src.port() >>> 8);
        b[38] = (byte) src.port();
        return b;
    }

    static byte[] pcap(ByteOrder order, int linkType, byte[]... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(order);
        h.putInt(Pcap.MAGIC_MICROS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144)
                .putInt(linkType);
        out.writeBytes(h.array());
        int t = 1_700_000_000;
        for (byte[] f : frames) {
            ByteBuffer r = ByteBuffer.allocate(16).order(order);
            r.putInt(t++).putInt(0).putInt(f.length).putInt(f.length);
            out.writeBytes(r.array());
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    static byte[] sll(int protocol, int packetType, byte[] ip) {
        ByteBuffer b = ByteBuffer.allocate(16 + ip.length);
        b.putShort((short) packetType).putShort((short) 1).putShort((short) 6).put(new byte[8])
                .putShort((short) protocol).put(ip);
        return b.array();
    }

    static byte[] sll2(int protocol, int packetType, byte[] ip) {
        ByteBuffer b = ByteBuffer.allocate(20 + ip.length);
        b.putShort((short) protocol).putShort((short) 0).putInt(2).putShort((short) 1).put((byte) packetType)
                .put((byte) 6).put(new byte[8]).put(ip);
        return b.array();
    }

    static byte[] udp4(String src, int sport, String dst, int dport, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(28 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (28 + payload.length)).putInt(0).put((byte) 64)
                .put((byte) 17).putShort((short) 0).put(addr(src)).put(addr(dst));
        udp(b, sport, dport, payload);
        return b.array();
    }

    static byte[] udp6(String src, int sport, String dst, int dport, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(48 + payload.length);
        b.putInt(0x60000000).putShort((short) (8 + payload.length)).put((byte) 17).put((byte) 64).put(addr(src))
                .put(addr(dst));
        udp(b, sport, dport, payload);
        return b.array();
    }

    private static void udp(ByteBuffer b, int sport, int dport, byte[] payload) {
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload.length)).putShort((short) 0)
                .put(payload);
    }

    private static byte[] addr(String s) {
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
