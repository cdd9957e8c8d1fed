package io.wirelink.sim;

import io.wirelink.apply.DatagramPort;
import io.wirelink.facts.Addresses;
import io.wirelink.facts.IpEndpoint;
import java.util.function.BiConsumer;

/**
 * A UDP socket bound on every address of a host (like {@code [::]:port}). Sends go into the tunnel when a WireGuard
 * device's allowed IPs contain the destination, to the host itself when the destination is local, else out on the
 * underlay.
 */
final class SimDatagramPort extends Socket implements DatagramPort {
    private final Host host;
    private BiConsumer<IpEndpoint, byte[]> handler;
    private boolean closed;

    SimDatagramPort(Host host, int port) {
        super(port);
        this.host = host;
    }

    @Override
    public void send(IpEndpoint dst, byte[] payload) {
        if (dst == null || payload == null) {
            throw new IllegalArgumentException("destination and payload are required");
        }
        if (closed) {
            host.world.drop(DropReason.PORT_CLOSED, null, host);
            return;
        }
        host.sendDatagram(port, dst, payload.clone());
    }

    @Override
    public void onReceive(BiConsumer<IpEndpoint, byte[]> handler) {
        this.handler = handler;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            handler = null;
            host.unbind(this);
        }
    }

    @Override
    void deliver(Packet p, boolean inner) {
        BiConsumer<IpEndpoint, byte[]> h = handler;
        if (h == null) {
            return;
        }
        IpEndpoint src = inner
                ? new IpEndpoint(Addresses.fromBytes(p.innerSrc), p.innerSrcPort)
                : Ip4.toEndpoint(Ip4.endpoint(p.srcAddr, p.srcPort));
        h.accept(src, p.payload);
    }

    @Override
    public String toString() {
        return "udp " + host.name() + ":" + port + (closed ? " (closed)" : "");
    }
}
