package io.wirelink.agent.runtime;

import io.wirelink.agent.config.RelayConfig;
import io.wirelink.facts.Clock;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.relay.Relay;
import io.wirelink.relay.RelaySettings;
import io.wirelink.relay.RelayStats;
import io.wirelink.relay.UdpRelay;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay a public node runs for its mesh (PROTOCOL.md §6.4): a {@link UdpRelay} on the relay port with its own
 * WireGuard key, admitting and pairing exactly the members the agent believes. {@link #members} is called after every
 * pass; the relay thread applies it.
 */
final class RelayService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayService.class);
    static final byte[] KDF_LABEL = "wirelink-relay-key-v1".getBytes(StandardCharsets.US_ASCII);

    private final UdpRelay udp;
    private final PublicKey publicKey;
    private final int port;
    private volatile Set<PublicKey> admitted = Set.of();
    private Set<PublicKey> paired = Set.of();
    private volatile Status lastStatus;

    RelayService(RelayConfig cfg, PrivateKey deviceKey, int port, Clock clock) throws IOException {
        PrivateKey key = cfg.keyFile() == null ? derive(deviceKey) : loadOrCreate(cfg.keyFile());
        this.publicKey = key.publicKey();
        if (publicKey.equals(deviceKey.publicKey())) {
            throw new IOException("the relay key must differ from the interface's key");
        }
        this.port = port;
        Relay relay = new Relay(key, RelaySettings.defaults(), k -> admitted.contains(k), new SecureRandom());
        UdpRelay u;
        try {
            u = UdpRelay.start(relay, new InetSocketAddress(InetAddress.getByName("::"), port), clock);
        } catch (IOException noIpv6) {
            u = UdpRelay.start(relay, new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port), clock);
        }
        this.udp = u;
        log.info("relay on port {} ({} key, public key {})", port, cfg.keyFile() == null ? "derived" : "file",
                publicKey);
    }

    /**
     * The relay key derived from the interface's private key: BLAKE2s-256 keyed with the 32 private-key bytes over
     * the ASCII label {@code wirelink-relay-key-v1}, clamped as {@code wg genkey} clamps. One-way, so the relay key
     * (held by a process that parses untrusted datagrams) reveals nothing of the interface key; stable across
     * restarts without a file.
     */
    static PrivateKey derive(PrivateKey deviceKey) {
        byte[] k = new byte[32];
        deviceKey.writeTo(k, 0);
        byte[] out = new byte[32];
        try {
            Blake2sDigest d = new Blake2sDigest(k, 32, null, null);
            d.update(KDF_LABEL, 0, KDF_LABEL.length);
            d.doFinal(out, 0);
            out[0] &= (byte) 248;
            out[31] &= 127;
            out[31] |= 64;
            return PrivateKey.of(out);
        } finally {
            java.util.Arrays.fill(k, (byte) 0);
            java.util.Arrays.fill(out, (byte) 0);
        }
    }

    /** Reads a {@code wg genkey} key file, or creates one (mode 0600) when it does not exist. */
    static PrivateKey loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            return PrivateKey.parse(Files.readString(file, StandardCharsets.US_ASCII).strip());
        }
        PrivateKey k = PrivateKey.generate(new SecureRandom());
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, k.toBase64() + "\n", StandardCharsets.US_ASCII);
        log.info("created relay key file {}", file);
        return k;
    }

    PublicKey publicKey() {
        return publicKey;
    }

    int port() {
        return port;
    }

    /**
     * The members the agent believes: only they may register, and each may reach every other through the relay. A
     * key that stops being a member loses its pairs at once; its registration lapses with its session.
     */
    void members(Set<PublicKey> members) {
        Set<PublicKey> now = Set.copyOf(members);
        if (now.equals(paired)) {
            return;
        }
        Set<PublicKey> before = paired;
        paired = now;
        admitted = now;
        udp.call(r -> {
            int max = r.settings().maxPeersPerClient();
            for (PublicKey k : before) {
                if (!now.contains(k)) {
                    r.setAllowed(k, Set.of());
                }
            }
            for (PublicKey k : now) {
                Set<PublicKey> others = new HashSet<>();
                for (PublicKey o : now) {
                    if (!o.equals(k) && others.size() < max) {
                        others.add(o);
                    }
                }
                r.setAllowed(k, others);
            }
            return null;
        }).exceptionally(e -> {
            log.warn("relay: updating members: {}", e.toString());
            return null;
        });
    }

    /** Asks the relay thread for its counters; {@link #status} has them once it answered. */
    void refreshStatus() {
        udp.call(r -> new Status(r.stats(), r.clients().size(), r.probesAnswered(), r.disclosures()))
                .thenAccept(s -> lastStatus = s);
    }

    /** The counters as of the last {@link #refreshStatus}, or null. */
    Status status() {
        return lastStatus;
    }

    /** The relay's counters; {@code disclosures}: queries answered with a mapping, and with "unknown". */
    record Status(RelayStats stats, int clients, long probes, long[] disclosures) {}

    /** Where the relay listens, for the offer: our WireGuard candidates with the relay port. */
    java.util.List<IpEndpoint> offerEndpoints(java.util.List<IpEndpoint> wireGuardCandidates) {
        java.util.List<IpEndpoint> out = new java.util.ArrayList<>();
        for (IpEndpoint e : wireGuardCandidates) {
            IpEndpoint r = new IpEndpoint(e.address(), port);
            if (!out.contains(r)) {
                out.add(r);
            }
        }
        return out;
    }

    @Override
    public void close() {
        udp.close();
    }
}
