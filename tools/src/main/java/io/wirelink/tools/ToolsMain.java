package io.wirelink.tools;

import io.wirelink.agent.Main;
import io.wirelink.tools.cli.DemoCommand;
import io.wirelink.tools.cli.SimulateCommand;
import java.io.IOException;
import java.util.List;

/**
 * Entry point of {@code tools/target/wirelink-tools.jar}: the daemon's {@code wirelink} command with the
 * subcommands the daemon's jar leaves out, {@code simulate} and {@code demo}. bin/wirelink runs it for those two.
 */
public final class ToolsMain {
    private ToolsMain() {}

    public static void main(String[] args) throws IOException {
        System.exit(Main.launch(args, tools()));
    }

    /** The subcommands this jar adds, one of each of {@link io.wirelink.agent.cli.WirelinkCommand#TOOLS}. */
    public static List<Object> tools() {
        return List.of(new SimulateCommand(), new DemoCommand());
    }
}
