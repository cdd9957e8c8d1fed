package io.wirelink.agent.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wirelink.facts.Clock;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.portmap.DefaultGateway;
import io.wirelink.portmap.Mapping;
import io.wirelink.portmap.MappingProtocol;
import io.wirelink.portmap.PortMapException;
import io.wirelink.portmap.PortMapKeeper;
import io.wirelink.portmap.PortMapper;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wirelink portmap}: asks the default gateway to forward a UDP port (PCP, then NAT-PMP, then UPnP-IGD), the
 * way the agent does for its listen port, and prints what it got as JSON lines. For trying a gateway by hand and for
 * the lab tests.
 */
@Command(name = "portmap", description = "Map a UDP port on the default gateway (PCP, NAT-PMP, UPnP-IGD) and print "
        + "the mapping as JSON lines.")
public final class PortMapCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", description = "internal UDP port (default ${DEFAULT-VALUE})", defaultValue = "51820")
    int port;

    @Option(names = "--lifetime", description = "lease asked for, seconds (default ${DEFAULT-VALUE})",
            defaultValue = "7200")
    long lifetime;

    @Option(names = "--protocol", split = ",", description = "pcp, nat-pmp, upnp (default: all, in that order)")
    List<String> protocols = new ArrayList<>();

    @Option(names = "--gateway", description = "the gateway (default: the IPv4 default route's)")
    String gateway;

    @Option(names = "--renew", description = "renew the mapping once, at once")
    boolean renew;

    @Option(names = "--delete", description = "delete the mapping at the end")
    boolean delete;

    @Option(names = "--hold", description = "keep the mapping (renewing at half-life) until terminated; then delete it")
    boolean hold;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        List<MappingProtocol> order = new ArrayList<>();
        try {
            for (String p : protocols) {
                order.add(MappingProtocol.parse(p));
            }
        } catch (IllegalArgumentException e) {
            err.println("wirelink portmap: " + e.getMessage());
            return 2;
        }
        if (order.isEmpty()) {
            order.addAll(List.of(MappingProtocol.values()));
        }
        Optional<? extends InetAddress> gw = gateway == null ? DefaultGateway.read()
                : Optional.of(IpEndpoint.parse(gateway + ":1").address());
        if (gw.isEmpty()) {
            err.println("wirelink portmap: no IPv4 default gateway");
            return 1;
        }
        if (hold) {
            return hold(gw.get(), order);
        }
        PortMapper mapper = new PortMapper(gw.get(), Clock.system(), PortMapper.Options.DEFAULTS);
        try {
            long t0 = System.nanoTime();
            Mapping m = mapper.map(port, Duration.ofSeconds(lifetime), order);
            print("mapped", m, t0);
            if (renew) {
                t0 = System.nanoTime();
                m = mapper.renew(m, Duration.ofSeconds(lifetime));
                print("renewed", m, t0);
            }
            if (delete) {
                t0 = System.nanoTime();
                mapper.delete(m);
                print("deleted", m, t0);
            }
            return 0;
        } catch (PortMapException e) {
            err.println("wirelink portmap: " + e.getMessage());
            return 1;
        }
    }

    private int hold(InetAddress gw, List<MappingProtocol> order) throws InterruptedException {
        PortMapKeeper.Settings s = new PortMapKeeper.Settings(port, Duration.ofSeconds(lifetime), order,
                Duration.ofSeconds(5), Duration.ofSeconds(3));
        long t0 = System.nanoTime();
        PortMapKeeper k = new PortMapKeeper(() -> Optional.of(gw), g -> new PortMapper(g, Clock.system(),
                PortMapper.Options.DEFAULTS), s, Clock.system(), m -> {
                    if (m.isPresent()) {
                        print("mapped", m.get(), t0);
                    } else {
                        print("lost", null, t0);
                    }
                });
        k.onRenewal(m -> print("renewed", m, t0));
        CountDownLatch never = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Optional<Mapping> last = k.current();
            k.close();
            last.ifPresent(m -> print("deleted", m, System.nanoTime()));
        }, "portmap-delete"));
        k.start();
        never.await();
        return 0;
    }

    private synchronized void print(String event, Mapping m, long t0) {
        ObjectNode o = JsonTree.F.objectNode();
        o.put("event", event);
        if (m != null) {
            o.put("protocol", m.protocol().label());
            o.put("external", m.external().toString());
            o.put("internal", m.internal().toString());
            o.put("gateway", m.gateway().getHostAddress());
            o.put("lifetime", m.lifetime().toSeconds());
            o.put("expires", m.expires().toString());
        }
        o.put("ms", (System.nanoTime() - t0) / 1_000_000);
        PrintWriter out = spec.commandLine().getOut();
        out.println(JsonTree.write(o, false));
        out.flush();
    }
}
