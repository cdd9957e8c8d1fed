package io.wirelink.agent.cli;

import io.wirelink.agent.config.AgentConfig;
import io.wirelink.agent.config.ConfigException;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code wirelink reload [--iface wg0]}: the running agent re-reads its configuration (as SIGHUP does). */
@Command(name = "reload", description = "Make the running agent re-read its configuration (like SIGHUP).")
public final class ReloadCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOptions options = new ConfigOptions();

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        AgentConfig config;
        try {
            config = DaemonSupport.load(options, options.flags());
        } catch (ConfigException e) {
            err.println("wirelink reload: " + e.getMessage());
            return 1;
        }
        try {
            ControlClient.Response r = ControlClient.call(config.controlSocket(), "POST", "/reload");
            if (r.status() != 200) {
                err.println("wirelink reload: refused: " + JsonTree.read(r.body()).path("error").asText());
                return 1;
            }
            spec.commandLine().getOut().println("reloaded " + config.iface());
            spec.commandLine().getOut().flush();
            return 0;
        } catch (ControlClient.NoDaemon e) {
            err.println("wirelink reload: no agent is running on " + config.iface() + " (" + e.getMessage() + ")");
            return 1;
        } catch (IOException e) {
            err.println("wirelink reload: " + e.getMessage());
            return 1;
        }
    }
}
