package io.wirelink.relay;

import io.wirelink.facts.Clock;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.lab.Host;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;

/**
 * The Java relay running inside a lab host's network namespace: its thread enters the namespace (setns) before
 * opening its socket on the host's address. Admits every key; tests authorize pairs with {@link #allowBoth}.
 */
final class LiveRelay implements AutoCloseable {
    static final int PORT = 51821;
    final PrivateKey key = PrivateKey.generate(new SecureRandom());
    final Relay relay;
    final UdpRelay udp;
    final IpEndpoint endpoint;

    LiveRelay(Host host, RelaySettings settings) throws IOException {
        this.relay = new Relay(key, settings, k -> true, new SecureRandom());
        this.endpoint = new IpEndpoint(host.address(), PORT);
        this.udp = UdpRelay.start(relay, new InetSocketAddress(host.address(), PORT), Clock.system(),
                () -> Netns.enter(host.ns()));
    }

    /** Skips the calling test unless it runs as root on Linux with wireguard-go (the lab's own probe). */
    static void assumeLab() {
        java.util.Optional<String> why = io.wirelink.lab.Lab.unavailableReason();
        Assumptions.assumeTrue(why.isEmpty(), () -> "live relay tests skipped: " + why.orElse(""));
    }

    PublicKey publicKey() {
        return key.publicKey();
    }

    <T> T call(Function<Relay, T> f) {
        try {
            return udp.call(f).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("relay call failed", e);
        }
    }

    RelayStats stats() {
        return call(Relay::stats);
    }

    void allowBoth(PublicKey a, PublicKey b) {
        call(r -> {
            r.allow(a, b);
            r.allow(b, a);
            return null;
        });
    }

    @Override
    public void close() {
        udp.close();
    }
}
