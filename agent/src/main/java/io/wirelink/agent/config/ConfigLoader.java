package io.wirelink.agent.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import io.wirelink.trust.TrustLevel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the {@link AgentConfig} from four layers, highest precedence first: flags, {@code WIRELINK_*}
 * environment variables, the config file, and {@code reference.conf} defaults. Keys in the file are matched
 * case-insensitively and without regard to {@code -}/{@code _}, so wirelink's own JSON files ({@code PublicKey},
 * {@code AllowedIPs}, ...) load unchanged. An unknown key or a bad value is an error that names the key and the
 * file (or variable, or flag) it came from; nothing is applied from a config that fails.
 */
public final class ConfigLoader {
    /** Canonical top-level keys, in documentation order. */
    static final List<String> TOP_KEYS =
            List.of("iface", "port", "router", "chatty", "debug", "reportIfaces", "hideIfaces", "stateDir", "runDir",
                    "timers", "network", "workbit", "boot", "public", "dhtPort", "portMapping", "relay", "peers");

    static final List<String> TIMER_KEYS = List.of("factTtl", "aliveTtl", "alivePeriod", "antiEntropy",
            "startupGrace", "endpointInterval", "membershipSettle");

    static final List<String> RELAY_KEYS = List.of("enabled", "port", "keyFile", "use", "maxAttach", "servers");

    static final List<String> PEER_KEYS =
            List.of("publicKey", "name", "trust", "endpoints", "allowedIps", "basic", "factExchanger");

    /** Keys that may come from the environment as {@code WIRELINK_<UPPER_SNAKE>}. */
    static final List<String> ENV_KEYS =
            List.of("iface", "port", "router", "chatty", "debug", "reportIfaces", "hideIfaces", "stateDir", "runDir",
                    "network", "workbit", "boot", "public", "dhtPort", "portMapping");

    /** Environment variables with the prefix that are not config keys. */
    static final List<String> ENV_OTHER =
            List.of("WIRELINK_CONFIG", "WIRELINK_CONFIG_PATH", "WIRELINK_JAVA_OPTS", "WIRELINK_JAR", "WIRELINK_CDS");

    /**
     * Top-level keys of the Go wirelink's files that are accepted and ignored with a note: its command-line modes
     * ({@code Dump}, {@code Help}, {@code Version}), and {@code config-path}, which its {@code --dump} writes and
     * which it also ignores in a file.
     */
    static final List<String> GO_IGNORED_KEYS = List.of("dump", "help", "version", "configPath");

    public static final Path DEFAULT_CONFIG_DIR = Path.of("/etc/wireguard");

    private ConfigLoader() {}

    /**
     * Loads the configuration.
     *
     * @param explicitFile {@code --config FILE}, or null to look for {@code wirelink.<iface>.yaml|yml|json}
     * @param env the process environment (only {@code WIRELINK_*} is read)
     * @param flags canonical key to value, from command-line flags that were given
     */
    public static AgentConfig load(Path explicitFile, Map<String, String> env, Map<String, Object> flags)
            throws ConfigException {
        Config envLayer = envLayer(env);
        Config flagLayer = ConfigFactory.parseMap(flags, "command-line flags");
        if (explicitFile == null && env.get("WIRELINK_CONFIG") != null) {
            explicitFile = Path.of(env.get("WIRELINK_CONFIG"));
        }
        Config defaults = ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf")
                .getConfig("wirelink");
        // the interface picks the file, so it is settled from flags, env and defaults first
        String iface = flagLayer.withFallback(envLayer).withFallback(defaults).getString("iface");
        Path file = explicitFile;
        if (file == null) {
            Path dir = env.get("WIRELINK_CONFIG_PATH") != null ? Path.of(env.get("WIRELINK_CONFIG_PATH"))
                    : DEFAULT_CONFIG_DIR;
            file = findFile(dir, iface);
        } else if (!Files.isRegularFile(file)) {
            throw new ConfigException("config file " + file + " does not exist");
        }
        Config fileLayer = file == null ? ConfigFactory.empty() : fileLayer(file);
        if (file != null && explicitFile == null && fileLayer.hasPath("iface")
                && !fileLayer.getString("iface").equals(iface)) {
            throw new ConfigException(file + ": iface '" + fileLayer.getString("iface")
                    + "' disagrees with the file name, which is for '" + iface + "'");
        }
        Config merged = flagLayer.withFallback(envLayer).withFallback(fileLayer).withFallback(defaults).resolve();
        return build(merged, file);
    }

    static Path findFile(Path dir, String iface) throws ConfigException {
        Path found = null;
        for (String ext : List.of("yaml", "yml", "json")) {
            Path p = dir.resolve("wirelink." + iface + "." + ext);
            if (Files.exists(p)) {
                if (found != null) {
                    throw new ConfigException("both " + found + " and " + p + " exist; keep one");
                }
                found = p;
            }
        }
        return found;
    }

    static Config envLayer(Map<String, String> env) throws ConfigException {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("WIRELINK_") || ENV_OTHER.contains(name)) {
                continue;
            }
            String key = null;
            for (String k : ENV_KEYS) {
                if (envName(k).equals(name)) {
                    key = k;
                }
            }
            if (key == null) {
                List<String> known = new ArrayList<>();
                ENV_KEYS.forEach(k -> known.add(envName(k)));
                throw new ConfigException("unknown environment variable " + name + " (known: "
                        + String.join(", ", known) + ", " + String.join(", ", ENV_OTHER) + ")");
            }
            String v = e.getValue();
            if (key.equals("reportIfaces") || key.equals("hideIfaces") || key.equals("boot")) {
                List<String> list = new ArrayList<>();
                for (String s : v.split(",")) {
                    if (!s.isBlank()) {
                        list.add(s.strip());
                    }
                }
                m.put(key, list);
            } else {
                m.put(key, v);
            }
        }
        return ConfigFactory.parseMap(m, "environment");
    }

    /** {@code reportIfaces} → {@code WIRELINK_REPORT_IFACES}. */
    public static String envName(String key) {
        return "WIRELINK_" + key.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    static Config fileLayer(Path file) throws ConfigException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper = name.endsWith(".json") ? new ObjectMapper() : new YAMLMapper();
        JsonNode root;
        try {
            root = mapper.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ": not valid " + (name.endsWith(".json") ? "JSON" : "YAML") + ": "
                    + firstLine(e.getOriginalMessage()) + locationOf(e));
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return ConfigFactory.empty(file.toString());
        }
        if (!root.isObject()) {
            throw new ConfigException(file + ": the top level must be a mapping of keys to values");
        }
        Map<String, Object> normalized = normalize(root, TOP_KEYS, "", file);
        return ConfigFactory.parseMap(normalized, file.toString());
    }

    private static String firstLine(String s) {
        String t = s == null ? "" : s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }

    private static String locationOf(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
    }

    static String fold(String key) {
        return key.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    private static Map<String, Object> normalize(JsonNode obj, List<String> known, String prefix, Path file)
            throws ConfigException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : obj.properties()) {
            String canonical = null;
            for (String k : known) {
                if (fold(k).equals(fold(e.getKey()))) {
                    canonical = k;
                }
            }
            if (canonical == null && prefix.isEmpty() && GO_IGNORED_KEYS.stream().anyMatch(k -> fold(k).equals(fold(
                    e.getKey())))) {
                System.err.println("wirelink: note: " + file + ": ignoring '" + e.getKey()
                        + "' (a setting of the Go wirelink that means nothing in a config file)");
                continue;
            }
            if (canonical == null) {
                throw new ConfigException(file + ": unknown key '" + prefix + e.getKey() + "' (known: "
                        + String.join(", ", known) + ")");
            }
            if (out.containsKey(canonical)) {
                throw new ConfigException(file + ": key '" + prefix + canonical + "' is given twice");
            }
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue; // null means "no opinion", as in wirelink
            }
            if (canonical.equals("peers")) {
                if (!v.isArray()) {
                    throw new ConfigException(file + ": 'peers' must be a list");
                }
                List<Object> peers = new ArrayList<>();
                for (int i = 0; i < v.size(); i++) {
                    if (!v.get(i).isObject()) {
                        throw new ConfigException(file + ": peers[" + i + "] must be a mapping");
                    }
                    peers.add(normalize(v.get(i), PEER_KEYS, "peers[" + i + "].", file));
                }
                out.put(canonical, peers);
            } else if (canonical.equals("timers")) {
                if (!v.isObject()) {
                    throw new ConfigException(file + ": 'timers' must be a mapping");
                }
                out.put(canonical, normalize(v, TIMER_KEYS, "timers.", file));
            } else if (canonical.equals("relay")) {
                if (!v.isObject()) {
                    throw new ConfigException(file + ": 'relay' must be a mapping");
                }
                out.put(canonical, normalize(v, RELAY_KEYS, "relay.", file));
            } else {
                out.put(canonical, plain(v));
            }
        }
        return out;
    }

    private static Object plain(JsonNode v) {
        if (v.isArray()) {
            List<Object> l = new ArrayList<>();
            v.forEach(x -> l.add(plain(x)));
            return l;
        }
        if (v.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            v.properties().forEach(e -> m.put(e.getKey(), plain(e.getValue())));
            return m;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isIntegralNumber()) {
            return v.longValue();
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        return v.asText();
    }

    // ------------------------------------------------------------------ typed view

    static AgentConfig build(Config c, Path file) throws ConfigException {
        String iface = string(c, "iface");
        if (iface.isEmpty() || iface.length() > 15 || iface.contains("/") || iface.isBlank()) {
            throw bad(c, "iface", "'" + iface + "' is not a valid interface name (1-15 characters, no '/')");
        }
        int port = integer(c, "port");
        if (port < 0 || port > 65535) {
            throw bad(c, "port", port + " is not a port (0-65535; 0 = WireGuard listen port + 1)");
        }
        RouterMode router;
        try {
            router = RouterMode.parse(c.getValue("router").unwrapped().toString());
        } catch (IllegalArgumentException e) {
            throw bad(c, "router", e.getMessage());
        }
        List<PeerConfig> peers = new ArrayList<>();
        ConfigList list;
        try {
            list = c.getList("peers");
        } catch (com.typesafe.config.ConfigException e) {
            throw bad(c, "peers", "must be a list of peers");
        }
        for (int i = 0; i < list.size(); i++) {
            ConfigValue v = list.get(i);
            if (v.valueType() != ConfigValueType.OBJECT) {
                throw new ConfigException(v.origin().description() + ": peers[" + i + "] must be a mapping");
            }
            peers.add(peer(((ConfigObject) v).toConfig(), "peers[" + i + "]."));
        }
        for (int i = 0; i < peers.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (peers.get(i).publicKey().equals(peers.get(j).publicKey())) {
                    throw new ConfigException(where(c, "peers") + ": peers[" + j + "] and peers[" + i
                            + "] have the same publicKey");
                }
            }
        }
        Timers timers = timers(c);
        Dht dht = dht(c);
        PortMappingMode portMapping;
        try {
            portMapping = PortMappingMode.parse(c.getValue("portMapping").unwrapped().toString());
        } catch (IllegalArgumentException e) {
            throw bad(c, "portMapping", e.getMessage());
        }
        RelayConfig relay = relay(c);
        for (RelayConfig.Server s : relay.servers()) {
            for (int i = 0; i < peers.size(); i++) {
                if (peers.get(i).publicKey().equals(s.key())) {
                    throw bad(c, "relay.servers", "relay " + s.key() + " is peers[" + i + "]'s publicKey; a relay"
                            + " has a key of its own (PROTOCOL.md §6.4)");
                }
            }
        }
        return new AgentConfig(iface, port, router, bool(c, "chatty"), bool(c, "debug"), strings(c, "reportIfaces"),
                strings(c, "hideIfaces"), Path.of(string(c, "stateDir")), Path.of(string(c, "runDir")), timers, dht,
                relay, peers, file, portMapping);
    }

    static Dht dht(Config c) throws ConfigException {
        String network = string(c, "network");
        if (network.isEmpty() || network.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255
                || network.chars().anyMatch(Character::isISOControl)) {
            throw bad(c, "network", "must be 1-255 bytes of UTF-8 without control characters");
        }
        int workbit = integer(c, "workbit");
        if (workbit < 0 || workbit > 256) {
            throw bad(c, "workbit", workbit + " is not 0..256");
        }
        List<Dht.Boot> boot = new ArrayList<>();
        for (String s : strings(c, "boot")) {
            try {
                boot.add(Dht.Boot.parse(s));
            } catch (IllegalArgumentException e) {
                throw bad(c, "boot", e.getMessage());
            }
        }
        int dhtPort = integer(c, "dhtPort");
        if (dhtPort < 0 || dhtPort > 65535) {
            throw bad(c, "dhtPort", dhtPort + " is not a port (0-65535; 0 = WireGuard listen port + 2)");
        }
        return new Dht(network, workbit, boot, bool(c, "public"), dhtPort);
    }

    static RelayConfig relay(Config c) throws ConfigException {
        RouterMode enabled;
        try {
            enabled = RouterMode.parse(c.getValue("relay.enabled").unwrapped().toString());
        } catch (IllegalArgumentException e) {
            throw bad(c, "relay.enabled", e.getMessage());
        }
        int port = integer(c, "relay.port");
        if (port < 0 || port > 65535) {
            throw bad(c, "relay.port", port + " is not a port (0-65535; 0 = WireGuard listen port + 3)");
        }
        String keyFile = string(c, "relay.keyFile").strip();
        int maxAttach = integer(c, "relay.maxAttach");
        if (maxAttach < 1 || maxAttach > 8) {
            throw bad(c, "relay.maxAttach", maxAttach + " is not 1..8");
        }
        boolean use = bool(c, "relay.use");
        List<RelayConfig.Server> servers = new ArrayList<>();
        Map<PublicKey, Integer> endpointsPerKey = new LinkedHashMap<>();
        List<String> list = strings(c, "relay.servers");
        for (int i = 0; i < list.size(); i++) {
            RelayConfig.Server s;
            try {
                s = RelayConfig.Server.parse(list.get(i));
            } catch (IllegalArgumentException e) {
                throw badAt(c, "relay.servers", i, e.getMessage());
            }
            if (servers.contains(s)) {
                throw badAt(c, "relay.servers", i, "'" + list.get(i).strip() + "' is listed twice");
            }
            int n = endpointsPerKey.merge(s.key(), 1, Integer::sum);
            if (n > io.wirelink.facts.RelayAttachment.MAX_ENDPOINTS) {
                throw badAt(c, "relay.servers", i, "more than " + io.wirelink.facts.RelayAttachment.MAX_ENDPOINTS
                        + " endpoints for relay " + s.key());
            }
            servers.add(s);
        }
        if (endpointsPerKey.size() > RelayConfig.MAX_SERVERS) {
            throw bad(c, "relay.servers", endpointsPerKey.size() + " relays; at most " + RelayConfig.MAX_SERVERS);
        }
        if (!servers.isEmpty() && !use) {
            throw bad(c, "relay.servers", "relays are configured but relay.use is false (nothing would use them)");
        }
        return new RelayConfig(enabled, port, keyFile.isEmpty() ? null : Path.of(keyFile), use, maxAttach, servers);
    }

    static Timers timers(Config c) throws ConfigException {
        java.time.Duration[] d = new java.time.Duration[TIMER_KEYS.size()];
        for (int i = 0; i < d.length; i++) {
            String key = "timers." + TIMER_KEYS.get(i);
            try {
                d[i] = c.getDuration(key);
            } catch (com.typesafe.config.ConfigException e) {
                throw bad(c, key, "'" + c.getValue(key).unwrapped() + "' is not a duration (e.g. 30s, 500ms, 2m)");
            }
            if (d[i].isNegative() || d[i].isZero()) {
                throw bad(c, key, "must be positive");
            }
        }
        Timers t = new Timers(d[0], d[1], d[2], d[3], d[4], d[5], d[6]);
        if (t.factTtl().toSeconds() > 65535) {
            throw bad(c, "timers.factTtl", "at most 65535 s (the wire TTL is 16 bits)");
        }
        if (t.aliveTtl().compareTo(t.alivePeriod()) <= 0) {
            throw bad(c, "timers.aliveTtl", "must be longer than timers.alivePeriod");
        }
        if (t.aliveTtl().compareTo(t.factTtl()) >= 0) {
            throw bad(c, "timers.aliveTtl", "must be shorter than timers.factTtl");
        }
        return t;
    }

    static PeerConfig peer(Config p, String prefix) throws ConfigException {
        if (!p.hasPath("publicKey")) {
            throw new ConfigException(p.origin().description() + ": " + prefix + "publicKey is missing");
        }
        PublicKey key;
        try {
            key = PublicKey.parse(string(p, "publicKey"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where(p, "publicKey") + ": " + prefix + "publicKey: " + e.getMessage());
        }
        TrustLevel trust = null;
        if (p.hasPath("trust") && !string(p, "trust").isBlank()) {
            try {
                trust = TrustLevel.parse(string(p, "trust"));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where(p, "trust") + ": " + prefix + "trust: " + e.getMessage());
            }
        }
        List<String> endpoints = p.hasPath("endpoints") ? strings(p, "endpoints") : List.of();
        for (String ep : endpoints) {
            int colon = ep.lastIndexOf(':');
            if (colon <= 0 || colon == ep.length() - 1) {
                throw new ConfigException(where(p, "endpoints") + ": " + prefix + "endpoints: '" + ep
                        + "' is not host:port");
            }
        }
        List<IpPrefix> aips = new ArrayList<>();
        if (p.hasPath("allowedIps")) {
            for (String s : strings(p, "allowedIps")) {
                try {
                    aips.add(IpPrefix.parse(s).masked());
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(where(p, "allowedIps") + ": " + prefix + "allowedIps: '" + s + "': "
                            + e.getMessage());
                }
            }
        }
        String name = p.hasPath("name") ? string(p, "name") : null;
        return new PeerConfig(key, name, trust, endpoints, aips, p.hasPath("basic") && bool(p, "basic"),
                p.hasPath("factExchanger") && bool(p, "factExchanger"));
    }

    private static String where(Config c, String path) {
        return c.hasPath(path) ? c.getValue(path).origin().description() : c.origin().description();
    }

    private static ConfigException bad(Config c, String key, String problem) {
        return new ConfigException(where(c, key) + ": " + key + ": " + problem);
    }

    /** A bad element of a list: {@code FILE: key[index]: problem}. */
    private static ConfigException badAt(Config c, String key, int index, String problem) {
        return new ConfigException(where(c, key) + ": " + key + "[" + index + "]: " + problem);
    }

    private static String string(Config c, String key) throws ConfigException {
        try {
            return c.getString(key);
        } catch (com.typesafe.config.ConfigException e) {
            throw bad(c, key, "must be a string");
        }
    }

    private static int integer(Config c, String key) throws ConfigException {
        try {
            return c.getInt(key);
        } catch (com.typesafe.config.ConfigException e) {
            throw bad(c, key, "'" + c.getValue(key).unwrapped() + "' is not a whole number");
        }
    }

    private static boolean bool(Config c, String key) throws ConfigException {
        try {
            return c.getBoolean(key);
        } catch (com.typesafe.config.ConfigException e) {
            throw bad(c, key, "'" + c.getValue(key).unwrapped() + "' is not true or false");
        }
    }

    private static List<String> strings(Config c, String key) throws ConfigException {
        try {
            return c.getStringList(key);
        } catch (com.typesafe.config.ConfigException e) {
            throw bad(c, key, "must be a list of strings");
        }
    }
}
