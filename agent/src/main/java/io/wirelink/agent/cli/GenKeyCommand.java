package io.wirelink.agent.cli;

import io.wirelink.dht.Workbit;
import io.wirelink.dht.WorkbitMiner;
import io.wirelink.facts.PrivateKey;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wirelink genkey}: a new private key in base64 on stdout, as {@code wg genkey} prints it. With
 * {@code --workbit N} it mines one whose public key has a workbit of at least N for {@code --network}, on every
 * core, showing progress on stderr when stderr is a terminal.
 */
@Command(name = "genkey", description = {
    "Print a new private key (like wg genkey).",
    "With --workbit N, mine a key whose public key has workbit >= N in the network (expected 2^N tries)."})
public final class GenKeyCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--workbit", paramLabel = "N", description = "Mine until the workbit is at least N (0..64).")
    Integer workbit;

    @Option(names = "--network", paramLabel = "NAME", defaultValue = Workbit.DEFAULT_NETWORK,
            description = "Network name the workbit is computed for (default: ${DEFAULT-VALUE}).")
    String network;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all processors).")
    Integer threads;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        if (workbit == null) {
            if (threads != null) {
                err.println("wirelink genkey: --threads needs --workbit");
                return 1;
            }
            return print(PrivateKey.generate(new SecureRandom()));
        }
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        WorkbitMiner miner;
        try {
            Workbit.networkBytes(network);
            miner = new WorkbitMiner(workbit, network, n, new SecureRandom());
        } catch (IllegalArgumentException e) {
            err.println("wirelink genkey: " + e.getMessage());
            return 1;
        }
        boolean progress = stderrIsTerminal();
        long start = System.nanoTime();
        PrivateKey key;
        try (miner) {
            miner.start();
            while ((key = miner.await(progress ? 1000 : 60_000)) == null) {
                if (progress) {
                    err.print("\r" + progressLine(workbit, miner.tried(), System.nanoTime() - start, n));
                    err.flush();
                }
            }
        }
        if (progress) {
            err.print("\r" + progressLine(workbit, miner.tried(), System.nanoTime() - start, n) + " found\n");
            err.flush();
        }
        return print(key);
    }

    /**
     * Whether stderr is a terminal. On Linux {@code /proc/self/fd/2} says so exactly (so {@code genkey > key} on a
     * terminal still shows progress); elsewhere {@code System.console() != null} (stdin and stdout are a terminal).
     */
    static boolean stderrIsTerminal() {
        try {
            String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    static String progressLine(int bits, long tried, long elapsedNanos, int threads) {
        double seconds = Math.max(elapsedNanos / 1e9, 1e-3);
        double rate = tried / seconds;
        double expected = Math.pow(2, bits);
        String eta = rate > 0 && tried < expected
                ? String.format(Locale.ROOT, ", ~%.0f s to go on average", (expected - tried) / rate)
                : "";
        return String.format(Locale.ROOT, "mining workbit >= %d on %d threads: %,d keys in %.0f s, %,.0f keys/s%s",
                bits, threads, tried, seconds, rate, eta);
    }

    private int print(PrivateKey k) {
        spec.commandLine().getOut().println(k.toBase64());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
