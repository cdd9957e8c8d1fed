package io.wirelink.agent;

import io.wirelink.agent.cli.FastPath;
import io.wirelink.agent.cli.WirelinkCommand;
import java.io.IOException;
import java.util.List;

/** Entry point of the {@code wirelink} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws IOException {
        System.exit(launch(args, List.of()));
    }

    /**
     * What {@code main} does, with {@code tools} added as subcommands: the tools jar's main passes {@code simulate}
     * and {@code demo}, which the daemon's jar does not carry. Returns the exit code.
     */
    public static int launch(String[] args, List<?> tools) throws IOException {
        Integer fast = FastPath.run(args, System.getenv());
        return fast != null ? fast : WirelinkCommand.commandLine(tools).execute(args);
    }

    /** Runs the CLI and returns its exit code; used by tests that capture output. */
    public static int run(String... args) {
        return WirelinkCommand.commandLine().execute(args);
    }
}
