package io.wirelink.agent.runtime;

import io.wirelink.agent.config.Dht;
import io.wirelink.dht.Contact;
import io.wirelink.dht.DhtConfig;
import io.wirelink.dht.DhtIdentity;
import io.wirelink.dht.DhtRecord;
import io.wirelink.dht.EndpointKind;
import io.wirelink.dht.RecordEndpoint;
import io.wirelink.dht.RecordRelay;
import io.wirelink.dht.udp.UdpDhtRunner;
import io.wirelink.facts.Clock;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.RelayAttachment;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's DHT node, on its own thread ({@link UdpDhtRunner}), outside the tunnel on the DHT port. It joins
 * through the boot nodes, announces this node's WireGuard endpoint candidates, and resolves peers the agent cannot
 * otherwise reach; results come back through a callback the runtime hops onto the core's context.
 */
final class DhtService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DhtService.class);
    static final Duration RECORD_TTL = Duration.ofMinutes(10);
    /** Lookups of one peer back off from 2 s, doubling, to at most a minute. */
    static final Duration LOOKUP_FIRST = Duration.ofSeconds(2);
    static final Duration LOOKUP_MAX = Duration.ofSeconds(60);

    /**
     * A peer's record: its WireGuard endpoints, where the DHT saw it ({@code seen}), whether the owner proved itself
     * there by answering a ping, and the relays it lists (its own relay's offer, the relays it is registered with).
     */
    record Found(PublicKey owner, IpEndpoint seen, List<IpEndpoint> wireGuard, List<RelayAttachment> relays,
            boolean proven, Duration ttl) {}

    private final UdpDhtRunner runner;
    private final Thread thread;
    private final int dhtPort;
    /** Per peer still wanted: when it may be looked up next, and the current back-off. */
    private final Map<PublicKey, long[]> backoff = new HashMap<>();
    private List<IpEndpoint> lastAnnounced = List.of();
    private List<RecordRelay> lastRelays = List.of();

    DhtService(Dht cfg, PrivateKey key, int dhtPort, Clock clock) throws IOException {
        DhtConfig dc = DhtConfig.builder(cfg.network(), cfg.workbit()).readOnly(!cfg.isPublic()).build();
        this.dhtPort = dhtPort;
        this.runner = UdpDhtRunner.open(new InetSocketAddress("0.0.0.0", dhtPort), dc, DhtIdentity.of(key), clock,
                new SecureRandom());
        this.thread = new Thread(() -> {
            try {
                runner.run();
            } catch (IOException e) {
                log.warn("DHT stopped: {}", e.getMessage());
            }
        }, "wirelink-dht");
        thread.setDaemon(true);
        thread.start();
        List<Contact> seeds = new ArrayList<>();
        cfg.boot().forEach(b -> seeds.add(new Contact(b.key(), b.endpoint())));
        if (!seeds.isEmpty()) {
            runner.submit((node, now, out) -> node.bootstrap(seeds, now, out, r -> log.info(
                    "DHT joined through {} boot node(s): {}, {} contacts", seeds.size(), r.outcome(),
                    node.routingTableSize())));
        }
        log.info("DHT on port {} ({} node, network '{}', workbit {})", dhtPort, cfg.isPublic() ? "public"
                : "read-only", cfg.network(), cfg.workbit());
    }

    /**
     * Announces our WireGuard candidates: the local ones, plus our NAT mapping for the WireGuard port derived from
     * what the DHT saw — when the NAT kept our DHT port unchanged it most likely keeps the WireGuard port too, so
     * {@code observed IP : WireGuard port} is where peers outside can reach us (PROTOCOL.md §7) — and the relays the
     * core says we offer or use ({@link #recordRelays}).
     */
    void announce(List<IpEndpoint> local, int wireGuardPort, List<RelayAttachment> relays) {
        List<RecordRelay> rr = recordRelays(relays);
        runner.submit((node, now, out) -> {
            List<IpEndpoint> eps = new ArrayList<>();
            IpEndpoint seen = node.observedEndpoint();
            if (seen != null && seen.port() == dhtPort && wireGuardPort > 0) {
                eps.add(new IpEndpoint(seen.address(), wireGuardPort));
            }
            for (IpEndpoint e : local) {
                if (!eps.contains(e) && eps.size() < DhtRecord.MAX_ENDPOINTS - 1) {
                    eps.add(e);
                }
            }
            if (eps.equals(lastAnnounced) && rr.equals(lastRelays) && node.activeLookups() > 0) {
                return;
            }
            lastAnnounced = eps;
            lastRelays = rr;
            List<RecordEndpoint> rec = new ArrayList<>();
            eps.forEach(e -> rec.add(new RecordEndpoint(EndpointKind.WIREGUARD, e)));
            node.announce(new DhtRecord(node.publicKey(), now, (int) RECORD_TTL.toSeconds(), rec, rr), now,
                    out, n -> log.debug("DHT record stored on {} node(s) ({} relays)", n, rr.size()));
        });
    }

    /**
     * Looks up each wanted key when its back-off allows; keys no longer wanted (reachable now) are forgotten, so a
     * peer that becomes unreachable again starts from a short delay. {@code found} runs on the DHT thread.
     */
    void lookup(java.util.Set<PublicKey> keys, Consumer<Found> found) {
        runner.submit((node, now, out) -> backoff.keySet().retainAll(keys));
        for (PublicKey k : keys) {
            runner.submit((node, now, out) -> {
                long[] b = backoff.computeIfAbsent(k, x -> new long[] {0, LOOKUP_FIRST.toMillis()});
                if (now < b[0]) {
                    return;
                }
                b[0] = now + b[1];
                b[1] = Math.min(LOOKUP_MAX.toMillis(), b[1] * 2);
                node.resolve(k, now, out, r -> {
                    if (r.record() == null) {
                        log.debug("DHT: no record for {} ({})", k, r.lookup().outcome());
                        return;
                    }
                    // Where the DHT saw the owner: proven by a ping if it answered; otherwise where the storing node
                    // saw its STORE come from (the record's first DHT endpoint). Two peers behind NATs often cannot
                    // ping each other's DHT port; the WireGuard handshake then is the authenticated probe.
                    IpEndpoint seen = r.verified();
                    List<IpEndpoint> wg = new ArrayList<>();
                    for (RecordEndpoint e : r.record().endpoints()) {
                        if (e.kind() == EndpointKind.WIREGUARD) {
                            wg.add(e.endpoint());
                        } else if (seen == null) {
                            seen = e.endpoint();
                        }
                    }
                    if (seen == null || wg.isEmpty()) {
                        return;
                    }
                    found.accept(new Found(k, seen, wg, attachments(r.record().relays()), r.verified() != null,
                            Duration.ofSeconds(Math.max(1, r.record().ttlSeconds()))));
                });
            });
        }
    }

    /**
     * The relays for our record: the core's list in its order (our own relay's offer first), those with an endpoint,
     * at most {@link DhtRecord#MAX_RELAYS} with {@link RecordRelay#MAX_ENDPOINTS} endpoints each.
     */
    static List<RecordRelay> recordRelays(List<RelayAttachment> relays) {
        List<RecordRelay> out = new ArrayList<>();
        for (RelayAttachment a : relays) {
            if (!a.endpoints().isEmpty() && out.size() < DhtRecord.MAX_RELAYS) {
                out.add(new RecordRelay(a.operator(), a.relay(), a.endpoints().subList(0, Math.min(
                        RecordRelay.MAX_ENDPOINTS, a.endpoints().size()))));
            }
        }
        return List.copyOf(out);
    }

    /** A record's relays as RelayAttachment values about its owner (the same bytes, PROTOCOL.md §7.2). */
    static List<RelayAttachment> attachments(List<RecordRelay> relays) {
        List<RelayAttachment> out = new ArrayList<>(relays.size());
        for (RecordRelay r : relays) {
            out.add(new RelayAttachment(r.operator(), r.relay(), r.endpoints()));
        }
        return out;
    }

    @Override
    public void close() {
        try {
            runner.close();
        } catch (IOException e) {
            log.debug("closing the DHT: {}", e.toString());
        }
    }
}
