package io.wirelink.agent.cli;

import java.nio.file.Path;
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

    Map<String, Object> flags() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (iface != null) {
            m.put("iface", iface);
        }
        return m;
    }
}
