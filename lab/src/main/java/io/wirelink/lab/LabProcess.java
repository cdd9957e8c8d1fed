package io.wirelink.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A long-running process the lab started inside a host's namespace (e.g. wireguard-go). {@code ip netns exec}
 * execs the command in place, so {@link #pid()} is the command's own pid. Output goes to a log file in the run
 * directory.
 */
public final class LabProcess {
    private static final Logger log = LoggerFactory.getLogger(LabProcess.class);

    private final String label;
    private final String ns;
    private final List<String> command;
    private final Process process;
    private final Path logFile;

    LabProcess(String label, String ns, List<String> command, Process process, Path logFile) {
        this.label = label;
        this.ns = ns;
        this.command = List.copyOf(command);
        this.process = process;
        this.logFile = logFile;
    }

    public String label() {
        return label;
    }

    public String ns() {
        return ns;
    }

    public List<String> command() {
        return command;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit status once the process has exited (128 + N when a signal N killed it). */
    public java.util.OptionalInt exitValue() {
        return process.isAlive() ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(process.exitValue());
    }

    public Path logFile() {
        return logFile;
    }

    /** The last {@code maxChars} characters of the process's output, or a note why there is none. */
    public String logTail(int maxChars) {
        try {
            String s = Files.readString(logFile, StandardCharsets.UTF_8);
            return s.length() <= maxChars ? s : "..." + s.substring(s.length() - maxChars);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * Stops the process by pid: SIGTERM, up to {@code graceMillis} to exit, then SIGKILL. Never throws; an
     * interrupt is remembered and re-asserted after the process is gone.
     */
    public void stop(long graceMillis) {
        if (!process.isAlive()) {
            return;
        }
        boolean interrupted = false;
        process.destroy();
        try {
            if (process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        log.warn("{} (pid {}) ignored SIGTERM for {} ms; sending SIGKILL", label, pid(), graceMillis);
        process.destroyForcibly();
        for (int attempt = 0; attempt < 3 && process.isAlive(); attempt++) {
            try {
                process.waitFor(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (process.isAlive()) {
            log.error("{} (pid {}) is still alive after SIGKILL", label, pid());
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return label + "[pid " + pid() + " in " + ns + (isAlive() ? "" : ", exited") + "]";
    }
}
