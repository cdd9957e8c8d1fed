package io.wirelink.portmap;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The IPv4 default gateway, from the kernel's routing table as {@code /proc/net/route} shows it. */
public final class DefaultGateway {
    private static final int RTF_UP = 0x1;
    private static final int RTF_GATEWAY = 0x2;

    private DefaultGateway() {}

    /** The default gateway of this process's network namespace, if there is one. */
    public static Optional<Inet4Address> read() {
        try {
            return parse(Files.readString(Path.of("/proc/net/route")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Parses {@code /proc/net/route}: the first up route to 0.0.0.0/0 through a gateway, lowest metric first. Its
     * addresses are the kernel's 32-bit values printed in host byte order (little-endian on x86 and arm64).
     */
    public static Optional<Inet4Address> parse(String table) {
        Inet4Address best = null;
        long bestMetric = Long.MAX_VALUE;
        for (String line : table.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 8 || f[0].equals("Iface")) {
                continue;
            }
            try {
                long dest = Long.parseLong(f[1], 16);
                long gw = Long.parseLong(f[2], 16);
                int flags = Integer.parseInt(f[3], 16);
                long metric = Long.parseLong(f[6]);
                long mask = Long.parseLong(f[7], 16);
                if (dest == 0 && mask == 0 && gw != 0 && (flags & RTF_UP) != 0 && (flags & RTF_GATEWAY) != 0
                        && metric < bestMetric) {
                    byte[] a = {(byte) gw, (byte) (gw >> 8), (byte) (gw >> 16), (byte) (gw >> 24)};
                    best = (Inet4Address) InetAddress.getByAddress(a);
                    bestMetric = metric;
                }
            } catch (NumberFormatException | UnknownHostException e) {
                // not a route line
            }
        }
        return Optional.ofNullable(best);
    }
}
