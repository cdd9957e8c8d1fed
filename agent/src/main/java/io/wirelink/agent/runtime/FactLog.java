package io.wirelink.agent.runtime;

import io.wirelink.agent.core.AgentCore;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactValue;
import io.wirelink.facts.MemberMetadata;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.store.FactView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What SIGUSR1 writes to the log, in the shape the Go wirelink uses: "Current facts:" with one sorted line per fact
 * ({@code {a:<attribute> s:<peer name or key> v:<value> ttl:<seconds>}}), "Current peers:" with one line per peer,
 * and a "Self:" line. Public keys and addresses only: no key material.
 */
final class FactLog {
    private FactLog() {}

    static List<String> lines(AgentCore core, String backend, String version) {
        AgentCore.Snapshot snap = core.snapshot();
        Instant now = snap == null ? Instant.now() : snap.at();
        FactView view = snap == null ? core.store().view(now) : snap.view();
        Map<PublicKey, String> names = new HashMap<>();
        if (snap != null) {
            snap.peers().stream().filter(p -> p.name() != null).forEach(p -> names.put(p.key(), p.name()));
        }
        List<String> facts = new ArrayList<>();
        for (FactView.Entry e : view.entries()) {
            Fact f = e.fact();
            double ttl = Math.max(0, Duration.between(now, f.expires()).toMillis()) / 1000.0;
            facts.add(String.format(Locale.ROOT, "{a:%s s:%s v:%s ttl:%.3f}", f.attribute().specName(),
                    names.getOrDefault(f.subject(), f.subject().toBase64()), value(f.value()), ttl));
        }
        Collections.sort(facts);
        List<String> out = new ArrayList<>();
        out.add("Current facts: " + facts.size());
        facts.forEach(f -> out.add("  " + f));
        List<AgentCore.PeerStatus> peers = snap == null ? List.of() : snap.peers();
        out.add("Current peers: " + peers.size());
        for (AgentCore.PeerStatus p : peers) {
            out.add(String.format(Locale.ROOT, "  Peer %s is %s and %s (path %s%s)",
                    p.name() == null ? p.key().toBase64() : p.name() + " " + p.key().toBase64(),
                    p.healthy() ? "healthy" : "not healthy", p.aliveUntil() != null ? "alive" : "not alive",
                    p.path(), p.member() ? ", member" : ""));
        }
        boolean router = snap != null && snap.selfRouter();
        String mode = core.config().router().name().toLowerCase(Locale.ROOT);
        out.add(String.format(Locale.ROOT, "Self: wirelink %s on %s (%s) port %d (%s%s, %s)", version,
                core.config().iface(), backend, core.gossipPort(), router ? "router" : "leaf",
                mode.equals("auto") ? " (auto)" : "", core.config().chatty() ? "chatty" : "quiet"));
        return out;
    }

    private static String value(FactValue v) {
        if (v instanceof MemberMetadata md) {
            return md.name() == null ? "member" : "member name=" + md.name();
        }
        return v instanceof FactValue.Empty ? "-" : v.toString();
    }
}
