package io.wirelink.agent.cli;

import io.wirelink.facts.PrivateKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code wirelink pubkey}: private key on stdin, public key on stdout, as {@code wg pubkey}. */
@Command(name = "pubkey", description = "Read a private key on stdin and print its public key (like wg pubkey).")
public final class PubKeyCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        String in = new String(System.in.readNBytes(4096), StandardCharsets.US_ASCII);
        PrivateKey k;
        try {
            k = PrivateKey.parse(in);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("wirelink pubkey: " + e.getMessage());
            return 1;
        }
        spec.commandLine().getOut().println(k.publicKey().toBase64());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
