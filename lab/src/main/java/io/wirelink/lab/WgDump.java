package io.wirelink.lab;

import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code wg show IF dump} into the {@code apply} module's {@link DeviceState}, so that a lab test can compare
 * what {@code wg} reports with what a wirelink backend reads. The private key in the first line is never kept.
 */
public final class WgDump {
    private WgDump() {}

    /**
     * Parses the output of {@code wg show IF dump} for a single interface: one tab-separated interface line
     * (private key, public key, listen port, fwmark), then one line per peer (public key, preshared key, endpoint,
     * allowed IPs, latest handshake, rx bytes, tx bytes, persistent keepalive).
     */
    public static DeviceState parse(String ifname, String dump) {
        String[] lines = dump.strip().split("\n");
        if (lines.length == 0 || lines[0].isBlank()) {
            throw new IllegalArgumentException("empty wg dump for " + ifname);
        }
        String[] dev = fields(lines[0], 4, ifname, 1);
        PublicKey publicKey = none(dev[1]) ? null : PublicKey.parse(dev[1]);
        int listenPort = Integer.parseInt(dev[2]);
        int fwmark = off(dev[3]) ? 0 : parseFwmark(dev[3]);
        List<PeerState> peers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String[] f = fields(lines[i], 8, ifname, i + 1);
            List<IpPrefix> allowed = new ArrayList<>();
            if (!none(f[3])) {
                for (String p : f[3].split(",")) {
                    allowed.add(IpPrefix.parse(p));
                }
            }
            long hs = Long.parseLong(f[4]);
            peers.add(new PeerState(
                    PublicKey.parse(f[0]),
                    !none(f[1]),
                    none(f[2]) ? null : IpEndpoint.parse(f[2]),
                    allowed,
                    hs == 0 ? Instant.EPOCH : Instant.ofEpochSecond(hs),
                    Long.parseLong(f[5]),
                    Long.parseLong(f[6]),
                    off(f[7]) ? 0 : Integer.parseInt(f[7])));
        }
        return new DeviceState(ifname, publicKey, listenPort, fwmark, peers);
    }

    private static String[] fields(String line, int want, String ifname, int lineNo) {
        String[] f = line.split("\t", -1);
        if (f.length != want) {
            throw new IllegalArgumentException("wg dump for " + ifname + ", line " + lineNo + ": want " + want
                    + " tab-separated fields, got " + f.length);
        }
        return f;
    }

    private static int parseFwmark(String s) {
        return s.startsWith("0x") ? (int) Long.parseLong(s.substring(2), 16) : (int) Long.parseLong(s);
    }

    private static boolean none(String s) {
        return s.equals("(none)");
    }

    private static boolean off(String s) {
        return s.equals("off");
    }
}
