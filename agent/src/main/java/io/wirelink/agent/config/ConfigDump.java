package io.wirelink.agent.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code wirelink --dump}: the effective configuration as indented JSON, in the keys {@link ConfigLoader} reads, so
 * the output loads back as a config file ({@code --config}) and means the same.
 */
public final class ConfigDump {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ConfigDump() {}

    public static String json(AgentConfig c) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("iface", c.iface());
        n.put("port", c.port());
        n.put("router", lower(c.router()));
        n.put("chatty", c.chatty());
        n.put("debug", c.debug());
        strings(n.putArray("reportIfaces"), c.reportIfaces());
        strings(n.putArray("hideIfaces"), c.hideIfaces());
        n.put("stateDir", c.stateDir().toString());
        n.put("runDir", c.runDir().toString());
        ObjectNode t = n.putObject("timers");
        Timers tm = c.timers();
        t.put("factTtl", duration(tm.factTtl()));
        t.put("aliveTtl", duration(tm.aliveTtl()));
        t.put("alivePeriod", duration(tm.alivePeriod()));
        t.put("antiEntropy", duration(tm.antiEntropy()));
        t.put("startupGrace", duration(tm.startupGrace()));
        t.put("endpointInterval", duration(tm.endpointInterval()));
        t.put("membershipSettle", duration(tm.membershipSettle()));
        n.put("network", c.dht().network());
        n.put("workbit", c.dht().workbit());
        ArrayNode boot = n.putArray("boot");
        c.dht().boot().forEach(b -> boot.add(b.key().toBase64() + "@" + b.endpoint()));
        n.put("public", c.dht().isPublic());
        n.put("dhtPort", c.dht().dhtPort());
        n.put("portMapping", lower(c.portMapping()));
        ObjectNode r = n.putObject("relay");
        RelayConfig rc = c.relay();
        r.put("enabled", lower(rc.enabled()));
        r.put("port", rc.port());
        r.put("keyFile", rc.keyFile() == null ? "" : rc.keyFile().toString());
        r.put("use", rc.use());
        r.put("maxAttach", rc.maxAttach());
        ArrayNode servers = r.putArray("servers");
        rc.servers().forEach(s -> servers.add(s.key().toBase64() + "@" + s.endpoint()));
        ArrayNode peers = n.putArray("peers");
        for (PeerConfig p : c.peers()) {
            ObjectNode o = peers.addObject();
            o.put("publicKey", p.publicKey().toBase64());
            if (p.name() != null) {
                o.put("name", p.name());
            }
            if (p.trust() != null) {
                o.put("trust", p.trust().name());
            }
            strings(o.putArray("endpoints"), p.endpoints());
            ArrayNode aips = o.putArray("allowedIps");
            p.allowedIps().forEach(a -> aips.add(a.toString()));
            o.put("basic", p.basic());
            o.put("factExchanger", p.factExchanger());
        }
        return n.toPrettyString() + "\n";
    }

    private static void strings(ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** In a form Typesafe Config reads back: whole seconds as {@code 255s}, else milliseconds. */
    static String duration(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
