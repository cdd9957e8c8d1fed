package io.wirelink.sim;

/** A node's attachment to a network: one IPv4 address, plus the access link's own latency and loss. */
final class Iface {
    final Node node;
    final Network network;
    final int address;
    final int id;
    long latencyNanos;
    double loss;

    Iface(Node node, Network network, int address, int id) {
        this.node = node;
        this.network = network;
        this.address = address;
        this.id = id;
    }

    /** The next hop for {@code dst} out of this interface: {@code dst} itself on the subnet, else the gateway. */
    int nextHop(int dst) {
        return network.contains(dst) ? dst : network.gatewayAddress();
    }

    @Override
    public String toString() {
        return node.name + "@" + Ip4.format(address);
    }
}
