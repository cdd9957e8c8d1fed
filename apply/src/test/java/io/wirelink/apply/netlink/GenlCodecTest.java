package io.wirelink.apply.netlink;

import static io.wirelink.apply.netlink.Bytes.ascii;
import static io.wirelink.apply.netlink.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wirelink.facts.MalformedInputException;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** nlctrl family resolution, byte for byte against linux/genetlink.h. */
class GenlCodecTest {
    @BeforeAll
    static void littleEndian() {
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "expected bytes are little-endian");
    }

    @Test
    void getFamilyRequest() {
        assertArrayEquals(hex(
                "24000000", // nlmsg_len = 36
                "1000", //     GENL_ID_CTRL (0x10)
                "0100", //     NLM_F_REQUEST
                "00000000 00000000",
                "03 02 0000", // genlmsghdr: CTRL_CMD_GETFAMILY, version 2, reserved
                "0e00 0200 " + ascii("wireguard") + "00 0000"), // CTRL_ATTR_FAMILY_NAME "wireguard\0" + 2 pad
                GenlCodec.getFamily("wireguard"));
    }

    static byte[] wireguardFamilyReply() {
        return hex(
                "44000000", // nlmsg_len = 68
                "1000 0000 01000000 78563412", // GENL_ID_CTRL, no flags, seq 1, our pid
                "01 02 0000", // CTRL_CMD_NEWFAMILY, version 2
                "0e00 0200 " + ascii("wireguard") + "00 0000", // CTRL_ATTR_FAMILY_NAME
                "0600 0100 1500 0000", //  CTRL_ATTR_FAMILY_ID = 0x15
                "0800 0300 01000000", //   CTRL_ATTR_VERSION = 1
                "0800 0400 00000000", //   CTRL_ATTR_HDRSIZE = 0
                "0800 0500 08000000"); //  CTRL_ATTR_MAXATTR = 8
    }

    @Test
    void decodesFamilyReply() {
        byte[] m = wireguardFamilyReply();
        GenlCodec.Family f = GenlCodec.decodeFamily(NlMessage.parseAll(m, m.length).get(0));
        assertEquals(new GenlCodec.Family("wireguard", 0x15, 1, 8), f);
    }

    @Test
    void rejectsReplyWithoutId() {
        byte[] m = hex("24000000 1000 0000 01000000 00000000", "01 02 0000", "0e00 0200 " + ascii("wireguard") + "00 0000");
        assertThrows(MalformedInputException.class, () -> GenlCodec.decodeFamily(NlMessage.parseAll(m, m.length).get(0)));
    }
}
