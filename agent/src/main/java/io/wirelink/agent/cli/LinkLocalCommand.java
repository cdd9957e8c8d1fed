package io.wirelink.agent.cli;

import io.wirelink.facts.PublicKey;
import io.wirelink.linklocal.LinkLocal;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code wirelink linklocal KEY}: the peer's derived IPv6 link-local address. */
@Command(name = "linklocal", description = "Print the IPv6 link-local address wirelink derives from a public key.")
public final class LinkLocalCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PUBLIC_KEY", description = "base64 WireGuard public key")
    String key;

    @Override
    public Integer call() {
        PublicKey k;
        try {
            k = PublicKey.parse(key);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("wirelink linklocal: " + e.getMessage());
            return 1;
        }
        spec.commandLine().getOut().println(LinkLocal.format(k));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
