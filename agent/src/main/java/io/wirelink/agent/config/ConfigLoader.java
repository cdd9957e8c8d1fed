package io.wirelink.agent.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
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
 * file (or variable, or flag) it came from; nothing is applied from a config that fails. This class settles the
 * layers; {@link ConfigValues} reads the merged result key by key.
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
        return ConfigValues.build(merged, file);
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
}
