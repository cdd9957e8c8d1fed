package io.wirelink.agent.runtime;

import io.wirelink.traversal.RelayPlanner;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.relay.Disclosure;
import io.wirelink.relay.Probe;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends relay probes ({@link Probe}) and disclosure queries ({@link Disclosure}) from an ephemeral UDP port and hands
 * each reply, with its round trip, to a callback (the runtime hops it onto the core's context). A reader thread
 * blocks in receive; sends happen on the caller's thread. Outstanding probes and queries are bounded. The disclosure
 * keys (one Diffie-Hellman of the interface key with each relay key) are cached per relay.
 */
final class RelayProber implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayProber.class);
    private static final int MAX_PENDING = 256;

    /** A reply: which target, the round trip, and where the relay saw us. */
    record Answer(RelayPlanner.ProbeTarget target, Duration rtt, IpEndpoint observed) {}

    /** A disclosure answer: the query, the round trip, and what the relay said. */
    record DisclosureAnswer(RelayPlanner.DisclosureQuery query, Duration rtt, Disclosure.Disclosed disclosed) {}

    private record PendingQuery(RelayPlanner.DisclosureQuery query, long at, Disclosure.Keys keys) {}

    private final DatagramChannel channel;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Object[]> pending = new LinkedHashMap<>();
    private final Map<String, PendingQuery> queries = new LinkedHashMap<>();
    private final PrivateKey self;
    private final Map<PublicKey, Disclosure.Keys> keys = new HashMap<>();
    private final java.util.function.Consumer<DisclosureAnswer> disclosures;
    private final Thread reader;
    private volatile boolean closed;

    /**
     * @param answers where probe replies go
     * @param self the interface's private key, for disclosure queries (null: none are sent)
     * @param disclosures where disclosure answers go
     */
    RelayProber(java.util.function.Consumer<Answer> answers, PrivateKey self,
            java.util.function.Consumer<DisclosureAnswer> disclosures) throws IOException {
        this.self = self;
        this.disclosures = disclosures;
        DatagramChannel ch;
        try {
            ch = DatagramChannel.open(StandardProtocolFamily.INET6);
            ch.bind(new InetSocketAddress(InetAddress.getByName("::"), 0));
        } catch (IOException | UnsupportedOperationException noIpv6) {
            ch = DatagramChannel.open(StandardProtocolFamily.INET);
            ch.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
        }
        this.channel = ch;
        this.reader = new Thread(() -> read(answers), "wirelink-relay-probe");
        reader.setDaemon(true);
        reader.start();
    }

    /** Sends one probe to each target; {@code sent} is told of each. */
    void probe(List<RelayPlanner.ProbeTarget> targets, BiConsumer<RelayPlanner.ProbeTarget, Long> sent) {
        for (RelayPlanner.ProbeTarget t : targets) {
            byte[] nonce = new byte[Probe.NONCE_LENGTH];
            random.nextBytes(nonce);
            long at = System.nanoTime();
            synchronized (pending) {
                pending.put(Arrays.toString(nonce), new Object[] {t, at});
                Iterator<String> it = pending.keySet().iterator();
                while (pending.size() > MAX_PENDING && it.hasNext()) {
                    it.next();
                    it.remove();
                }
            }
            try {
                channel.send(ByteBuffer.wrap(Probe.request(nonce)), t.endpoint().toSocketAddress());
                sent.accept(t, at);
            } catch (IOException e) {
                log.debug("probe to {}: {}", t.endpoint(), e.toString());
            }
        }
    }

    /**
     * Sends one disclosure query each; the query's timestamp is {@code wallClock}, which must be the clock the
     * interface's WireGuard stamps its handshakes with (the relay refuses queries older than the registration).
     */
    void disclose(List<RelayPlanner.DisclosureQuery> qs, Instant wallClock) {
        if (self == null) {
            return;
        }
        for (RelayPlanner.DisclosureQuery q : qs) {
            Disclosure.Keys k = keys.computeIfAbsent(q.relay(), r -> Disclosure.clientKeys(self, r));
            if (k == null) {
                continue; // a low-order relay key
            }
            byte[] nonce = new byte[Disclosure.NONCE_LENGTH];
            random.nextBytes(nonce);
            long at = System.nanoTime();
            synchronized (pending) {
                queries.put(Arrays.toString(nonce), new PendingQuery(q, at, k));
                Iterator<String> it = queries.keySet().iterator();
                while (queries.size() > MAX_PENDING && it.hasNext()) {
                    it.next();
                    it.remove();
                }
            }
            try {
                channel.send(ByteBuffer.wrap(Disclosure.query(k, nonce, wallClock, self.publicKey(), q.peer())),
                        q.endpoint().toSocketAddress());
            } catch (IOException e) {
                log.debug("disclosure query to {}: {}", q.endpoint(), e.toString());
            }
        }
        if (keys.size() > 64) {
            keys.clear();
        }
    }

    private void disclosure(byte[] d, long at) {
        byte[] nonce = Disclosure.answerNonce(d, d.length);
        if (nonce == null) {
            return;
        }
        PendingQuery p;
        synchronized (pending) {
            p = queries.remove(Arrays.toString(nonce));
        }
        if (p == null) {
            return;
        }
        Disclosure.Disclosed r = Disclosure.open(p.keys(), p.query().peer(), d, d.length);
        if (r != null) {
            disclosures.accept(new DisclosureAnswer(p.query(), Duration.ofNanos(at - p.at()), r));
        }
    }

    private void read(java.util.function.Consumer<Answer> answers) {
        ByteBuffer buf = ByteBuffer.allocate(512);
        while (!closed) {
            try {
                buf.clear();
                channel.receive(buf);
                long at = System.nanoTime();
                buf.flip();
                byte[] d = new byte[buf.remaining()];
                buf.get(d);
                Probe.Reply r = Probe.parseReply(d, d.length);
                if (r == null) {
                    disclosure(d, at);
                    continue;
                }
                Object[] p;
                synchronized (pending) {
                    p = pending.remove(Arrays.toString(r.nonce()));
                }
                if (p != null) {
                    answers.accept(new Answer((RelayPlanner.ProbeTarget) p[0], Duration.ofNanos(at - (Long) p[1]),
                            r.observed()));
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    log.debug("relay probe socket: {}", e.toString());
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing the probe socket: {}", e.toString());
        }
    }
}
