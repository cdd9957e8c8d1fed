package io.wirelink.agent.config;

import java.time.Duration;

/** The {@code timers} section of the configuration (see reference.conf for each one's meaning). */
public record Timers(Duration factTtl, Duration aliveTtl, Duration alivePeriod, Duration antiEntropy,
        Duration startupGrace, Duration endpointInterval, Duration membershipSettle) {
    public static final Timers DEFAULTS = new Timers(Duration.ofSeconds(255), Duration.ofSeconds(35),
            Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(35), Duration.ofSeconds(6),
            Duration.ofSeconds(60));
}
