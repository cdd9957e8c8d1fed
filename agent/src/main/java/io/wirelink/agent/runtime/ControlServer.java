package io.wirelink.agent.runtime;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.wirelink.agent.cli.FactJson;
import io.wirelink.agent.cli.JsonTree;
import io.wirelink.agent.core.AgentCore;
import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.FactCodec;
import io.wirelink.facts.store.FactEvent;
import io.wirelink.facts.store.FactView;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local control socket ({@code <runDir>/<iface>.sock}): HTTP over a unix socket, so {@code wirelink
 * --dump-facts}, {@code show} and {@code reload} talk to it, and so does {@code curl --unix-socket}. Root only
 * (mode 0600). {@code GET /facts}, {@code GET /status}, {@code POST /reload}.
 */
final class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    private final Vertx vertx;
    private final AgentRuntime runtime;
    /** A client that connects and sends nothing is dropped after this long. */
    private static final int IDLE_SECONDS = 30;
    private static final int MAX_HEAD = 16384;
    private NetServer server;
    private Path path;

    ControlServer(Vertx vertx, AgentRuntime runtime) {
        this.vertx = vertx;
        this.runtime = runtime;
    }

    Future<Void> listen(Path socket) {
        try {
            Files.createDirectories(socket.getParent());
            Files.deleteIfExists(socket); // a stale socket from a crashed run
        } catch (IOException e) {
            return Future.failedFuture(new IOException("cannot prepare control socket " + socket + ": " + e, e));
        }
        this.path = socket;
        server = vertx.createNetServer(new NetServerOptions().setIdleTimeout(IDLE_SECONDS)).connectHandler(
                this::connected);
        return server.listen(SocketAddress.domainSocketAddress(socket.toString())).compose(s -> {
            try {
                Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            } catch (IOException | UnsupportedOperationException e) {
                log.warn("cannot restrict {}: {}", socket, e.getMessage());
            }
            return Future.<Void>succeededFuture();
        }, e -> Future.failedFuture(new IOException("cannot listen on control socket " + socket + ": "
                + e.getMessage() + (vertx.isNativeTransportEnabled() ? "" : " (no native transport)"), e)));
    }

    /**
     * One request per connection, answered and closed: all the CLI (HTTP/1.0) and {@code curl --unix-socket} need.
     * Vert.x's HTTP server and Netty's HTTP codec would load about 250 classes more into the daemon for this.
     */
    private void connected(NetSocket sock) {
        Buffer head = Buffer.buffer();
        boolean[] answered = {false};
        sock.handler(b -> {
            if (answered[0]) {
                return; // a request body, or a second request on a connection that is about to close
            }
            head.appendBuffer(b);
            String s = head.toString(StandardCharsets.ISO_8859_1);
            int end = s.indexOf("\r\n\r\n");
            if (end < 0) {
                if (head.length() > MAX_HEAD) {
                    answered[0] = true;
                    respond(sock, 431, error("request head larger than " + MAX_HEAD + " bytes"), false);
                }
                return;
            }
            answered[0] = true;
            String[] line = s.substring(0, s.indexOf("\r\n")).split(" ");
            if (line.length != 3 || !line[2].startsWith("HTTP/")) {
                respond(sock, 400, error("malformed request line"), false);
                return;
            }
            int q = line[1].indexOf('?');
            handle(line[0] + " " + (q < 0 ? line[1] : line[1].substring(0, q)), sock);
        });
    }

    private void handle(String route, NetSocket sock) {
        switch (route) {
            case "GET /facts" -> runtime.onCore(ControlServer::facts).onComplete(r -> reply(sock, r));
            case "GET /status" -> runtime.onCore(c -> withPortMapping(withRelay(status(c, runtime.backend()),
                    c, runtime.relay()), runtime.portMapStatus())).onComplete(r -> reply(sock, r));
            case "POST /reload" -> runtime.reload().onComplete(r -> {
                if (r.succeeded()) {
                    respond(sock, 200, "{\"reloaded\":true}\n", false);
                } else {
                    respond(sock, 400, error(r.cause().getMessage()), false);
                }
            });
            default -> respond(sock, 404, error("no such endpoint: " + route), false);
        }
    }

    private static String error(String message) {
        ObjectNode n = JsonTree.F.objectNode();
        n.put("error", message);
        return JsonTree.write(n, false) + "\n";
    }

    private static void reply(NetSocket sock, io.vertx.core.AsyncResult<ObjectNode> r) {
        if (r.succeeded()) {
            respond(sock, 200, JsonTree.write(r.result(), true) + "\n", true);
        } else {
            respond(sock, 500, error(String.valueOf(r.cause().getMessage())), false);
        }
    }

    private static void respond(NetSocket sock, int status, String body, boolean json) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 431 -> "Request Header Fields Too Large";
            default -> "Internal Server Error";
        } + "\r\n" + (json ? "content-type: application/json\r\n" : "") + "content-length: " + b.length
                + "\r\nconnection: close\r\n\r\n";
        sock.write(Buffer.buffer(head.getBytes(StandardCharsets.US_ASCII)).appendBytes(b))
                .onComplete(v -> sock.close());
    }

    /** Every fact in the log with its provenance, and whether the trust policy believes it. */
    static ObjectNode facts(AgentCore core) {
        ObjectNode root = JsonTree.F.objectNode();
        AgentCore.Snapshot snap = core.snapshot();
        Instant now = snap == null ? Instant.now() : snap.at();
        root.put("self", core.publicKey().toBase64());
        root.put("bootId", core.bootId().toString());
        root.put("at", now.toString());
        ArrayNode arr = root.putArray("facts");
        FactView view = snap == null ? core.store().view(now) : snap.view();
        for (FactView.Entry e : view.entries()) {
            ObjectNode f = FactJson.fact(e.fact(), now);
            f.put("believed", snap != null && snap.believed().contains(e.key()));
            ArrayNode prov = f.putArray("provenance");
            for (FactEvent a : e.assertions()) {
                ObjectNode p = prov.addObject();
                p.put("author", a.provenance().author().toBase64());
                p.put("channel", a.provenance().channel().jsonName());
                if (a.provenance().source() != null) {
                    p.put("source", a.provenance().source().toString());
                }
                p.put("receivedAt", a.provenance().receivedAt().toString());
                p.put("ttl", FactCodec.ttlSeconds(a.fact().expires(), now));
            }
            arr.add(f);
        }
        return root;
    }

    /** The device annotated with what the agent makes of each peer. */
    /**
     * Adds {@code "portMapping"} to a status: {@code {"enabled": false}} when off; else the mapping (protocol,
     * external endpoint, gateway, lifetime, obtained, expires) or {@code "error"}, why there is none.
     */
    static ObjectNode withPortMapping(ObjectNode status, io.wirelink.portmap.PortMapKeeper.Status pm) {
        ObjectNode o = status.putObject("portMapping");
        o.put("enabled", pm != null);
        if (pm != null) {
            pm.mapping().ifPresentOrElse(m -> {
                o.put("protocol", m.protocol().label());
                o.put("external", m.external().toString());
                o.put("gateway", m.gateway().getHostAddress());
                o.put("lifetimeSeconds", m.lifetime().toSeconds());
                o.put("obtained", m.obtained().toString());
                o.put("expires", m.expires().toString());
            }, () -> o.put("error", pm.error()));
        }
        return status;
    }

    /** Whether the fact log still reaches its file (false after a write failure, until a rewrite succeeds). */
    private static void factLog(ObjectNode o, io.wirelink.facts.store.FactStore store) {
        io.wirelink.facts.store.FactStore.Stats st = store.stats();
        o.put("persistent", st.persistent());
        o.put("events", st.events());
        o.put("fileBytes", st.fileBytes());
        o.put("writeFailures", st.writeFailures());
        o.put("recoveries", st.recoveries());
        store.writeFailure().ifPresent(e -> o.put("error", e));
    }

    static ObjectNode status(AgentCore core, String backend) {
        ObjectNode root = JsonTree.F.objectNode();
        AgentCore.Snapshot snap = core.snapshot();
        DeviceState d = core.lastDevice();
        Instant now = snap == null ? Instant.now() : snap.at();
        root.put("interface", core.config().iface());
        root.put("backend", backend);
        root.put("publicKey", core.publicKey().toBase64());
        root.put("listenPort", d == null ? 0 : d.listenPort());
        root.put("gossipPort", core.gossipPort());
        root.put("router", snap != null && snap.selfRouter());
        root.put("routerMode", core.config().router().name().toLowerCase(java.util.Locale.ROOT));
        root.put("facts", snap == null ? 0 : snap.view().size());
        factLog(root.putObject("factLog"), core.store());
        var c = core.counters();
        ObjectNode counters = root.putObject("counters");
        counters.put("datagramsIn", c.datagramsIn);
        counters.put("datagramsOut", c.datagramsOut);
        counters.put("bytesIn", c.bytesIn);
        counters.put("bytesOut", c.bytesOut);
        counters.put("punchRequests", c.punchRequests);
        counters.put("aliveGreetings", c.aliveGreetings);
        counters.put("aliveProbes", c.aliveProbes);
        counters.put("alivePunches", c.alivePunches);
        counters.put("withdrawalsOut", c.withdrawalsOut);
        counters.put("withdrawalsIn", c.withdrawalsIn);
        counters.put("firstContactRetries", c.firstContactRetries);
        counters.put("passes", c.passes);
        counters.put("quickSteps", c.quickPasses);
        counters.put("malformed", c.malformed);
        counters.put("unverified", c.unverified);
        counters.put("unknownSigner", c.unknownSigner);
        counters.put("wrongSource", c.wrongSource);
        counters.put("factsAccepted", c.factsAccepted);
        counters.put("factsRejected", c.factsRejected);
        ArrayNode peers = root.putArray("peers");
        if (snap != null) {
            for (AgentCore.PeerStatus s : snap.peers()) {
                ObjectNode p = peers.addObject();
                p.put("publicKey", s.key().toBase64());
                if (s.name() != null) {
                    p.put("name", s.name());
                }
                PeerState ps = d == null ? null : d.peer(s.key());
                p.put("onDevice", s.onDevice());
                if (ps != null) {
                    if (ps.endpoint() != null) {
                        p.put("endpoint", ps.endpoint().toString());
                    }
                    ArrayNode aips = p.putArray("allowedIps");
                    ps.allowedIps().forEach(a -> aips.add(a.toString()));
                    if (!ps.lastHandshake().equals(Instant.EPOCH)) {
                        p.put("latestHandshake", ps.lastHandshake().toString());
                        p.put("handshakeAgeSeconds", java.time.Duration.between(ps.lastHandshake(), now)
                                .toSeconds());
                    }
                    p.put("rxBytes", ps.rxBytes());
                    p.put("txBytes", ps.txBytes());
                }
                p.put("member", s.member());
                p.put("configured", s.configured());
                p.put("healthy", s.healthy());
                p.put("alive", s.aliveUntil() != null);
                p.put("trust", s.trust() == null ? null : s.trust().name());
                p.put("router", s.router());
                p.put("path", s.path());
                io.wirelink.traversal.RelayPlanner.PathInfo pi = core.relays().pathInfo(s.key());
                if (pi != null) {
                    p.put("pathSince", pi.since().toString());
                    if (!pi.notDirect().isEmpty()) {
                        p.put("notDirect", pi.notDirect());
                    }
                    if (pi.relay() != null) {
                        p.put("relay", pi.relay().toBase64());
                    }
                }
                p.put("why", s.why());
            }
        }
        return root;
    }

    /** Adds the relays this node knows ({@code relays}) and the one it runs ({@code relay}). */
    static ObjectNode withRelay(ObjectNode root, AgentCore core, RelayService own) {
        AgentCore.Snapshot snap = core.snapshot();
        Instant now = snap == null ? Instant.now() : snap.at();
        ArrayNode relays = root.putArray("relays");
        for (io.wirelink.traversal.RelayPlanner.RelayView r : core.relays().relays(now)) {
            ObjectNode n = relays.addObject();
            n.put("publicKey", r.relay().toBase64());
            if (r.operator() != null) {
                n.put("operator", r.operator().toBase64());
            }
            n.put("configured", r.configured());
            if (r.operator() == null && !r.configured()) {
                n.put("dht", true); // a peer's DHT record names it (PROTOCOL.md §7.8)
            }
            n.put("endpoint", r.endpoint().toString());
            if (!Double.isNaN(r.rttMillis())) {
                n.put("rttMillis", Math.round(r.rttMillis() * 10) / 10.0);
            }
            n.put("alive", r.alive());
            n.put("attached", r.attached());
            if (r.observed() != null) {
                n.put("observed", r.observed().toString());
            }
        }
        if (own != null) {
            ObjectNode n = root.putObject("relay");
            n.put("publicKey", own.publicKey().toBase64());
            n.put("port", own.port());
            RelayService.Status st = own.status();
            if (st != null) {
                n.put("clients", st.clients());
                n.put("datagrams", st.stats().datagrams());
                n.put("forwardedBytes", st.stats().forwardedBytes());
                ArrayNode fw = n.putArray("forwardedByType");
                for (int t = 1; t <= 4; t++) {
                    fw.add(st.stats().forwarded(t));
                }
                n.put("probesAnswered", st.probes());
                n.put("disclosed", st.disclosures()[0]); // disclosure queries answered with the peer's mapping
                n.put("disclosedUnknown", st.disclosures()[1]);
                ObjectNode drops = n.putObject("dropped");
                st.stats().dropped().forEach((k, v) -> drops.put(k.name(), v));
            }
        }
        return root;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        try {
            if (path != null) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            log.debug("removing {}: {}", path, e.toString());
        }
    }
}
