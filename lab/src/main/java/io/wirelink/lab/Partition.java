package io.wirelink.lab;

import java.net.InetAddress;

/**
 * All traffic between a lab host and one underlay address dropped, both ways, in the host's namespace (an nftables
 * table of its own, so nothing else in the namespace changes): what a broken link or a firewall mistake does. Closing
 * it heals the link; the lab's close removes the namespace and the table with it if a test never heals.
 */
public final class Partition implements AutoCloseable {
    private final Lab lab;
    private final Host host;
    private boolean healed;

    private Partition(Lab lab, Host host) {
        this.lab = lab;
        this.host = host;
    }

    /** Drops every packet between {@code host} and {@code other} from now on. */
    public static Partition between(Lab lab, Host host, InetAddress other) {
        String a = other.getHostAddress();
        lab.exec(host, "nft", "add", "table", "inet", "wlfault");
        lab.exec(host, "nft", "add", "chain", "inet", "wlfault", "in",
                "{ type filter hook input priority -10; policy accept; }");
        lab.exec(host, "nft", "add", "chain", "inet", "wlfault", "out",
                "{ type filter hook output priority -10; policy accept; }");
        lab.exec(host, "nft", "add", "rule", "inet", "wlfault", "in", "ip", "saddr", a, "counter", "drop");
        lab.exec(host, "nft", "add", "rule", "inet", "wlfault", "out", "ip", "daddr", a, "counter", "drop");
        return new Partition(lab, host);
    }

    /** Packets dropped so far, both ways. */
    public long dropped() {
        String out = lab.exec(host, "nft", "list", "table", "inet", "wlfault").stdout();
        long sum = 0;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("packets (\\d+)").matcher(out);
        while (m.find()) {
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }

    /** Heals the link. Idempotent. */
    @Override
    public void close() {
        if (!healed) {
            healed = true;
            lab.exec(host, "nft", "delete", "table", "inet", "wlfault");
        }
    }
}
