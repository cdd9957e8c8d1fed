package io.wirelink.relay;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.relay.RelayFixture.Link;
import io.wirelink.relay.RelayFixture.Peer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Nanoseconds per forwarded data packet in {@link Relay#onDatagram} alone (no I/O). Tagged "bench"; run it like
 * {@link RelayForwardBench}, with {@code -Dtest=OnDatagramMicroBench}.
 */
@Tag("bench")
class OnDatagramMicroBench {
    @Test
    void nanosPerForwardedPacket() throws Exception {
        RelayFixture f = new RelayFixture(RelaySettings.builder().clientPacketRate(0, 0).clientByteRate(0, 0).build(), 1);
        Peer a = f.peer("127.0.0.1:40001").register();
        Peer b = f.peer("127.0.0.1:40002").register();
        f.allowBoth(a, b);
        Link link = f.handshake(a, b);
        byte[] d = link.initiator().seal(new byte[1368]);
        long sink = 0;
        for (int round = 0; round < 5; round++) {
            int n = 2_000_000;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                IpEndpoint src = new IpEndpoint(a.endpoint.address(), a.endpoint.port()); // as the runner makes one
                byte[] copy = d.clone(); // as the runner copies out of its buffer
                sink += f.relay.onDatagram(f.now + i, src, copy).size();
            }
            long t1 = System.nanoTime();
            System.out.printf("onDatagram: %.0f ns per forwarded 1400-byte packet (with the runner's copy)%n",
                    (t1 - t0) / (double) n);
        }
        System.out.println(sink);
    }
}
