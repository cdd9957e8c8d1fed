package io.wirelink.lab;

import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PrivateKey;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throw-away network made of Linux network namespaces, for tests against real wireguard-go, {@code wg} and
 * nftables. Needs root.
 *
 * <pre>
 *   public host "hub"  (ns TOKEN-hub, eth0 203.0.113.10/24) ─┐
 *   public host ...    (203.0.113.11, ...)                   ├─ br0 in ns TOKEN-wan: routes between 203.0.113.1/24
 *   NAT gateway "natA" (ns TOKEN-natA, wan0 198.51.100.2/24) ─┘                        and 198.51.100.1/24
 *        └─ lan0 192.0.2.1/28 ── host "a" (ns TOKEN-a, eth0 192.0.2.2/28, default via 192.0.2.1)
 *   NAT gateway "natB" (wan0 198.51.100.3/24) └─ lan0 192.0.2.17/28 ── host "b" (192.0.2.18/28) ...
 * </pre>
 *
 * <p>The lab is not connected to the host's own namespace at all: the "internet" is a bridge inside the lab's wan
 * namespace, which routes only between its two TEST-NET subnets. Every namespace, wireguard-go interface and UAPI
 * socket carries the per-run token ("wl" and 4 hex digits), so parallel runs do not clash and cleanup touches
 * nothing else. {@link #close()} kills the lab's processes by pid (SIGTERM, then SIGKILL), deletes its namespaces
 * by name in reverse order, removes leftover sockets and the run directory; a JVM shutdown hook does the same if
 * the JVM exits before {@code close()}.
 *
 * <p>Commands run through {@code ip netns exec NS ...} with a bounded timeout; a non-zero exit throws a
 * {@link LabException} carrying stderr.
 */
public final class Lab implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Lab.class);

    /** wireguard-go's and wg's UAPI socket directory; shared by all network namespaces. */
    public static final Path WG_SOCKET_DIR = Path.of("/var/run/wireguard");
    public static final int DEFAULT_LISTEN_PORT = 51820;
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);
    static final String TOKEN_PREFIX = "wl";
    private static final Pattern TOKEN = Pattern.compile("wl[0-9a-f]{4}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,7}");
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_-]{1,15}");
    private static final String WAN_ROUTER_PUBLIC = "203.0.113.1";
    private static final String WAN_ROUTER_NAT = "198.51.100.1";
    private static final long STOP_GRACE_MILLIS = 3000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static volatile String unavailableReason;

    private final String token;
    private final String wanNs;
    private final Path runDir;
    private final Thread shutdownHook;
    private final List<String> namespaces = new ArrayList<>();
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private final Map<String, Nat> nats = new LinkedHashMap<>();
    private final List<LabProcess> processes = new ArrayList<>();
    private final List<WgInterface> interfaces = new ArrayList<>();
    private int nextPublic;
    private int nextNat;
    private int nextVeth;
    private boolean closed;

    private Lab(String token, Path runDir) {
        this.token = token;
        this.wanNs = token + "-wan";
        this.runDir = runDir;
        this.shutdownHook = new Thread(this::closeFromShutdownHook, "lab-" + token + "-cleanup");
    }

    // ---------------------------------------------------------------- availability

    /** Why the lab cannot run on this machine, or empty when it can. Probes once per JVM. */
    public static synchronized Optional<String> unavailableReason() {
        if (unavailableReason == null) {
            unavailableReason = probe();
        }
        return unavailableReason.isEmpty() ? Optional.empty() : Optional.of(unavailableReason);
    }

    private static String probe() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return "network namespaces need Linux";
        }
        if (uid() != 0) {
            return "needs root (network namespaces, nftables, TUN devices); running as uid " + uid();
        }
        for (String tool : List.of("ip", "wireguard-go", "wg", "nft", "ping", "sysctl")) {
            if (which(tool).isEmpty()) {
                return tool + " is not installed (scripts/install-deps installs it)";
            }
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            return "/dev/net/tun is missing (wireguard-go needs TUN)";
        }
        String probeNs = TOKEN_PREFIX + "probe" + HexFormat.of().toHexDigits((short) RANDOM.nextInt());
        ExecResult add = run(List.of("ip", "netns", "add", probeNs), null, COMMAND_TIMEOUT);
        if (!add.ok()) {
            return "'ip netns add' fails: " + add.stderr().strip();
        }
        run(List.of("ip", "netns", "del", probeNs), null, COMMAND_TIMEOUT);
        return "";
    }

    private static int uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).strip().split("\\s+")[1]); // effective uid
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }

    private static Optional<Path> which(String tool) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, tool);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- creation

    /** Creates a lab with a fresh token and its internet (the wan namespace with bridge br0). */
    public static Lab create() {
        String token = freshToken();
        Path runDir;
        try {
            runDir = Files.createTempDirectory("wirelink-lab-" + token + "-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new LabException("cannot create the run directory: " + e.getMessage(), e);
        }
        Lab lab = new Lab(token, runDir);
        Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
        try {
            lab.createWan();
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
        log.info("lab {} created (run dir {})", token, runDir);
        return lab;
    }

    private static String freshToken() {
        for (int attempt = 0; attempt < 50; attempt++) {
            String t = TOKEN_PREFIX + HexFormat.of().toHexDigits((short) RANDOM.nextInt());
            boolean nsClash = listNamespaces().stream().anyMatch(n -> n.startsWith(t));
            boolean sockClash = false;
            if (Files.isDirectory(WG_SOCKET_DIR)) {
                try (Stream<Path> s = Files.list(WG_SOCKET_DIR)) {
                    sockClash = s.anyMatch(p -> p.getFileName().toString().startsWith(t));
                } catch (IOException e) {
                    throw new LabException("cannot list " + WG_SOCKET_DIR + ": " + e.getMessage(), e);
                }
            }
            if (!nsClash && !sockClash) {
                return t;
            }
        }
        throw new LabException("no free lab token after 50 attempts");
    }

    private void createWan() {
        addNamespace(wanNs);
        ip("-n", wanNs, "link", "add", "br0", "type", "bridge");
        ip("-n", wanNs, "addr", "add", WAN_ROUTER_PUBLIC + "/24", "dev", "br0");
        ip("-n", wanNs, "addr", "add", WAN_ROUTER_NAT + "/24", "dev", "br0");
        ip("-n", wanNs, "link", "set", "br0", "up");
        sysctl(wanNs, "net.ipv4.ip_forward=1");
        // the router forwards between two subnets on one bridge: tell nobody to go direct
        sysctl(wanNs, "net.ipv4.conf.all.send_redirects=0");
        sysctl(wanNs, "net.ipv4.conf.br0.send_redirects=0");
        quietBridgeNetfilter(wanNs);
    }

    /** A host with a public address 203.0.113.x on the internet bridge. */
    public synchronized Host publicHost(String name) {
        requireOpen();
        checkName(name);
        if (nextPublic > 200) {
            throw new LabException("too many public hosts");
        }
        InetAddress addr = address("203.0.113." + (10 + nextPublic++));
        String ns = addNamespace(token + "-" + name);
        String port = "p" + nextVeth++;
        ip("-n", wanNs, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
        ip("-n", wanNs, "link", "set", port, "master", "br0", "up");
        ip("-n", ns, "addr", "add", addr.getHostAddress() + "/24", "dev", "eth0");
        ip("-n", ns, "link", "set", "eth0", "up");
        ip("-n", ns, "route", "add", "default", "via", WAN_ROUTER_PUBLIC);
        Host h = new Host(this, name, ns, addr, null);
        hosts.put(name, h);
        return h;
    }

    /**
     * A NAT gateway with WAN address 198.51.100.x and LAN 192.0.2.(16k)/28. Both types masquerade LAN traffic
     * leaving {@code wan0} and, like a home router, drop every packet arriving on {@code wan0} that does not belong
     * to a flow started from inside ({@code ct state new drop} in the input and forward hooks), so that unsolicited
     * packets never create conntrack entries that would steal the mapping hole punching needs.
     */
    public synchronized Nat nat(String name, NatType type) {
        requireOpen();
        checkName(name);
        if (nextNat >= 16) {
            throw new LabException("at most 16 NATs (one /28 of 192.0.2.0/24 each)");
        }
        int k = nextNat++;
        InetAddress wan = address("198.51.100." + (2 + k));
        IpPrefix lan = IpPrefix.parse("192.0.2." + (16 * k) + "/28");
        InetAddress gw = address("192.0.2." + (16 * k + 1));
        String ns = addNamespace(token + "-" + name);
        String port = "p" + nextVeth++;
        ip("-n", wanNs, "link", "add", port, "type", "veth", "peer", "name", "wan0", "netns", ns);
        ip("-n", wanNs, "link", "set", port, "master", "br0", "up");
        ip("-n", ns, "addr", "add", wan.getHostAddress() + "/24", "dev", "wan0");
        ip("-n", ns, "link", "set", "wan0", "up");
        ip("-n", ns, "route", "add", "default", "via", WAN_ROUTER_NAT);
        ip("-n", ns, "link", "add", "lan0", "type", "bridge");
        ip("-n", ns, "addr", "add", gw.getHostAddress() + "/28", "dev", "lan0");
        ip("-n", ns, "link", "set", "lan0", "up");
        sysctl(ns, "net.ipv4.ip_forward=1");
        quietBridgeNetfilter(ns);
        String rules = natRuleset(type);
        Path file = writeFile(name + ".nft", rules);
        exec(ns, "nft", "-f", file.toString());
        Nat nat = new Nat(name, ns, type, wan, lan, gw);
        nats.put(name, nat);
        return nat;
    }

    /**
     * The NAT changes its public address and port, as a home router does when its ISP hands out a new address: a new
     * WAN address (198.51.100.(130+k)), every LAN flow mapped from now on to that address and port {@code port}
     * (one port keeps the mapping endpoint-independent), and every existing mapping forgotten (the conntrack table
     * flushed), so packets to the old mapping are dropped like any unsolicited packet.
     */
    public synchronized InetAddress rebind(Nat nat, int port) {
        requireOpen();
        byte[] old = nat.wanAddress().getAddress();
        InetAddress fresh = address("198.51.100." + (130 + (old[3] & 0xff) % 100));
        exec(nat.ns(), "ip", "addr", "add", fresh.getHostAddress() + "/24", "dev", "wan0");
        exec(nat.ns(), "nft", "flush", "chain", "inet", "wlnat", "postrouting");
        exec(nat.ns(), "nft", "add", "rule", "inet", "wlnat", "postrouting", "oifname", "wan0", "meta", "l4proto",
                "udp", "counter", "snat", "ip", "to", fresh.getHostAddress() + ":" + port);
        exec(nat.ns(), "nft", "add", "rule", "inet", "wlnat", "postrouting", "oifname", "wan0", "counter", "snat",
                "ip", "to", fresh.getHostAddress());
        exec(nat.ns(), "conntrack", "-F");
        nat.rebound(fresh);
        return fresh;
    }

    /** The nftables ruleset a lab NAT gateway loads. */
    public static String natRuleset(NatType type) {
        return """
                table inet wlnat {
                  chain prerouting {
                    type nat hook prerouting priority dstnat; policy accept;
                  }
                  chain postrouting {
                    type nat hook postrouting priority srcnat; policy accept;
                    oifname "wan0" counter %s
                  }
                  chain input {
                    type filter hook input priority filter; policy accept;
                    iifname "wan0" ct state established,related counter accept
                    iifname "wan0" ct state new counter drop
                    iifname "wan0" ct state invalid counter drop
                  }
                  chain forward {
                    type filter hook forward priority filter; policy accept;
                    iifname "wan0" ct state established,related counter accept
                    iifname "wan0" ct state new counter drop
                    iifname "wan0" ct state invalid counter drop
                  }
                }
                """.formatted(type.nftStatement());
    }

    /**
     * How many packets {@code nat} has dropped on its WAN side because they belonged to no flow started from inside
     * (the {@code ct state new drop} rules' counters): evidence that a peer's unsolicited packets did arrive.
     */
    public long unsolicitedDrops(Nat nat) {
        ExecResult r = exec(nat.ns(), "nft", "list", "table", "inet", "wlnat");
        long sum = 0;
        java.util.regex.Matcher m = Pattern.compile("ct state new counter packets (\\d+)").matcher(r.stdout());
        while (m.find()) {
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }

    /** A host on {@code nat}'s LAN (192.0.2.x/28) whose default route is the gateway. */
    public synchronized Host hostBehind(Nat nat, String name) {
        requireOpen();
        checkName(name);
        if (nats.get(nat.name()) != nat) {
            throw new IllegalArgumentException(nat + " is not part of lab " + token);
        }
        if (nat.nextHost >= 13) {
            throw new LabException("at most 13 hosts behind one NAT");
        }
        byte[] base = nat.lan().address().getAddress();
        int j = nat.nextHost++;
        InetAddress addr = address("192.0.2." + ((base[3] & 0xff) + 2 + j));
        String ns = addNamespace(token + "-" + name);
        String port = "h" + nextVeth++;
        ip("-n", nat.ns(), "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
        ip("-n", nat.ns(), "link", "set", port, "master", "lan0", "up");
        ip("-n", ns, "addr", "add", addr.getHostAddress() + "/28", "dev", "eth0");
        ip("-n", ns, "link", "set", "eth0", "up");
        ip("-n", ns, "route", "add", "default", "via", nat.lanGateway().getHostAddress());
        Host h = new Host(this, name, ns, addr, nat);
        hosts.put(name, h);
        return h;
    }

    private String addNamespace(String ns) {
        ip("netns", "add", ns);
        namespaces.add(ns);
        ip("-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    private void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("lab names are a letter and up to 7 letters or digits, not '" + name
                    + "' (they become namespace and interface names)");
        }
        if (name.equals("wan") || hosts.containsKey(name) || nats.containsKey(name)) {
            throw new IllegalArgumentException("name '" + name + "' is already used in lab " + token);
        }
    }

    private void sysctl(String ns, String setting) {
        exec(ns, "sysctl", "-q", "-w", setting);
    }

    /** If br_netfilter is loaded, keep bridged frames out of this namespace's IP hooks (a plain switch). */
    private void quietBridgeNetfilter(String ns) {
        for (String s : List.of("net.bridge.bridge-nf-call-iptables=0", "net.bridge.bridge-nf-call-ip6tables=0")) {
            tryExec(ns, COMMAND_TIMEOUT, "sysctl", "-q", "-w", s);
        }
    }

    private static InetAddress address(String literal) {
        return LabAddresses.parseAllowed(literal);
    }

    // ---------------------------------------------------------------- wireguard-go

    /** A wireguard-go interface named {@link #ifname(String) ifname(host.name())} on port 51820. */
    public WgInterface startWireGuard(Host host) {
        return startWireGuard(host, ifname(host.name()), DEFAULT_LISTEN_PORT);
    }

    public WgInterface startWireGuard(Host host, String ifname) {
        return startWireGuard(host, ifname, DEFAULT_LISTEN_PORT);
    }

    /**
     * Starts {@code wireguard-go -f IFNAME} in {@code host}'s namespace, waits for its UAPI socket, gives it a
     * fresh private key (from a 0600 key file, through {@code wg set}) and the listen port, and sets the link up.
     *
     * @param ifname at most 15 characters and starting with {@link #token()}, because the UAPI socket directory
     *     is shared by every namespace and every concurrent lab run
     */
    public synchronized WgInterface startWireGuard(Host host, String ifname, int listenPort) {
        return start(host, ifname, listenPort, true);
    }

    /**
     * Like {@link #startWireGuard(Host, String, int)} but leaves the device bare (no private key, a random listen
     * port): for tests of another configuration backend, which should set {@link WgInterface#privateKey()} and
     * {@link WgInterface#listenPort()} itself. The link is up.
     */
    public synchronized WgInterface startWireGuardUnconfigured(Host host, String ifname, int listenPort) {
        return start(host, ifname, listenPort, false);
    }

    /**
     * What {@code systemctl restart wg-quick@wg0} does to a running interface: wireguard-go is killed (the interface
     * and every peer on it vanish) and started again under the same name with only its private key, listen port and
     * overlay addresses; the caller then sets the peers wg-quick would. The returned interface replaces {@code wg}.
     */
    public synchronized WgInterface restartWireGuard(WgInterface wg) {
        requireOpen();
        wg.process().stop(0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(wg.socket()) || linkExists(wg.host(), wg.name())) {
            if (System.nanoTime() > deadline) {
                throw new LabException(wg.name() + " still exists 10 s after wireguard-go was killed");
            }
            pause(20);
        }
        interfaces.remove(wg);
        WgInterface again = start(wg.host(), wg.name(), wg.listenPort(), wg.privateKey());
        for (String cidr : wg.addresses()) {
            again.addAddress(cidr);
        }
        return again;
    }

    private boolean linkExists(Host host, String ifname) {
        return tryExec(host.ns(), COMMAND_TIMEOUT, "ip", "link", "show", "dev", ifname).exitCode() == 0;
    }

    private WgInterface start(Host host, String ifname, int listenPort, boolean configure) {
        return start(host, ifname, listenPort, configure ? PrivateKey.generate(RANDOM) : null);
    }

    /** @param key the interface's private key, or null to leave the device bare */
    private WgInterface start(Host host, String ifname, int listenPort, PrivateKey key) {
        boolean configure = key != null;
        requireOpen();
        if (hosts.get(host.name()) != host) {
            throw new IllegalArgumentException(host + " is not part of lab " + token);
        }
        if (!IFNAME.matcher(ifname).matches() || !ifname.startsWith(token)) {
            throw new IllegalArgumentException("wireguard interface name '" + ifname + "' must be at most 15 of "
                    + "[A-Za-z0-9_-] and start with the run token " + token);
        }
        Path socket = WG_SOCKET_DIR.resolve(ifname + ".sock");
        if (Files.exists(socket)) {
            throw new LabException(socket + " already exists: interface name " + ifname + " is taken");
        }
        LabProcess p = spawn(host, "wireguard-go " + ifname, Map.of("LOG_LEVEL", System.getProperty("lab.wgLogLevel",
                "error")), "wireguard-go", "-f", ifname);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(socket)) {
            if (!p.isAlive()) {
                throw new LabException("wireguard-go for " + ifname + " in " + host.ns() + " exited: " + p.logTail(2000));
            }
            if (System.nanoTime() > deadline) {
                throw new LabException("wireguard-go for " + ifname + " made no socket in 10 s: " + p.logTail(2000));
            }
            pause(20);
        }
        PrivateKey k = configure ? key : PrivateKey.generate(RANDOM);
        Path keyFile = writeSecret(ifname + ".key", k.toBase64() + "\n");
        WgInterface wg = new WgInterface(this, host, ifname, p, k, keyFile, listenPort);
        interfaces.add(wg);
        if (configure) {
            exec(host.ns(), "wg", "set", ifname, "private-key", keyFile.toString(), "listen-port",
                    Integer.toString(listenPort));
        }
        exec(host.ns(), "ip", "link", "set", ifname, "up");
        return wg;
    }

    /** An interface name for this run: the token, '-', and {@code suffix} (at most 8 characters). */
    public String ifname(String suffix) {
        String n = token + "-" + suffix;
        if (n.length() > 15) {
            throw new IllegalArgumentException("interface suffix '" + suffix + "' is too long (max 8)");
        }
        return n;
    }

    /**
     * Starts a long-running command in {@code host}'s namespace, its output going to a log file in the run
     * directory; it is stopped (by pid) on {@link #close()}.
     */
    public synchronized LabProcess spawn(Host host, String label, Map<String, String> env, String... command) {
        return spawnIn(host.ns(), label, env, command);
    }

    private synchronized LabProcess spawnIn(String ns, String label, Map<String, String> env, String... command) {
        requireOpen();
        requireLabNamespace(ns);
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(List.of(command));
        Path logFile = runDir.resolve(label.replaceAll("[^A-Za-z0-9_.-]", "_") + "." + processes.size() + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile());
        pb.environment().putAll(env);
        try {
            LabProcess p = new LabProcess(label, ns, cmd, pb.start(), logFile);
            processes.add(p);
            log.debug("started {}", p);
            return p;
        } catch (IOException e) {
            throw new LabException("cannot start " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- tcpdump

    /** Why tcpdump cannot run here (it is not installed), or empty. */
    public static Optional<String> tcpdumpUnavailableReason() {
        return which("tcpdump").isPresent() ? Optional.empty()
                : Optional.of("tcpdump is not installed (scripts/install-deps installs it)");
    }

    /**
     * Starts {@code tcpdump -i IFACE --immediate-mode -U -w FILE FILTER} in {@code host}'s namespace (by pid,
     * stopped on {@link #close()}; stop it earlier with {@link LabProcess#stop} to read a complete file). Immediate
     * mode hands every packet to tcpdump as it arrives and {@code -U} writes it at once: without them the last
     * second's packets wait in the kernel's ring buffer and are lost when SIGTERM ends the capture. Keeps root
     * ({@code -Z root}) so it can write into the run directory. Returns once tcpdump says it is listening, so
     * nothing sent after this returns is missed.
     *
     * @param file a pcap file, normally in {@link #runDir()}
     * @param filter a pcap filter expression, e.g. {@code udp port 51823}
     */
    public synchronized LabProcess startCapture(Host host, String iface, Path file, String filter) {
        requireOpen();
        if (hosts.get(host.name()) != host) {
            throw new IllegalArgumentException(host + " is not part of lab " + token);
        }
        tcpdumpUnavailableReason().ifPresent(r -> {
            throw new LabException(r);
        });
        List<String> cmd = new ArrayList<>(List.of("tcpdump", "-i", iface, "-n", "--immediate-mode", "-U", "-Z", "root", "-w",
                file.toString()));
        cmd.addAll(List.of(filter.strip().split("\\s+")));
        LabProcess p = spawn(host, "tcpdump " + host.name() + " " + file.getFileName(), Map.of(),
                cmd.toArray(new String[0]));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!p.logTail(4096).contains("listening on")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.stop(STOP_GRACE_MILLIS);
                throw new LabException("tcpdump in " + host.ns() + " did not start: " + p.logTail(2000));
            }
            pause(20);
        }
        return p;
    }

    // ---------------------------------------------------------------- miniupnpd

    /** The STUN responder's address and port (the wan router's public address, in the wan namespace). */
    static final String STUN_ADDRESS = WAN_ROUTER_PUBLIC;
    static final int STUN_PORT = 3478;
    private LabProcess stun;

    /** Why miniupnpd cannot run here (it is not installed), or empty. */
    public static Optional<String> miniupnpdUnavailableReason() {
        return which("miniupnpd").isPresent() ? Optional.empty()
                : Optional.of("miniupnpd is not installed (scripts/install-deps installs it)");
    }

    /**
     * The miniupnpd configuration for {@code nat}: WAN {@code wan0}, LAN {@code lan0}, NAT-PMP and PCP (one switch
     * in 2.3) and UPnP-IGD, secure mode, mappings only for the NAT's own LAN, the nftables backend in the lab's
     * {@code inet wlnat} table, and STUN against the lab's responder (see {@link StunResponder}).
     */
    public String miniupnpdConfig(Nat nat, Duration minLifetime) {
        return """
                ext_ifname=wan0
                listening_ip=lan0
                http_port=0
                enable_natpmp=yes
                enable_upnp=yes
                secure_mode=yes
                system_uptime=yes
                min_lifetime=%d
                max_lifetime=86400
                ext_perform_stun=yes
                ext_stun_host=%s
                ext_stun_port=%d
                upnp_table_name=wlnat
                upnp_nat_table_name=wlnat
                upnp_forward_chain=miniupnpd
                upnp_nat_chain=prerouting_miniupnpd
                upnp_nat_postrouting_chain=postrouting_miniupnpd
                uuid=%s
                lease_file=%s
                allow 1024-65535 %s 1024-65535
                deny 0-65535 0.0.0.0/0 0-65535
                """.formatted(minLifetime.toSeconds(), STUN_ADDRESS, STUN_PORT,
                java.util.UUID.nameUUIDFromBytes((token + nat.name()).getBytes(StandardCharsets.UTF_8)),
                runDir.resolve("miniupnpd-" + nat.name() + ".leases"), nat.lan());
    }

    /**
     * Runs miniupnpd (in the foreground, by pid, stopped on {@link #close()}) on {@code nat}'s gateway, so hosts
     * behind it can map ports with PCP, NAT-PMP and UPnP-IGD. Adds miniupnpd's chains to the NAT's {@code wlnat}
     * table (forward: {@code miniupnpd}, where it accepts the DNATed flows before {@code ct state new drop};
     * prerouting: {@code prerouting_miniupnpd}, its DNAT rules; postrouting: {@code postrouting_miniupnpd}) and
     * keeps the gateway's own traffic out of the masquerade (so miniupnpd's STUN check sees its ports kept). Starts
     * the lab's STUN responder first if it is not running. Returns once miniupnpd listens with port forwarding
     * enabled.
     *
     * @param minLifetime the shortest lifetime miniupnpd grants PCP mappings (lets tests renew quickly)
     */
    public synchronized LabProcess startMiniupnpd(Nat nat, Duration minLifetime) {
        requireOpen();
        if (nats.get(nat.name()) != nat) {
            throw new IllegalArgumentException(nat + " is not part of lab " + token);
        }
        miniupnpdUnavailableReason().ifPresent(r -> {
            throw new LabException(r);
        });
        startStun();
        String wan = nat.wanAddress().getHostAddress();
        String chains = """
                add chain inet wlnat miniupnpd
                add chain inet wlnat prerouting_miniupnpd
                add chain inet wlnat postrouting_miniupnpd
                insert rule inet wlnat forward iifname "wan0" jump miniupnpd
                add rule inet wlnat prerouting iifname "wan0" jump prerouting_miniupnpd
                insert rule inet wlnat postrouting oifname "wan0" ip saddr %s accept
                insert rule inet wlnat postrouting oifname "wan0" jump postrouting_miniupnpd
                """.formatted(wan);
        exec(nat.ns(), "nft", "-f", writeFile(nat.name() + "-miniupnpd.nft", chains).toString());
        Path conf = writeFile("miniupnpd-" + nat.name() + ".conf", miniupnpdConfig(nat, minLifetime));
        LabProcess p = spawnIn(nat.ns(), "miniupnpd " + nat.name(), Map.of(), "miniupnpd", "-d", "-f",
                conf.toString(), "-P", runDir.resolve("miniupnpd-" + nat.name() + ".pid").toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            String out = p.logTail(1 << 20);
            if (out.contains("Port forwarding is now enabled") && out.contains("Listening for NAT-PMP/PCP")) {
                return p;
            }
            if (!p.isAlive() || System.nanoTime() > deadline || out.contains("Port forwarding is now disabled")) {
                throw new LabException("miniupnpd on " + nat + " did not start with port forwarding enabled: "
                        + p.logTail(3000));
            }
            pause(50);
        }
    }

    private void startStun() {
        if (stun != null && stun.isAlive()) {
            return;
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp;
        try {
            cp = Path.of(StunResponder.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new LabException("cannot locate the lab's classes: " + e.getMessage(), e);
        }
        stun = spawnIn(wanNs, "stun", Map.of(), java, "-Xmx32m", "-XX:TieredStopAtLevel=1", "-cp", cp,
                StunResponder.class.getName(), STUN_ADDRESS, Integer.toString(STUN_PORT));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!stun.logTail(4096).contains("ready")) {
            if (!stun.isAlive() || System.nanoTime() > deadline) {
                throw new LabException("the STUN responder did not start: " + stun.logTail(2000));
            }
            pause(20);
        }
    }

    // ---------------------------------------------------------------- commands

    /** Runs {@code command} inside namespace {@code ns} with {@link #COMMAND_TIMEOUT}; throws when it fails. */
    public ExecResult exec(String ns, String... command) {
        return tryExec(ns, COMMAND_TIMEOUT, command).check();
    }

    public ExecResult exec(Host host, String... command) {
        return exec(host.ns(), command);
    }

    /**
     * Runs {@code command} inside namespace {@code ns} and returns how it ended. Throws only when it cannot be
     * started, times out (it is then killed) or the thread is interrupted.
     */
    public ExecResult tryExec(String ns, Duration timeout, String... command) {
        requireLabNamespace(ns);
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(List.of(command));
        return run(cmd, null, timeout);
    }

    private void requireLabNamespace(String ns) {
        synchronized (this) {
            if (!namespaces.contains(ns)) {
                throw new IllegalArgumentException("'" + ns + "' is not a namespace of lab " + token);
            }
        }
    }

    private ExecResult ip(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        return run(cmd, null, COMMAND_TIMEOUT).check();
    }

    /**
     * Pings {@code address} (an allowed lab address) from {@code from}: true when {@code count} replies arrive
     * before {@code deadline} (at least 1 s).
     */
    public boolean ping(Host from, String address, int count, Duration deadline) {
        return ping(from, address, count, deadline, null);
    }

    /**
     * Like {@link #ping(Host, String, int, Duration)}, with the echo data filled with {@code patternHex} (ping's
     * {@code -p}: up to 16 bytes as hex digits, repeated), e.g. a marker to look for in a capture.
     */
    public boolean ping(Host from, String address, int count, Duration deadline, String patternHex) {
        InetAddress a = LabAddresses.parseAllowed(address);
        long secs = Math.max(1, (deadline.toMillis() + 999) / 1000);
        List<String> cmd = new ArrayList<>(List.of("ping", "-n", "-q", "-c", Integer.toString(count), "-i", "0.2",
                "-W", "1", "-w", Long.toString(secs)));
        if (patternHex != null) {
            if (!patternHex.matches("([0-9a-fA-F]{2}){1,16}")) {
                throw new IllegalArgumentException("a ping pattern is 1-16 bytes in hex, not '" + patternHex + "'");
            }
            cmd.addAll(List.of("-p", patternHex));
        }
        cmd.add(a.getHostAddress());
        return tryExec(from.ns(), Duration.ofSeconds(secs + 5), cmd.toArray(new String[0])).ok();
    }

    /** Runs a command (not in a namespace) with a bounded timeout and captures its output. */
    static ExecResult run(List<String> cmd, byte[] stdin, Duration timeout) {
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new LabException("cannot start " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        }
        Collector out = new Collector(p.getInputStream());
        Collector err = new Collector(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        } catch (IOException e) {
            // the command did not read its input; its exit status will tell
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(2, TimeUnit.SECONDS);
                throw new LabException(String.join(" ", cmd) + " timed out after " + timeout + " and was killed"
                        + "; stderr: " + err.text(500).strip());
            }
            out.join(2000);
            err.join(2000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LabException(String.join(" ", cmd) + " interrupted", e);
        }
        return new ExecResult(cmd, p.exitValue(), out.text(1 << 20), err.text(1 << 20));
    }

    /** Drains a process stream on its own daemon thread, so that a full pipe never blocks the command. */
    private static final class Collector extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        Collector(InputStream in) {
            super("lab-exec-reader");
            this.in = in;
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            byte[] b = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(b)) >= 0) {
                    synchronized (buf) {
                        buf.write(b, 0, n);
                    }
                }
            } catch (IOException e) {
                // stream closed
            }
        }

        String text(int max) {
            synchronized (buf) {
                String s = buf.toString(StandardCharsets.UTF_8);
                return s.length() <= max ? s : s.substring(0, max) + "...";
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }

    // ---------------------------------------------------------------- files

    Path writeSecret(String fileName, String content) {
        return writeFile(fileName, content);
    }

    /** Writes a 0600 file in the run directory (replacing an older one of that name). */
    synchronized Path writeFile(String fileName, String content) {
        Path f = runDir.resolve(fileName);
        try {
            Files.deleteIfExists(f);
            Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(f, content, StandardCharsets.UTF_8);
            return f;
        } catch (IOException e) {
            throw new LabException("cannot write " + f + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- introspection

    /** "wl" and 4 hex digits; every namespace, wireguard interface and socket of this run starts with it. */
    public String token() {
        return token;
    }

    public Path runDir() {
        return runDir;
    }

    public String wanNamespace() {
        return wanNs;
    }

    /** The namespaces this lab made, in creation order. */
    public synchronized List<String> namespaces() {
        return List.copyOf(namespaces);
    }

    public synchronized List<Host> hosts() {
        return List.copyOf(hosts.values());
    }

    public synchronized List<Nat> nats() {
        return List.copyOf(nats.values());
    }

    public synchronized List<LabProcess> processes() {
        return List.copyOf(processes);
    }

    public synchronized List<WgInterface> wireGuardInterfaces() {
        return List.copyOf(interfaces);
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** All network namespaces on the machine (names only), from {@code ip netns list}. */
    public static List<String> listNamespaces() {
        ExecResult r = run(List.of("ip", "netns", "list"), null, COMMAND_TIMEOUT).check();
        List<String> names = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            String s = line.strip();
            if (!s.isEmpty()) {
                int sp = s.indexOf(' ');
                names.add(sp < 0 ? s : s.substring(0, sp));
            }
        }
        return names;
    }

    /** The namespaces on the machine whose name starts with {@code prefix}. */
    public static List<String> listNamespaces(String prefix) {
        return listNamespaces().stream().filter(n -> n.startsWith(prefix)).toList();
    }

    /**
     * What each namespace looks like now (addresses, routes, NAT rules with counters, wireguard peers, process
     * logs), for a failing test's report. Never throws.
     */
    public synchronized String diagnostics() {
        StringBuilder sb = new StringBuilder("lab ").append(token).append(closed ? " (closed)" : "").append('\n');
        if (closed) {
            return sb.toString();
        }
        for (String ns : namespaces) {
            sb.append("== ").append(ns).append('\n');
            appendQuietly(sb, ns, "ip", "-br", "addr");
            appendQuietly(sb, ns, "ip", "route");
        }
        for (Nat nat : nats.values()) {
            sb.append("== nft ").append(nat).append('\n');
            appendQuietly(sb, nat.ns(), "nft", "list", "ruleset");
        }
        for (WgInterface wg : interfaces) {
            sb.append("== ").append(wg).append(wg.process().isAlive() ? "" : " (process exited)").append('\n');
            appendQuietly(sb, wg.host().ns(), "wg", "show", wg.name());
        }
        for (LabProcess p : processes) {
            sb.append("== log of ").append(p).append('\n').append(p.logTail(2000)).append('\n');
        }
        return sb.toString();
    }

    private void appendQuietly(StringBuilder sb, String ns, String... cmd) {
        try {
            ExecResult r = tryExec(ns, Duration.ofSeconds(5), cmd);
            sb.append(r.stdout()).append(r.stderr());
        } catch (RuntimeException e) {
            sb.append("(").append(String.join(" ", cmd)).append(": ").append(e.getMessage()).append(")\n");
        }
    }

    private synchronized void requireOpen() {
        if (closed) {
            throw new LabException("lab " + token + " is closed");
        }
    }

    // ---------------------------------------------------------------- teardown

    /**
     * Tears the lab down in reverse order: stops every process it started by pid (SIGTERM, then SIGKILL), kills
     * anything still running inside its namespaces, deletes its namespaces by name (which removes their veths,
     * bridges and rules), removes UAPI sockets left by killed wireguard-go processes and the run directory.
     * Idempotent; never throws; also runs from a JVM shutdown hook if never called.
     */
    @Override
    public void close() {
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down; the hook is running or will run, and closing twice is harmless
            }
        }
        teardown();
    }

    private void closeFromShutdownHook() {
        log.warn("lab {} was not closed; cleaning up from the shutdown hook", token);
        teardown();
    }

    private synchronized void teardown() {
        if (closed) {
            return;
        }
        closed = true;
        boolean interrupted = Thread.interrupted(); // finish cleaning even when interrupted
        List<LabProcess> procs = new ArrayList<>(processes);
        Collections.reverse(procs);
        for (LabProcess p : procs) {
            p.stop(STOP_GRACE_MILLIS);
            interrupted |= Thread.interrupted();
        }
        List<String> nss = new ArrayList<>(namespaces);
        Collections.reverse(nss);
        for (String ns : nss) {
            killStragglers(ns);
            try {
                ExecResult r = run(List.of("ip", "netns", "del", ns), null, COMMAND_TIMEOUT);
                if (!r.ok()) {
                    log.error("lab {}: ip netns del {} failed: {}", token, ns, r.stderr().strip());
                }
            } catch (RuntimeException e) {
                log.error("lab {}: ip netns del {} failed", token, ns, e);
            }
            interrupted |= Thread.interrupted();
        }
        removeSockets();
        deleteRunDir();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        log.info("lab {} closed", token);
    }

    /** SIGKILLs, by pid, any process still inside one of the lab's own namespaces (e.g. a timed-out command). */
    private void killStragglers(String ns) {
        try {
            ExecResult r = run(List.of("ip", "netns", "pids", ns), null, COMMAND_TIMEOUT);
            for (String line : r.stdout().split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                long pid = Long.parseLong(line.strip());
                ProcessHandle.of(pid).ifPresent(h -> {
                    log.warn("lab {}: killing pid {} left in {}: {}", token, pid, ns, h.info().commandLine().orElse("?"));
                    h.destroyForcibly();
                    try {
                        h.onExit().get(2, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        log.error("lab {}: pid {} in {} did not exit", token, pid, ns);
                    }
                });
            }
        } catch (RuntimeException e) {
            log.error("lab {}: cannot list the processes in {}", token, ns, e);
        }
    }

    private void removeSockets() {
        if (!Files.isDirectory(WG_SOCKET_DIR)) {
            return;
        }
        try (Stream<Path> s = Files.list(WG_SOCKET_DIR)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(token)).toList()) {
                log.warn("lab {}: removing leftover socket {}", token, p);
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.error("lab {}: cannot clean {}", token, WG_SOCKET_DIR, e);
        }
    }

    private void deleteRunDir() {
        if (Boolean.getBoolean("lab.keep")) {
            log.info("lab {}: keeping {} (-Dlab.keep)", token, runDir);
            return;
        }
        try (Stream<Path> s = Files.walk(runDir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.error("lab {}: cannot delete {}", token, runDir, e);
        }
    }

    /** True for a lab token ("wl" and 4 lower-case hex digits). */
    public static boolean isToken(String s) {
        return TOKEN.matcher(s).matches();
    }

    @Override
    public String toString() {
        return "Lab[" + token + ", " + hosts.size() + " hosts, " + nats.size() + " NATs]";
    }
}
