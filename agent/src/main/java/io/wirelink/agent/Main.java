package io.wirelink.agent;

import io.wirelink.agent.cli.FastPath;
import io.wirelink.agent.cli.WirelinkCommand;

/** Entry point of the {@code wirelink} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws java.io.IOException {
        Integer fast = FastPath.run(args, System.getenv());
        System.exit(fast != null ? fast : run(args));
    }

    /** Runs the CLI and returns its exit code; used by tests that capture output. */
    public static int run(String... args) {
        return WirelinkCommand.commandLine().execute(args);
    }
}
