package io.wirelink.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import io.wirelink.trust.TrustLevel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    static final String HUB = "6X/iz1GyW9euj9JIdP7PUl14eoWyoQiAa+BDTB38GhE=";
    static final String LEAF = "x9XnbJsnF64OxxOAWqr4yvghymMZAYGo+dYGc8tzcRw=";

    @TempDir
    Path dir;

    Map<String, String> env() {
        return Map.of("WIRELINK_CONFIG_PATH", dir.toString());
    }

    Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void defaultsWhenThereIsNoFile() throws Exception {
        AgentConfig c = ConfigLoader.load(null, env(), Map.of());
        assertEquals("wg0", c.iface());
        assertEquals(0, c.port());
        assertEquals(RouterMode.AUTO, c.router());
        assertFalse(c.chatty());
        assertEquals(List.of(), c.peers());
        assertNull(c.source());
    }

    @Test
    void theDocumentedYamlLoads() throws Exception {
        Path f = write("wirelink.wg0.yaml", """
                iface: wg0
                port: 0                 # gossip port; 0 = listen port + 1
                router: auto            # auto | true | false
                chatty: false
                peers:
                  - publicKey: %s
                    name: hub
                    trust: Membership
                    endpoints: ["198.51.100.2:51820"]
                    allowedIps: ["10.99.0.0/24"]
                    basic: false
                    factExchanger: false
                """.formatted(HUB));
        AgentConfig c = ConfigLoader.load(null, env(), Map.of());
        assertEquals(f, c.source());
        PeerConfig hub = c.peer(PublicKey.parse(HUB));
        assertEquals("hub", hub.name());
        assertEquals(TrustLevel.Membership, hub.trust());
        assertEquals(List.of("198.51.100.2:51820"), hub.endpoints());
        assertEquals(List.of(IpPrefix.parse("10.99.0.0/24")), hub.allowedIps());
    }

    @Test
    void wirelinksOwnJsonLoadsUnchanged() throws Exception {
        write("wirelink.wg1.json", """
                {
                  "Router": true,
                  "Chatty": true,
                  "ReportIfaces": ["eth*"],
                  "Peers": [
                    {"PublicKey": "%s", "Name": "core", "Trust": "Membership",
                     "Endpoints": ["core.example:51820"], "AllowedIPs": ["192.168.0.1/24"], "FactExchanger": true},
                    {"publickey": "%s", "trust": null, "Basic": true}
                  ]
                }
                """.formatted(HUB, LEAF));
        AgentConfig c = ConfigLoader.load(null, env(), Map.of("iface", "wg1"));
        assertEquals(RouterMode.TRUE, c.router());
        assertTrue(c.chatty());
        assertEquals(List.of("eth*"), c.reportIfaces());
        PeerConfig core = c.peer(PublicKey.parse(HUB));
        assertEquals(List.of(IpPrefix.parse("192.168.0.0/24")), core.allowedIps(), "host bits masked");
        assertTrue(core.factExchanger());
        PeerConfig leaf = c.peer(PublicKey.parse(LEAF));
        assertNull(leaf.trust(), "null trust means no opinion");
        assertTrue(leaf.basic());
    }

    @Test
    void flagBeatsEnvBeatsFileBeatsDefault() throws Exception {
        write("wirelink.wg0.yaml", "port: 7000\nchatty: true\nrouter: false\n");
        Map<String, String> env = Map.of("WIRELINK_CONFIG_PATH", dir.toString(), "WIRELINK_PORT", "7100",
                "WIRELINK_ROUTER", "true");
        AgentConfig c = ConfigLoader.load(null, env, Map.of("port", 7200));
        assertEquals(7200, c.port());
        assertEquals(RouterMode.TRUE, c.router());
        assertTrue(c.chatty());
        assertEquals(7100, ConfigLoader.load(null, env, Map.of()).port());
        assertEquals(7000, ConfigLoader.load(null, env(), Map.of()).port());
    }

    @Test
    void explicitConfigFileWins() throws Exception {
        write("wirelink.wg0.yaml", "port: 7000\n");
        Path other = write("mine.yaml", "port: 7001\niface: wg9\n");
        AgentConfig c = ConfigLoader.load(other, env(), Map.of());
        assertEquals(7001, c.port());
        assertEquals("wg9", c.iface());
    }

    String error(ConfigLoaderTest.Call call) {
        return assertThrows(ConfigException.class, call::run).getMessage();
    }

    interface Call {
        void run() throws Exception;
    }

    @Test
    void unknownKeysAndBadValuesNameTheKeyAndTheFile() throws Exception {
        Path f = write("wirelink.wg0.yaml", "port: 1\nportt: 2\n");
        String m = error(() -> ConfigLoader.load(null, env(), Map.of()));
        assertTrue(m.contains(f.toString()) && m.contains("portt"), m);

        write("wirelink.wg0.yaml", "port: abc\n");
        m = error(() -> ConfigLoader.load(null, env(), Map.of()));
        assertTrue(m.contains(f.toString()) && m.contains("port") && m.contains("abc"), m);

        write("wirelink.wg0.yaml", "port: 70000\n");
        m = error(() -> ConfigLoader.load(null, env(), Map.of()));
        assertTrue(m.contains(f.toString()) && m.contains("port"), m);

        write("wirelink.wg0.yaml", "peers:\n  - publicKey: " + HUB + "\n    trust: Boss\n");
        m = error(() -> ConfigLoader.load(null, env(), Map.of()));
        assertTrue(m.contains(f.toString()) && m.contains("peers[0].trust") && m.contains("Membership"), m);

        write("wirelink.wg0.yaml", "peers:\n  - publicKey: nope\n");
        m = error(() -> ConfigLoader.load(null, env(), Map.of()));
        assertTrue(m.contains("peers[0].publicKey"), m);

        write("wirelink.wg0.yaml", "peers:\n  - publicKey: " + HUB + "\n    allowedIps: [10.0.0.0/33]\n");
        m = error(() -> ConfigLoader.load(null, env(), Map.of()));
        assertTrue(m.contains("peers[0].allowedIps"), m);

        write("wirelink.wg0.yaml", "peers:\n  - publicKey: " + HUB + "\n    colour: red\n");
        m = error(() -> ConfigLoader.load(null, env(), Map.of()));
        assertTrue(m.contains("peers[0].colour"), m);

        write("wirelink.wg0.yaml", "peers:\n  - publicKey: " + HUB + "\n  - publicKey: " + HUB + "\n");
        m = error(() -> ConfigLoader.load(null, env(), Map.of()));
        assertTrue(m.contains("same publicKey"), m);

        write("wirelink.wg0.yaml", "peers: [\n");
        m = error(() -> ConfigLoader.load(null, env(), Map.of()));
        assertTrue(m.contains(f.toString()) && m.contains("not valid YAML") && m.contains("line"), m);

        write("wirelink.wg0.yaml", "iface: wg5\n");
        m = error(() -> ConfigLoader.load(null, env(), Map.of()));
        assertTrue(m.contains("disagrees"), m);
    }

    @Test
    void badEnvironmentAndMissingFilesAreErrors() throws Exception {
        Map<String, String> env = Map.of("WIRELINK_CONFIG_PATH", dir.toString(), "WIRELINK_PROT", "1");
        String m = error(() -> ConfigLoader.load(null, env, Map.of()));
        assertTrue(m.contains("WIRELINK_PROT") && m.contains("WIRELINK_PORT"), m);
        m = error(() -> ConfigLoader.load(null, Map.of("WIRELINK_CONFIG_PATH", dir.toString(), "WIRELINK_CHATTY",
                "maybe"), Map.of()));
        assertTrue(m.contains("environment") && m.contains("chatty"), m);
        m = error(() -> ConfigLoader.load(dir.resolve("absent.yaml"), env(), Map.of()));
        assertTrue(m.contains("absent.yaml") && m.contains("does not exist"), m);
        write("wirelink.wg0.yaml", "port: 1\n");
        write("wirelink.wg0.json", "{}");
        m = error(() -> ConfigLoader.load(null, env(), Map.of()));
        assertTrue(m.contains("keep one"), m);
    }

    @Test
    void timersLoadAndAreValidated() throws Exception {
        write("wirelink.wg0.yaml", "timers:\n  factTtl: 20s\n  aliveTtl: 6s\n  alivePeriod: 2s\n");
        AgentConfig c = ConfigLoader.load(null, env(), Map.of());
        assertEquals(java.time.Duration.ofSeconds(20), c.timers().factTtl());
        assertEquals(java.time.Duration.ofSeconds(6), c.timers().aliveTtl());
        assertEquals(Timers.DEFAULTS.antiEntropy(), c.timers().antiEntropy(), "unset timers keep their default");
        write("wirelink.wg0.yaml", "timers:\n  aliveTtl: 300s\n");
        String m = error(() -> ConfigLoader.load(null, env(), Map.of()));
        assertTrue(m.contains("timers.aliveTtl") && m.contains("shorter"), m);
        write("wirelink.wg0.yaml", "timers:\n  factTtl: soon\n");
        m = error(() -> ConfigLoader.load(null, env(), Map.of()));
        assertTrue(m.contains("timers.factTtl") && m.contains("duration"), m);
        write("wirelink.wg0.yaml", "timers:\n  factTTL: 30s\n  tick: 1s\n");
        m = error(() -> ConfigLoader.load(null, env(), Map.of()));
        assertTrue(m.contains("timers.tick"), m);
    }

    @Test
    void relayBlockLoadsAndIsValidated() throws Exception {
        AgentConfig d = ConfigLoader.load(null, env(), Map.of());
        assertEquals(RelayConfig.DEFAULTS, d.relay());
        assertTrue(d.relay().runs(true) && !d.relay().runs(false), "auto: a relay on public nodes only");
        write("wirelink.wg0.yaml", "relay:\n  enabled: true\n  port: 51900\n  keyFile: /tmp/r.key\n  use: false\n"
                + "  maxAttach: 2\n");
        AgentConfig c = ConfigLoader.load(null, env(), Map.of());
        assertEquals(new RelayConfig(RouterMode.TRUE, 51900, java.nio.file.Path.of("/tmp/r.key"), false, 2), c.relay());
        assertTrue(c.relay().runs(false));
        write("wirelink.wg0.yaml", "relay:\n  port: 70000\n");
        String m = error(() -> ConfigLoader.load(null, env(), Map.of()));
        assertTrue(m.contains("relay.port"), m);
        write("wirelink.wg0.yaml", "relay:\n  enabled: maybe\n");
        m = error(() -> ConfigLoader.load(null, env(), Map.of()));
        assertTrue(m.contains("relay.enabled"), m);
        write("wirelink.wg0.yaml", "relay:\n  listen: 1\n");
        m = error(() -> ConfigLoader.load(null, env(), Map.of()));
        assertTrue(m.contains("relay.listen"), m);
    }

    @Test
    void relayServersLoad() throws Exception {
        assertEquals(List.of(), ConfigLoader.load(null, env(), Map.of()).relay().servers(), "none by default");
        Path f = write("wirelink.wg0.yaml", """
                relay:
                  servers: ["%s@203.0.113.7:51823", " %s@[fd00::7]:51823 ", "%s@198.51.100.9:4000"]
                """.formatted(HUB, HUB, LEAF));
        RelayConfig r = ConfigLoader.load(null, env(), Map.of()).relay();
        assertEquals(List.of(new RelayConfig.Server(PublicKey.parse(HUB), IpEndpoint.parse("203.0.113.7:51823")),
                new RelayConfig.Server(PublicKey.parse(HUB), IpEndpoint.parse("[fd00::7]:51823")),
                new RelayConfig.Server(PublicKey.parse(LEAF), IpEndpoint.parse("198.51.100.9:4000"))), r.servers());
        assertTrue(r.use());
        // JSON and any key spelling, like the rest of the file
        Files.delete(f);
        write("wirelink.wg0.json", "{\"Relay\": {\"Servers\": [\"" + LEAF + "@203.0.113.7:51823\"]}}");
        assertEquals(1, ConfigLoader.load(null, env(), Map.of()).relay().servers().size());
    }

    @Test
    void badRelayServersNameTheKeyAndTheFile() throws Exception {
        Path f = dir.resolve("wirelink.wg0.yaml");
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("relay:\n  servers: [\"203.0.113.7:51823\"]\n", "relay.servers[0]: '203.0.113.7:51823' is not");
        cases.put("relay:\n  servers: [\"nokey@203.0.113.7:51823\"]\n", "relay.servers[0]");
        cases.put("relay:\n  servers: [\"" + HUB + "@relay.example.org:51823\"]\n", "relay.servers[0]");
        cases.put("relay:\n  servers: [\"" + HUB + "@203.0.113.7\"]\n", "relay.servers[0]");
        cases.put("relay:\n  servers: [\"" + HUB + "@203.0.113.7:0\"]\n", "relay.servers[0]: ");
        cases.put("relay:\n  servers: [\"" + HUB + "@203.0.113.7:70000\"]\n", "relay.servers[0]");
        cases.put("relay:\n  servers: [\"" + HUB + "@203.0.113.7:1\", \"" + HUB + "@203.0.113.7:1\"]\n",
                "relay.servers[1]: '" + HUB + "@203.0.113.7:1' is listed twice");
        cases.put("relay:\n  servers: \"" + HUB + "@203.0.113.7:1\"\n", "relay.servers: must be a list");
        cases.put("relay:\n  use: false\n  servers: [\"" + HUB + "@203.0.113.7:1\"]\n",
                "relay.servers: relays are configured but relay.use is false");
        cases.put("relay:\n  servers: [\"" + HUB + "@203.0.113.7:1\"]\npeers:\n  - publicKey: " + HUB + "\n",
                "is peers[0]'s publicKey");
        StringBuilder five = new StringBuilder("relay:\n  servers:\n");
        for (int i = 1; i <= 5; i++) {
            five.append("    - \"").append(HUB).append("@203.0.113.").append(i).append(":1\"\n");
        }
        cases.put(five.toString(), "relay.servers[4]: more than 4 endpoints");
        StringBuilder nine = new StringBuilder("relay:\n  servers:\n");
        for (int i = 1; i <= 9; i++) {
            byte[] k = new byte[32];
            k[0] = (byte) i;
            nine.append("    - \"").append(PublicKey.of(k)).append("@203.0.113.").append(i).append(":1\"\n");
        }
        cases.put(nine.toString(), "relay.servers: 9 relays; at most 8");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Files.writeString(f, c.getKey());
            String m = error(() -> ConfigLoader.load(null, env(), Map.of()));
            assertTrue(m.contains(c.getValue()), "for:\n" + c.getKey() + "got: " + m);
            assertTrue(m.startsWith(f.toString() + ": "), "names the file: " + m);
        }
        Files.writeString(f, "relay:\n  server: []\n");
        String m = error(() -> ConfigLoader.load(null, env(), Map.of()));
        assertTrue(m.contains("unknown key 'relay.server'") && m.contains("servers"), m);
    }

    @Test
    void dhtKeysLoad() throws Exception {
        write("wirelink.wg0.yaml", """
                network: test
                workbit: 8
                boot: ["%s@198.51.100.2:51822"]
                public: false
                dhtPort: 51900
                """.formatted(HUB));
        AgentConfig c = ConfigLoader.load(null, env(), Map.of());
        assertEquals("test", c.dht().network());
        assertEquals(8, c.dht().workbit());
        assertEquals(PublicKey.parse(HUB), c.dht().boot().get(0).key());
        assertEquals("198.51.100.2:51822", c.dht().boot().get(0).endpoint().toString());
        assertEquals(51900, c.dht().dhtPort());
        assertTrue(c.dht().enabled());
        assertFalse(ConfigLoader.load(null, Map.of("WIRELINK_CONFIG_PATH", dir.resolve("none").toString()), Map.of())
                .dht().enabled(), "off by default");
        write("wirelink.wg0.yaml", "boot: [\"nokey@198.51.100.2:51822\"]\n");
        String m = error(() -> ConfigLoader.load(null, env(), Map.of()));
        assertTrue(m.contains("boot"), m);
    }

    @Test
    void envNames() {
        assertEquals("WIRELINK_REPORT_IFACES", ConfigLoader.envName("reportIfaces"));
        assertEquals("WIRELINK_IFACE", ConfigLoader.envName("iface"));
    }
}
