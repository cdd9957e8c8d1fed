package io.wirelink.agent.cli;

import io.wirelink.agent.config.AgentConfig;
import io.wirelink.agent.config.ConfigException;
import io.wirelink.agent.config.ConfigLoader;
import io.wirelink.facts.PrivateKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;

/**
 * The commands people run often, run without picocli building the whole command tree (which loads and instantiates
 * every subcommand, and with them Jackson, Vert.x and Typesafe Config): {@code genkey}, {@code pubkey},
 * {@code --version} and {@code show} in their plain forms. Anything else, or any form this does not recognise
 * exactly, returns null and goes through picocli as before, so the two paths cannot disagree on what is accepted.
 */
public final class FastPath {
    /** WIRELINK_* variables {@code show} may meet without needing the full config loader to check them. */
    private static final List<String> SHOW_ENV = List.of("WIRELINK_IFACE", "WIRELINK_RUN_DIR", "WIRELINK_CONFIG_PATH",
            "WIRELINK_JAVA_OPTS", "WIRELINK_JAR", "WIRELINK_CDS", "WIRELINK_STATE_DIR");

    private FastPath() {}

    /** The exit code, or null when {@code args} is not a form handled here. */
    public static Integer run(String[] args, Map<String, String> env) throws IOException {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        if (args.length == 1) {
            switch (args[0]) {
                case "genkey":
                    out.println(PrivateKey.generate(new SecureRandom()).toBase64());
                    return 0;
                case "pubkey":
                    return PubKeyCommand.pubkey(System.in, out, err);
                case "--cds-training":
                    return CdsTraining.run(err);
                case "--version":
                case "-V":
                    for (String line : new WirelinkCommand.Version().getVersion()) {
                        out.println(line);
                    }
                    return 0;
                default:
                    break;
            }
        }
        if (args.length >= 1 && args[0].equals("show")) {
            return show(args, env, out, err);
        }
        return null;
    }

    /**
     * {@code show [--json] [-i|--iface IFACE]}. When no config file applies (a file may move the control socket)
     * and no other WIRELINK_* variable is set (the loader checks those), the socket is
     * {@code $WIRELINK_RUN_DIR or /run/wirelink}/{@code <iface>.sock} without loading the config machinery.
     */
    static Integer show(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        String iface = null;
        boolean json = false;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--json") && !json) {
                json = true;
            } else if ((args[i].equals("--iface") || args[i].equals("-i")) && iface == null && i + 1 < args.length) {
                iface = args[++i];
            } else if (args[i].startsWith("--iface=") && iface == null) {
                iface = args[i].substring("--iface=".length());
            } else {
                return null;
            }
        }
        boolean plain = env.keySet().stream().allMatch(k -> !k.startsWith("WIRELINK_") || SHOW_ENV.contains(k));
        String name = iface != null ? iface : env.getOrDefault("WIRELINK_IFACE", "wg0");
        if (!plain || name.isEmpty() || name.length() > 15 || name.contains("/")) {
            return showWithConfig(iface, json, env, out, err); // the loader checks and words the errors
        }
        iface = name;
        Path dir = Path.of(env.getOrDefault("WIRELINK_CONFIG_PATH", "/etc/wireguard")); // ConfigLoader's default
        for (String ext : List.of("yaml", "yml", "json")) {
            if (java.nio.file.Files.exists(dir.resolve("wirelink." + iface + "." + ext))) {
                return showWithConfig(iface, json, env, out, err);
            }
        }
        Path runDir = Path.of(env.getOrDefault("WIRELINK_RUN_DIR", "/run/wirelink")); // reference.conf's runDir
        return ShowCommand.show(iface, runDir.resolve(iface + ".sock"), json, out, err);
    }

    /** {@code show} with the whole config loader (a config file, or WIRELINK_* variables it must check). */
    private static int showWithConfig(String iface, boolean json, Map<String, String> env, PrintWriter out,
            PrintWriter err) {
        AgentConfig config;
        try {
            config = ConfigLoader.load(null, env, iface == null ? Map.of() : Map.of("iface", iface));
        } catch (ConfigException e) {
            err.println("wirelink show: " + e.getMessage());
            return 1;
        }
        return ShowCommand.show(config.iface(), config.controlSocket(), json, out, err);
    }
}
