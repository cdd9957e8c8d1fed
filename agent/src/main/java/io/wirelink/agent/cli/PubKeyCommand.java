package io.wirelink.agent.cli;

import io.wirelink.facts.PrivateKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
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
        return pubkey(System.in, spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    static int pubkey(InputStream stdin, PrintWriter out, PrintWriter err) throws IOException {
        String in = new String(stdin.readNBytes(4096), StandardCharsets.US_ASCII);
        PrivateKey k;
        try {
            k = PrivateKey.parse(in);
        } catch (IllegalArgumentException e) {
            err.println("wirelink pubkey: " + e.getMessage());
            return 1;
        }
        out.println(k.publicKey().toBase64());
        out.flush();
        return 0;
    }
}
