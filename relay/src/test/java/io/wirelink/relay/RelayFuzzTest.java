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
        String s = System.getProperty("wirelink.fuzz.iterations", "");
        return s.isBlank() ? 20_000 : Integer.parseInt(s.strip());
    }

    static long seed() {
        String s = System.getProperty("wirelink.fuzz.seed", "");
        return s.isBlank() ? 20261122L : Long.parseLong(s.strip());
    }

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
        System.out.printf("relay fuzz: %d inputs, %d decoded (seed %d), %s%n", n, decoded, seed(), f.relay.stats());
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
        byte[] b = in.clone();
        int ops = 1 + r.nextInt(3);
        for (int k = 0; k < ops; k++) {
            switch (r.nextInt(8)) {
                case 0 -> {
                    if (b.length > 0) {
                        b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                case 1 -> {
                    if (b.length > 0) {
                        b[r.nextInt(b.length)] = (byte) new int[] {0, 1, 2, 3, 4, 5, 0x7f, 0x80, 0xff}[r.nextInt(9)];
                    }
                }
                case 2 -> { // insert
                    int at = r.nextInt(b.length + 1);
                    byte[] n = new byte[b.length + 1];
                    System.arraycopy(b, 0, n, 0, at);
                    n[at] = (byte) r.nextInt(256);
                    System.arraycopy(b, at, n, at + 1, b.length - at);
                    b = n;
                }
                case 3 -> { // delete
                    if (b.length > 0) {
                        int at = r.nextInt(b.length);
                        byte[] n = new byte[b.length - 1];
                        System.arraycopy(b, 0, n, 0, at);
                        System.arraycopy(b, at + 1, n, at, b.length - at - 1);
                        b = n;
                    }
                }
                case 4 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1)); // truncate
                case 5 -> b = java.util.Arrays.copyOf(b, b.length + 1 + r.nextInt(64)); // extend with zeros
                case 6 -> { // splice another seed's tail
                    byte[] o = seeds.get(r.nextInt(seeds.size()));
                    int at = r.nextInt(b.length + 1);
                    int from = r.nextInt(o.length + 1);
                    byte[] n = new byte[at + o.length - from];
                    System.arraycopy(b, 0, n, 0, at);
                    System.arraycopy(o, from, n, at, o.length - from);
                    b = n;
                }
                default -> { // the type byte only: the length then rarely fits
                    if (b.length > 0) {
                        b[0] = (byte) r.nextInt(6);
                    }
                }
            }
        }
        return b;
    }
}
