package io.wirelink.agent.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code wirelink} command; subcommands do the work. */
@Command(
        name = "wirelink",
        mixinStandardHelpOptions = true,
        versionProvider = WirelinkCommand.Version.class,
        description = "A self-configuring WireGuard mesh agent.",
        subcommands = {
            GenKeyCommand.class, PubKeyCommand.class, WorkbitCommand.class, LinkLocalCommand.class, DecodeCommand.class,
            DhtNodeCommand.class
        })
public final class WirelinkCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new WirelinkCommand());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("wirelink: " + ex.getMessage());
            return 1;
        });
        return cl;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    /** Reads the version Maven wrote into the jar. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = WirelinkCommand.class.getResourceAsStream("/wirelink-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"wirelink " + p.getProperty("version", "unknown")};
        }
    }
}
