package io.wirelink.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirelink.facts.Fact;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.MemberMetadata;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.SignedGroups;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {
    record Result(int code, String out, String err) {}

    static Result run(String stdin, String... args) {
        return runBytes(stdin.getBytes(StandardCharsets.US_ASCII), args);
    }

    static Result runBytes(byte[] stdin, String... args) {
        return runWith(WirelinkCommand.commandLine(args), stdin, args); // as Main builds it
    }

    static synchronized Result runWith(CommandLine cl, byte[] stdin, String... args) {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream(stdin));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new Result(code, out.toString(), err.toString());
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void agentOptionsParseTheSameWithoutTheSubcommands() {
        assertTrue(WirelinkCommand.agentOptionsOnly());
        assertTrue(WirelinkCommand.agentOptionsOnly("--iface", "wg0", "-d", "--router", "--port", "5", "-c", "x"));
        assertTrue(WirelinkCommand.agentOptionsOnly("--router", "false", "--iface=wg1", "--dump"));
        for (String[] a : List.of(new String[] {"show"}, new String[] {"--iface", "wg0", "show"},
                new String[] {"-h"}, new String[] {"-dh"}, new String[] {"--help"}, new String[] {"--router", "show"},
                new String[] {"shw"}, new String[] {"--", "x"}, new String[] {"-d", "wg0"})) {
            assertFalse(WirelinkCommand.agentOptionsOnly(a), String.join(" ", a));
        }
        for (String[] a : List.of(new String[] {"--bogus"}, new String[] {"--port", "x"}, new String[] {"-V"},
                new String[] {"--dump", "--iface", "wg9", "--config-path", "/nonexistent", "--router"},
                new String[] {"--dump", "--router", "maybe"}, new String[] {"--iface"})) {
            Result full = runWith(WirelinkCommand.commandLine(), new byte[0], a);
            Result lite = runWith(WirelinkCommand.commandLine(a), new byte[0], a);
            assertEquals(full, lite, String.join(" ", a));
        }
    }

    @Test
    void pubkeyMatchesRfc7748() {
        // RFC 7748 §6.1 Alice, as wg's base64
        String priv = java.util.Base64.getEncoder().encodeToString(
                HexFormat.of().parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        Result r = run(priv + "\n", "pubkey");
        assertEquals(0, r.code());
        assertEquals(java.util.Base64.getEncoder().encodeToString(HexFormat.of()
                .parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")) + "\n", r.out());
    }

    @Test
    void genkeyGivesAClampedKeyThatPubkeyAccepts() {
        Result g = run("", "genkey");
        assertEquals(0, g.code());
        byte[] k = java.util.Base64.getDecoder().decode(g.out().strip());
        assertEquals(32, k.length);
        assertEquals(0, k[0] & 7);
        assertEquals(64, k[31] & 0xc0);
        assertEquals(0, run(g.out(), "pubkey").code());
    }

    @Test
    void badInputIsAOneLineErrorAndExitOne() {
        Result r = run("not a key\n", "pubkey");
        assertEquals(1, r.code());
        assertEquals(1, r.err().strip().lines().count());
        assertFalse(r.err().contains("not a key"), "the input is never echoed");
        assertEquals(1, run("", "linklocal", "short").code());
    }

    // mined once with WorkbitMiner; the workbit hash for "wirelink" starts 00000b5c (20 zero bits)
    static final String MINED_PRIVATE = "kDT3iQC7fpzaeJNxjlvie4sTTQt8mxcK6NIV3N5+LUI=";
    static final String MINED_PUBLIC = "usXrmxdRVhGfJML3LYeyY8JHvaVS+wdmB+lQtSjlyR8=";

    @Test
    void genkeyMinesAKeyWithTheRequestedWorkbit() {
        Result g = run("", "genkey", "--workbit", "8");
        assertEquals(0, g.code(), g.err());
        assertEquals("", g.err(), "silent when stderr is not a terminal");
        assertEquals(1, g.out().lines().count());
        Result w = run(g.out(), "workbit");
        assertEquals(0, w.code(), w.err());
        assertTrue(Integer.parseInt(w.out().strip()) >= 8, w.out());
        Result pub = run(g.out(), "pubkey");
        assertTrue(Integer.parseInt(run(pub.out(), "workbit").out().strip()) >= 8);
        assertTrue(Integer.parseInt(run(pub.out(), "workbit", "--public").out().strip()) >= 8);

        Result other = run("", "genkey", "--workbit", "6", "--network", "lab", "--threads", "1");
        assertEquals(0, other.code(), other.err());
        assertTrue(Integer.parseInt(run(other.out(), "workbit", "--network", "lab", "--private").out().strip()) >= 6);
    }

    @Test
    void workbitReadsPrivateAndPublicKeys() {
        assertEquals("20\n", run(MINED_PRIVATE + "\n", "workbit").out());
        assertEquals("20\n", run(MINED_PUBLIC + "\n", "workbit").out());
        assertEquals("20\n", run(MINED_PRIVATE, "workbit", "--private").out());
        assertEquals("20\n", run(MINED_PUBLIC, "workbit", "--public").out());
        assertEquals("2\n", run(MINED_PUBLIC, "workbit", "--network", "other").out());
        // RFC 7748 Alice: workbit 7 in "Café-net", 0 in the default network
        String alice = java.util.Base64.getEncoder().encodeToString(HexFormat.of()
                .parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
        assertEquals("0\n", run(alice, "workbit").out());
        assertEquals("7\n", run(alice, "workbit", "--network", "Café-net").out());
        long sum = 0;
        for (int i = 0; i < 64; i++) {
            sum += Integer.parseInt(run(run("", "genkey").out(), "workbit").out().strip());
        }
        assertTrue(sum < 64 * 3, "ordinary keys have a workbit near 0 on average, got " + sum + " over 64");
    }

    @Test
    void workbitAndGenkeyRejectBadInputInOneLine() {
        for (Result r : List.of(
                run("not a key\n", "workbit"),
                run("", "workbit"),
                run("AAAA\n", "workbit"),
                run(MINED_PUBLIC, "workbit", "--network", ""),
                run("", "genkey", "--workbit", "65"),
                run("", "genkey", "--workbit", "-1"),
                run("", "genkey", "--workbit", "4", "--network", "bad\tname"),
                run("", "genkey", "--threads", "2"))) {
            assertEquals(1, r.code(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertEquals("", r.out());
            assertFalse(r.err().contains("not a key"));
        }
        assertEquals(2, run(MINED_PUBLIC, "workbit", "--public", "--private").code(), "usage error");
    }

    @Test
    void dhtNodeRejectsBadSettingsInOneLine(@TempDir Path dir) throws Exception {
        // RFC 7748 Alice: workbit 0 in the default network
        Path weak = dir.resolve("weak.key");
        Files.writeString(weak, java.util.Base64.getEncoder().encodeToString(HexFormat.of()
                .parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")) + "\n");
        Path strong = dir.resolve("strong.key");
        Files.writeString(strong, MINED_PRIVATE + "\n");
        for (Result r : List.of(
                run("", "dht-node", "--listen", "127.0.0.1:0", "--private-key", weak.toString()),
                run("", "dht-node", "--listen", "127.0.0.1:0", "--private-key", dir.resolve("none").toString()),
                run("", "dht-node", "--listen", "localhost:1", "--private-key", strong.toString()),
                run("", "dht-node", "--listen", "127.0.0.1:0", "--private-key", strong.toString(), "--boot", "x"),
                run("", "dht-node", "--listen", "127.0.0.1:0", "--private-key", strong.toString(),
                        "--boot", MINED_PUBLIC + "@nowhere"))) {
            assertEquals(1, r.code(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("wirelink dht-node: "), r.err());
        }
        assertTrue(run("", "dht-node", "--listen", "127.0.0.1:0", "--private-key", weak.toString()).err()
                .contains("workbit"));
    }

    @Test
    void linklocalPrintsTheVector() {
        Result r = run("", "linklocal", "6X/iz1GyW9euj9JIdP7PUl14eoWyoQiAa+BDTB38GhE=");
        assertEquals(0, r.code());
        assertEquals("fe80::afec:ee83:716b:51ac\n", r.out());
    }

    @Test
    void decodeVerifiesWithTheRecipientKey(@TempDir Path dir) throws Exception {
        PrivateKey signer = PrivateKey.generate(new SecureRandom());
        PrivateKey recipient = PrivateKey.generate(new SecureRandom());
        PrivateKey stranger = PrivateKey.generate(new SecureRandom());
        Instant now = Instant.now();
        List<Fact> facts = List.of(
                Fact.endpoint(signer.publicKey(), IpEndpoint.parse("198.51.100.7:51820"), now.plusSeconds(100)),
                Fact.allowedIp(signer.publicKey(), IpPrefix.parse("203.0.113.0/24"), now.plusSeconds(100)),
                Fact.member(signer.publicKey(), MemberMetadata.of("hub", true), now.plusSeconds(100)));
        byte[] d = new SignedGroups(signer, 2).seal(1, recipient.publicKey(), facts, now, new Random(1)).get(0);
        String hex = HexFormat.of().formatHex(d);
        Path good = dir.resolve("recipient.key");
        Files.writeString(good, recipient.toBase64() + "\n");
        Path bad = dir.resolve("stranger.key");
        Files.writeString(bad, stranger.toBase64() + "\n");

        Result ok = run("", "decode", "--hex", hex, "--key", good.toString());
        assertEquals(0, ok.code(), ok.err());
        JsonNode j = JsonTree.read(ok.out());
        assertTrue(j.get("verified").asBoolean());
        assertEquals("SignedGroup", j.get("attribute").asText());
        assertEquals(signer.publicKey().toBase64(), j.get("signer").asText());
        assertEquals("198.51.100.7:51820", j.get("facts").get(0).get("value").asText());
        assertEquals("EndpointV4", j.get("facts").get(0).get("attribute").asText());
        assertTrue(j.get("facts").get(0).get("ttl").asInt() >= 99);
        assertEquals("203.0.113.0/24", j.get("facts").get(1).get("value").asText());
        assertEquals("hub", j.get("facts").get(2).get("value").get("name").asText());

        Result no = run("", "decode", "--hex", hex, "--key", bad.toString());
        assertEquals(1, no.code());
        assertFalse(JsonTree.read(no.out()).get("verified").asBoolean());
        assertEquals(1, no.err().strip().lines().count());

        Result noKey = run("", "decode", "--hex", hex);
        assertEquals(0, noKey.code());
        assertFalse(JsonTree.read(noKey.out()).has("verified"));

        Result malformed = run("", "decode", "--hex", hex.substring(0, 60));
        assertEquals(1, malformed.code());
        assertTrue(malformed.err().startsWith("wirelink decode: malformed packet:"));
        assertEquals("", malformed.out());
    }

    @Test
    void decodeReadsBinaryFromStdin() throws Exception {
        byte[] d = new byte[] {'e', 10};
        byte[] full = new byte[2 + 32 + 6];
        System.arraycopy(d, 0, full, 0, 2);
        full[34] = (byte) 198;
        full[35] = 51;
        full[36] = 100;
        full[37] = 1;
        full[38] = (byte) 0xca;
        full[39] = 0x6c;
        Result r = runBytes(full, "decode");
        assertEquals(0, r.code(), r.err());
        assertEquals("198.51.100.1:51820", JsonTree.read(r.out()).get("value").asText());
        assertEquals(10, JsonTree.read(r.out()).get("ttl").asInt());
    }

    @Test
    void versionIsPrinted() {
        Result r = run("", "--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("wirelink "));
    }

    @Test
    void theToolsAreNotInTheDaemonAndSaySoInOneLine() {
        for (String tool : WirelinkCommand.TOOLS) {
            Result r = run("", tool, "--nodes", "100", "--help");
            assertEquals(1, r.code(), r.err());
            assertEquals("", r.out());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("wirelink " + tool + ": not in this jar"), r.err());
            assertTrue(r.err().contains("bin/wirelink " + tool), r.err());
        }
        Result help = run("", "--help");
        assertEquals(0, help.code());
        for (String tool : WirelinkCommand.TOOLS) {
            assertFalse(help.out().contains("  " + tool + " "), help.out());
        }
    }
}
