package io.wirelink.apply.netlink;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.PeerChange;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.MalformedInputException;
import io.wirelink.facts.PublicKey;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import io.wirelink.testkit.Fuzz;
import io.wirelink.testkit.Mutator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded fuzzing of every decoder of kernel replies with random and mutated inputs: the only exception allowed is
 * {@link MalformedInputException} (and, through NetlinkClient, {@link NetlinkException}). A failure prints the seed,
 * the round and the input in hex, so it replays exactly.
 */
class DecoderFuzzTest {
    /** Rounds per seed: {@code -Dwirelink.fuzz.iterations}, as for every decoder. */
    static final int ROUNDS = Fuzz.iterations();
    /** Attribute lengths and types at even offsets, the first message's length, junk appended. */
    static final Mutator MUTATOR = Mutator.builder().op(DecoderFuzzTest::attributeU16).op(DecoderFuzzTest::messageLength)
            .op((b, r) -> Bytes.concat(b, Fuzz.randomBytes(r, 41))).build();
    static final int WG = FakeWireGuardKernel.FAMILY_ID;
    static List<byte[]> corpus;

    @BeforeAll
    static void buildCorpus() {
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "corpus is little-endian");
        corpus = new ArrayList<>();
        corpus.add(RtCodecTest.vethLinkMessage());
        corpus.add(Bytes.hex("3c000000 1400 0200 01000000 00000000", "0a 40 c0 fd 03000000",
                "1400 0100 fe800000000000000000000000001234", "0800 0800 c2000000", "0800 0300 00000000"));
        corpus.add(Bytes.hex("28000000 1400 0200 01000000 00000000", "02 20 80 00 07000000",
                "0800 0100 c6336401", "0800 0200 cb007101"));
        corpus.add(GenlCodecTest.wireguardFamilyReply());
        corpus.add(WgCodecTest.handBuiltDump());
        FakeWireGuardKernel k = new FakeWireGuardKernel();
        FakeWireGuardKernel.Dev dev = new FakeWireGuardKernel.Dev(3);
        dev.privateKey = Bytes.filled(9, 32);
        for (int i = 0; i < 4; i++) {
            FakeWireGuardKernel.Peer p = new FakeWireGuardKernel.Peer();
            p.endpoint = IpEndpoint.parse(i % 2 == 0 ? "192.0.2.1:5" : "[2001:db8::1]:6");
            p.lastHandshake = Instant.ofEpochSecond(1_700_000_000L, 1);
            for (int j = 0; j < 5; j++) {
                p.allowedIps.add(IpPrefix.parse(j % 2 == 0 ? "198.51.100." + j + "/32" : "2001:db8::" + j + "/128"));
            }
            dev.peers.put(PublicKey.of(Bytes.filled(0x40 + i, 32)), p);
        }
        corpus.add(Bytes.concat(k.encodeDump("wg0", dev, 1).toArray(new byte[0][])));
        NlMessage req = NlMessage.parseAll(RtCodec.getLinks(), 32).get(0);
        corpus.add(FakeWireGuardKernel.error(req, Errno.EEXIST, "kernel text"));
        corpus.add(FakeWireGuardKernel.done(1));
        corpus.addAll(WgCodec.setDevice(WG, "wg0", DeviceChange.peers(List.of(new PeerChange(
                PublicKey.of(Bytes.filled(1, 32)), false, false, IpEndpoint.parse("203.0.113.5:1"), 3, true,
                List.of(IpPrefix.parse("2001:db8::/32"))))), 4096));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 0x5eedL, 0xdeadbeefL})
    void decodersThrowOnlyMalformedInput(long seed) {
        Random r = new Random(seed);
        int decoded = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] input = round % 10 == 0 ? random(r) : mutate(r, corpus.get(r.nextInt(corpus.size())));
            try {
                decodeEverything(input);
                decoded++;
            } catch (MalformedInputException expected) {
                // the one allowed outcome for bad input
            } catch (Throwable t) {
                fail("seed " + seed + " round " + round + " input " + HexFormat.of().formatHex(input) + ": " + t, t);
            }
        }
        Fuzz.report("netlink replies", ROUNDS, decoded, seed);
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void clientThrowsOnlyTypedErrorsOnMutatedReplies(long seed) {
        Random r = new Random(seed);
        for (int round = 0; round < ROUNDS / 10; round++) {
            byte[] reply = mutate(r, corpus.get(r.nextInt(corpus.size())));
            boolean done = r.nextBoolean();
            ScriptedChannel ch = new ScriptedChannel(m -> {
                byte[] copy = reply.clone();
                if (copy.length >= 16) {
                    ByteBuffer.wrap(copy).order(NlMessageBuilder.ORDER).putInt(8, m.seq()); // make it "ours"
                }
                return done ? List.of(copy, FakeWireGuardKernel.done(m.seq())) : List.of(copy);
            });
            NetlinkClient c = new NetlinkClient(ch);
            try {
                List<NlMessage> parts = c.dump(WgCodec.getDevice(WG, "wg0"), "fuzz");
                if (!parts.isEmpty()) {
                    WgCodec.decodeDevice(parts, WG, "wg0");
                }
            } catch (MalformedInputException | NetlinkException expected) {
                // typed
            } catch (Throwable t) {
                fail("seed " + seed + " round " + round + " reply " + HexFormat.of().formatHex(reply) + ": " + t, t);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {21})
    void unmutatedCorpusDecodes(long seed) {
        for (byte[] c : corpus) {
            assertTrue(NlMessage.parseAll(c, c.length).size() >= 1);
        }
    }

    /** Runs every decoder over the datagram, and over each message's payload as if it were each message type. */
    static void decodeEverything(byte[] d) {
        List<NlMessage> msgs = NlMessage.parseAll(d, d.length);
        List<NlMessage> asWg = new ArrayList<>();
        for (NlMessage m : msgs) {
            byte[] p = m.payload();
            expectTyped(() -> {
                if (m.type() == NlMessage.NLMSG_ERROR || m.type() == NlMessage.NLMSG_DONE) {
                    m.status();
                }
            });
            expectTyped(() -> new NlMessage(NlMessage.NLMSG_ERROR, m.flags(), 0, 0, p.clone()).status());
            expectTyped(() -> new NlMessage(NlMessage.NLMSG_DONE, m.flags(), 0, 0, p.clone()).status());
            expectTyped(() -> RtCodec.decodeLink(new NlMessage(RtCodec.RTM_NEWLINK, 0, 0, 0, p.clone())));
            expectTyped(() -> RtCodec.decodeAddress(new NlMessage(RtCodec.RTM_NEWADDR, 0, 0, 0, p.clone()),
                    Map.of(3, "d0")));
            expectTyped(() -> GenlCodec.decodeFamily(new NlMessage(GenlCodec.GENL_ID_CTRL, 0, 0, 0, p.clone())));
            expectTyped(() -> WgCodec.decodeDevice(List.of(new NlMessage(WG, 0, 0, 0, p.clone())), WG, "wg0"));
            expectTyped(() -> walk(p, 0, p.length, 0));
            expectTyped(() -> walk(p, 4, p.length - 4, 0));
            expectTyped(() -> walk(p, 8, p.length - 8, 0));
            expectTyped(() -> walk(p, 16, p.length - 16, 0));
            asWg.add(new NlMessage(WG, m.flags(), m.seq(), m.pid(), p.clone()));
        }
        if (!asWg.isEmpty()) {
            WgCodec.decodeDevice(asWg, WG, "wg0");
        }
    }

    /** Every accessor on every attribute, recursing into anything that parses as nested. */
    static void walk(byte[] buf, int off, int len, int depth) {
        if (len < 0 || depth > 8) {
            return;
        }
        for (NlAttr a : NlAttr.parse(buf, off, len)) {
            expectTyped(a::u8);
            expectTyped(a::u16);
            expectTyped(a::u32);
            expectTyped(a::u64);
            a.string();
            a.bytes();
            a.allZero();
            expectTyped(() -> WgCodec.decodeSockaddr(a));
            expectTyped(() -> a.exactBytes(32, "key"));
            expectTyped(() -> {
                List<NlAttr> inner = a.nested();
                byte[] v = a.bytes();
                walk(v, 0, v.length, depth + 1);
                inner.size();
            });
        }
    }

    interface Call {
        void run();
    }

    static void expectTyped(Call c) {
        try {
            c.run();
        } catch (MalformedInputException expected) {
            // fine
        }
    }

    static byte[] random(Random r) {
        byte[] b = new byte[r.nextInt(600)];
        r.nextBytes(b);
        if (b.length >= 16 && r.nextBoolean()) {
            ByteBuffer.wrap(b).order(NlMessageBuilder.ORDER).putInt(0, b.length - r.nextInt(4));
        }
        return b;
    }

    static byte[] mutate(Random r, byte[] seed) {
        return seed.length == 0 ? random(r) : MUTATOR.mutate(seed, r, corpus);
    }

    /** An interesting u16 at an even offset: attribute lengths and types. */
    static byte[] attributeU16(byte[] b, Random r) {
        if (b.length >= 2) {
            int at = r.nextInt(b.length / 2) * 2;
            int[] vals = {0, 1, 3, 4, 5, 8, 0x8000, 0x8008, 0xffff, b.length - at, b.length - at + 1};
            ByteBuffer.wrap(b).order(NlMessageBuilder.ORDER).putShort(at, (short) vals[r.nextInt(vals.length)]);
        }
        return b;
    }

    /** The first message's nlmsg_len: zero, just short of a header, the datagram's length and its neighbours. */
    static byte[] messageLength(byte[] b, Random r) {
        if (b.length >= 4) {
            int[] vals = {0, 15, 16, 17, b.length, b.length + 1, b.length - 1, -1, r.nextInt()};
            ByteBuffer.wrap(b).order(NlMessageBuilder.ORDER).putInt(0, vals[r.nextInt(vals.length)]);
        }
        return b;
    }
}
