package io.wirelink.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirelink.agent.config.AgentConfig;
import java.io.IOException;
import java.io.PrintWriter;

/** {@code wirelink --dump-facts}: the running agent's facts, as text or JSON. */
final class DumpFacts {
    private DumpFacts() {}

    static int run(AgentConfig config, boolean json, PrintWriter out, PrintWriter err) {
        ControlClient.Response r;
        try {
            r = ControlClient.call(config.controlSocket(), "GET", "/facts");
        } catch (ControlClient.NoDaemon e) {
            err.println("wirelink: no agent is running on " + config.iface() + " (" + e.getMessage() + ")");
            return 1;
        } catch (IOException e) {
            err.println("wirelink: asking the agent on " + config.iface() + ": " + e.getMessage());
            return 1;
        }
        if (r.status() != 200) {
            err.println("wirelink: the agent answered " + r.status() + ": " + r.body().strip());
            return 1;
        }
        if (json) {
            out.print(r.body());
            out.flush();
            return 0;
        }
        try {
            JsonNode root = JsonTree.read(r.body());
            out.println("self " + root.get("self").asText() + "  boot " + root.get("bootId").asText());
            for (JsonNode f : root.get("facts")) {
                StringBuilder sb = new StringBuilder();
                sb.append(String.format("%-14s %s  %s  ttl %ds  %s", f.get("attribute").asText(),
                        f.get("subject").asText(), value(f.get("value")), f.get("ttl").asInt(),
                        f.get("believed").asBoolean() ? "believed" : "not believed"));
                for (JsonNode p : f.get("provenance")) {
                    sb.append("\n    from ").append(p.get("author").asText()).append(" via ")
                            .append(p.get("channel").asText());
                    if (p.has("source")) {
                        sb.append(" (").append(p.get("source").asText()).append(")");
                    }
                    sb.append(", ttl ").append(p.get("ttl").asInt()).append("s");
                }
                out.println(sb);
            }
            out.flush();
            return 0;
        } catch (IOException e) {
            err.println("wirelink: unreadable reply from the agent: " + e.getMessage());
            return 1;
        }
    }

    static String value(JsonNode v) {
        return v == null || v.isNull() ? "-" : v.isTextual() ? v.asText() : v.toString();
    }
}
