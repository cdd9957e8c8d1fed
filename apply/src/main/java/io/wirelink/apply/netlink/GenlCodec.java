package io.wirelink.apply.netlink;

import io.wirelink.facts.MalformedInputException;
import java.util.List;

/** Generic netlink controller ("nlctrl") messages: resolving a family name to its id (linux/genetlink.h). */
final class GenlCodec {
    static final int GENL_ID_CTRL = 0x10;
    static final int GENL_HDRLEN = 4;
    static final int CTRL_CMD_NEWFAMILY = 1;
    static final int CTRL_CMD_GETFAMILY = 3;
    static final int CTRL_VERSION = 2;
    static final int CTRL_ATTR_FAMILY_ID = 1;
    static final int CTRL_ATTR_FAMILY_NAME = 2;
    static final int CTRL_ATTR_VERSION = 3;
    static final int CTRL_ATTR_HDRSIZE = 4;
    static final int CTRL_ATTR_MAXATTR = 5;
    /** GENL_NAMSIZ - 1. */
    static final int MAX_FAMILY_NAME_BYTES = 15;

    /** A resolved family: the message type to use for it, and the version the kernel implements. */
    record Family(String name, int id, int version, int maxAttr) {}

    private GenlCodec() {}

    /** CTRL_CMD_GETFAMILY for {@code name}; the kernel answers CTRL_CMD_NEWFAMILY or ENOENT. */
    static byte[] getFamily(String name) {
        if (name.isEmpty() || name.length() > MAX_FAMILY_NAME_BYTES) {
            throw new IllegalArgumentException("bad generic netlink family name '" + name + "'");
        }
        NlMessageBuilder b = new NlMessageBuilder(GENL_ID_CTRL, NlMessage.NLM_F_REQUEST);
        b.genlHeader(CTRL_CMD_GETFAMILY, CTRL_VERSION);
        b.attrString(CTRL_ATTR_FAMILY_NAME, name);
        return b.build();
    }

    static Family decodeFamily(NlMessage m) {
        if (m.type() != GENL_ID_CTRL) {
            throw new MalformedInputException("expected a nlctrl message, got type " + m.type());
        }
        List<NlAttr> attrs = attributes(m);
        if ((m.payload()[0] & 0xff) != CTRL_CMD_NEWFAMILY) {
            throw new MalformedInputException("expected CTRL_CMD_NEWFAMILY, got command " + (m.payload()[0] & 0xff));
        }
        NlAttr id = NlAttr.find(attrs, CTRL_ATTR_FAMILY_ID);
        NlAttr name = NlAttr.find(attrs, CTRL_ATTR_FAMILY_NAME);
        if (id == null || name == null) {
            throw new MalformedInputException("family reply without id or name");
        }
        NlAttr version = NlAttr.find(attrs, CTRL_ATTR_VERSION);
        NlAttr maxAttr = NlAttr.find(attrs, CTRL_ATTR_MAXATTR);
        return new Family(name.string(), id.u16(), version == null ? 0 : version.u32(),
                maxAttr == null ? 0 : maxAttr.u32());
    }

    /** The attributes after a generic netlink message's 4-byte genlmsghdr. */
    static List<NlAttr> attributes(NlMessage m) {
        byte[] p = m.payload();
        if (p.length < GENL_HDRLEN) {
            throw new MalformedInputException("generic netlink payload of " + p.length + " bytes");
        }
        return NlAttr.parse(p, GENL_HDRLEN, p.length - GENL_HDRLEN);
    }
}
