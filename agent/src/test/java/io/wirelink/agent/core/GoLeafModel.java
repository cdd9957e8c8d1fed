package io.wirelink.agent.core;

import io.wirelink.facts.Fact;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.SignedGroups;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A Go wirelink leaf behind a hub, as far as the hub can observe it and as ../shared/docs/wirelink-spec.md
 * describes it: it decodes with {@link GoDecoderModel} (counting what it would log), keeps per fact key the copy
 * with the latest expiry (MergeList: a shorter TTL never shortens what it holds, §1.3), drops facts received
 * already expired (§4.4), trusts the hub for everything (zero-config: the hub is a router, §4.4), and pings the
 * hub every AlivePeriod (30 s) with an Alive of TTL FactTTL (255 s) and a random v4 boot ID (§3).
 */
final class GoLeafModel {
    static final Duration ALIVE_PERIOD = Duration.ofSeconds(30);
    static final Duration FACT_TTL = Duration.ofSeconds(255);

    final PrivateKey key;
    final UUID bootId;
    private final SignedGroups groups;
    private final Random random;
    private final Map<String, Instant> expires = new HashMap<>();
    private final Map<String, GoDecoderModel.GoFact> facts = new HashMap<>();
    /** Per peer, when its Alive runs out (peerAlive). */
    final Map<PublicKey, Instant> alive = new HashMap<>();
    final List<String> info = new ArrayList<>();
    final List<String> errors = new ArrayList<>();
    int datagrams;
    long bytes;
    private Instant lastPing;

    GoLeafModel(long seed) {
        random = new Random(seed);
        byte[] k = new byte[32];
        random.nextBytes(k);
        key = PrivateKey.of(k);
        // a version 4 (random) UUID, as google/uuid's New() makes
        long msb = (random.nextLong() & ~0xf000L) | 0x4000L;
        long lsb = (random.nextLong() & ~(0xc000L << 48)) | (0x8000L << 48);
        bootId = new UUID(msb, lsb);
        groups = new SignedGroups(key, 4);
    }

    PublicKey pub() {
        return key.publicKey();
    }

    /** A datagram from the hub, received at {@code now}. */
    void receive(byte[] d, Instant now) {
        datagrams++;
        bytes += d.length;
        GoDecoderModel.Decoded dec = GoDecoderModel.decode(d);
        info.addAll(dec.info());
        errors.addAll(dec.errors());
        for (GoDecoderModel.GoFact f : dec.facts()) {
            Instant exp = now.plusSeconds(f.ttl());
            if (f.attribute() == '!') {
                alive.merge(PublicKey.of(f.subject()), exp, (a, b) -> a.isAfter(b) ? a : b);
                continue; // Alive only feeds peer knowledge, never the fact set
            }
            if (!exp.isAfter(now)) {
                continue; // an expired fact is dropped
            }
            String k = f.key();
            Instant held = expires.get(k);
            if (held == null || held.isBefore(exp)) {
                expires.put(k, exp);
                facts.put(k, f);
            }
        }
    }

    /** The subjects of the membership facts (m/M) Go holds unexpired at {@code now}: its members. */
    Set<PublicKey> members(Instant now) {
        Set<PublicKey> out = new TreeSet<>();
        facts.forEach((k, f) -> {
            if ((f.attribute() == 'M' || f.attribute() == 'm') && expires.get(k).isAfter(now)) {
                out.add(PublicKey.of(f.subject()));
            }
        });
        return out;
    }

    /** The latest expiry Go holds for a membership fact about {@code subject}, or null. */
    Instant memberUntil(PublicKey subject) {
        Instant best = null;
        for (Map.Entry<String, GoDecoderModel.GoFact> e : facts.entrySet()) {
            GoDecoderModel.GoFact f = e.getValue();
            if ((f.attribute() == 'M' || f.attribute() == 'm') && PublicKey.of(f.subject()).equals(subject)) {
                Instant x = expires.get(e.getKey());
                best = best == null || x.isAfter(best) ? x : best;
            }
        }
        return best;
    }

    /** The ping due to {@code hub} at {@code now}, if any: a v1 group with our Alive. */
    List<byte[]> ping(PublicKey hub, Instant now) {
        if (lastPing != null && now.isBefore(lastPing.plus(ALIVE_PERIOD))) {
            return List.of();
        }
        lastPing = now;
        return groups.seal(1, hub, List.of(Fact.alive(pub(), bootId, now.plus(FACT_TTL))), now, random);
    }
}
