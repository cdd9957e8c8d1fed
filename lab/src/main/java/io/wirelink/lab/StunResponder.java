package io.wirelink.lab;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A minimal STUN binding responder (RFC 5389 §7, MAPPED-ADDRESS and XOR-MAPPED-ADDRESS), run by the lab inside
 * its wan namespace as {@code java -cp LAB io.wirelink.lab.StunResponder ADDRESS PORT}. miniupnpd refuses to map
 * ports when its WAN address is reserved (every lab address is), unless STUN shows that the address is reachable
 * as it is: this gives it that answer. It ignores CHANGE-REQUEST and answers every request from its one socket,
 * which miniupnpd 2.3 takes for a 1:1 unfiltered NAT. It uses the JDK only.
 */
public final class StunResponder {
    static final int MAGIC = 0x2112A442;

    private StunResponder() {}

    public static void main(String[] args) throws Exception {
        InetAddress bind = InetAddress.getByName(args[0]);
        int port = Integer.parseInt(args[1]);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(bind, port))) {
            System.out.println("stun responder ready on " + bind.getHostAddress() + ":" + port);
            System.out.flush();
            byte[] buf = new byte[1500];
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                byte[] reply = answer(buf, p.getLength(), p.getAddress(), p.getPort());
                if (reply != null) {
                    s.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                }
            }
        }
    }

    /** The binding success response to a binding request, or null for anything else. */
    static byte[] answer(byte[] req, int len, InetAddress from, int fromPort) {
        if (len < 20 || req[0] != 0 || req[1] != 1) {
            return null;
        }
        byte[] ip = from.getAddress();
        if (ip.length != 4) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(20 + 12 + 12);
        b.putShort((short) 0x0101).putShort((short) 24).put(req, 4, 16); // type, length, cookie + transaction id
        b.putShort((short) 0x0001).putShort((short) 8).put((byte) 0).put((byte) 1).putShort((short) fromPort).put(ip);
        b.putShort((short) 0x0020).putShort((short) 8).put((byte) 0).put((byte) 1)
                .putShort((short) (fromPort ^ (MAGIC >>> 16))).putInt(ByteBuffer.wrap(ip).getInt() ^ MAGIC);
        return b.array();
    }
}
