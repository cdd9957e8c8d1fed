package io.wirelink.agent.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Stands in, hidden from {@code --help}, for a subcommand of the tools jar ({@link WirelinkCommand#TOOLS}) in a jar
 * that does not carry it, so that {@code wirelink simulate} on the daemon says in one line where the tools are
 * instead of picocli's "unmatched argument".
 */
@Command(hidden = true)
final class MissingTool implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Whatever the real command would have taken, ignored. */
    @CommandLine.Unmatched
    List<String> ignored = new ArrayList<>();

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("wirelink " + spec.name() + ": not in this jar (the daemon's); the "
                + "simulator and the lab demo run from a source checkout: mvn -B -q -DskipTests package, then "
                + "bin/wirelink " + spec.name());
        return 1;
    }
}
