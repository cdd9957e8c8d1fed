package io.wirelink.portmap;

import static org.junit.jupiter.api.Assertions.fail;

import io.wirelink.facts.MalformedInputException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of every decoder of a gateway's reply: random bytes, and valid replies mutated by bit flips, byte
 * sets, inserts, deletes, truncation and splicing. Each input must decode or throw
 * {@link MalformedInputException}, nothing else. The count comes from {@code -Dwirelink.fuzz.iterations=N} (the
 * XML decoders get a tenth of it: a parse costs far more), the seed from {@code -Dwirelink.fuzz.seed}.
 */
class DecoderFuzzTest {
    static int iterations() {
        String s = System.getProperty("wirelink.fuzz.iterations", "");
        return s.isBlank() ? 20_000 : Integer.parseInt(s.strip());
    }

    static long seed() {
        String s = System.getProperty("wirelink.fuzz.seed", "");
        return s.isBlank() ? 6886_6887L : Long.parseLong(s.strip());
    }

    static byte[] mutate(byte[] in, Random r, List<byte[]> seeds) {
        byte[] b = in.clone();
        int ops = 1 + r.nextInt(4);
        for (int k = 0; k < ops; k++) {
            switch (r.nextInt(6)) {
                case 0:
                    if (b.length > 0) {
                        int i = r.nextInt(b.length);
                        b[i] ^= (byte) (1 << r.nextInt(8));
                    }
                    break;
                case 1:
                    if (b.length > 0) {
                        b[r.nextInt(b.length)] = (byte) (r.nextBoolean() ? r.nextInt(256) : (r.nextBoolean() ? 0 : 0xff));
                    }
                    break;
                case 2: {
                    int at = r.nextInt(b.length + 1);
                    int n = 1 + r.nextInt(8);
                    byte[] x = new byte[b.length + n];
                    System.arraycopy(b, 0, x, 0, at);
                    for (int i = 0; i < n; i++) {
                        x[at + i] = (byte) r.nextInt(256);
                    }
                    System.arraycopy(b, at, x, at + n, b.length - at);
                    b = x;
                    break;
                }
                case 3:
                    if (b.length > 0) {
                        int at = r.nextInt(b.length);
                        int n = 1 + r.nextInt(Math.min(8, b.length - at));
                        byte[] x = new byte[b.length - n];
                        System.arraycopy(b, 0, x, 0, at);
                        System.arraycopy(b, at + n, x, at, b.length - at - n);
                        b = x;
                    }
                    break;
                case 4:
                    b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1));
                    break;
                default: {
                    byte[] other = seeds.get(r.nextInt(seeds.size()));
                    int cut = r.nextInt(b.length + 1);
                    int from = r.nextInt(other.length + 1);
                    byte[] x = new byte[cut + other.length - from];
                    System.arraycopy(b, 0, x, 0, cut);
                    System.arraycopy(other, from, x, cut, other.length - from);
                    b = x;
                }
            }
        }
        return b;
    }

    static void fuzz(String name, List<byte[]> seeds, int n, Consumer<byte[]> decoder) {
        Random r = new Random(seed() ^ name.hashCode());
        for (int i = 0; i < n; i++) {
            byte[] in;
            if (i % 10 == 0) {
                in = new byte[r.nextInt(80)];
                r.nextBytes(in);
            } else {
                in = mutate(seeds.get(r.nextInt(seeds.size())), r, seeds);
            }
            try {
                decoder.accept(in);
            } catch (MalformedInputException expected) {
                // fine
            } catch (RuntimeException | StackOverflowError e) {
                fail(name + " threw " + e + " on " + java.util.HexFormat.of().formatHex(in) + " (seed " + seed()
                        + ", input " + i + ")");
            }
        }
    }

    static List<byte[]> binarySeeds() {
        List<byte[]> s = new ArrayList<>();
        s.add(CodecTest.hex("0081000000002e90ca6cca6c0000003c"));
        s.add(CodecTest.hex("00 80 0000 00002e90 c6336402"));
        s.add(CodecTest.hex("00 80 0003 00002e90"));
        s.add(CodecTest.hex(CodecTest.successResponse()));
        s.add(CodecTest.hex(CodecTest.successResponse() + "01 00 0010" + "00".repeat(16)));
        s.add(CodecTest.hex("02 81 00 02 00000000 00002e90 000000000000000000000000"));
        return s;
    }

    @Test
    void natPmp() {
        fuzz("natpmp-map", binarySeeds(), iterations(), b -> NatPmp.decodeMap(b, 1));
        fuzz("natpmp-addr", binarySeeds(), iterations(), NatPmp::decodeExternalAddress);
    }

    @Test
    void pcp() {
        fuzz("pcp", binarySeeds(), iterations(), Pcp::decodeMap);
    }

    @Test
    void ssdp() {
        List<byte[]> seeds = List.of(("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: "
                + Ssdp.IGD_V1 + "\r\nLOCATION: http://192.0.2.1:37501/rootDesc.xml\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        fuzz("ssdp", seeds, iterations(), Ssdp::decode);
    }

    @Test
    void upnpXml() {
        List<byte[]> seeds = List.of(CodecTest.DESCRIPTION.getBytes(StandardCharsets.UTF_8),
                ("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault><detail>"
                        + "<UPnPError><errorCode>718</errorCode></UPnPError></detail></s:Fault></s:Body></s:Envelope>")
                        .getBytes(StandardCharsets.UTF_8),
                ("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><u:AddAnyPortMappingResponse"
                        + " xmlns:u=\"x\"><NewReservedPort>40000</NewReservedPort></u:AddAnyPortMappingResponse>"
                        + "</s:Body></s:Envelope>").getBytes(StandardCharsets.UTF_8));
        int n = Math.max(100, iterations() / 10);
        URI base = URI.create("http://192.0.2.1:5000/rootDesc.xml");
        fuzz("upnp-description", seeds, n, b -> UpnpXml.wanService(b, base));
        fuzz("upnp-soap", seeds, n, b -> UpnpXml.soapResponse(b, "AddAnyPortMapping"));
    }
}
