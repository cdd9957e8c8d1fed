package io.wirelink.agent.cli;

import io.wirelink.facts.PrivateKey;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code wirelink genkey}: a new private key in base64 on stdout, as {@code wg genkey} prints it. */
@Command(name = "genkey", description = "Print a new private key (like wg genkey).")
public final class GenKeyCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(PrivateKey.generate(new SecureRandom()).toBase64());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
