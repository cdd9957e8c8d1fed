package io.wirelink.apply.uapi;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real wireguard-go process for tests, in the foreground under a unique interface name. When {@code unshare} is
 * available it runs in a network namespace of its own, so nothing it does can reach any network; its UAPI socket is
 * still in the shared {@code /var/run/wireguard}. {@link #close()} kills it and removes the link and the socket.
 */
final class WireGuardGoProcess implements AutoCloseable {
    static final Path WIREGUARD_GO = Path.of("/usr/bin/wireguard-go");
    static final Path UNSHARE = Path.of("/usr/bin/unshare");
    static final Path SOCKET_DIR = UapiDevice.DEFAULT_SOCKET_DIR;

    private final String name;
    private final Process process;
    private final boolean isolated;

    private WireGuardGoProcess(String name, Process process, boolean isolated) {
        this.name = name;
        this.process = process;
        this.isolated = isolated;
    }

    /** Why wireguard-go cannot run here, or empty when it can. */
    static Optional<String> unavailableReason() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (!Integer.valueOf(0).equals(uid)) {
                return Optional.of("needs root to create a TUN device (uid is " + uid + ")");
            }
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.of("cannot tell whether this is root: " + e);
        }
        if (!Files.isExecutable(WIREGUARD_GO)) {
            return Optional.of(WIREGUARD_GO + " is not installed");
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            return Optional.of("/dev/net/tun is missing");
        }
        return Optional.empty();
    }

    /** Starts wireguard-go and waits (at most 15 s) for its UAPI socket; output goes to {@code logDir}. */
    static WireGuardGoProcess start(Path logDir) throws IOException {
        // unique and at most 15 characters: /var/run/wireguard is shared with other test runs
        String name = "wlt" + String.format("%09d", ThreadLocalRandom.current().nextInt(1_000_000_000));
        boolean isolated = Files.isExecutable(UNSHARE);
        List<String> cmd = new ArrayList<>();
        if (isolated) {
            cmd.addAll(List.of(UNSHARE.toString(), "--net"));
        }
        cmd.addAll(List.of(WIREGUARD_GO.toString(), "-f", name));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(logDir.resolve("wireguard-go-" + name + ".log").toFile());
        pb.environment().put("WG_PROCESS_FOREGROUND", "1");
        WireGuardGoProcess wg = new WireGuardGoProcess(name, pb.start(), isolated);
        try {
            Path socket = wg.socket();
            await("UAPI socket of " + name).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                    .until(() -> Files.exists(socket) || !wg.process.isAlive());
            if (!wg.process.isAlive()) {
                throw new IOException("wireguard-go exited with " + wg.process.exitValue() + " before creating "
                        + socket + "; see " + logDir);
            }
            return wg;
        } catch (IOException | RuntimeException e) {
            wg.close();
            throw e;
        }
    }

    String name() {
        return name;
    }

    Path socket() {
        return UapiDevice.socketPath(SOCKET_DIR, name);
    }

    /** True when it runs in a network namespace of its own (no traffic can leave it). */
    boolean isolated() {
        return isolated;
    }

    /**
     * {@code wg show <name> dump}, with the private key replaced by "(redacted)" before anything else sees it.
     */
    List<String> wgDump() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("wg", "show", name, "dump").redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("wg show did not finish");
        }
        List<String> lines = new ArrayList<>(List.of(new String(out, StandardCharsets.UTF_8).split("\n")));
        if (p.exitValue() != 0) {
            throw new IOException("wg show " + name + " dump exited with " + p.exitValue());
        }
        String first = lines.get(0);
        int tab = first.indexOf('\t');
        lines.set(0, "(redacted)" + (tab < 0 ? "" : first.substring(tab)));
        return lines;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            if (Files.exists(Path.of("/sys/class/net", name))) {
                Process del = new ProcessBuilder("ip", "link", "del", name).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                del.waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(socket());
        } catch (IOException e) {
            // best effort: a leftover link or socket has a unique name and harms no later run
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
