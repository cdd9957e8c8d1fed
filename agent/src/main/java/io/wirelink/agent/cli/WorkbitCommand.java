package io.wirelink.agent.cli;

import io.wirelink.dht.Workbit;
import io.wirelink.dht.X25519Points;
import io.wirelink.facts.PrivateKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wirelink workbit}: a private or public key (base64) on stdin, its workbit on stdout.
 *
 * <p>Which kind of key was given is decided from the bytes: not clamped means public; clamped but not a point of
 * the prime-order subgroup means private. About 1 in 16 keys of either kind passes both tests; for those both
 * readings are computed and the larger workbit is printed, which is right for a mined key (of either kind) except
 * with probability about 2^-workbit. {@code --private} or {@code --public} removes the guess.
 */
@Command(name = "workbit", description = {
    "Read a private or public key (base64) on stdin and print its workbit for the network.",
    "workbit = leading zero bits of BLAKE2s-256(\"wirelink-workbit-v1\\0\" | public key | network).",
    "The key kind is inferred; use --private or --public when it matters."})
public final class WorkbitCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--network", paramLabel = "NAME", defaultValue = Workbit.DEFAULT_NETWORK,
            description = "Network name (default: ${DEFAULT-VALUE}).")
    String network;

    @CommandLine.ArgGroup(exclusive = true)
    Kind kind;

    static final class Kind {
        @Option(names = "--private", description = "The input is a private key.")
        boolean isPrivate;

        @Option(names = "--public", description = "The input is a public key.")
        boolean isPublic;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        byte[] net;
        try {
            net = Workbit.networkBytes(network);
        } catch (IllegalArgumentException e) {
            err.println("wirelink workbit: " + e.getMessage());
            return 1;
        }
        String in = new String(System.in.readNBytes(4096), StandardCharsets.US_ASCII).strip();
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(in);
        } catch (IllegalArgumentException e) {
            err.println("wirelink workbit: key is not valid base64");
            return 1;
        }
        if (raw.length != 32) {
            err.println("wirelink workbit: key must decode to 32 bytes, got " + raw.length);
            return 1;
        }
        int bits;
        if (kind != null && kind.isPublic) {
            bits = Workbit.of(raw, net);
        } else if (kind != null && kind.isPrivate) {
            bits = Workbit.of(PrivateKey.of(raw).publicKey().toBytes(), net);
        } else if (!X25519Points.isClamped(raw)) {
            bits = Workbit.of(raw, net);
        } else if (!X25519Points.isPrimeOrderPoint(raw)) {
            bits = Workbit.of(PrivateKey.of(raw).publicKey().toBytes(), net);
        } else {
            bits = Math.max(Workbit.of(raw, net), Workbit.of(PrivateKey.of(raw).publicKey().toBytes(), net));
        }
        spec.commandLine().getOut().println(bits);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
