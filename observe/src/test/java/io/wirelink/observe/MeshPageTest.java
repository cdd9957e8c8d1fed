package io.wirelink.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live view in a real browser (Debian's chromium, headless): served with a status whose path to one peer changes
 * after the first poll, the page must show both peers, the new path, and the change in its list. The screenshot stays
 * in target/ as a test artifact. The lab test (MeshViewIT) does the same against a running agent.
 */
class MeshPageTest {
    static final String A = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
    static final String B = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";
    static final String R = "Hk9p3Zb9Yq6a2ECmHbkLYfi1lRhJ8q4CsmU8DDxVwHQ=";
    static final String SELF = "2nBvJ9XJmOHbQ3uNxN6q3c8q5oYb0fA4QvO1mX1t0kE=";

    HttpServer server;
    final AtomicInteger polls = new AtomicInteger();
    /** The poll at which the screenshot's page starts, so that it too sees the change. */
    final AtomicInteger firstOfScreenshot = new AtomicInteger(-1);

    static String status(String pathToB) {
        String relayFields = pathToB.startsWith("via relay") ? ",\"relay\":\"" + R + "\"" : "";
        return """
                {"interface":"wg0","publicKey":"%s","router":false,"peers":[
                 {"publicKey":"%s","name":"alpha","member":true,"onDevice":true,"path":"direct",
                  "pathSince":"2026-12-07T10:00:00Z","handshakeAgeSeconds":12,"endpoint":"198.51.100.2:51820",
                  "trust":"MEMBERSHIP"},
                 {"publicKey":"%s","name":"beta","member":true,"onDevice":true,"path":"%s"%s,
                  "notDirect":"both ends behind symmetric NATs","handshakeAgeSeconds":40,"trust":"MEMBERSHIP"}],
                 "relays":[{"publicKey":"%s","endpoint":"203.0.113.7:51823","alive":true,"attached":true,
                  "rttMillis":3.2,"configured":true}]}
                """.formatted(SELF, A, B, pathToB, relayFields, R);
    }

    @BeforeEach
    void serve() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            byte[] body;
            String type;
            if (ex.getRequestURI().getPath().equals("/status")) {
                // each page's first poll sees beta direct; every later one sees it via the relay
                int n = polls.getAndIncrement();
                body = status(n == 0 || n == firstOfScreenshot.get() ? "direct" : "via relay")
                        .getBytes(StandardCharsets.UTF_8);
                type = "application/json";
            } else {
                body = MeshPage.bytes();
                type = MeshPage.CONTENT_TYPE;
            }
            ex.getResponseHeaders().add("Content-Type", type);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    static Path chromium() {
        Path p = Path.of("/usr/bin/chromium");
        Assumptions.assumeTrue(Files.isExecutable(p) || System.getenv("CI") != null,
                "chromium is not installed (apt-get install chromium)");
        return p;
    }

    /** Runs headless chromium on the page with a virtual-time budget that covers a few polls. */
    static String run(Path chromium, Path profile, String url, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--user-data-dir=" + profile, "--virtual-time-budget=7000",
                "--window-size=1280,900"));
        cmd.addAll(List.of(extra));
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium finished");
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void showsThePeersTheirPathsAndAPathChange(@TempDir Path dir) throws Exception {
        Path chromium = chromium();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        String dom = run(chromium, dir.resolve("profile"), url, "--dump-dom");
        assertTrue(polls.get() >= 2, "the page polled more than once: " + polls.get());
        assertTrue(dom.contains("<tr data-peer=\"" + A + "\" data-path=\"direct\">"), dom);
        assertTrue(dom.contains("<tr data-peer=\"" + B + "\" data-path=\"relay\">"), dom);
        assertTrue(dom.contains("beta: direct → via relay"), "the change is listed: " + dom);
        assertTrue(dom.contains("both ends behind symmetric NATs"), "why not direct");
        assertTrue(dom.contains("data-relay=\"" + R + "\""), "the relay on offer");

        Path shot = Path.of("target", "mesh-view.png").toAbsolutePath();
        Files.deleteIfExists(shot);
        firstOfScreenshot.set(polls.get());
        run(chromium, dir.resolve("profile2"), url, "--screenshot=" + shot);
        assertTrue(Files.size(shot) > 10_000, "a screenshot was written to " + shot);
        byte[] png = Files.readAllBytes(shot);
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
    }
}
