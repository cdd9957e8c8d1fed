package io.wirelink.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.MalformedInputException;
import io.wirelink.relay.RelayFixture.Link;
import io.wirelink.relay.RelayFixture.Peer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import io.wirelink.testkit.Fuzz;
import io.wirelink.testkit.Mutator;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation fuzzing of the WireGuard decoder and of the whole relay packet path: valid messages of every type
 * (including wireguard-go's captured initiation) mutated by bit flips, byte sets, inserts, deletes, truncation,
 * extension and splicing. Every input either decodes, re-encoding to the same bytes and agreeing with
 * {@link WireFormat#classify}, or throws {@link MalformedInputException}; the relay never throws on any of them.
 * The count comes from {@code -Dwirelink.fuzz.iterations=N}, the seed from {@code -Dwirelink.fuzz.seed=S}.
 */
class RelayFuzzTest {
    static int iterations() {
        return Fuzz.iterations();
    }

    static long seed() {
        return Fuzz.seed(20261122L);
    }

    /** Message types and small lengths are the special values; setting the type byte alone rarely fits the length. */
    static final Mutator MUTATOR = Mutator.builder().interesting(0, 1, 2, 3, 4, 5, 0x7f, 0x80, 0xff).maxOps(3)
            .op((b, r) -> {
                if (b.length > 0) {
                    b[0] = (byte) r.nextInt(6);
                }
                return b;
            })
            .build();

    @Test
    void decoderAndRelaySurviveMutatedMessages() throws Exception {
        RelayFixture f = new RelayFixture(RelaySettings.defaults(), seed());
        Peer a = f.peer("198.51.100.2:40001").register();
        Peer b = f.peer("[2001:db8::2]:40002").register();
        f.allowBoth(a, b);
        Link link = f.handshake(a, b);
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(HexFormat.of().parseHex(WireguardGoCaptureTest.capture().getProperty("initiation")));
        seeds.add(a.initiateToRelay().message);
        seeds.add(a.wg.initiate(b.key(), a.nextTimestamp(), 1, f.random).message);
        seeds.add(new CookieJar(b.key(), f.random).reply(seeds.get(2), 1, a.endpoint, f.now));
        seeds.add(link.initiator().keepalive());
        seeds.add(link.initiator().seal(new byte[1400]));
        seeds.add(link.responder().seal(new byte[60]));
        byte[] resp = WireFormat.header(2, 92);
        Macs.writeMac1(a.key(), resp);
        seeds.add(resp);
        seeds.add(DisclosureTest.query(f, a, b.key()));
        seeds.add(f.relay.onDatagram(f.now, DisclosureTest.PROBER, DisclosureTest.query(f, b, a.key())).get(0)
                .datagram());
        Disclosure.Keys keysA = Disclosure.clientKeys(a.wg.key, f.relay.publicKey());

        Random r = new Random(seed());
        IpEndpoint[] sources = {a.endpoint, b.endpoint, IpEndpoint.parse("203.0.113.9:9"),
            IpEndpoint.parse("[2001:db8::9]:9")};
        int decoded = 0;
        int n = iterations();
        int step = (int) Math.max(1, Math.min(5_000_000L, 100_000_000_000L / n));
        for (int i = 0; i < n; i++) {
            byte[] in = mutate(seeds.get(r.nextInt(seeds.size())), r, seeds);
            int type = WireFormat.classify(in);
            try {
                WgMessage m = WgMessage.decode(in);
                decoded++;
                assertEquals(type, m.type());
                assertArrayEquals(in, m.encode(), "re-encodes to the same bytes");
            } catch (MalformedInputException e) {
                assertEquals(0, type, "classify agrees with decode");
            } catch (RuntimeException e) {
                fail("decode threw " + e + " on " + HexFormat.of().formatHex(in), e);
            }
            disclosureDecoders(in, keysA, b.key());
            try {
                f.relay.onDatagram(f.now, sources[r.nextInt(sources.length)], in);
            } catch (RuntimeException e) {
                fail("the relay threw " + e + " on " + HexFormat.of().formatHex(in), e);
            }
            f.now += r.nextInt(step); // the whole run spans at most 100 s: nothing legitimate expires
        }
        assertTrue(decoded > 0 && decoded < n, decoded + " of " + n + " decoded");
        // and it still works
        byte[] d = link.initiator().seal(new byte[10]);
        assertEquals(1, a.send(d).size());
        Fuzz.report("relay WireGuard message + disclosure + relay path", n, decoded, seed());
        System.out.println("relay after fuzz: " + f.relay.stats());
    }

    /** The disclosure codecs: decode and re-encode the same bytes, or throw MalformedInputException; open never throws. */
    static void disclosureDecoders(byte[] in, Disclosure.Keys keys, io.wirelink.facts.PublicKey peer) {
        try {
            assertArrayEquals(in, Disclosure.decodeQuery(in).encode());
        } catch (MalformedInputException e) {
            assertTrue(!Disclosure.isQuery(in));
        } catch (RuntimeException e) {
            fail("decodeQuery threw " + e + " on " + HexFormat.of().formatHex(in), e);
        }
        try {
            assertArrayEquals(in, Disclosure.decodeAnswer(in, in.length).encode());
        } catch (MalformedInputException e) {
            // not an answer
        } catch (RuntimeException e) {
            fail("decodeAnswer threw " + e + " on " + HexFormat.of().formatHex(in), e);
        }
        try {
            Disclosure.open(keys, peer, in, in.length);
            Disclosure.answerNonce(in, in.length);
        } catch (RuntimeException e) {
            fail("open threw " + e + " on " + HexFormat.of().formatHex(in), e);
        }
    }

    static byte[] mutate(byte[] in, Random r, List<byte[]> seeds) {
        return MUTATOR.mutate(in, r, seeds);
    }
}
