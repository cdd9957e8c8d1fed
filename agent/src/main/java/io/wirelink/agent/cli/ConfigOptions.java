package io.wirelink.agent.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --iface} and {@code --config}, shared by the daemon and the commands that talk to it. */
public final class ConfigOptions {
    @Option(names = {"-i", "--iface"}, paramLabel = "IFACE", description = "WireGuard interface (default wg0)")
    String iface;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "config file (default /etc/wireguard/wirelink.<iface>.yaml or .json)")
    Path config;

    @Option(names = "--config-path", paramLabel = "FILE|DIR",
            description = "as the Go wirelink names it: a config file (like --config), or the directory to look in "
                    + "for wirelink.<iface>.yaml|yml|json (like WIRELINK_CONFIG_PATH)")
    Path configPath;

    /** The config file named by --config, or by --config-path when that is not a directory; else null. */
    Path file() {
        if (config != null) {
            return config;
        }
        return configPath != null && !Files.isDirectory(configPath) ? configPath : null;
    }

    /** The environment, with WIRELINK_CONFIG_PATH replaced when --config-path names a directory. */
    Map<String, String> env(Map<String, String> env) {
        if (config != null || configPath == null || !Files.isDirectory(configPath)) {
            return env;
        }
        Map<String, String> m = new HashMap<>(env);
        m.put("WIRELINK_CONFIG_PATH", configPath.toString());
        return m;
    }

    Map<String, Object> flags() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (iface != null) {
            m.put("iface", iface);
        }
        return m;
    }
}
