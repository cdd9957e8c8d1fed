package io.wirelink.apply.uapi;

import io.wirelink.apply.WireGuardException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * One request and its reply over a fresh connection to a UAPI socket, as {@code wg} does it. Non-blocking I/O with a
 * selector bounds every wait by the I/O timeout; the reply is bounded in total size and line length.
 */
final class UapiTransport {
    static final int ENOENT = 2;

    private final String iface;
    private final Path socket;
    private final long timeoutNanos;
    private final int maxReplyBytes;
    private final int maxLineBytes;

    UapiTransport(String iface, Path socket, Duration timeout, int maxReplyBytes, int maxLineBytes) {
        this.iface = iface;
        this.socket = socket;
        this.timeoutNanos = timeout.toNanos();
        this.maxReplyBytes = maxReplyBytes;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Sends {@code request} and returns the reply body: every byte up to, not including, the blank line that ends
     * it. Stops at that blank line; the server may keep the connection open for another request.
     */
    Body exchange(String op, ByteBuffer request) throws WireGuardException {
        if (!Files.exists(socket)) {
            throw new WireGuardException(op, iface, ENOENT,
                    "interface does not exist or is not a userspace WireGuard interface (no UAPI socket at " + socket + ")");
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            ch.configureBlocking(false);
            try {
                // a UNIX stream connect completes at once, or fails at once (EAGAIN when the backlog is full)
                if (!ch.connect(UnixDomainSocketAddress.of(socket))) {
                    throw new IOException("connect did not complete");
                }
            } catch (IOException e) {
                throw new WireGuardException(op, iface, "cannot connect to UAPI socket " + socket
                        + " (is the userspace WireGuard process still running?)", e);
            }
            SelectionKey key = ch.register(selector, 0);
            ReplyBuffer reply = new ReplyBuffer(maxReplyBytes, maxLineBytes);
            // direct buffers: with heap buffers the JDK copies through cached temporary direct buffers that it never
            // clears, and both the request (set) and the reply (get) may hold the private key
            ByteBuffer out = ByteBuffer.allocateDirect(Math.max(1, request.remaining()));
            out.put(request.duplicate()).flip();
            ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
            try {
                pump(op, ch, selector, key, out, in, reply);
                return reply.body();
            } catch (WireGuardException | IOException | RuntimeException e) {
                reply.wipe();
                throw e;
            } finally {
                wipe(out);
                wipe(in);
            }
        } catch (ReplyTooLargeException e) {
            throw new WireGuardException(op, iface, 0, e.getMessage());
        } catch (IOException e) {
            throw new WireGuardException(op, iface, "I/O error on UAPI socket " + socket, e);
        }
    }

    private static void wipe(ByteBuffer b) {
        b.clear();
        while (b.remaining() >= 8) {
            b.putLong(0L);
        }
        while (b.hasRemaining()) {
            b.put((byte) 0);
        }
    }

    /** Writes the request and reads the reply until the reply is complete, the timeout passes or the peer closes. */
    private void pump(String op, SocketChannel ch, Selector selector, SelectionKey key, ByteBuffer request,
            ByteBuffer in, ReplyBuffer reply) throws WireGuardException, IOException {
        IOException writeError = null;
        long deadline = System.nanoTime() + timeoutNanos;
        while (!reply.complete()) {
            boolean writing = writeError == null && request.hasRemaining();
            key.interestOps(SelectionKey.OP_READ | (writing ? SelectionKey.OP_WRITE : 0));
            if (Thread.currentThread().isInterrupted()) {
                // select() returns at once while the interrupt flag is set: stop rather than spin to the deadline
                throw new WireGuardException(op, iface, 0, "interrupted while talking to UAPI socket " + socket);
            }
            long wait = deadline - System.nanoTime();
            if (wait <= 0) {
                throw new WireGuardException(op, iface, 0, "no progress on UAPI socket " + socket + " for "
                        + Duration.ofNanos(timeoutNanos).toMillis() + " ms ("
                        + (writing ? "while sending the request" : "waiting for the reply") + ")");
            }
            selector.selectedKeys().clear();
            if (selector.select(Math.max(1, wait / 1_000_000)) == 0) {
                continue;
            }
            boolean progress = false;
            if (writing && key.isWritable()) {
                try {
                    progress = ch.write(request) > 0;
                } catch (IOException e) {
                    // the server may have replied with an error and closed before reading all of it: read on
                    writeError = e;
                }
            }
            if (key.isReadable()) {
                int n = ch.read(in);
                if (n < 0) {
                    String what = reply.size() == 0 ? "closed the connection without a reply" : "truncated reply";
                    throw new WireGuardException(op, iface, "UAPI socket " + socket + ": " + what, writeError);
                }
                if (n > 0) {
                    in.flip();
                    reply.add(in);
                    in.clear();
                    progress = true;
                }
            }
            if (progress) {
                deadline = System.nanoTime() + timeoutNanos;
            }
        }
    }

    /** The bytes of a reply before its terminating blank line. */
    record Body(byte[] bytes, int length) {}

    /** Thrown when a reply breaks the size bounds. */
    static final class ReplyTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        ReplyTooLargeException(String message) {
            super(message);
        }
    }

    /** Collects reply bytes up to the first blank line, enforcing the bounds as bytes arrive. */
    static final class ReplyBuffer {
        private final int maxBytes;
        private final int maxLine;
        private byte[] buf = new byte[4096];
        private int len;
        private int lineLen;
        private boolean complete;

        ReplyBuffer(int maxBytes, int maxLine) {
            this.maxBytes = maxBytes;
            this.maxLine = maxLine;
        }

        boolean complete() {
            return complete;
        }

        int size() {
            return len;
        }

        void add(ByteBuffer src) throws ReplyTooLargeException {
            while (src.hasRemaining() && !complete) {
                byte b = src.get();
                if (b == '\n') {
                    if (lineLen == 0) {
                        complete = true; // the blank line ends the reply; anything after it is not ours
                        return;
                    }
                    lineLen = 0;
                } else if (++lineLen > maxLine) {
                    throw new ReplyTooLargeException("reply line longer than " + maxLine + " bytes");
                }
                if (len == buf.length) {
                    if (len >= maxBytes) {
                        throw new ReplyTooLargeException("reply larger than " + maxBytes + " bytes");
                    }
                    byte[] old = buf;
                    buf = Arrays.copyOf(old, (int) Math.min((long) maxBytes, 2L * old.length));
                    Arrays.fill(old, (byte) 0); // a get reply holds the private key

                }
                buf[len++] = b;
            }
        }

        Body body() {
            return new Body(buf, len);
        }

        void wipe() {
            Arrays.fill(buf, (byte) 0);
            len = 0;
        }
    }
}
