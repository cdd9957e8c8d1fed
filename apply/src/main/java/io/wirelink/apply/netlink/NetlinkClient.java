package io.wirelink.apply.netlink;

import io.wirelink.facts.MalformedInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Request/response over a {@link NetlinkChannel}: stamps sequence numbers, skips stale replies to earlier requests,
 * turns NLMSG_ERROR into {@link NetlinkException} and collects multi-part dumps up to NLMSG_DONE.
 *
 * <p>A datagram whose framing is broken does not stop the exchange: the client keeps reading until the reply that
 * ends the request, so that the socket holds nothing of it afterwards, and then throws
 * {@link MalformedInputException}. Not thread-safe; its owner serializes calls.
 */
final class NetlinkClient implements AutoCloseable {
    static final int MAX_DUMP_ATTEMPTS = 3;

    private final NetlinkChannel channel;
    private int seq;

    NetlinkClient(NetlinkChannel channel) {
        this(channel, 1);
    }

    NetlinkClient(NetlinkChannel channel, int firstSequence) {
        this.channel = channel;
        this.seq = firstSequence - 1;
    }

    /** Sends a request that carries NLM_F_ACK and waits for the kernel's ACK. */
    void ack(byte[] request, String operation) throws NetlinkException {
        requireFlag(request, NlMessage.NLM_F_ACK, "NLM_F_ACK");
        int s = send(request, operation);
        MalformedInputException malformed = null;
        while (true) {
            Batch batch = receive(operation, s);
            if (batch.malformed != null && malformed == null) {
                malformed = batch.malformed;
            }
            for (NlMessage m : batch.messages) {
                if (m.type() == NlMessage.NLMSG_ERROR) {
                    NlMessage.Status st = m.status();
                    if (st.errno() != 0) {
                        throw new NetlinkException(operation, st.errno(), st.message());
                    }
                    if (malformed != null) {
                        throw malformed;
                    }
                    return;
                }
            }
        }
    }

    /** Sends a non-dump request and returns its single reply message. */
    NlMessage get(byte[] request, String operation) throws NetlinkException {
        int s = send(request, operation);
        MalformedInputException malformed = null;
        while (true) {
            Batch batch = receive(operation, s);
            if (batch.malformed != null && malformed == null) {
                malformed = batch.malformed;
            }
            for (NlMessage m : batch.messages) {
                if (m.type() == NlMessage.NLMSG_ERROR) {
                    NlMessage.Status st = m.status();
                    if (st.errno() != 0) {
                        throw new NetlinkException(operation, st.errno(), st.message());
                    }
                    throw new MalformedInputException("ACK where a reply was expected");
                }
                if (m.type() == NlMessage.NLMSG_DONE) {
                    throw new MalformedInputException("NLMSG_DONE where a reply was expected");
                }
                if (malformed != null) {
                    throw malformed;
                }
                return m;
            }
        }
    }

    /**
     * Sends a request that carries NLM_F_DUMP and returns every message of the reply up to NLMSG_DONE (which is
     * checked for an error and left out). An interrupted dump (NLM_F_DUMP_INTR: the data changed while the kernel
     * was dumping) is repeated, up to {@value #MAX_DUMP_ATTEMPTS} times in all.
     */
    List<NlMessage> dump(byte[] request, String operation) throws NetlinkException {
        requireFlag(request, NlMessage.NLM_F_DUMP, "NLM_F_DUMP");
        for (int attempt = 1; ; attempt++) {
            List<NlMessage> parts = new ArrayList<>();
            boolean interrupted = dumpOnce(request, operation, parts);
            if (!interrupted) {
                return parts;
            }
            if (attempt == MAX_DUMP_ATTEMPTS) {
                throw new NetlinkException(operation, Errno.EINTR, "dump interrupted " + attempt + " times in a row");
            }
        }
    }

    private boolean dumpOnce(byte[] request, String operation, List<NlMessage> parts) throws NetlinkException {
        int s = send(request, operation);
        boolean interrupted = false;
        MalformedInputException malformed = null;
        while (true) {
            Batch batch = receive(operation, s);
            if (batch.malformed != null && malformed == null) {
                malformed = batch.malformed;
            }
            for (NlMessage m : batch.messages) {
                if ((m.flags() & NlMessage.NLM_F_DUMP_INTR) != 0) {
                    interrupted = true;
                }
                if (m.type() == NlMessage.NLMSG_ERROR || m.type() == NlMessage.NLMSG_DONE) {
                    NlMessage.Status st = m.status();
                    if (st.errno() != 0) {
                        throw new NetlinkException(operation, st.errno(), st.message());
                    }
                    if (malformed != null) {
                        throw malformed;
                    }
                    return interrupted;
                }
                parts.add(m);
            }
        }
    }

    @Override
    public void close() {
        channel.close();
    }

    private int send(byte[] request, String operation) throws NetlinkException {
        seq = seq == Integer.MAX_VALUE ? 1 : seq + 1;
        NlMessageBuilder.stampSequence(request, seq);
        try {
            channel.send(request);
        } catch (NetlinkException e) {
            throw new NetlinkException(operation + ": " + e.operation(), e.errno(), e.kernelMessage());
        }
        return seq;
    }

    private record Batch(List<NlMessage> messages, MalformedInputException malformed) {}

    /** The next datagram's messages that answer request {@code s}; NOOPs and stale replies are dropped. */
    private Batch receive(String operation, int s) throws NetlinkException {
        byte[] datagram;
        try {
            datagram = channel.receive();
        } catch (NetlinkException e) {
            throw new NetlinkException(operation + ": " + e.operation(), e.errno(), e.kernelMessage());
        }
        List<NlMessage> all;
        try {
            all = NlMessage.parseAll(datagram, datagram.length);
        } catch (MalformedInputException e) {
            Arrays.fill(datagram, (byte) 0);
            return new Batch(List.of(), e);
        }
        List<NlMessage> mine = new ArrayList<>(all.size());
        for (NlMessage m : all) {
            if (m.seq() != s || m.type() == NlMessage.NLMSG_NOOP) {
                continue;
            }
            if (m.type() == NlMessage.NLMSG_OVERRUN) {
                throw new NetlinkException(operation, Errno.ENOBUFS, "netlink overrun");
            }
            mine.add(m);
        }
        Arrays.fill(datagram, (byte) 0);
        return new Batch(mine, null);
    }

    private static void requireFlag(byte[] request, int flag, String name) {
        if ((NlMessageBuilder.flagsOf(request) & flag) != flag) {
            throw new IllegalArgumentException("request lacks " + name);
        }
    }
}
