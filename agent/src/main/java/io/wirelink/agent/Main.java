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
        if (fast != null) {
            return fast;
        }
        // Parts of Vert.x and Netty the agent does not use, each a few dozen classes it would load and keep: the
        // asynchronous DNS resolver (names resolve through the JDK), Netty's flight-recorder events, and the
        // class-path file cache. A -D on the command line still wins.
        defaultProperty("vertx.disableDnsResolver", "true");
        defaultProperty("io.netty.jfr.enabled", "false");
        defaultProperty("vertx.disableFileCPResolving", "true");
        return WirelinkCommand.commandLine(tools, args).execute(args);
    }

    private static void defaultProperty(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }

    /** Runs the CLI and returns its exit code; used by tests that capture output. */
    public static int run(String... args) {
        return WirelinkCommand.commandLine(args).execute(args);
    }
}
