package io.wirelink.facts;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** Reads shared/testdata/wirelink-vnet-packets.txt: one Go {@code []byte{0x53, 0x0, ...}} literal per line. */
final class GoCapture {
    private GoCapture() {}

    static Path file() {
        String shared = System.getProperty("wirelink.shared", "../../shared");
        return Path.of(shared, "testdata", "wirelink-vnet-packets.txt");
    }

    static List<byte[]> packets() throws IOException {
        Path f = file();
        if (!Files.exists(f)) {
            // CI always has shared/ beside the clone; outside CI a missing capture skips instead of failing
            assertTrue(System.getenv("CI") == null, "capture missing in CI: " + f.toAbsolutePath());
            Assumptions.abort("no capture at " + f.toAbsolutePath() + " (shared/ is not beside this clone)");
        }
        List<byte[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(f)) {
            String t = line.strip();
            if (t.isEmpty()) {
                continue;
            }
            int open = t.indexOf('{');
            int close = t.lastIndexOf('}');
            String[] parts = t.substring(open + 1, close).split(",");
            byte[] b = new byte[parts.length];
            for (int i = 0; i < parts.length; i++) {
                b[i] = (byte) Integer.parseInt(parts[i].strip().substring(2), 16);
            }
            out.add(b);
        }
        return out;
    }
}
