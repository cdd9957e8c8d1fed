package io.wirelink.relay;

import java.time.Duration;

/**
 * The relay's limits. Every table is bounded and every entry expires; every rate is per second.
 *
 * @param maxClients clients (registered or completing their handshake with the relay) at once
 * @param clientIdleTimeout a registered client is forgotten this long after its last authenticated packet to the
 *     relay (its keepalives refresh it; WireGuard clients should keep a persistent keepalive towards the relay)
 * @param handshakeTimeout a client that completed a handshake but sent nothing under the new keys, and a route
 *     created by an initiation that got no response, are forgotten after this
 * @param routeIdleTimeout an established index route unused for this long is forgotten; at least WireGuard's
 *     REJECT_AFTER_TIME (180 s), after which no keypair is used anyway
 * @param maxRoutes established index routes at once (and, separately, routes waiting for a response)
 * @param maxRoutesPerClient index routes one client's handshake messages may hold at once
 * @param maxPeersPerClient keys one client may ask to reach ({@link Relay#allow})
 * @param maxAuthorizedKeys keys that may have an authorization set
 * @param clientPacketRate datagrams per second one client may have forwarded (0: unlimited)
 * @param clientPacketBurst the packet bucket's depth
 * @param clientByteRate bytes per second one client may have forwarded (0: unlimited)
 * @param clientByteBurst the byte bucket's depth
 * @param clientHandshakeRate handshake messages (initiations, responses, cookie replies) per second one client may
 *     have forwarded
 * @param clientHandshakeBurst that bucket's depth
 * @param sourceHandshakeRate initiations to the relay itself per second from one source address, checked before any
 *     Diffie-Hellman
 * @param sourceHandshakeBurst that bucket's depth
 * @param maxSources source addresses whose handshake bucket is remembered (least recently used out)
 * @param underLoadHandshakes initiations to the relay per second above which it answers initiations without a
 *     valid mac2 with a cookie reply instead of a response
 * @param clientDisclosureRate disclosure queries ({@link Disclosure}) per second one client may have answered
 * @param clientDisclosureBurst that bucket's depth
 */
public record RelaySettings(int maxClients, Duration clientIdleTimeout, Duration handshakeTimeout,
        Duration routeIdleTimeout, int maxRoutes, int maxRoutesPerClient, int maxPeersPerClient, int maxAuthorizedKeys,
        double clientPacketRate, double clientPacketBurst, double clientByteRate, double clientByteBurst,
        double clientHandshakeRate, double clientHandshakeBurst, double sourceHandshakeRate,
        double sourceHandshakeBurst, int maxSources, int underLoadHandshakes, double clientDisclosureRate,
        double clientDisclosureBurst) {

    public RelaySettings {
        positive(maxClients, "maxClients");
        positive(maxRoutes, "maxRoutes");
        positive(maxRoutesPerClient, "maxRoutesPerClient");
        positive(maxPeersPerClient, "maxPeersPerClient");
        positive(maxAuthorizedKeys, "maxAuthorizedKeys");
        positive(maxSources, "maxSources");
        positive(underLoadHandshakes, "underLoadHandshakes");
        duration(clientIdleTimeout, "clientIdleTimeout");
        duration(handshakeTimeout, "handshakeTimeout");
        duration(routeIdleTimeout, "routeIdleTimeout");
        rate(clientPacketRate, clientPacketBurst, true, "clientPacket");
        rate(clientByteRate, clientByteBurst, true, "clientByte");
        rate(clientHandshakeRate, clientHandshakeBurst, false, "clientHandshake");
        rate(sourceHandshakeRate, sourceHandshakeBurst, false, "sourceHandshake");
        rate(clientDisclosureRate, clientDisclosureBurst, false, "clientDisclosure");
    }

    private static void positive(int v, String name) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + v);
        }
    }

    private static void duration(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
        }
    }

    private static void rate(double rate, double burst, boolean zeroIsUnlimited, String name) {
        if (!(rate >= 0) || (!zeroIsUnlimited && rate == 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException(name + "Rate must be " + (zeroIsUnlimited ? "0 (unlimited) or " : "")
                    + "a positive finite number, got " + rate);
        }
        if (rate > 0 && !(burst >= 1) || Double.isInfinite(burst)) {
            throw new IllegalArgumentException(name + "Burst must be at least 1, got " + burst);
        }
    }

    /** The defaults: see {@link Builder}. */
    public static RelaySettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from the defaults. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxClients = maxClients;
        b.clientIdleTimeout = clientIdleTimeout;
        b.handshakeTimeout = handshakeTimeout;
        b.routeIdleTimeout = routeIdleTimeout;
        b.maxRoutes = maxRoutes;
        b.maxRoutesPerClient = maxRoutesPerClient;
        b.maxPeersPerClient = maxPeersPerClient;
        b.maxAuthorizedKeys = maxAuthorizedKeys;
        b.clientPacketRate = clientPacketRate;
        b.clientPacketBurst = clientPacketBurst;
        b.clientByteRate = clientByteRate;
        b.clientByteBurst = clientByteBurst;
        b.clientHandshakeRate = clientHandshakeRate;
        b.clientHandshakeBurst = clientHandshakeBurst;
        b.sourceHandshakeRate = sourceHandshakeRate;
        b.sourceHandshakeBurst = sourceHandshakeBurst;
        b.maxSources = maxSources;
        b.underLoadHandshakes = underLoadHandshakes;
        b.clientDisclosureRate = clientDisclosureRate;
        b.clientDisclosureBurst = clientDisclosureBurst;
        return b;
    }

    /** Mutable, for building settings; the field initializers are the defaults. */
    public static final class Builder {
        private int maxClients = 4096;
        private Duration clientIdleTimeout = Duration.ofSeconds(180);
        private Duration handshakeTimeout = Duration.ofSeconds(15);
        private Duration routeIdleTimeout = Duration.ofSeconds(200);
        private int maxRoutes = 65536;
        private int maxRoutesPerClient = 1024;
        private int maxPeersPerClient = 1024;
        private int maxAuthorizedKeys = 16384;
        private double clientPacketRate = 200_000;
        private double clientPacketBurst = 20_000;
        private double clientByteRate = 250_000_000; // 2 Gb/s
        private double clientByteBurst = 16_000_000;
        private double clientHandshakeRate = 10;
        private double clientHandshakeBurst = 30;
        private double sourceHandshakeRate = 20; // WireGuard's own per-address handshake rate limit
        private double sourceHandshakeBurst = 5;
        private int maxSources = 8192;
        private int underLoadHandshakes = 500;
        private double clientDisclosureRate = 50; // an agent asks about each relayed peer twice a second
        private double clientDisclosureBurst = 100;

        private Builder() {}

        public Builder maxClients(int v) {
            maxClients = v;
            return this;
        }

        public Builder clientIdleTimeout(Duration v) {
            clientIdleTimeout = v;
            return this;
        }

        public Builder handshakeTimeout(Duration v) {
            handshakeTimeout = v;
            return this;
        }

        public Builder routeIdleTimeout(Duration v) {
            routeIdleTimeout = v;
            return this;
        }

        public Builder maxRoutes(int v) {
            maxRoutes = v;
            return this;
        }

        public Builder maxRoutesPerClient(int v) {
            maxRoutesPerClient = v;
            return this;
        }

        public Builder maxPeersPerClient(int v) {
            maxPeersPerClient = v;
            return this;
        }

        public Builder maxAuthorizedKeys(int v) {
            maxAuthorizedKeys = v;
            return this;
        }

        /** Datagrams per second and bucket depth per client; rate 0 is unlimited. */
        public Builder clientPacketRate(double rate, double burst) {
            clientPacketRate = rate;
            clientPacketBurst = burst;
            return this;
        }

        /** Bytes per second and bucket depth per client; rate 0 is unlimited. */
        public Builder clientByteRate(double rate, double burst) {
            clientByteRate = rate;
            clientByteBurst = burst;
            return this;
        }

        public Builder clientHandshakeRate(double rate, double burst) {
            clientHandshakeRate = rate;
            clientHandshakeBurst = burst;
            return this;
        }

        public Builder sourceHandshakeRate(double rate, double burst) {
            sourceHandshakeRate = rate;
            sourceHandshakeBurst = burst;
            return this;
        }

        public Builder maxSources(int v) {
            maxSources = v;
            return this;
        }

        public Builder underLoadHandshakes(int v) {
            underLoadHandshakes = v;
            return this;
        }

        public Builder clientDisclosureRate(double rate, double burst) {
            clientDisclosureRate = rate;
            clientDisclosureBurst = burst;
            return this;
        }

        /** @throws IllegalArgumentException naming the first bad setting */
        public RelaySettings build() {
            return new RelaySettings(maxClients, clientIdleTimeout, handshakeTimeout, routeIdleTimeout, maxRoutes,
                    maxRoutesPerClient, maxPeersPerClient, maxAuthorizedKeys, clientPacketRate, clientPacketBurst,
                    clientByteRate, clientByteBurst, clientHandshakeRate, clientHandshakeBurst, sourceHandshakeRate,
                    sourceHandshakeBurst, maxSources, underLoadHandshakes, clientDisclosureRate, clientDisclosureBurst);
        }
    }
}
