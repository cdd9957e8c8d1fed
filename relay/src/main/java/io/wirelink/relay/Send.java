package io.wirelink.relay;

import io.wirelink.facts.IpEndpoint;
import java.util.Arrays;
import java.util.Objects;

/**
 * An action of the relay: send {@code datagram} to {@code destination}. A forwarded datagram is the very array the
 * relay was given (zero copies, zero bytes added), so the caller must not reuse that array before it is sent.
 * Equality compares the bytes.
 */
public record Send(IpEndpoint destination, byte[] datagram) {
    public Send {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(datagram, "datagram");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Send s && destination.equals(s.destination) && Arrays.equals(datagram, s.datagram);
    }

    @Override
    public int hashCode() {
        return 31 * destination.hashCode() + Arrays.hashCode(datagram);
    }

    @Override
    public String toString() {
        return "Send[" + datagram.length + " B type " + (datagram.length > 0 ? datagram[0] : -1) + " to "
                + destination + "]";
    }
}
