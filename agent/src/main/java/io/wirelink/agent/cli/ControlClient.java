package io.wirelink.agent.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Talks HTTP/1.0 to a running agent's control socket (JDK unix sockets; no Vert.x needed in the CLI). */
public final class ControlClient {
    /** A reply: the status code and the body. */
    public record Response(int status, String body) {}

    /** No daemon answers on the socket. */
    public static final class NoDaemon extends IOException {
        private static final long serialVersionUID = 1L;

        NoDaemon(String message) {
            super(message);
        }
    }

    private ControlClient() {}

    public static Response call(Path socket, String method, String path) throws IOException {
        if (!Files.exists(socket)) {
            throw new NoDaemon("no control socket at " + socket);
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new NoDaemon("nothing listens on " + socket + " (" + e.getMessage() + ")");
            }
            String req = method + " " + path + " HTTP/1.0\r\nHost: wirelink\r\nContent-Length: 0\r\n\r\n";
            ch.write(ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(65536);
            while (ch.read(buf) >= 0) {
                buf.flip();
                out.write(buf.array(), 0, buf.limit());
                buf.clear();
                if (out.size() > 64 << 20) {
                    throw new IOException("control reply larger than 64 MiB");
                }
            }
            String s = out.toString(StandardCharsets.UTF_8);
            int sp = s.indexOf(' ');
            int headEnd = s.indexOf("\r\n\r\n");
            if (sp < 0 || headEnd < 0) {
                throw new IOException("malformed reply from the agent");
            }
            int status = Integer.parseInt(s.substring(sp + 1, sp + 4));
            return new Response(status, s.substring(headEnd + 4));
        }
    }
}
