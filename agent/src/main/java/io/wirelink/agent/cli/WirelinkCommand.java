package io.wirelink.agent.cli;

import io.wirelink.agent.config.AgentConfig;
import io.wirelink.agent.config.ConfigDump;
import io.wirelink.agent.config.ConfigException;
import io.wirelink.agent.runtime.AgentRuntime;
import io.wirelink.apply.HostNetwork;
import io.wirelink.apply.WireGuardDevice;
import io.wirelink.apply.WireGuardDevices;
import io.wirelink.apply.WireGuardException;
import io.wirelink.apply.netlink.RtNetlink;
import io.wirelink.apply.sdnotify.SdNotify;
import io.wirelink.facts.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code wirelink}: without a subcommand it runs the agent in the foreground on one interface (logs to stderr,
 * sd_notify READY); {@code --dump-facts} asks a running agent for its facts instead.
 */
@Command(
        name = "wirelink",
        mixinStandardHelpOptions = true,
        versionProvider = WirelinkCommand.Version.class,
        description = "A self-configuring WireGuard mesh agent. Without a subcommand, runs the agent on --iface.")
public final class WirelinkCommand implements Callable<Integer> {
    static final List<Class<?>> SUBCOMMANDS = List.of(GenKeyCommand.class, PubKeyCommand.class,
            WorkbitCommand.class, LinkLocalCommand.class, DecodeCommand.class, ShowCommand.class, ReloadCommand.class,
            DhtNodeCommand.class, PortMapCommand.class);

    /** The top-level options that take a value (the next argument); --router's is optional. */
    private static final Set<String> VALUE_OPTIONS = Set.of("-i", "--iface", "-c", "--config", "--config-path",
            "--port", "--router");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOptions options = new ConfigOptions();

    @Option(names = "--port", paramLabel = "PORT", description = "gossip port (0 = WireGuard listen port + 1)")
    Integer port;

    @Option(names = "--router", paramLabel = "auto|true|false", arity = "0..1", fallbackValue = "true",
            description = "act as a router (default auto); a bare --router means true, as in the Go wirelink")
    String router;

    @Option(names = "--dump", description = "print the effective configuration as JSON (a config file) and exit")
    boolean dump;

    @Option(names = "--chatty", description = "send full facts to every healthy peer")
    Boolean chatty;

    @Option(names = {"-d", "--debug"}, description = "debug logging")
    Boolean debug;

    @Option(names = "--dump-facts", description = "print the running agent's facts with provenance, and exit")
    boolean dumpFacts;

    @Option(names = "--json", description = "with --dump-facts: JSON output")
    boolean json;

    /**
     * The subcommands that only the tools jar carries (the tools module: the simulator and the lab demo, which the
     * daemon and its package leave out). The daemon's command line names each in a hidden stand-in that says so.
     */
    public static final List<String> TOOLS = List.of("simulate", "demo");

    /** The daemon's command line. */
    public static CommandLine commandLine() {
        return commandLine(List.of(), true);
    }

    /** The command line with {@code tools} (picocli command objects named in {@link #TOOLS}) as subcommands. */
    public static CommandLine commandLine(List<?> tools) {
        return commandLine(tools, true);
    }

    /**
     * The command line for {@code args}. Picocli reflects over every subcommand's options when it builds them (a
     * third of the agent's start-up, its classes cannot be archived), so they are left out when {@code args} are
     * the agent's own options only: no subcommand name, no help, no argument other than an option's value. Those
     * parse the same either way; anything else gets the full tree, with its usage and suggestions, and so does a
     * mistake in them.
     */
    public static CommandLine commandLine(String... args) {
        return commandLine(List.of(), !agentOptionsOnly(args));
    }

    /** {@link #commandLine(String...)} with {@code tools} as subcommands when the full tree is built. */
    public static CommandLine commandLine(List<?> tools, String... args) {
        return commandLine(tools, !agentOptionsOnly(args));
    }

    static boolean agentOptionsOnly(String... args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--") || a.equals("--help") || a.startsWith("-") && !a.startsWith("--") && a.contains("h")) {
                return false;
            }
            if (!a.startsWith("-") && (i == 0 || !VALUE_OPTIONS.contains(args[i - 1]))) {
                return false; // a subcommand, a typo of one, or a stray argument
            }
            for (Class<?> c : SUBCOMMANDS) {
                if (a.equals(c.getAnnotation(Command.class).name())) {
                    return false; // e.g. --router show: picocli decides whether that is a value
                }
            }
        }
        return true;
    }

    private static CommandLine commandLine(List<?> tools, boolean subcommands) {
        CommandLine cl = new CommandLine(new WirelinkCommand());
        if (subcommands) {
            SUBCOMMANDS.forEach(cl::addSubcommand);
            for (Object tool : tools) {
                cl.addSubcommand(tool);
            }
            for (String name : TOOLS) {
                if (!cl.getSubcommands().containsKey(name)) {
                    cl.addSubcommand(name, new MissingTool());
                }
            }
        } else {
            // a mistake is reported by the full tree, whose usage message lists the subcommands
            cl.setParameterExceptionHandler((ex, args) -> {
                CommandLine full = commandLine(tools, true);
                full.setOut(cl.getOut());
                full.setErr(cl.getErr());
                return full.execute(args);
            });
        }
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("wirelink: " + ex.getMessage());
            return 1;
        });
        return cl;
    }

    Map<String, Object> flags() {
        Map<String, Object> m = options.flags();
        if (port != null) {
            m.put("port", port);
        }
        if (router != null) {
            m.put("router", router);
        }
        if (chatty != null) {
            m.put("chatty", chatty);
        }
        if (debug != null) {
            m.put("debug", debug);
        }
        return m;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        AgentConfig config;
        try {
            config = DaemonSupport.load(options, flags());
        } catch (ConfigException e) {
            err.println("wirelink: " + e.getMessage());
            return 1;
        }
        if (dump) {
            spec.commandLine().getOut().print(ConfigDump.json(config));
            spec.commandLine().getOut().flush();
            return 0;
        }
        if (dumpFacts) {
            return DumpFacts.run(config, json, spec.commandLine().getOut(), err);
        }
        return runDaemon(config, err);
    }

    private int runDaemon(AgentConfig config, PrintWriter err) throws InterruptedException {
        DaemonSupport.debugLogging(config.debug());
        WireGuardDevice device;
        try {
            device = WireGuardDevices.open(config.iface());
        } catch (WireGuardException e) {
            err.println("wirelink: " + e.getMessage());
            return 1;
        }
        HostNetwork host;
        try {
            host = RtNetlink.open();
        } catch (Exception e) {
            err.println("wirelink: cannot open rtnetlink: " + e.getMessage());
            device.close();
            return 1;
        }
        AgentRuntime runtime = new AgentRuntime(() -> {
            try {
                return DaemonSupport.load(options, flags());
            } catch (ConfigException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }, device, host, Clock.system(), SdNotify.fromEnvironment());
        // SIGTERM and SIGINT stop the agent and exit 0 (the JVM's own handling would exit 143/130); a shutdown
        // hook still closes it on any other way out (System.exit elsewhere)
        CompletableFuture<Void> stop = new CompletableFuture<>();
        DaemonSupport.onSignal("TERM", () -> stop.complete(null));
        DaemonSupport.onSignal("INT", () -> stop.complete(null));
        Runtime.getRuntime().addShutdownHook(new Thread(runtime::close, "wirelink-shutdown"));
        CompletableFuture<Void> started = runtime.start().toCompletionStage().toCompletableFuture();
        DaemonSupport.onSignal("HUP", runtime::reload);
        DaemonSupport.onSignal("USR1", runtime::logFacts);
        try {
            CompletableFuture.anyOf(started, stop).get();
            if (!stop.isDone()) {
                started.get();
            }
        } catch (ExecutionException e) {
            err.println("wirelink: " + e.getCause().getMessage());
            runtime.close();
            return 1;
        }
        stop.join();
        runtime.close();
        return 0;
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
