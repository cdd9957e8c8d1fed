package io.wirelink.bench;

import io.wirelink.facts.Fact;
import io.wirelink.facts.FactCodec;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.MemberMetadata;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.SignedGroups;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-group cost of the gossip hot path, on one thread: decode, encode+sign, verify+decode. A "group" here is a
 * realistic datagram: {@code facts} endpoint/allowed-IP facts plus Alive and MemberMetadata, in one signed group.
 *
 * <p>Run: {@code mvn -B -q -pl bench -am package -DskipTests && java -jar bench/target/benchmarks.jar GroupBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GroupBenchmark {
    /** Inner facts per group: 4 is a typical Alive+metadata+endpoints group (~300 B), 16 is near the 1136 B cap. */
    @Param({"4", "16"})
    public int facts;

    @Param({"1", "2"})
    public int version;

    private SignedGroups sender;
    private SignedGroups receiver;
    private PrivateKey a;
    private PrivateKey b;
    private List<Fact> list;
    private byte[] datagram;
    private Instant now;
    private Random rnd;

    @Setup
    public void setup() {
        SecureRandom sr = new SecureRandom();
        a = PrivateKey.generate(sr);
        b = PrivateKey.generate(sr);
        sender = new SignedGroups(a, 64);
        receiver = new SignedGroups(b, 64);
        now = Instant.parse("2026-11-22T10:00:00Z");
        rnd = new Random(1);
        list = new ArrayList<>();
        list.add(Fact.alive(a.publicKey(), UUID.randomUUID(), now.plusSeconds(30)));
        list.add(Fact.member(a.publicKey(), MemberMetadata.of("hub", false), now.plusSeconds(255)));
        for (int i = 0; list.size() < facts; i++) {
            list.add(i % 2 == 0
                    ? Fact.endpoint(a.publicKey(), IpEndpoint.parse("198.51.100." + i + ":51820"), now.plusSeconds(255))
                    : Fact.allowedIp(a.publicKey(), IpPrefix.parse("2001:db8::" + i + "/128"), now.plusSeconds(255)));
        }
        List<byte[]> ds = sender.seal(version, b.publicKey(), list, now, rnd);
        if (ds.size() != 1) {
            throw new IllegalStateException("benchmark group must fit one datagram");
        }
        datagram = ds.get(0);
        // warm the shared-key caches: the steady state the agent runs in
        if (!receiver.open(datagram, now).verified()) {
            throw new IllegalStateException("setup group does not verify");
        }
    }

    @Benchmark
    public Fact decode() {
        return FactCodec.decodeDatagram(datagram, now);
    }

    @Benchmark
    public byte[] encodeAndSign() {
        return sender.seal(version, b.publicKey(), list, now, rnd).get(0);
    }

    @Benchmark
    public SignedGroups.Opened verifyAndDecode() {
        SignedGroups.Opened o = receiver.open(datagram, now);
        if (!o.verified()) {
            throw new IllegalStateException("must verify");
        }
        return o;
    }
}
