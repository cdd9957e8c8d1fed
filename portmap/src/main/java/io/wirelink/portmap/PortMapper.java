package io.wirelink.portmap;

import io.wirelink.facts.Clock;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.MalformedInputException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks one gateway to forward a UDP port to us: PCP first, then NAT-PMP, then UPnP-IGD (or only the protocols
 * given). Every method blocks (a few seconds at most per protocol: PCP and NAT-PMP retransmit after 250, 500,
 * 1000 ms... as RFC 6886 §3.1 says, {@link Options#attempts} times; UPnP has an HTTP timeout) and so must not run
 * on an event loop.
 */
public final class PortMapper implements Mapper {
    private static final Logger log = LoggerFactory.getLogger(PortMapper.class);
    static final String DESCRIPTION = "wirelink";

    /**
     * @param initialTimeout the first PCP / NAT-PMP wait, doubled on every retransmission (RFC 6886: 250 ms)
     * @param attempts PCP / NAT-PMP transmissions per request (RFC 6886 allows 9, about a minute; 4 is 3.75 s)
     * @param httpTimeout each UPnP HTTP request, and how long SSDP answers are awaited
     */
    public record Options(Duration initialTimeout, int attempts, Duration httpTimeout) {
        public static final Options DEFAULTS = new Options(Duration.ofMillis(250), 4, Duration.ofSeconds(3));
    }

    private final InetAddress gateway;
    private final Clock clock;
    private final Options options;
    private final Random random;
    private HttpClient http;

    public PortMapper(InetAddress gateway, Clock clock, Options options) {
        this(gateway, clock, options, new SecureRandom());
    }

    PortMapper(InetAddress gateway, Clock clock, Options options, Random random) {
        this.gateway = gateway;
        this.clock = clock;
        this.options = options;
        this.random = random;
    }

    public InetAddress gateway() {
        return gateway;
    }

    /**
     * Maps UDP {@code internalPort} for {@code lifetime}, trying {@code order}'s protocols in turn; the first that
     * succeeds wins. The gateway may grant another external port and another lifetime than asked.
     *
     * @throws PortMapException with every protocol's reason when none succeeds
     */
    @Override
    public Mapping map(int internalPort, Duration lifetime, List<MappingProtocol> order) throws PortMapException {
        List<String> why = new ArrayList<>();
        for (MappingProtocol p : order) {
            long t0 = System.nanoTime();
            try {
                Mapping m = request(p, internalPort, internalPort, lifetime, null);
                log.debug("{}: mapped in {} ms", p.label(), (System.nanoTime() - t0) / 1_000_000);
                return m;
            } catch (PortMapException e) {
                log.debug("{}: {}", p.label(), e.getMessage());
                why.add(p.label() + ": " + e.getMessage());
            }
        }
        throw new PortMapException("gateway " + gateway.getHostAddress() + " gave no mapping (" + String.join("; ",
                why) + ")");
    }

    /** Maps with every protocol in the default order: PCP, NAT-PMP, UPnP-IGD. */
    public Mapping map(int internalPort, Duration lifetime) throws PortMapException {
        return map(internalPort, lifetime, List.of(MappingProtocol.values()));
    }

    /** Renews {@code m} with its own protocol for {@code lifetime}, asking for the same external port. */
    @Override
    public Mapping renew(Mapping m, Duration lifetime) throws PortMapException {
        return request(m.protocol(), m.internal().port(), m.external().port(), lifetime, m);
    }

    /** Deletes {@code m} on the gateway. */
    @Override
    public void delete(Mapping m) throws PortMapException {
        switch (m.protocol()) {
            case PCP:
                pcp(m.internal().port(), m.external().port(), 0, m);
                break;
            case NAT_PMP:
                natPmpMap(m.internal().port(), 0, 0);
                break;
            case UPNP:
                upnpDelete(m);
                break;
            default:
                throw new IllegalStateException();
        }
    }

    private Mapping request(MappingProtocol p, int internalPort, int suggestedExternal, Duration lifetime,
            Mapping previous) throws PortMapException {
        long secs = Math.max(1, Math.min(lifetime.toSeconds(), 0xffffffffL));
        switch (p) {
            case PCP:
                return pcp(internalPort, suggestedExternal, secs, previous);
            case NAT_PMP:
                return natPmp(internalPort, suggestedExternal, secs);
            case UPNP:
                return upnp(internalPort, suggestedExternal, secs, previous);
            default:
                throw new IllegalStateException();
        }
    }

    // ---------------------------------------------------------------- PCP

    private Mapping pcp(int internalPort, int suggestedExternal, long secs, Mapping previous)
            throws PortMapException {
        byte[] nonce;
        if (previous != null && previous.nonce().length == Pcp.NONCE_LENGTH) {
            nonce = previous.nonce();
        } else {
            nonce = new byte[Pcp.NONCE_LENGTH];
            random.nextBytes(nonce);
        }
        InetAddress suggestedAddress = previous == null ? null : previous.external().address();
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(new InetSocketAddress(gateway, Pcp.PORT));
            InetAddress self = s.getLocalAddress();
            byte[] req = Pcp.mapRequest(self, nonce, internalPort, suggestedExternal, suggestedAddress, secs);
            Pcp.MapResponse r = exchange(s, req, b -> {
                Pcp.MapResponse x = Pcp.decodeMap(b);
                if (x.result() == 0 && (!Arrays.equals(x.nonce(), nonce) || x.internalPort() != internalPort
                        || x.protocol() != Pcp.PROTO_UDP)) {
                    throw new MalformedInputException("PCP response for another mapping");
                }
                return x;
            }, "PCP");
            if (r.result() != 0) {
                throw new PortMapException("refused: " + Pcp.resultName(r.result()));
            }
            if (secs == 0) {
                return null;
            }
            if (r.externalAddress() == null || r.externalAddress().isAnyLocalAddress() || r.externalPort() == 0) {
                throw new PortMapException("no external address or port in the answer");
            }
            return new Mapping(MappingProtocol.PCP, new IpEndpoint(r.externalAddress(), r.externalPort()),
                    new IpEndpoint(self, internalPort), gateway, Duration.ofSeconds(r.lifetimeSeconds()),
                    clock.now(), nonce, null, null);
        } catch (IOException e) {
            throw new PortMapException(e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- NAT-PMP

    private Mapping natPmp(int internalPort, int suggestedExternal, long secs) throws PortMapException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(new InetSocketAddress(gateway, NatPmp.PORT));
            NatPmp.ExternalAddressResponse a = exchange(s, NatPmp.externalAddressRequest(),
                    NatPmp::decodeExternalAddress, "NAT-PMP");
            if (a.result() != 0) {
                throw new PortMapException("external address refused: " + NatPmp.resultName(a.result()));
            }
            NatPmp.MapResponse m = natPmpMap(s, internalPort, suggestedExternal, secs);
            if (a.address().isAnyLocalAddress() || m.externalPort() == 0) {
                throw new PortMapException("no external address or port in the answer");
            }
            return new Mapping(MappingProtocol.NAT_PMP, new IpEndpoint(a.address(), m.externalPort()),
                    new IpEndpoint(s.getLocalAddress(), internalPort), gateway,
                    Duration.ofSeconds(m.lifetimeSeconds()), clock.now(), null, null, null);
        } catch (IOException e) {
            throw new PortMapException(e.getMessage(), e);
        }
    }

    private void natPmpMap(int internalPort, int suggestedExternal, long secs) throws PortMapException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(new InetSocketAddress(gateway, NatPmp.PORT));
            natPmpMap(s, internalPort, suggestedExternal, secs);
        } catch (IOException e) {
            throw new PortMapException(e.getMessage(), e);
        }
    }

    private NatPmp.MapResponse natPmpMap(DatagramSocket s, int internalPort, int suggestedExternal, long secs)
            throws IOException, PortMapException {
        NatPmp.MapResponse m = exchange(s, NatPmp.mapRequest(internalPort, suggestedExternal, secs), b -> {
            NatPmp.MapResponse x = NatPmp.decodeMap(b, NatPmp.OP_MAP_UDP);
            if (x.result() == 0 && x.internalPort() != internalPort) {
                throw new MalformedInputException("NAT-PMP response for another port");
            }
            return x;
        }, "NAT-PMP");
        if (m.result() != 0) {
            throw new PortMapException("refused: " + NatPmp.resultName(m.result()));
        }
        return m;
    }

    // ---------------------------------------------------------------- the UDP exchange of PCP and NAT-PMP

    interface Decoder<T> {
        T decode(byte[] b);
    }

    /**
     * Sends {@code req} on the connected socket and returns the first reply that decodes, retransmitting with a
     * doubling timeout; replies that do not decode are ignored (the wait goes on).
     */
    private <T> T exchange(DatagramSocket s, byte[] req, Decoder<T> decoder, String what)
            throws IOException, PortMapException {
        byte[] buf = new byte[Pcp.MAX_LENGTH + 4];
        long timeout = options.initialTimeout().toMillis();
        String lastBad = null;
        for (int attempt = 0; attempt < options.attempts(); attempt++, timeout *= 2) {
            s.send(new DatagramPacket(req, req.length));
            long deadline = System.nanoTime() + timeout * 1_000_000;
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    break;
                }
                s.setSoTimeout((int) Math.max(1, left));
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    break;
                } catch (PortUnreachableException e) {
                    throw new PortMapException("nothing listens on " + gateway.getHostAddress() + ":" + s.getPort());
                }
                try {
                    return decoder.decode(Arrays.copyOf(p.getData(), p.getLength()));
                } catch (MalformedInputException e) {
                    lastBad = e.getMessage();
                }
            }
        }
        throw new PortMapException("no " + what + " answer from " + gateway.getHostAddress() + ":" + s.getPort()
                + " after " + options.attempts() + " tries" + (lastBad == null ? "" : " (last reply: " + lastBad + ")"));
    }

    // ---------------------------------------------------------------- UPnP-IGD

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(options.httpTimeout()).followRedirects(HttpClient.Redirect.NEVER).build();
        }
        return http;
    }

    private Mapping upnp(int internalPort, int suggestedExternal, long secs, Mapping previous)
            throws PortMapException {
        try {
            UpnpXml.Service svc;
            InetAddress self;
            if (previous != null && previous.controlUrl() != null) {
                svc = new UpnpXml.Service(previous.serviceType(), previous.controlUrl());
                self = previous.internal().address();
            } else {
                Ssdp.Answer a = discover();
                byte[] desc = get(a.location());
                svc = UpnpXml.wanService(desc, a.location());
                self = localAddressTowards(InetAddress.getByName(svc.controlUrl().getHost()));
            }
            UpnpXml.SoapResult ip = soap(svc, "GetExternalIPAddress", new LinkedHashMap<>());
            if (!ip.ok()) {
                throw new PortMapException("GetExternalIPAddress: UPnP error " + ip.errorCode() + " "
                        + ip.errorDescription());
            }
            InetAddress external = parseAddress(ip.values().get("NewExternalIPAddress"));
            long lease = secs;
            int port = suggestedExternal;
            UpnpXml.SoapResult r = addPortMapping(svc, port, internalPort, self, lease);
            if (!r.ok() && r.errorCode() == 725) { // OnlyPermanentLeasesSupported
                lease = 0;
                r = addPortMapping(svc, port, internalPort, self, lease);
            }
            if (!r.ok() && (r.errorCode() == 718 || r.errorCode() == 724)) { // conflict / same ports required
                if (svc.type().endsWith(":2")) {
                    UpnpXml.SoapResult any = soap(svc, "AddAnyPortMapping", mappingArgs(port, internalPort, self,
                            lease));
                    if (any.ok() && any.values().containsKey("NewReservedPort")) {
                        port = parsePort(any.values().get("NewReservedPort"));
                        r = any;
                    }
                }
                for (int i = 0; i < 3 && !r.ok(); i++) {
                    port = 1024 + random.nextInt(65536 - 1024);
                    r = addPortMapping(svc, port, internalPort, self, lease);
                }
            }
            if (!r.ok()) {
                throw new PortMapException("AddPortMapping: UPnP error " + r.errorCode() + " " + r.errorDescription());
            }
            // a permanent lease is still renewed hourly: the gateway may have rebooted
            Duration lifetime = Duration.ofSeconds(lease == 0 ? 3600 : lease);
            return new Mapping(MappingProtocol.UPNP, new IpEndpoint(external, port), new IpEndpoint(self,
                    internalPort), gateway, lifetime, clock.now(), null, svc.controlUrl(), svc.type());
        } catch (MalformedInputException e) {
            throw new PortMapException(e.getMessage(), e);
        } catch (IOException e) {
            throw new PortMapException(e.toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortMapException("interrupted", e);
        }
    }

    private void upnpDelete(Mapping m) throws PortMapException {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("NewRemoteHost", "");
        args.put("NewExternalPort", Integer.toString(m.external().port()));
        args.put("NewProtocol", "UDP");
        try {
            UpnpXml.SoapResult r = soap(new UpnpXml.Service(m.serviceType(), m.controlUrl()), "DeletePortMapping",
                    args);
            if (!r.ok()) {
                throw new PortMapException("DeletePortMapping: UPnP error " + r.errorCode() + " "
                        + r.errorDescription());
            }
        } catch (MalformedInputException | IOException e) {
            throw new PortMapException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortMapException("interrupted", e);
        }
    }

    private UpnpXml.SoapResult addPortMapping(UpnpXml.Service svc, int external, int internal, InetAddress self,
            long lease) throws IOException, InterruptedException {
        return soap(svc, "AddPortMapping", mappingArgs(external, internal, self, lease));
    }

    private static Map<String, String> mappingArgs(int external, int internal, InetAddress self, long lease) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("NewRemoteHost", "");
        args.put("NewExternalPort", Integer.toString(external));
        args.put("NewProtocol", "UDP");
        args.put("NewInternalPort", Integer.toString(internal));
        args.put("NewInternalClient", self.getHostAddress());
        args.put("NewEnabled", "1");
        args.put("NewPortMappingDescription", DESCRIPTION);
        args.put("NewLeaseDuration", Long.toString(lease));
        return args;
    }

    /** Finds the IGD: an M-SEARCH to the gateway's SSDP port and to the multicast group; the gateway's answer. */
    Ssdp.Answer discover() throws IOException, PortMapException {
        try (DatagramSocket s = new DatagramSocket()) {
            byte[] req = Ssdp.search(Ssdp.IGD_V1, 1);
            s.send(new DatagramPacket(req, req.length, new InetSocketAddress(gateway, Ssdp.PORT)));
            try {
                s.send(new DatagramPacket(req, req.length, new InetSocketAddress(Ssdp.MULTICAST, Ssdp.PORT)));
            } catch (IOException e) {
                // no multicast route: the unicast search may still be answered
            }
            long deadline = System.nanoTime() + options.httpTimeout().toNanos();
            byte[] buf = new byte[Ssdp.MAX_LENGTH];
            String lastBad = null;
            int resent = 0;
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new PortMapException("no SSDP answer from " + gateway.getHostAddress()
                            + (lastBad == null ? "" : " (last: " + lastBad + ")"));
                }
                s.setSoTimeout((int) Math.max(1, Math.min(left, 500)));
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    if (resent++ < 2) {
                        s.send(new DatagramPacket(req, req.length, new InetSocketAddress(gateway, Ssdp.PORT)));
                    }
                    continue;
                } catch (PortUnreachableException e) {
                    throw new PortMapException("nothing listens on " + gateway.getHostAddress() + ":" + Ssdp.PORT);
                }
                if (!p.getAddress().equals(gateway)) {
                    continue; // another device on the LAN
                }
                try {
                    return Ssdp.decode(Arrays.copyOf(p.getData(), p.getLength()));
                } catch (MalformedInputException e) {
                    lastBad = e.getMessage();
                }
            }
        }
    }

    private byte[] get(URI uri) throws IOException, InterruptedException, PortMapException {
        HttpResponse<byte[]> r = http().send(HttpRequest.newBuilder(uri).timeout(options.httpTimeout()).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new PortMapException("GET " + uri + ": HTTP " + r.statusCode());
        }
        return r.body();
    }

    private UpnpXml.SoapResult soap(UpnpXml.Service svc, String action, Map<String, String> args)
            throws IOException, InterruptedException {
        String body = UpnpXml.soapRequest(svc.type(), action, args);
        HttpRequest req = HttpRequest.newBuilder(svc.controlUrl()).timeout(options.httpTimeout())
                .header("Content-Type", "text/xml; charset=\"utf-8\"")
                .header("SOAPAction", "\"" + svc.type() + "#" + action + "\"")
                .POST(HttpRequest.BodyPublishers.ofByteArray(UpnpXml.utf8(body))).build();
        HttpResponse<byte[]> r = http().send(req, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200 && r.statusCode() != 500) {
            return new UpnpXml.SoapResult(Map.of(), -r.statusCode(), "HTTP " + r.statusCode());
        }
        return UpnpXml.soapResponse(r.body(), action);
    }

    private static InetAddress localAddressTowards(InetAddress target) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(new InetSocketAddress(target, 9));
            return s.getLocalAddress();
        }
    }

    private static InetAddress parseAddress(String s) throws PortMapException {
        if (s == null || s.isBlank()) {
            throw new PortMapException("the gateway knows no external address");
        }
        try {
            InetAddress a = IpEndpoint.parse(s.strip() + ":1").address();
            if (a.isAnyLocalAddress()) {
                throw new PortMapException("the gateway's external address is " + s);
            }
            return a;
        } catch (IllegalArgumentException e) {
            throw new PortMapException("the gateway's external address '" + s + "' is not an IP address");
        }
    }

    private static int parsePort(String s) throws PortMapException {
        try {
            int p = Integer.parseInt(s.strip());
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new PortMapException("bad port '" + s + "'");
        }
    }
}
