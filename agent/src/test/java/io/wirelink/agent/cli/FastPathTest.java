package io.wirelink.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fast path answers exactly what picocli would, and leaves every other form to picocli. */
class FastPathTest {
    record Out(Integer code, String out, String err) {}

    static Out run(String stdin, Map<String, String> env, String... args) throws Exception {
        synchronized (CliTest.class) {
            InputStream in = System.in;
            PrintStream out = System.out;
            PrintStream err = System.err;
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            ByteArrayOutputStream e = new ByteArrayOutputStream();
            try {
                System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.US_ASCII)));
                System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
                System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
                Integer code = FastPath.run(args, env);
                return new Out(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
            } finally {
                System.setIn(in);
                System.setOut(out);
                System.setErr(err);
            }
        }
    }

    @Test
    void genkeyPubkeyAndVersionMatchPicocli() throws Exception {
        Out g = run("", Map.of(), "genkey");
        assertEquals(0, g.code());
        Out p = run(g.out(), Map.of(), "pubkey");
        assertEquals(0, p.code());
        assertEquals(CliTest.run(g.out(), "pubkey").out(), p.out());
        Out bad = run("not a key\n", Map.of(), "pubkey");
        assertEquals(1, bad.code());
        assertEquals(CliTest.run("not a key\n", "pubkey").err(), bad.err());
        assertEquals(CliTest.run("", "--version").out(), run("", Map.of(), "--version").out());
        assertEquals(CliTest.run("", "-V").out(), run("", Map.of(), "-V").out());
    }

    @Test
    void jsonTreeWritesWhatTheMapperWrites() throws Exception {
        ObjectNode n = JsonTree.F.objectNode();
        n.put("s", "a\"b\u00e9\n").put("i", 7).put("l", 1L << 40).put("d", 12.5).put("t", true).putNull("n");
        n.putArray("empty");
        n.putObject("o").putArray("a").add(1).add("x").addObject().put("k", -1);
        n.put("big", new java.math.BigInteger("123456789012345678901234567890"));
        assertEquals(n.toPrettyString(), JsonTree.write(n, true));
        assertEquals(n.toString(), JsonTree.write(n, false));
        assertEquals(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(n),
                JsonTree.write(n, true));
    }

    @Test
    void jsonTreeReadsWhatTheMapperReads() throws Exception {
        String json = "{\"a\": [1, 2.5, \"x\", true, false, null, {\"b\": {}}], \"c\": -7, \"d\": \"\\u00e9\\n\"}";
        assertEquals(new ObjectMapper().readTree(json), JsonTree.read(json));
        assertThrows(java.io.IOException.class, () -> JsonTree.read("{\"a\": 1} x"));
        assertThrows(java.io.IOException.class, () -> JsonTree.read(""));
    }

    @Test
    void otherFormsAreLeftToPicocli() throws Exception {
        for (String[] args : new String[][] {{}, {"genkey", "--workbit", "3"}, {"pubkey", "x"}, {"--help"},
                {"show", "--config", "/x"}, {"show", "--json", "--json"}, {"show", "--iface"}, {"decode"}}) {
            assertNull(run("", Map.of(), args).code(), String.join(" ", args));
        }
    }

    @Test
    void showFindsTheSocketWithOrWithoutAConfigFile(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("WIRELINK_RUN_DIR", dir.resolve("run").toString(), "WIRELINK_CONFIG_PATH",
                dir.toString());
        Out plain = run("", env, "show", "--iface", "wg9");
        assertEquals(1, plain.code());
        assertTrue(plain.err().contains("no agent is running on wg9 (no control socket at " + dir.resolve("run")
                .resolve("wg9.sock")), plain.err());
        Files.writeString(dir.resolve("wirelink.wg9.yaml"), "runDir: " + dir.resolve("elsewhere") + "\n");
        Out withFile = run("", Map.of("WIRELINK_CONFIG_PATH", dir.toString()), "show", "-i", "wg9", "--json");
        assertEquals(1, withFile.code());
        assertTrue(withFile.err().contains("elsewhere"), "the file's runDir is used: " + withFile.err());
        Out badEnv = run("", Map.of("WIRELINK_PROT", "1"), "show");
        assertEquals(1, badEnv.code());
        assertTrue(badEnv.err().contains("unknown environment variable WIRELINK_PROT"), badEnv.err());
    }
}
