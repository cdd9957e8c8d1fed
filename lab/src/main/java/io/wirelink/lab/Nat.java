package io.wirelink.lab;

import io.wirelink.facts.IpPrefix;
import java.net.InetAddress;

/**
 * A NAT gateway: a namespace with {@code wan0} on the internet bridge (198.51.100.x) and a LAN bridge {@code lan0}
 * (a /28 of 192.0.2.0/24), translating with nftables and dropping unsolicited inbound packets as a home router
 * does.
 */
public final class Nat {
    private final String name;
    private final String ns;
    private final NatType type;
    private volatile InetAddress wanAddress;
    private final IpPrefix lan;
    private final InetAddress lanGateway;
    int nextHost;

    Nat(String name, String ns, NatType type, InetAddress wanAddress, IpPrefix lan, InetAddress lanGateway) {
        this.name = name;
        this.ns = ns;
        this.type = type;
        this.wanAddress = wanAddress;
        this.lan = lan;
        this.lanGateway = lanGateway;
    }

    public String name() {
        return name;
    }

    public String ns() {
        return ns;
    }

    public NatType type() {
        return type;
    }

    /** The address the internet sees for every host behind this NAT (the new one after {@link Lab#rebind}). */
    public InetAddress wanAddress() {
        return wanAddress;
    }

    void rebound(InetAddress address) {
        this.wanAddress = address;
    }

    /** The LAN subnet, e.g. 192.0.2.16/28. */
    public IpPrefix lan() {
        return lan;
    }

    /** The gateway's address on the LAN (the hosts' default route). */
    public InetAddress lanGateway() {
        return lanGateway;
    }

    @Override
    public String toString() {
        return name + "[" + ns + " " + type + " wan " + wanAddress.getHostAddress() + " lan " + lan + "]";
    }
}
