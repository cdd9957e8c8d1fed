package io.wirelink.apply.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;

/**
 * A throw-away network namespace for live tests: created with {@code ip netns add wlnlNNNNNNNN}, entered by a
 * dedicated thread with {@code setns(2)} (which moves only the calling thread, so every socket the test body opens
 * lives in the namespace), deleted by {@link #close()}. Tests that cannot create one are skipped, not failed.
 */
final class NetNs implements AutoCloseable {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    /** libc calls the tests need, by JNA direct mapping. */
    static final class Sys {
        static {
            Native.register(Sys.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        private Sys() {}

        static native int geteuid();

        static native int open(String path, int flags) throws LastErrorException;

        static native int setns(int fd, int nstype) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;
    }

    record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }

    final String name;

    private NetNs(String name) {
        this.name = name;
    }

    static boolean isRoot() {
        try {
            return Sys.geteuid() == 0;
        } catch (LinkageError e) {
            return false;
        }
    }

    /** Creates a uniquely named namespace, or skips the test when not root or when {@code ip netns add} fails. */
    static NetNs create() {
        Assumptions.assumeTrue(isRoot(), "needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) for a network namespace");
        String name = String.format("wlnl%08d", new SecureRandom().nextInt(100_000_000));
        Result r = run("ip", "netns", "add", name);
        Assumptions.assumeTrue(r.ok(), "'ip netns add " + name + "' failed (" + r.exit() + "): " + r.output());
        return new NetNs(name);
    }

    /** {@code ip -n NAME args...}. */
    Result ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(Arrays.asList(args));
        return run(cmd.toArray(new String[0]));
    }

    /** Runs {@code body} on a new thread that has joined this namespace; returns its result or rethrows. */
    <T> T inside(Callable<T> body) throws Exception {
        FutureTask<T> task = new FutureTask<>(() -> {
            join();
            return body.call();
        });
        Thread t = new Thread(task, "netns-" + name);
        t.setDaemon(true);
        t.start();
        try {
            return task.get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof Exception) {
                throw (Exception) c;
            }
            if (c instanceof Error) {
                throw (Error) c;
            }
            throw e;
        } catch (TimeoutException e) {
            t.interrupt();
            throw e;
        }
    }

    private void join() {
        int fd = Sys.open("/var/run/netns/" + name, O_RDONLY | O_CLOEXEC);
        try {
            Sys.setns(fd, CLONE_NEWNET);
        } finally {
            Sys.close(fd);
        }
    }

    @Override
    public void close() {
        Result r = run("ip", "netns", "del", name);
        if (!r.ok()) {
            System.err.println("could not delete network namespace " + name + ": " + r.output());
        }
    }

    static Result run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + String.join(" ", cmd));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return new Result(-1, String.join(" ", cmd) + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted: " + String.join(" ", cmd));
        }
    }
}
