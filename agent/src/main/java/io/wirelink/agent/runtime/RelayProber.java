package io.wirelink.agent.runtime;

import io.wirelink.agent.core.RelayPlanner;
import io.wirelink.facts.IpEndpoint;
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
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends relay probes ({@link Probe}) from an ephemeral UDP port and hands each reply, with its round trip, to a
 * callback (the runtime hops it onto the core's context). A reader thread blocks in receive; sends happen on the
 * caller's thread. Outstanding probes are bounded.
 */
final class RelayProber implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayProber.class);
    private static final int MAX_PENDING = 256;

    /** A reply: which target, the round trip, and where the relay saw us. */
    record Answer(RelayPlanner.ProbeTarget target, Duration rtt, IpEndpoint observed) {}

    private final DatagramChannel channel;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Object[]> pending = new LinkedHashMap<>();
    private final Thread reader;
    private volatile boolean closed;

    RelayProber(java.util.function.Consumer<Answer> answers) throws IOException {
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
