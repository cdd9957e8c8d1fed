package io.wirelink.agent.cli;

import io.wirelink.dht.Contact;
import io.wirelink.dht.DhtConfig;
import io.wirelink.dht.DhtIdentity;
import io.wirelink.dht.Workbit;
import io.wirelink.dht.udp.UdpDhtRunner;
import io.wirelink.facts.Clock;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wirelink dht-node}: a public DHT node, serving the DHT without a mesh, until stopped. A first cut for
 * bootstrap servers; the agent will run a node inside its own event loop, configured from its config file.
 */
@Command(name = "dht-node", description = {
    "Run a public DHT node (no mesh) on a UDP port until stopped.",
    "Boot nodes are given as KEY@IP:PORT (KEY in base64)."})
public final class DhtNodeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--listen", required = true, paramLabel = "IP:PORT", description = "UDP address to serve on.")
    String listen;

    @Option(names = "--private-key", required = true, paramLabel = "FILE", description = "Private key (base64).")
    Path keyFile;

    @Option(names = "--network", paramLabel = "NAME", defaultValue = Workbit.DEFAULT_NETWORK,
            description = "Network name (default: ${DEFAULT-VALUE}).")
    String network;

    @Option(names = "--workbit", paramLabel = "N", defaultValue = "8",
            description = "The network's minimum workbit (default: ${DEFAULT-VALUE}).")
    int workbit;

    @Option(names = "--boot", paramLabel = "KEY@IP:PORT", description = "A node to join through (repeatable).")
    List<String> boot = new ArrayList<>();

    @Option(names = "--read-only", description = "Use the DHT without serving it (stay out of routing tables).")
    boolean readOnly;

    @Option(names = "--stats-every", paramLabel = "SECONDS", defaultValue = "60",
            description = "Print counters to stderr this often; 0 never (default: ${DEFAULT-VALUE}).")
    int statsEvery;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        UdpDhtRunner runner;
        List<Contact> seeds = new ArrayList<>();
        try {
            IpEndpoint at = IpEndpoint.parse(listen);
            PrivateKey key = PrivateKey.parse(readKey(keyFile));
            for (String b : boot) {
                seeds.add(parseBoot(b));
            }
            DhtConfig cfg = DhtConfig.builder(network, workbit).readOnly(readOnly).build();
            runner = UdpDhtRunner.open(at.toSocketAddress(), cfg, DhtIdentity.of(key), Clock.system(),
                    new SecureRandom());
        } catch (IllegalArgumentException | IOException e) {
            err.println("wirelink dht-node: " + e.getMessage());
            return 1;
        }
        err.println("wirelink dht-node: serving network '" + network + "' as " + runner.node().publicKey()
                + " on " + runner.localEndpoint() + (readOnly ? " (read-only)" : ""));
        err.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (IOException ignored) {
                // exiting anyway
            }
        }));
        if (!seeds.isEmpty()) {
            runner.submit((node, now, out) -> node.bootstrap(seeds, now, out, r -> {
                err.println("wirelink dht-node: joined: " + r.outcome() + ", " + node.routingTableSize()
                        + " contacts");
                err.flush();
            }));
        }
        if (statsEvery > 0) {
            Thread t = new Thread(() -> {
                while (true) {
                    try {
                        Thread.sleep(statsEvery * 1000L);
                    } catch (InterruptedException e) {
                        return;
                    }
                    runner.submit((node, now, out) -> {
                        err.println("wirelink dht-node: " + node.routingTableSize() + " contacts, "
                                + node.storedRecords() + " records, " + node.stats());
                        err.flush();
                    });
                }
            }, "dht-stats");
            t.setDaemon(true);
            t.start();
        }
        runner.run();
        return 0;
    }

    static String readKey(Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            throw new IOException("cannot read private key file " + p);
        }
        return Files.readString(p).strip();
    }

    static Contact parseBoot(String s) {
        int at = s.indexOf('@');
        if (at <= 0) {
            throw new IllegalArgumentException("boot node must be KEY@IP:PORT");
        }
        return new Contact(PublicKey.parse(s.substring(0, at)), IpEndpoint.parse(s.substring(at + 1)));
    }
}
