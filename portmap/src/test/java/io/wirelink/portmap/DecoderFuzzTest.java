package io.wirelink.portmap;

import static org.junit.jupiter.api.Assertions.fail;

import io.wirelink.facts.MalformedInputException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import io.wirelink.testkit.Fuzz;
import io.wirelink.testkit.Mutator;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of every decoder of a gateway's reply: random bytes, and valid replies mutated by bit flips, byte
 * sets, inserts, deletes, truncation and splicing. Each input must decode or throw
 * {@link MalformedInputException}, nothing else. The count comes from {@code -Dwirelink.fuzz.iterations=N} (the
 * XML decoders get a tenth of it: a parse costs far more), the seed from {@code -Dwirelink.fuzz.seed}.
 */
class DecoderFuzzTest {
    static int iterations() {
        return Fuzz.iterations();
    }

    static long seed() {
        return Fuzz.seed(6886_6887L);
    }

    /** Zero and all-ones bytes (result codes, lifetimes, lengths), and runs of up to 8 bytes in and out. */
    static final Mutator MUTATOR = Mutator.builder().interesting(0, 0xff).maxRun(8).build();

    static void fuzz(String name, List<byte[]> seeds, int n, Consumer<byte[]> decoder) {
        Random r = new Random(seed() ^ name.hashCode());
        int decoded = 0;
        for (int i = 0; i < n; i++) {
            byte[] in;
            if (i % 10 == 0) {
                in = new byte[r.nextInt(80)];
                r.nextBytes(in);
            } else {
                in = MUTATOR.mutate(seeds.get(r.nextInt(seeds.size())), r, seeds);
            }
            try {
                decoder.accept(in);
                decoded++;
            } catch (MalformedInputException expected) {
                // fine
            } catch (RuntimeException | StackOverflowError e) {
                fail(name + " threw " + e + " on " + java.util.HexFormat.of().formatHex(in) + " (seed " + seed()
                        + ", input " + i + ")");
            }
        }
        Fuzz.report("portmap " + name, n, decoded, seed());
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
