package io.wirelink.agent.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import io.wirelink.trust.TrustLevel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The typed view of a merged configuration: each key read, checked and turned into the {@link AgentConfig} parts.
 * Apart from {@link ConfigLoader}, which settles the layers and their precedence, because reading a key does not
 * depend on which layer gave it: each error names the key and, through the value's origin, the file, variable or
 * flag it came from.
 */
final class ConfigValues {
    private ConfigValues() {}

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
        java.time.Duration[] d = new java.time.Duration[ConfigLoader.TIMER_KEYS.size()];
        for (int i = 0; i < d.length; i++) {
            String key = "timers." + ConfigLoader.TIMER_KEYS.get(i);
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
