package io.wirelink.facts.store;

import io.wirelink.facts.Fact;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Small builders for store tests. */
final class TestFacts {
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    private TestFacts() {}

    /** A deterministic key: 32 bytes of {@code i}. */
    static PublicKey key(int i) {
        byte[] b = new byte[32];
        java.util.Arrays.fill(b, (byte) i);
        return PublicKey.of(b);
    }

    static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    static Fact endpoint(int subject, String ep, long expiresAtSecond) {
        return Fact.endpoint(key(subject), IpEndpoint.parse(ep), at(expiresAtSecond));
    }

    static Fact allowed(int subject, String prefix, long expiresAtSecond) {
        return Fact.allowedIp(key(subject), IpPrefix.parse(prefix), at(expiresAtSecond));
    }

    static Fact alive(int subject, long boot, long expiresAtSecond) {
        return Fact.alive(key(subject), new UUID(0, boot), at(expiresAtSecond));
    }

    static Provenance gossip(int author, long receivedAtSecond) {
        return new Provenance(key(author), Channel.GOSSIP, IpEndpoint.parse("192.0.2." + author + ":51821"),
                at(receivedAtSecond));
    }

    static Provenance local(int self, long receivedAtSecond) {
        return Provenance.local(key(self), Channel.LOCAL, at(receivedAtSecond));
    }

    static Provenance config(int self, long receivedAtSecond) {
        return Provenance.local(key(self), Channel.CONFIG, at(receivedAtSecond));
    }

    static FactEvent event(long seq, Fact f, Provenance p) {
        return new FactEvent(seq, f, p);
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
