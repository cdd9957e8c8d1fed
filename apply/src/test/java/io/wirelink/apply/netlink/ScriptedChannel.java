package io.wirelink.apply.netlink;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * A channel whose replies are produced by a script from each sent request; replies queue up as datagrams and an
 * empty queue is a receive timeout (EAGAIN).
 */
final class ScriptedChannel implements NetlinkChannel {
    final List<byte[]> sent = new ArrayList<>();
    final Deque<byte[]> datagrams = new ArrayDeque<>();
    private final Function<NlMessage, List<byte[]>> script;
    boolean closed;

    ScriptedChannel(Function<NlMessage, List<byte[]>> script) {
        this.script = script;
    }

    @Override
    public void send(byte[] message) {
        sent.add(message.clone());
        datagrams.addAll(script.apply(NlMessage.parseAll(message, message.length).get(0)));
    }

    @Override
    public byte[] receive() throws NetlinkException {
        byte[] d = datagrams.poll();
        if (d == null) {
            throw new NetlinkException("recvfrom(scripted)", Errno.EAGAIN, null);
        }
        return d;
    }

    @Override
    public void close() {
        closed = true;
    }

    /** A message of {@code type} with {@code flags}, answering {@code seq}, with an optional u32 payload. */
    static byte[] msg(int type, int flags, int seq, int... u32s) {
        NlMessageBuilder b = new NlMessageBuilder(type, flags);
        for (int v : u32s) {
            b.putU32(v);
        }
        return FakeWireGuardKernel.reply(b, seq);
    }
}
