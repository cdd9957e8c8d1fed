package io.wirelink.portmap;

import io.wirelink.facts.IpEndpoint;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A port mapping the gateway granted: packets to {@code external} are forwarded to {@code internal}. It lasts
 * {@code lifetime} from {@code obtained}; renew it at half that.
 *
 * @param nonce the PCP mapping nonce (renewals and deletion must repeat it); empty for the other protocols
 * @param controlUrl the UPnP WANIPConnection control URL; null for the other protocols
 * @param serviceType the UPnP service type (e.g. {@code urn:schemas-upnp-org:service:WANIPConnection:2}); null
 *     for the other protocols
 */
public record Mapping(MappingProtocol protocol, IpEndpoint external, IpEndpoint internal, InetAddress gateway,
        Duration lifetime, Instant obtained, byte[] nonce, URI controlUrl, String serviceType) {

    public Mapping {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(external, "external");
        Objects.requireNonNull(internal, "internal");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(lifetime, "lifetime");
        Objects.requireNonNull(obtained, "obtained");
        nonce = nonce == null ? new byte[0] : nonce.clone();
    }

    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    /** When the gateway drops the mapping unless it is renewed. */
    public Instant expires() {
        return obtained.plus(lifetime);
    }

    /** When to renew: half the lifetime (RFC 6886 §3.3 and RFC 6887 §11.2.1 both suggest about that). */
    public Instant renewAt() {
        return obtained.plus(lifetime.dividedBy(2));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Mapping m && protocol == m.protocol && external.equals(m.external)
                && internal.equals(m.internal) && gateway.equals(m.gateway) && lifetime.equals(m.lifetime)
                && obtained.equals(m.obtained) && Arrays.equals(nonce, m.nonce)
                && Objects.equals(controlUrl, m.controlUrl) && Objects.equals(serviceType, m.serviceType);
    }

    @Override
    public int hashCode() {
        return Objects.hash(protocol, external, internal, lifetime, obtained);
    }

    @Override
    public String toString() {
        return protocol.label() + " " + external + " -> " + internal + " for " + lifetime.toSeconds() + " s from "
                + obtained;
    }
}
