package io.wirelink.relay;

import io.wirelink.facts.Clock;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;

/**
 * A stand-alone relay until the agent runs one itself:
 *
 * <pre>
 * java -cp ... io.wirelink.relay.RelayMain --private-key FILE [--listen [::]:51820]
 *      [--admit all | --admit KEYS_FILE] [--pair KEY_A,KEY_B]... [--pairs FILE]
 * </pre>
 *
 * {@code --private-key} is a file holding a {@code wg genkey} key; clients add the printed public key as a peer
 * with the relay's address as its endpoint and a persistent keepalive. {@code --admit} says who may register: every
 * key, or the keys in a file (one base64 key a line, {@code #} comments); the default admits only keys named in a
 * pair. Each pair lets the two keys reach each other through the relay ({@link Relay#allow} both ways); a pairs
 * file has one {@code KEY_A KEY_B} pair a line. Runs until killed.
 */
public final class RelayMain {
    private RelayMain() {}

    public static void main(String[] args) throws Exception {
        int rc = run(args, System.out, System.err, true);
        if (rc != 0) {
            System.exit(rc);
        }
    }

    /** Parses {@code args}, starts the relay and (if {@code block}) waits forever; the exit status otherwise. */
    static int run(String[] args, PrintStream out, PrintStream err, boolean block) throws IOException, InterruptedException {
        Path keyFile = null;
        String listen = "[::]:51820";
        String admitArg = null;
        List<PublicKey[]> pairs = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--private-key" -> keyFile = Path.of(value(args, ++i, a));
                    case "--listen" -> listen = value(args, ++i, a);
                    case "--admit" -> admitArg = value(args, ++i, a);
                    case "--pair" -> {
                        String[] ks = value(args, ++i, a).split(",");
                        if (ks.length != 2) {
                            throw new IllegalArgumentException("--pair wants KEY_A,KEY_B");
                        }
                        pairs.add(new PublicKey[] {PublicKey.parse(ks[0]), PublicKey.parse(ks[1])});
                    }
                    case "--pairs" -> {
                        for (String line : lines(Path.of(value(args, ++i, a)))) {
                            String[] ks = line.split("\\s+");
                            if (ks.length != 2) {
                                throw new IllegalArgumentException("a pairs file line is KEY_A KEY_B, not '" + line + "'");
                            }
                            pairs.add(new PublicKey[] {PublicKey.parse(ks[0]), PublicKey.parse(ks[1])});
                        }
                    }
                    case "-h", "--help" -> {
                        out.println("usage: RelayMain --private-key FILE [--listen ADDR:PORT] [--admit all|FILE] "
                                + "[--pair KEY_A,KEY_B]... [--pairs FILE]");
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
                }
            }
            if (keyFile == null) {
                throw new IllegalArgumentException("--private-key FILE is required");
            }
        } catch (IllegalArgumentException e) {
            err.println("relay: " + e.getMessage());
            return 2;
        }
        PrivateKey key = PrivateKey.parse(Files.readString(keyFile, StandardCharsets.US_ASCII).strip());
        Set<PublicKey> named = new HashSet<>();
        for (PublicKey[] p : pairs) {
            named.add(p[0]);
            named.add(p[1]);
        }
        Predicate<PublicKey> admit;
        if ("all".equals(admitArg)) {
            admit = k -> true;
        } else if (admitArg != null) {
            Set<PublicKey> keys = new HashSet<>(named);
            for (String line : lines(Path.of(admitArg))) {
                keys.add(PublicKey.parse(line));
            }
            admit = keys::contains;
        } else {
            admit = named::contains;
        }
        Relay relay = new Relay(key, RelaySettings.defaults(), admit, new SecureRandom());
        for (PublicKey[] p : pairs) {
            relay.allow(p[0], p[1]);
            relay.allow(p[1], p[0]);
        }
        UdpRelay udp = UdpRelay.start(relay, IpEndpoint.parse(listen).toSocketAddress(), Clock.system());
        out.println("relay " + relay.publicKey().toBase64() + " listening on " + udp.localAddress());
        if (!block) {
            udp.close();
            return 0;
        }
        CountDownLatch forever = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(udp::close, "wirelink-relay-stop"));
        forever.await();
        return 0;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    private static List<String> lines(Path p) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(p, StandardCharsets.US_ASCII)) {
            int hash = line.indexOf('#');
            String s = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }
}
