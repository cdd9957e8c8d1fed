package io.wirelink.apply.netlink;

import static io.wirelink.apply.netlink.ScriptedChannel.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.MalformedInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sequence numbers, ACKs, errors with extended ACK text, dumps and their failure modes, without a kernel. */
class NetlinkClientTest {
    static final int DATA = 100;

    static byte[] request(int flags) {
        return new NlMessageBuilder(DATA, NlMessage.NLM_F_REQUEST | flags).attrU32(1, 5).build();
    }

    @Test
    void ackSucceedsAndStampsIncreasingSequenceNumbers() throws Exception {
        ScriptedChannel ch = new ScriptedChannel(m -> List.of(FakeWireGuardKernel.error(m, 0, null)));
        NetlinkClient c = new NetlinkClient(ch, 41);
        c.ack(request(NlMessage.NLM_F_ACK), "op");
        c.ack(request(NlMessage.NLM_F_ACK), "op");
        assertEquals(41, NlMessageBuilder.sequenceOf(ch.sent.get(0)));
        assertEquals(42, NlMessageBuilder.sequenceOf(ch.sent.get(1)));
    }

    @Test
    void errorCarriesErrnoOperationAndKernelText() {
        ScriptedChannel ch = new ScriptedChannel(
                m -> List.of(FakeWireGuardKernel.error(m, Errno.EEXIST, "Address already assigned")));
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> new NetlinkClient(ch).ack(request(NlMessage.NLM_F_ACK), "add address"));
        assertEquals(Errno.EEXIST, e.errno());
        assertEquals("add address", e.operation());
        assertEquals("Address already assigned", e.kernelMessage());
        assertEquals("add address failed: EEXIST (File exists): Address already assigned", e.getMessage());
        assertEquals("EEXIST (File exists); kernel: Address already assigned", e.detail());
    }

    @Test
    void staleRepliesToEarlierRequestsAreSkipped() throws Exception {
        ScriptedChannel ch = new ScriptedChannel(m -> List.of(
                msg(DATA, 0, m.seq() - 1, 7), // a leftover reply to an earlier request
                msg(NlMessage.NLMSG_NOOP, 0, m.seq()), // NOOPs are dropped
                msg(DATA, 0, m.seq(), 9)));
        NlMessage reply = new NetlinkClient(ch).get(request(0), "get");
        assertEquals(DATA, reply.type());
        assertEquals(9, java.nio.ByteBuffer.wrap(reply.payload()).order(NlMessageBuilder.ORDER).getInt(0));
    }

    @Test
    void getTurnsAnErrorIntoAnException() {
        ScriptedChannel ch = new ScriptedChannel(m -> List.of(FakeWireGuardKernel.error(m, Errno.ENODEV, null)));
        NetlinkException e = assertThrows(NetlinkException.class, () -> new NetlinkClient(ch).get(request(0), "look up"));
        assertEquals(Errno.ENODEV, e.errno());
    }

    @Test
    void dumpCollectsPartsAcrossDatagramsUntilDone() throws Exception {
        ScriptedChannel ch = new ScriptedChannel(m -> List.of(
                Bytes.concat(msg(DATA, NlMessage.NLM_F_MULTI, m.seq(), 1), msg(DATA, NlMessage.NLM_F_MULTI, m.seq(), 2)),
                msg(DATA, NlMessage.NLM_F_MULTI, m.seq(), 3),
                msg(NlMessage.NLMSG_DONE, NlMessage.NLM_F_MULTI, m.seq(), 0)));
        List<NlMessage> parts = new NetlinkClient(ch).dump(request(NlMessage.NLM_F_DUMP), "dump");
        assertEquals(3, parts.size());
        assertTrue(ch.datagrams.isEmpty());
    }

    @Test
    void dumpDoneWithErrorThrows() {
        ScriptedChannel ch = new ScriptedChannel(m -> List.of(
                msg(DATA, NlMessage.NLM_F_MULTI, m.seq(), 1),
                msg(NlMessage.NLMSG_DONE, NlMessage.NLM_F_MULTI, m.seq(), -Errno.ENODEV)));
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> new NetlinkClient(ch).dump(request(NlMessage.NLM_F_DUMP), "WG_CMD_GET_DEVICE"));
        assertEquals(Errno.ENODEV, e.errno());
    }

    @Test
    void interruptedDumpIsRepeatedThenGivesUp() throws Exception {
        int[] calls = {0};
        ScriptedChannel flaky = new ScriptedChannel(m -> {
            calls[0]++;
            int flags = NlMessage.NLM_F_MULTI | (calls[0] < 3 ? NlMessage.NLM_F_DUMP_INTR : 0);
            return List.of(msg(DATA, flags, m.seq(), calls[0]), msg(NlMessage.NLMSG_DONE, flags, m.seq(), 0));
        });
        assertEquals(1, new NetlinkClient(flaky).dump(request(NlMessage.NLM_F_DUMP), "dump").size());
        assertEquals(3, calls[0]);

        ScriptedChannel always = new ScriptedChannel(m -> List.of(
                msg(NlMessage.NLMSG_DONE, NlMessage.NLM_F_MULTI | NlMessage.NLM_F_DUMP_INTR, m.seq(), 0)));
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> new NetlinkClient(always).dump(request(NlMessage.NLM_F_DUMP), "dump"));
        assertEquals(Errno.EINTR, e.errno());
        assertEquals(NetlinkClient.MAX_DUMP_ATTEMPTS, always.sent.size());
    }

    @Test
    void brokenDatagramIsReportedAfterTheDumpIsDrained() throws Exception {
        boolean[] broken = {true};
        ScriptedChannel ch = new ScriptedChannel(m -> {
            byte[] bad = msg(DATA, NlMessage.NLM_F_MULTI, m.seq(), 1);
            bad[0] = (byte) 0xff; // nlmsg_len larger than the datagram
            List<byte[]> out = List.of(bad, msg(DATA, NlMessage.NLM_F_MULTI, m.seq(), 2),
                    msg(NlMessage.NLMSG_DONE, NlMessage.NLM_F_MULTI, m.seq(), 0));
            return broken[0] ? out : out.subList(1, 3);
        });
        NetlinkClient c = new NetlinkClient(ch);
        assertThrows(MalformedInputException.class, () -> c.dump(request(NlMessage.NLM_F_DUMP), "dump"));
        assertTrue(ch.datagrams.isEmpty(), "the rest of the dump was read off the socket");
        broken[0] = false;
        assertEquals(1, c.dump(request(NlMessage.NLM_F_DUMP), "dump").size());
    }

    @Test
    void silenceIsATimeoutNamingTheOperation() {
        ScriptedChannel ch = new ScriptedChannel(m -> List.of());
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> new NetlinkClient(ch).ack(request(NlMessage.NLM_F_ACK), "set link up"));
        assertEquals(Errno.EAGAIN, e.errno());
        assertTrue(e.operation().startsWith("set link up"), e.operation());
    }

    @Test
    void requestsWithoutTheRightFlagsAreRefused() {
        NetlinkClient c = new NetlinkClient(new ScriptedChannel(m -> List.of()));
        assertThrows(IllegalArgumentException.class, () -> c.ack(request(0), "x"));
        assertThrows(IllegalArgumentException.class, () -> c.dump(request(NlMessage.NLM_F_ACK), "x"));
    }
}
