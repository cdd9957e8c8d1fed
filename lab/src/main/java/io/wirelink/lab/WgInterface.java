package io.wirelink.lab;

import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A wireguard-go interface in a lab host, configured through the real {@code wg} tool. Its private key lives in a
 * 0600 file in the run directory; {@code wg} reads it from there.
 */
public final class WgInterface {
    private final Lab lab;
    private final Host host;
    private final String name;
    private final LabProcess process;
    private final PrivateKey privateKey;
    private final Path keyFile;
    private final int listenPort;
    /** The overlay addresses added, so that a restart can add them again. */
    private final List<String> addresses = new java.util.concurrent.CopyOnWriteArrayList<>();

    WgInterface(Lab lab, Host host, String name, LabProcess process, PrivateKey privateKey, Path keyFile,
            int listenPort) {
        this.lab = lab;
        this.host = host;
        this.name = name;
        this.process = process;
        this.privateKey = privateKey;
        this.keyFile = keyFile;
        this.listenPort = listenPort;
    }

    /** The overlay addresses given with {@link #addAddress}, in order. */
    public List<String> addresses() {
        return List.copyOf(addresses);
    }

    public String name() {
        return name;
    }

    public Host host() {
        return host;
    }

    /** The wireguard-go process serving this interface. */
    public LabProcess process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /** The UAPI socket wireguard-go serves, {@code /var/run/wireguard/NAME.sock}. */
    public Path socket() {
        return Lab.WG_SOCKET_DIR.resolve(name + ".sock");
    }

    public PublicKey publicKey() {
        return privateKey.publicKey();
    }

    /** For backends under test that must set the same key; never log it. */
    public PrivateKey privateKey() {
        return privateKey;
    }

    public int listenPort() {
        return listenPort;
    }

    /** The host's own underlay address and the listen port: reachable as is only for a public host. */
    public IpEndpoint underlayEndpoint() {
        return new IpEndpoint(host.address(), listenPort);
    }

    /** Runs {@code wg ARGS...} in the host's namespace and throws if it fails. */
    public ExecResult wg(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("wg");
        cmd.addAll(List.of(args));
        return lab.exec(host.ns(), cmd.toArray(String[]::new));
    }

    /** Adds an overlay address ({@code 198.18.x.y/len} or {@code fdXX::/len}) to this interface. */
    public WgInterface addAddress(String cidr) {
        IpPrefix p = LabAddresses.requireAllowed(IpPrefix.parse(cidr));
        if (p.isIpv4()) {
            lab.exec(host.ns(), "ip", "addr", "add", p.toString(), "dev", name);
        } else {
            lab.exec(host.ns(), "ip", "-6", "addr", "add", p.toString(), "dev", name, "nodad");
        }
        addresses.add(cidr);
        return this;
    }

    /**
     * {@code wg set IF peer KEY [endpoint E] [persistent-keepalive N] [allowed-ips A,B]}.
     *
     * @param endpoint null: leave as is
     * @param keepaliveSeconds null: leave as is; 0: off
     * @param allowedIps empty: leave as is; otherwise they replace the peer's allowed IPs
     */
    public WgInterface setPeer(PublicKey peer, IpEndpoint endpoint, Integer keepaliveSeconds, String... allowedIps) {
        List<String> args = new ArrayList<>(List.of("set", name, "peer", peer.toBase64()));
        if (endpoint != null) {
            LabAddresses.requireAllowed(endpoint);
            args.add("endpoint");
            args.add(endpoint.toString());
        }
        if (keepaliveSeconds != null) {
            args.add("persistent-keepalive");
            args.add(keepaliveSeconds == 0 ? "off" : Integer.toString(keepaliveSeconds));
        }
        if (allowedIps.length > 0) {
            List<String> ips = new ArrayList<>();
            for (String a : allowedIps) {
                ips.add(LabAddresses.requireAllowed(IpPrefix.parse(a)).toString());
            }
            args.add("allowed-ips");
            args.add(String.join(",", ips));
        }
        wg(args.toArray(String[]::new));
        return this;
    }

    /** {@link #setPeer(PublicKey, IpEndpoint, Integer, String...)} for another lab interface. */
    public WgInterface setPeer(WgInterface peer, IpEndpoint endpoint, Integer keepaliveSeconds, String... allowedIps) {
        return setPeer(peer.publicKey(), endpoint, keepaliveSeconds, allowedIps);
    }

    public WgInterface removePeer(PublicKey peer) {
        wg("set", name, "peer", peer.toBase64(), "remove");
        return this;
    }

    /**
     * {@code wg setconf}: replaces the whole configuration with this interface's key and listen port plus
     * {@code peerSections} (zero or more {@code [Peer]} sections in wg-quick's syntax, without {@code Address}).
     */
    public WgInterface setConf(String peerSections) {
        String conf = "[Interface]\nPrivateKey = " + privateKey.toBase64() + "\nListenPort = " + listenPort + "\n\n"
                + peerSections;
        Path file = lab.writeSecret(name + ".conf", conf);
        wg("setconf", name, file.toString());
        return this;
    }

    /** {@code wg show IF dump}, parsed. */
    public DeviceState dump() {
        return WgDump.parse(name, wg("show", name, "dump").stdout());
    }

    public Optional<PeerState> peer(PublicKey key) {
        return Optional.ofNullable(dump().peer(key));
    }

    /** The peer's latest handshake, {@link Instant#EPOCH} when none (or when the peer is not configured). */
    public Instant latestHandshake(PublicKey key) {
        return peer(key).map(PeerState::lastHandshake).orElse(Instant.EPOCH);
    }

    public boolean hasHandshakeWith(WgInterface other) {
        return latestHandshake(other.publicKey()).isAfter(Instant.EPOCH);
    }

    /** The peer's endpoint as this interface currently knows it (for a roaming peer: where it last came from). */
    public Optional<IpEndpoint> endpointOf(PublicKey key) {
        return peer(key).map(PeerState::endpoint);
    }

    Path keyFile() {
        return keyFile;
    }

    @Override
    public String toString() {
        return name + "@" + host.name() + "[pid " + pid() + ", port " + listenPort + "]";
    }
}
