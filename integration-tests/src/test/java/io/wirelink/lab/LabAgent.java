package io.wirelink.lab;

import com.fasterxml.jackson.databind.JsonNode;
import io.wirelink.agent.cli.ControlClient;
import io.wirelink.agent.cli.JsonTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A real wirelink agent (the shaded jar) running on a lab host's WireGuard interface. */
final class LabAgent {
    final Lab lab;
    final Host host;
    final WgInterface wg;
    final Path stateDir;
    final Path runDir;
    LabProcess process;
    final Map<String, String> extraEnv = new java.util.HashMap<>();

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

    /** Runs the agent with this config file (WIRELINK_CONFIG). */
    LabAgent config(Path file) {
        extraEnv.put("WIRELINK_CONFIG", file.toString());
        return this;
    }

    private static Boolean archiveMade;

    /**
     * Makes the launcher's class-data archive once, in the foreground, before the first agent or command: without
     * one, the launcher starts making it in the background, a process no test would stop. If it cannot be made, the
     * agents run without one (WIRELINK_CDS=off).
     */
    static synchronized boolean archive() {
        if (archiveMade == null) {
            ProcessBuilder pb = new ProcessBuilder(launcher(), "--make-cds").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("WIRELINK_JAR", jar().toAbsolutePath().toString());
            try {
                Process p = pb.start();
                boolean done = p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS);
                if (!done) {
                    p.destroyForcibly().waitFor();
                }
                archiveMade = done && p.exitValue() == 0;
            } catch (IOException e) {
                archiveMade = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                archiveMade = false;
            }
        }
        return archiveMade;
    }

    /** The launcher, {@code bin/wirelink} (or {@code -Dwirelink.launcher}). */
    static String launcher() {
        return Path.of(System.getProperty("wirelink.launcher", "../bin/wirelink")).toAbsolutePath().toString();
    }

    /** What every run of the launcher in the lab needs: the jar, and no archive when none could be made. */
    static Map<String, String> launcherEnv() {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("WIRELINK_JAR", jar().toAbsolutePath().toString());
        if (!archive()) {
            env.put("WIRELINK_CDS", "off");
        }
        return env;
    }

    Map<String, String> env() {
        Map<String, String> env = new java.util.HashMap<>(extraEnv);
        env.putAll(launcherEnv());
        env.put("WIRELINK_STATE_DIR", stateDir.toString());
        env.put("WIRELINK_RUN_DIR", runDir.toString());
        return env;
    }

    /** Runs {@code bin/wirelink ARGS} in the agent's namespace with its environment; returns the result. */
    ExecResult cli(String... args) {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add("env");
        env().forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.add(launcher());
        cmd.addAll(List.of(args));
        return lab.tryExec(host.ns(), Duration.ofSeconds(60), cmd.toArray(new String[0]));
    }

    LabAgent start() {
        process = lab.spawn(host, "agent-" + host.name(), env(), launcher(), "--iface", wg.name());
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
            return r.status() == 200 ? JsonTree.read(r.body()) : null;
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
