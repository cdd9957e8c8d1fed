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
                        rl.path("clients").asInt(), rl.path("forwardedByType").toString(), rl.path("disclosed").asLong());
            }
            for (JsonNode ro : s.path("relays")) {
                String source = ro.has("operator") ? "offered by " + ro.get("operator").asText()
                        + (ro.path("configured").asBoolean() ? " (configured)" : "")
                        : ro.path("dht").asBoolean() ? "found in the DHT" : "configured";
                out.printf("  relay %s: %s at %s, %s%s%s%n", source,
                        ro.get("publicKey").asText(), ro.get("endpoint").asText(),
                        ro.get("alive").asBoolean() ? "alive" : "not answering",
                        ro.has("rttMillis") ? ", RTT " + ro.get("rttMillis").asText() + " ms" : "",
                        ro.get("attached").asBoolean() ? ", registered" : "");
            }
            for (JsonNode p : s.get("peers")) {
                out.println();
                out.printf("peer: %s%s%n", p.get("publicKey").asText(),
                        p.has("name") ? " (" + p.get("name").asText() + ")" : "");
                if (p.has("endpoint")) {
                    out.printf("  endpoint: %s%n", p.get("endpoint").asText());
                }
                if (p.has("allowedIps")) {
                    StringBuilder a = new StringBuilder();
                    p.get("allowedIps").forEach(x -> a.append(a.length() == 0 ? "" : ", ").append(x.asText()));
                    out.printf("  allowed ips: %s%n", a.length() == 0 ? "(none)" : a);
                }
                if (p.has("handshakeAgeSeconds")) {
                    out.printf("  latest handshake: %d seconds ago%n", p.get("handshakeAgeSeconds").asLong());
                }
                out.printf("  %s, %s, trust %s%s, path: %s%n", p.get("healthy").asBoolean() ? "healthy" : "unhealthy",
                        p.get("alive").asBoolean() ? "alive" : "not alive",
                        p.get("trust").isNull() ? "none" : p.get("trust").asText(),
                        p.get("router").asBoolean() ? ", router" : "", p.get("path").asText());
                if (p.has("pathSince")) {
                    out.printf("  path since %s%s%n", p.get("pathSince").asText(),
                            p.has("notDirect") ? "; not direct: " + p.get("notDirect").asText() : "");
                }
                if (!p.get("onDevice").asBoolean()) {
                    out.println("  (not on the device)");
                }
                if (!p.get("why").asText().isEmpty()) {
                    out.printf("  last change: %s%n", p.get("why").asText());
                }
            }
            out.flush();
            return 0;
        } catch (IOException e) {
            err.println("wirelink show: unreadable reply from the agent: " + e.getMessage());
            return 1;
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
