package io.wirelink.apply.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerChange;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PrivateKey;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Times UAPI against a real wireguard-go with 1,000 peers: applying them in one {@code set=1}, and reading them
 * back. Prints min and median; asserts nothing about time. Not part of the normal test suite (tag "bench", and the
 * class name does not match surefire's includes). Run it, as root, with:
 *
 * <pre>mvn -B -ntp -pl apply -am test -Dtest=UapiBench -Dgroups=bench -DexcludedGroups=none
 *     -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@Tag("bench")
class UapiBench {
    private static final int PEERS = 1000;
    private static final int WARMUP = 10;
    private static final int RUNS = 5;

    @TempDir
    Path logDir;

    @Test
    void thousandPeers() throws Exception {
        Optional<String> why = WireGuardGoProcess.unavailableReason();
        assumeTrue(why.isEmpty(), () -> "skipping the UAPI bench: " + why.orElse(""));
        SecureRandom random = new SecureRandom();
        List<PeerChange> peers = new ArrayList<>();
        for (int i = 0; i < PEERS; i++) {
            // endpoints in TEST-NET-1/2/3, allowed IPs in a ULA prefix; no keepalive, so nothing is ever sent
            String net = switch (i % 3) {
                case 0 -> "192.0.2.";
                case 1 -> "198.51.100.";
                default -> "203.0.113.";
            };
            peers.add(new PeerChange(PrivateKey.generate(random).publicKey(), false, false,
                    IpEndpoint.parse(net + (i % 250 + 1) + ":" + (20000 + i)), null, true,
                    List.of(IpPrefix.parse("fd00:b3c:" + Integer.toHexString(i) + "::/64"),
                            IpPrefix.parse("fd00:b3d::" + Integer.toHexString(i) + "/128"))));
        }
        DeviceChange change = new DeviceChange(PrivateKey.generate(random), null, null, true, peers);

        try (WireGuardGoProcess wg = WireGuardGoProcess.start(logDir)) {
            UapiDevice device = new UapiDevice(wg.name());
            long[] apply = new long[RUNS];
            long[] read = new long[RUNS];
            long[] wgShow = new long[RUNS];
            long[] rawGet = new long[RUNS];
            long[] parse = new long[RUNS];
            UapiTransport transport = new UapiTransport(wg.name(), wg.socket(), UapiDevice.DEFAULT_TIMEOUT,
                    UapiDevice.DEFAULT_MAX_REPLY_BYTES, UapiDevice.MAX_LINE_BYTES);
            for (int i = -WARMUP; i < RUNS; i++) {
                long t0 = System.nanoTime();
                device.apply(change); // replace_peers=true: every run removes all 1,000 and adds them again
                long t1 = System.nanoTime();
                DeviceState s = device.read();
                long t2 = System.nanoTime();
                wg.wgDump();
                long t3 = System.nanoTime();
                UapiTransport.Body body = transport.exchange("get", ByteBuffer.wrap(UapiCodec.GET_REQUEST));
                long t4 = System.nanoTime();
                UapiCodec.decodeDevice(wg.name(), UapiCodec.splitReply(body.bytes(), body.length()));
                long t5 = System.nanoTime();
                assertEquals(PEERS, s.peers().size());
                if (i >= 0) {
                    apply[i] = t1 - t0;
                    read[i] = t2 - t1;
                    wgShow[i] = t3 - t2;
                    rawGet[i] = t4 - t3;
                    parse[i] = t5 - t4;
                }
            }
            System.out.printf("UAPI bench, wireguard-go, %d peers (2 allowed IPs each), %d runs after %d warm-up:%n",
                    PEERS, RUNS, WARMUP);
            print("apply (set=1, replace_peers)", apply);
            print("read (get=1 + parse)", read);
            print("  of which get=1 I/O only", rawGet);
            print("  of which parsing only", parse);
            print("wg show dump (reference)", wgShow);
        }
    }

    private static void print(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("  %-30s min %7.2f ms   median %7.2f ms%n", what, sorted[0] / 1e6, sorted[sorted.length / 2] / 1e6);
    }
}
