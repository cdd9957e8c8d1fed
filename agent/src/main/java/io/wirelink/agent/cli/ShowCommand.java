package io.wirelink.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirelink.agent.config.AgentConfig;
import io.wirelink.agent.config.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code wirelink show [--iface wg0] [--json]}: {@code wg show}, annotated with what the agent makes of each peer. */
@Command(name = "show", description = "Show the interface like wg show, annotated: names, health, trust, path, why.")
public final class ShowCommand implements Callable<Integer> {
    private static final String NL = System.lineSeparator();
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOptions options = new ConfigOptions();

    @Option(names = "--json", description = "JSON output")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        AgentConfig config;
        try {
            config = DaemonSupport.load(options, options.flags());
        } catch (ConfigException e) {
            err.println("wirelink show: " + e.getMessage());
            return 1;
        }
        return show(config.iface(), config.controlSocket(), json, out, err);
    }

    /** Asks the agent on {@code iface} at {@code socket} for its status and prints it. */
    static int show(String iface, java.nio.file.Path socket, boolean json, PrintWriter out, PrintWriter err) {
        ControlClient.Response r;
        try {
            r = ControlClient.call(socket, "GET", "/status");
        } catch (ControlClient.NoDaemon e) {
            err.println("wirelink show: no agent is running on " + iface + " (" + e.getMessage() + ")");
            return 1;
        } catch (IOException e) {
            err.println("wirelink show: " + e.getMessage());
            return 1;
        }
        if (json) {
            out.print(r.body());
            out.flush();
            return r.status() == 200 ? 0 : 1;
        }
        try {
            JsonNode s = JsonTree.read(r.body());
            out.printf("interface: %s (%s)%n", s.get("interface").asText(), s.get("backend").asText());
            out.printf("  public key: %s%n", s.get("publicKey").asText());
            out.printf("  listening port: %d, gossip port: %d%n", s.get("listenPort").asInt(),
                    s.get("gossipPort").asInt());
            out.printf("  role: %s (%s)%n", s.get("router").asBoolean() ? "router" : "leaf",
                    s.get("routerMode").asText());
            if (!s.path("factLog").path("persistent").asBoolean(true)) {
                out.printf("  fact log: not persistent (%s); serving from memory, retrying%n",
                        s.path("factLog").path("error").asText("a write failed"));
            }
            printPortMapping(out, s.get("portMapping"));
            if (s.has("relay")) {
                JsonNode rl = s.get("relay");
                out.printf("  relay: %s on port %d, %d clients, forwarded (init/resp/cookie/data) %s, endpoints"
                        + " disclosed %d%n", rl.get("publicKey").asText(), rl.get("port").asInt(),
                        rl.path("clients").asInt(), JsonTree.write(rl.path("forwardedByType"), false),
                        rl.path("disclosed").asLong());
            }
            // one string, written once: printf per line (parsing each format) was most of this command's CPU
            StringBuilder b = new StringBuilder(256 + 400 * s.path("peers").size());
            for (JsonNode ro : s.path("relays")) {
                String source = ro.has("operator") ? "offered by " + ro.get("operator").asText()
                        + (ro.path("configured").asBoolean() ? " (configured)" : "")
                        : ro.path("dht").asBoolean() ? "found in the DHT" : "configured";
                b.append("  relay ").append(source).append(": ").append(ro.get("publicKey").asText()).append(" at ")
                        .append(ro.get("endpoint").asText()).append(", ")
                        .append(ro.get("alive").asBoolean() ? "alive" : "not answering")
                        .append(ro.has("rttMillis") ? ", RTT " + ro.get("rttMillis").asText() + " ms" : "")
                        .append(ro.get("attached").asBoolean() ? ", registered" : "").append(NL);
            }
            for (JsonNode p : s.get("peers")) {
                peer(b, p);
            }
            out.print(b);
            out.flush();
            return 0;
        } catch (IOException e) {
            err.println("wirelink show: unreadable reply from the agent: " + e.getMessage());
            return 1;
        }
    }

    private static void peer(StringBuilder b, JsonNode p) {
        b.append(NL).append("peer: ").append(p.get("publicKey").asText())
                .append(p.has("name") ? " (" + p.get("name").asText() + ")" : "").append(NL);
        if (p.has("endpoint")) {
            b.append("  endpoint: ").append(p.get("endpoint").asText()).append(NL);
        }
        if (p.has("allowedIps")) {
            StringBuilder a = new StringBuilder();
            p.get("allowedIps").forEach(x -> a.append(a.length() == 0 ? "" : ", ").append(x.asText()));
            b.append("  allowed ips: ").append(a.length() == 0 ? "(none)" : a).append(NL);
        }
        if (p.has("handshakeAgeSeconds")) {
            b.append("  latest handshake: ").append(p.get("handshakeAgeSeconds").asLong()).append(" seconds ago")
                    .append(NL);
        }
        b.append("  ").append(p.get("healthy").asBoolean() ? "healthy" : "unhealthy").append(", ")
                .append(p.get("alive").asBoolean() ? "alive" : "not alive").append(", trust ")
                .append(p.get("trust").isNull() ? "none" : p.get("trust").asText())
                .append(p.get("router").asBoolean() ? ", router" : "").append(", path: ")
                .append(p.get("path").asText()).append(NL);
        if (p.has("pathSince")) {
            b.append("  path since ").append(p.get("pathSince").asText())
                    .append(p.has("notDirect") ? "; not direct: " + p.get("notDirect").asText() : "").append(NL);
        }
        if (!p.get("onDevice").asBoolean()) {
            b.append("  (not on the device)").append(NL);
        }
        if (!p.get("why").asText().isEmpty()) {
            b.append("  last change: ").append(p.get("why").asText()).append(NL);
        }
    }

    /** "port mapping: NAT-PMP 198.51.100.2:51820 via 192.0.2.1, expires ... (in N s)", or why there is none. */
    static void printPortMapping(java.io.PrintWriter out, JsonNode pm) {
        if (pm == null || !pm.path("enabled").asBoolean()) {
            out.println("  port mapping: off");
        } else if (pm.has("external")) {
            long in = java.time.Duration.between(java.time.Instant.now(), java.time.Instant.parse(pm.get("expires")
                    .asText())).toSeconds();
            out.printf("  port mapping: %s %s via %s, expires %s (in %d s; renewed at half-life)%n",
                    pm.get("protocol").asText(), pm.get("external").asText(), pm.get("gateway").asText(),
                    pm.get("expires").asText(), in);
        } else {
            out.printf("  port mapping: none (%s)%n", pm.path("error").asText());
        }
    }
}
