package io.wirelink.apply.netlink;

import static io.wirelink.apply.netlink.Bytes.ascii;
import static io.wirelink.apply.netlink.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.MalformedInputException;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** nlmsghdr / nlattr framing, byte for byte (expected bytes are little-endian: x86, arm64, riscv). */
class NlCodecTest {
    @BeforeAll
    static void littleEndian() {
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "expected bytes are little-endian");
    }

    @Test
    void builderWritesHeaderAttributesPaddingAndNesting() {
        NlMessageBuilder b = new NlMessageBuilder(0x1234, NlMessage.NLM_F_REQUEST | NlMessage.NLM_F_ACK);
        b.attrU8(1, 0xab);
        b.attrU16(2, 0x0102);
        int n = b.beginNested(3);
        b.attrU32(4, 0x01020304);
        b.endNested(n);
        b.attrString(5, "wg0");
        byte[] msg = b.build();
        NlMessageBuilder.stampSequence(msg, 7);

        byte[] expected = hex(
                "34000000", // nlmsg_len = 52
                "3412", //     nlmsg_type = 0x1234
                "0500", //     nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK
                "07000000", // nlmsg_seq = 7
                "00000000", // nlmsg_pid = 0 (the kernel fills it in)
                "0500 0100 ab 000000", //     u8 attr: nla_len 5, type 1, value, 3 bytes of padding
                "0600 0200 0201 0000", //     u16 attr: nla_len 6, type 2, 0x0102, 2 bytes of padding
                "0c00 0380", //               nested: nla_len 12, type 3 | NLA_F_NESTED (0x8000)
                "  0800 0400 04030201", //      u32 attr inside: nla_len 8, type 4, 0x01020304
                "0800 0500 " + ascii("wg0") + "00"); // string: nla_len 8, type 5, "wg0" and its NUL
        assertArrayEquals(expected, msg, hex(msg));
    }

    @Test
    void parsesMessagesAndAttributesBack() {
        NlMessageBuilder b = new NlMessageBuilder(0x1234, NlMessage.NLM_F_REQUEST);
        b.attrU8(1, 0xab);
        int n = b.beginNested(3);
        b.attrU64(4, 0x0102030405060708L);
        b.attrString(5, "hello");
        b.endNested(n);
        byte[] one = b.build();
        byte[] two = new NlMessageBuilder(NlMessage.NLMSG_DONE, NlMessage.NLM_F_MULTI).putU32(0).build();
        byte[] datagram = Bytes.concat(one, two);

        List<NlMessage> msgs = NlMessage.parseAll(datagram, datagram.length);
        assertEquals(2, msgs.size());
        assertEquals(0x1234, msgs.get(0).type());
        List<NlAttr> attrs = NlAttr.parse(msgs.get(0).payload(), 0, msgs.get(0).payload().length);
        assertEquals(2, attrs.size());
        assertEquals(0xab, attrs.get(0).u8());
        assertTrue(attrs.get(1).nestedFlag());
        assertEquals(3, attrs.get(1).type());
        List<NlAttr> inner = attrs.get(1).nested();
        assertEquals(0x0102030405060708L, NlAttr.find(inner, 4).u64());
        assertEquals("hello", NlAttr.find(inner, 5).string());
        assertNull(NlAttr.find(inner, 6));
        assertEquals(NlMessage.NLMSG_DONE, msgs.get(1).type());
        assertEquals(new NlMessage.Status(0, null), msgs.get(1).status());
    }

    @Test
    void lastMessageAndAttributeMayLackPadding() {
        // nlmsg_len 21: a header plus a 5-byte attribute (u8), with no padding after it.
        byte[] msg = hex("15000000 1000 0000 01000000 00000000", "0500 0100 2a");
        List<NlMessage> msgs = NlMessage.parseAll(msg, msg.length);
        assertEquals(1, msgs.size());
        assertEquals(42, NlAttr.parse(msgs.get(0).payload(), 0, 5).get(0).u8());
    }

    @Test
    void errorWithCappedRequestAndExtendedAck() {
        byte[] msg = hex(
                "38000000", // nlmsg_len = 56
                "0200", //     NLMSG_ERROR
                "0003", //     NLM_F_CAPPED (0x100) | NLM_F_ACK_TLVS (0x200)
                "09000000", // seq 9
                "78563412", // pid of our socket
                "edffffff", // error = -19 (-ENODEV)
                "20000000 1400 0506 09000000 00000000", // the request's nlmsghdr only (capped)
                "1300 0100 " + ascii("no such device") + "00 00"); // NLMSGERR_ATTR_MSG, NUL, 1 pad byte
        NlMessage m = NlMessage.parseAll(msg, msg.length).get(0);
        assertEquals(new NlMessage.Status(19, "no such device"), m.status());
    }

    @Test
    void errorWithFullRequestEchoedAndAck() {
        byte[] request = new NlMessageBuilder(20, 5).attrU32(1, 7).build(); // 24 bytes
        byte[] err = new NlMessageBuilder(NlMessage.NLMSG_ERROR, 0).putU32(-17).putBytes(request).build();
        assertEquals(new NlMessage.Status(17, null), NlMessage.parseAll(err, err.length).get(0).status());
        byte[] ack = new NlMessageBuilder(NlMessage.NLMSG_ERROR, NlMessage.NLM_F_CAPPED).putU32(0)
                .putBytes(java.util.Arrays.copyOf(request, 16)).build();
        assertEquals(new NlMessage.Status(0, null), NlMessage.parseAll(ack, ack.length).get(0).status());
    }

    @Test
    void doneCarriesDumpError() {
        byte[] done = hex("14000000 0300 0200 01000000 00000000", "f4ffffff"); // -12, ENOMEM
        assertEquals(12, NlMessage.parseAll(done, done.length).get(0).status().errno());
    }

    @Test
    void rejectsBadLengths() {
        assertThrows(MalformedInputException.class, () -> NlMessage.parseAll(hex("0f000000 1000 0000 00000000 00000000"), 16));
        assertThrows(MalformedInputException.class, () -> NlMessage.parseAll(hex("14000000 1000 0000 00000000 00000000"), 16));
        assertThrows(MalformedInputException.class, () -> NlMessage.parseAll(hex("10000000 1000 0000 00000000 00000000 00"), 17));
        assertThrows(MalformedInputException.class, () -> NlAttr.parse(hex("0300 0100"), 0, 4));
        assertThrows(MalformedInputException.class, () -> NlAttr.parse(hex("0900 0100 00000000"), 0, 8));
        assertThrows(MalformedInputException.class, () -> NlAttr.parse(hex("0500 0100 00"), 0, 5).get(0).u16());
        assertThrows(MalformedInputException.class, () -> NlAttr.parse(hex("0400 0100"), 2, 4));
    }

    @Test
    void nestedFlagAndByteOrderFlagAreMaskedFromTheType() {
        List<NlAttr> attrs = NlAttr.parse(hex("0400 0940", "0400 0980"), 0, 8); // 0x4009, 0x8009
        assertEquals(9, attrs.get(0).type());
        assertFalse(attrs.get(0).nestedFlag());
        assertEquals(9, attrs.get(1).type());
        assertTrue(attrs.get(1).nestedFlag());
    }

    @Test
    void builderRefusesUnbalancedNesting() {
        NlMessageBuilder b = new NlMessageBuilder(1, 1);
        b.beginNested(1);
        assertThrows(IllegalStateException.class, b::build);
        assertThrows(IllegalArgumentException.class, () -> new NlMessageBuilder(1, 1).attrU8(0x4000, 1));
    }
}
