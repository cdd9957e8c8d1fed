package io.wirelink.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirelink.agent.cli.CliTest.Result;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator of the Go wirelink types: a bare --router, --dump, --config-path, and Go's own config files. */
class GoFlagsTest {
    static final String KEY = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
    static final String KEY2 = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=";

    static Path file(Path dir, String name, String content) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        return f;
    }

    static JsonNode dump(String... args) throws Exception {
        Result r = CliTest.run("", args);
        assertEquals(0, r.code(), r.err());
        return JsonTree.read(r.out());
    }

    @Test
    void bareRouterMeansTrueAndTheValuedFormsStillWork(@TempDir Path dir) throws Exception {
        Path f = file(dir, "c.yaml", "iface: wg7\n");
        assertEquals("true", dump("--config", f.toString(), "--router", "--dump").get("router").asText());
        assertEquals("true", dump("--router", "--config", f.toString(), "--dump").get("router").asText());
        assertEquals("false", dump("--config", f.toString(), "--router=false", "--dump").get("router").asText());
        assertEquals("auto", dump("--config", f.toString(), "--router=auto", "--dump").get("router").asText());
        assertEquals("auto", dump("--config", f.toString(), "--dump").get("router").asText());
        Result bad = CliTest.run("", "--config", f.toString(), "--router=maybe", "--dump");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("router"), bad.err());
    }

    @Test
    void dumpPrintsTheEffectiveConfigWhichLoadsBackUnchanged(@TempDir Path dir) throws Exception {
        Path f = file(dir, "c.yaml", String.join("\n",
                "iface: wg3",
                "port: 7000",
                "chatty: true",
                "reportIfaces: [eth*]",
                "timers: {antiEntropy: 2500ms, factTtl: 300s}",
                "boot: ['" + KEY2 + "@192.0.2.7:4000']",
                "relay: {servers: ['" + KEY2 + "@198.51.100.2:51823'], maxAttach: 2}",
                "peers:",
                "  - publicKey: " + KEY,
                "    name: hub",
                "    trust: Membership",
                "    endpoints: ['hub.example:51820']",
                "    allowedIps: [198.18.0.1/24]",
                ""));
        Result r = CliTest.run("", "--config", f.toString(), "--dump");
        assertEquals(0, r.code(), r.err());
        JsonNode d = JsonTree.read(r.out());
        assertEquals("wg3", d.get("iface").asText());
        assertEquals(7000, d.get("port").asInt());
        assertEquals("2500ms", d.get("timers").get("antiEntropy").asText());
        assertEquals("300s", d.get("timers").get("factTtl").asText());
        assertEquals("198.18.0.0/24", d.get("peers").get(0).get("allowedIps").get(0).asText(), "masked, as loaded");
        assertEquals("Membership", d.get("peers").get(0).get("trust").asText());
        Path again = file(dir, "again.json", r.out());
        Result r2 = CliTest.run("", "--config", again.toString(), "--dump");
        assertEquals(0, r2.code(), r2.err());
        assertEquals(r.out(), r2.out(), "the dump is a config file that means the same");
    }

    @Test
    void configPathIsAFileOrTheDirectoryToLookIn(@TempDir Path dir) throws Exception {
        Path f = file(dir, "wirelink.wg5.json", "{\"Port\": 6001}");
        assertEquals(6001, dump("--config-path", f.toString(), "--iface", "wg5", "--dump").get("port").asInt());
        assertEquals(6001, dump("--config-path", dir.toString(), "--iface", "wg5", "--dump").get("port").asInt());
        assertEquals(0, dump("--config-path", dir.toString(), "--iface", "wg6", "--dump").get("port").asInt(),
                "no file for wg6 in the directory: defaults");
        Result both = CliTest.run("", "--config", f.toString(), "--config-path", f.toString(), "--dump");
        assertEquals(1, both.code());
        Result missing = CliTest.run("", "--config-path", dir.resolve("nope.json").toString(), "--dump");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("does not exist"), missing.err());
    }

    @Test
    void goModeKeysAndGoDumpOutputLoadWithANote(@TempDir Path dir) throws Exception {
        // the shape the Go wirelink's --dump prints: viper's lower-case keys, config-path included
        Path goDump = file(dir, "go.json", String.join("\n",
                "{",
                "  \"chatty\": false,",
                "  \"config-path\": \"/etc/wireguard\",",
                "  \"debug\": false,",
                "  \"iface\": \"wg0\",",
                "  \"peers\": [",
                "    {",
                "      \"allowedips\": [\"198.18.4.0/24\"],",
                "      \"endpoints\": [\"192.0.2.1:51820\"],",
                "      \"name\": \"hub\",",
                "      \"publickey\": \"" + KEY + "\",",
                "      \"trust\": \"Membership\"",
                "    }",
                "  ],",
                "  \"port\": 0,",
                "  \"router\": true",
                "}"));
        Path modes = file(dir, "modes.json", "{\"Iface\": \"wg1\", \"Dump\": false, \"Help\": false, "
                + "\"Version\": false}");
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        JsonNode a;
        JsonNode b;
        synchronized (CliTest.class) {
            try {
                System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
                a = dump("--config", goDump.toString(), "--dump");
                b = dump("--config", modes.toString(), "--dump");
            } finally {
                System.setErr(saved);
            }
        }
        assertEquals("true", a.get("router").asText());
        assertEquals(KEY, a.get("peers").get(0).get("publicKey").asText());
        assertEquals("wg1", b.get("iface").asText());
        String notes = captured.toString(StandardCharsets.UTF_8);
        for (String k : new String[] {"config-path", "Dump", "Help", "Version"}) {
            assertTrue(notes.contains("ignoring '" + k + "'"), notes);
        }
        Result unknown = CliTest.run("", "--config", file(dir, "typo.json", "{\"Dumpp\": true}").toString(), "--dump");
        assertEquals(1, unknown.code(), "other unknown keys are still refused");
        assertFalse(unknown.err().isBlank());
    }
}
