package io.wirelink.lab;

import java.util.List;

/**
 * The standard mesh of the demo and the agent's lab tests: a public hub and three leaves, {@code a} and {@code b}
 * behind cone NATs and {@code c} behind a symmetric NAT, each with a wireguard-go interface and an overlay address
 * in 198.18.0.0/24. The hub forwards (it routes leaves that cannot go direct).
 */
public record HubMesh(Host hubHost, Host a, Host b, Host c, Nat natA, Nat natB, Nat natC, WgInterface hub,
        WgInterface wa, WgInterface wb, WgInterface wc) {

    public static final String OVERLAY = "198.18.0.0/24";

    public static HubMesh build(Lab lab) {
        Host hubHost = lab.publicHost("hub");
        Nat natA = lab.nat("natA", NatType.CONE);
        Nat natB = lab.nat("natB", NatType.CONE);
        Nat natC = lab.nat("natC", NatType.SYMMETRIC);
        Host a = lab.hostBehind(natA, "a");
        Host b = lab.hostBehind(natB, "b");
        Host c = lab.hostBehind(natC, "c");
        hubHost.exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        return new HubMesh(hubHost, a, b, c, natA, natB, natC,
                lab.startWireGuard(hubHost).addAddress("198.18.0.1/24"),
                lab.startWireGuard(a).addAddress("198.18.0.2/24"),
                lab.startWireGuard(b).addAddress("198.18.0.3/24"),
                lab.startWireGuard(c).addAddress("198.18.0.4/24"));
    }

    /** The leaves, in order a, b, c. */
    public List<WgInterface> leaves() {
        return List.of(wa, wb, wc);
    }

    /** The overlay address of an interface of this mesh. */
    public String overlayOf(WgInterface wg) {
        return wg == hub ? "198.18.0.1" : "198.18.0." + (2 + leaves().indexOf(wg));
    }

    /**
     * What wg-quick would set up: the hub knows each leaf's key and /32 but not where it is; each leaf knows only
     * the hub, its endpoint and the overlay /24 (so the hub is a router), with a keepalive to hold its NAT open.
     */
    public void configureLikeWgQuick() {
        for (WgInterface leaf : leaves()) {
            hub.setPeer(leaf, null, null, overlayOf(leaf) + "/32");
            leaf.setPeer(hub, hub.underlayEndpoint(), 5, OVERLAY);
        }
    }
}
