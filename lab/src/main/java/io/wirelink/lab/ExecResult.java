package io.wirelink.lab;

import java.util.List;

/** What a finished command printed and how it exited. */
public record ExecResult(List<String> command, int exitCode, String stdout, String stderr) {
    public ExecResult {
        command = List.copyOf(command);
    }

    public boolean ok() {
        return exitCode == 0;
    }

    /** Returns this result, or throws with the command, exit code and stderr when it failed. */
    public ExecResult check() {
        if (exitCode != 0) {
            throw new LabException(String.join(" ", command) + " exited " + exitCode
                    + (stderr.isBlank() ? "" : ": " + stderr.strip())
                    + (stdout.isBlank() ? "" : " (stdout: " + stdout.strip() + ")"));
        }
        return this;
    }
}
