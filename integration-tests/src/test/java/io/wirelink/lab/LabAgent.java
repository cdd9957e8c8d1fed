package io.wirelink.lab;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirelink.agent.cli.ControlClient;
import io.wirelink.agent.cli.FactJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A real wirelink agent (the shaded jar) running on a lab host's WireGuard interface. */
final class LabAgent {
    final Lab lab;
    final Host host;
    final WgInterface wg;
    final Path stateDir;
    final Path runDir;
    LabProcess process;

    LabAgent(Lab lab, Host host, WgInterface wg) {
        this.lab = lab;
        this.host = host;
        this.wg = wg;
        this.stateDir = lab.runDir().resolve("state-" + host.name());
        this.runDir = lab.runDir().resolve("run-" + host.name());
    }

    /** The shaded jar the launcher ({@code bin/wirelink}) runs, passed to it as WIRELINK_JAR. */
    static Path jar() {
        Path p = Path.of(System.getProperty("wirelink.agentJar", "../agent/target/wirelink-all.jar"));
        if (!Files.exists(p)) {
            throw new IllegalStateException("agent jar missing at " + p.toAbsolutePath() + " (build the agent first)");
        }
        return p;
    }

    LabAgent start() {
        process = lab.spawn(host, "agent-" + host.name(),
                Map.of("WIRELINK_STATE_DIR", stateDir.toString(), "WIRELINK_RUN_DIR", runDir.toString(),
                        "WIRELINK_JAR", jar().toAbsolutePath().toString()),
                Path.of(System.getProperty("wirelink.launcher", "../bin/wirelink")).toAbsolutePath().toString(),
                "--iface", wg.name());
        return this;
    }

    Path socket() {
        return runDir.resolve(wg.name() + ".sock");
    }

    boolean ready() {
        return Files.exists(socket()) && status() != null;
    }

    /** The agent's {@code /status}, or null when it does not answer. */
    JsonNode status() {
        try {
            ControlClient.Response r = ControlClient.call(socket(), "GET", "/status");
            return r.status() == 200 ? FactJson.MAPPER.readTree(r.body()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    long rssKiB() throws IOException {
        // the java process is a child of "ip netns exec", which execs it: same pid
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    void stop() {
        if (process != null && process.isAlive()) {
            lab.exec(host, "kill", "-TERM", Long.toString(process.pid()));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (process.isAlive() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
        }
    }

    String log() {
        return process == null ? "" : process.logTail(4000);
    }
}
