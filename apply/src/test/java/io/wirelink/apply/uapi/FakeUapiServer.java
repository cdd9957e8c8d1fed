package io.wirelink.apply.uapi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A fake userspace WireGuard process: listens on {@code <dir>/<iface>.sock}, records each request and answers as
 * its {@link Behavior} says. Connections are served one at a time on one daemon thread.
 */
final class FakeUapiServer implements AutoCloseable {
    /** How the server answers one connection. */
    interface Behavior {
        void serve(SocketChannel ch, BlockingQueue<byte[]> requests) throws IOException;
    }

    private final ServerSocketChannel server;
    private final Path socket;
    private final BlockingQueue<byte[]> requests = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile SocketChannel current;
    private volatile boolean closed;

    FakeUapiServer(Path dir, String iface, Behavior behavior) throws IOException {
        socket = dir.resolve(iface + ".sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        thread = new Thread(() -> loop(behavior), "fake-uapi-" + iface);
        thread.setDaemon(true);
        thread.start();
    }

    /** Reads the whole request, answers {@code reply}, then keeps the connection open until the client closes it. */
    static Behavior replying(String reply) {
        return replying(reply.getBytes(StandardCharsets.ISO_8859_1));
    }

    static Behavior replying(byte[] reply) {
        return (ch, requests) -> {
            requests.add(readRequest(ch));
            writeFully(ch, reply);
            drainUntilClosed(ch);
        };
    }

    /** Reads the whole request and never answers; waits for the client to give up. */
    static Behavior hanging() {
        return (ch, requests) -> {
            requests.add(readRequest(ch));
            drainUntilClosed(ch);
        };
    }

    /** Reads the whole request, answers {@code reply} (possibly partial) and closes. */
    static Behavior replyingAndClosing(String reply) {
        return (ch, requests) -> {
            requests.add(readRequest(ch));
            writeFully(ch, reply.getBytes(StandardCharsets.ISO_8859_1));
        };
    }

    /**
     * Like wireguard-go on a bad line: reads only the first line of the request, answers {@code reply} and closes,
     * leaving the rest of the request unread.
     */
    static Behavior replyingEarly(String reply) {
        return (ch, requests) -> {
            requests.add(readUntil(ch, 1));
            writeFully(ch, reply.getBytes(StandardCharsets.ISO_8859_1));
        };
    }

    Path socket() {
        return socket;
    }

    /** The next request the server received, waiting at most 5 s for it. */
    String nextRequest() throws InterruptedException {
        byte[] r = requests.poll(5, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("the fake UAPI server received no request");
        }
        return new String(r, StandardCharsets.ISO_8859_1);
    }

    /** True when no request arrived that was not yet taken with {@link #nextRequest()}. */
    boolean noMoreRequests() {
        return requests.isEmpty();
    }

    private void loop(Behavior behavior) {
        while (!closed) {
            try (SocketChannel ch = server.accept()) {
                current = ch;
                behavior.serve(ch, requests);
            } catch (IOException e) {
                // the client went away early, or the server is closing: serve the next one
            }
        }
    }

    /** Reads a request: up to and including the first blank line. */
    static byte[] readRequest(SocketChannel ch) throws IOException {
        return readUntil(ch, Integer.MAX_VALUE);
    }

    /** Reads until {@code lines} lines or a blank line have arrived, one byte at a time so as not to read further. */
    private static byte[] readUntil(SocketChannel ch, int lines) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        int seen = 0;
        int lineLen = 0;
        while (true) {
            one.clear();
            if (ch.read(one) < 0) {
                return out.toByteArray();
            }
            byte b = one.get(0);
            out.write(b);
            if (b != '\n') {
                lineLen++;
                continue;
            }
            if (lineLen == 0 || ++seen >= lines) {
                return out.toByteArray();
            }
            lineLen = 0;
        }
    }

    private static void writeFully(SocketChannel ch, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static void drainUntilClosed(SocketChannel ch) throws IOException {
        ByteBuffer sink = ByteBuffer.allocate(4096);
        while (ch.read(sink) >= 0) {
            sink.clear();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        SocketChannel c = current;
        if (c != null) {
            c.close();
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(socket);
    }
}
