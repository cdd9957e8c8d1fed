package io.wirelink.dht;

import io.wirelink.facts.IpEndpoint;

/** Where a {@link DhtNode} puts the datagrams it wants sent: the I/O adapter or the simulator. */
@FunctionalInterface
public interface Outbox {
    void send(IpEndpoint to, byte[] datagram);
}
