package io.wirelink.tools.sim;

import io.wirelink.agent.core.AgentCore;
import io.wirelink.apply.DeviceChange;
import io.wirelink.apply.PeerChange;
import io.wirelink.facts.Attribute;
import io.wirelink.facts.Fact;
import io.wirelink.facts.FactCodec;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PublicKey;
import io.wirelink.facts.SignedGroupValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * A digest of every decision the agents' cores hand their drivers, in the order they make them: for each batch of
 * actions (a pass or a quick step that decided anything) the simulated time, the agent's public key, the device
 * change, each datagram sent (its peer, address, port, and the keys of the facts it carries, as
 * {@link io.wirelink.facts.FactKey} defines them), and the reasons.
 *
 * <p>It reads only the core's outputs at its boundary ({@link AgentCore.Actions}), canonicalised: the peers of a
 * device change and each peer's allowed IPs are sorted (WireGuard applies them as sets), datagram payloads are
 * decoded rather than hashed as bytes (nonces and MACs are not decisions). So a refactoring of the core that leaves
 * its outputs equal leaves the digest equal, and any change of what the cores decide, or when, changes it. Nothing
 * here depends on identity hashes or hash-map order, so it is equal across runs and JVMs.
 */
public final class DecisionDigest {
    private final MessageDigest sha;
    private final Consumer<String> log;
    /** The batch being added, as text, when there is a log. */
    private StringBuilder text;
    private long batches;

    public DecisionDigest() {
        this(null);
    }

    /**
     * @param log receives each batch as one line of text, exactly what goes into the digest (keys in base64, bytes
     *     in hex), so two runs whose digests differ can be diffed to the first decision that moved; null: none
     */
    public DecisionDigest(Consumer<String> log) {
        this.log = log;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

    /** Adds what {@code agent}'s core decided at {@code nanos} of simulated time; empty batches add nothing. */
    public void add(long nanos, PublicKey agent, AgentCore.Actions a, Instant now) {
        if (a.change().isEmpty() && a.datagrams().isEmpty() && a.reasons().isEmpty()) {
            return;
        }
        batches++;
        text = log == null ? null : new StringBuilder();
        tag('B');
        putLong(nanos);
        key(agent);
        if (!a.change().isEmpty()) {
            change(a.change());
        }
        for (AgentCore.Outgoing o : a.datagrams()) {
            tag('D');
            key(o.peer());
            bytes(o.address().getAddress());
            putInt(o.port());
            payload(o.payload(), now);
        }
        for (String r : a.reasons()) {
            tag('R');
            string(r);
        }
        if (text != null) {
            log.accept(text.toString());
        }
    }

    /** Batches that decided something. */
    public long batches() {
        return batches;
    }

    /** The first 8 bytes of the SHA-256 so far, in hex (the digest goes on). */
    public String hex() {
        try {
            byte[] d = ((MessageDigest) sha.clone()).digest();
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    private void change(DeviceChange c) {
        tag('C');
        // the core never sets the private key; if it did, which key it set is the decision (never the secret)
        if (c.privateKey() == null) {
            tag('-');
        } else {
            key(c.privateKey().publicKey());
        }
        putInt(c.listenPort() == null ? -1 : c.listenPort());
        putInt(c.fwmark() == null ? -1 : c.fwmark());
        tag(c.replacePeers() ? 'r' : '-');
        List<PeerChange> peers = new ArrayList<>(c.peers());
        peers.sort(Comparator.comparing(PeerChange::publicKey));
        for (PeerChange p : peers) {
            tag('P');
            key(p.publicKey());
            tag(p.remove() ? 'x' : '-');
            tag(p.updateOnly() ? 'u' : '-');
            if (p.endpoint() == null) {
                tag('-');
            } else {
                endpoint(p.endpoint());
            }
            putInt(p.persistentKeepaliveSeconds() == null ? -1 : p.persistentKeepaliveSeconds());
            tag(p.replaceAllowedIps() ? 'r' : '-');
            List<IpPrefix> ips = new ArrayList<>(p.allowedIps());
            ips.sort(null);
            putInt(ips.size());
            for (IpPrefix ip : ips) {
                bytes(ip.address().getAddress());
                putInt(ip.prefixLength());
            }
        }
    }

    private void endpoint(IpEndpoint e) {
        tag('E');
        bytes(e.address().getAddress());
        putInt(e.port());
    }

    /** The group's version and flags, then each fact's key: attribute, subject, value (none for Alive). */
    private void payload(byte[] payload, Instant now) {
        SignedGroupValue g;
        try {
            g = FactCodec.decodeDatagram(payload, now).value() instanceof SignedGroupValue s ? s : null;
        } catch (RuntimeException undecodable) {
            g = null;
        }
        if (g == null) {
            tag('?'); // not a group the core would send: pin the bytes themselves
            bytes(payload);
            return;
        }
        putInt(g.version());
        putInt(g.flags());
        putInt(g.facts().size());
        putInt(g.skippedUnknown());
        for (Fact f : g.facts()) {
            tag(f.attribute().code());
            key(f.subject());
            bytes(f.attribute() == Attribute.ALIVE ? new byte[0] : f.value().toBytes());
        }
    }

    private void key(PublicKey k) {
        if (text != null) {
            text.append(' ').append(k);
        }
        sha.update(k.toBytes());
    }

    private void tag(int t) {
        if (text != null) {
            text.append(text.length() == 0 ? "" : " ").append((char) t);
        }
        sha.update((byte) t);
    }

    private void bytes(byte[] b) {
        if (text != null) {
            text.append(' ').append(HexFormat.of().formatHex(b));
        }
        putIntQuiet(b.length);
        sha.update(b);
    }

    private void string(String v) {
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        if (text != null) {
            text.append(" \"").append(v).append('"');
        }
        putIntQuiet(b.length);
        sha.update(b);
    }

    private void putInt(int v) {
        if (text != null) {
            text.append(' ').append(v);
        }
        putIntQuiet(v);
    }

    private void putIntQuiet(int v) {
        sha.update((byte) (v >>> 24));
        sha.update((byte) (v >>> 16));
        sha.update((byte) (v >>> 8));
        sha.update((byte) v);
    }

    private void putLong(long v) {
        if (text != null) {
            text.append(' ').append(v);
        }
        for (int i = 56; i >= 0; i -= 8) {
            sha.update((byte) (v >>> i));
        }
    }
}
