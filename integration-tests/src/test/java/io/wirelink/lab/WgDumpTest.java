package io.wirelink.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirelink.apply.DeviceState;
import io.wirelink.apply.PeerState;
import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.IpPrefix;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WgDumpTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void parsesInterfaceAndPeers() {
        PrivateKey own = PrivateKey.generate(RANDOM);
        PublicKey p1 = PrivateKey.generate(RANDOM).publicKey();
        PublicKey p2 = PrivateKey.generate(RANDOM).publicKey();
        PublicKey p3 = PrivateKey.generate(RANDOM).publicKey();
        String dump = own.toBase64() + "\t" + own.publicKey() + "\t51820\toff\n"
                + p1 + "\t(none)\t203.0.113.11:51820\t198.18.0.2/32,fd00:99::2/128\t1732262400\t1234\t5678\toff\n"
                + p2 + "\t" + own.toBase64() + "\t[fd00::1]:4000\t(none)\t0\t0\t0\t1\n"
                + p3 + "\t(none)\t(none)\t(none)\t0\t0\t0\toff\n";
        DeviceState d = WgDump.parse("wl0000-x", dump);
        assertEquals("wl0000-x", d.name());
        assertEquals(own.publicKey(), d.publicKey());
        assertEquals(51820, d.listenPort());
        assertEquals(0, d.fwmark());
        assertEquals(3, d.peers().size());

        PeerState a = d.peer(p1);
        assertFalse(a.hasPresharedKey());
        assertEquals(IpEndpoint.parse("203.0.113.11:51820"), a.endpoint());
        assertEquals(List.of(IpPrefix.parse("198.18.0.2/32"), IpPrefix.parse("fd00:99::2/128")), a.allowedIps());
        assertEquals(Instant.ofEpochSecond(1732262400), a.lastHandshake());
        assertEquals(1234, a.rxBytes());
        assertEquals(5678, a.txBytes());
        assertEquals(0, a.persistentKeepaliveSeconds());

        PeerState b = d.peer(p2);
        assertTrue(b.hasPresharedKey());
        assertEquals(IpEndpoint.parse("[fd00::1]:4000"), b.endpoint());
        assertEquals(List.of(), b.allowedIps());
        assertEquals(Instant.EPOCH, b.lastHandshake());
        assertEquals(1, b.persistentKeepaliveSeconds());

        assertNull(d.peer(p3).endpoint());
    }

    @Test
    void parsesAnInterfaceWithoutKeyAndWithFwmark() {
        DeviceState d = WgDump.parse("wl0000-y", "(none)\t(none)\t0\t0x1234\n");
        assertNull(d.publicKey());
        assertEquals(0, d.listenPort());
        assertEquals(0x1234, d.fwmark());
        assertEquals(List.of(), d.peers());
    }

    @Test
    void refusesMalformedLines() {
        assertThrows(IllegalArgumentException.class, () -> WgDump.parse("x", ""));
        assertThrows(IllegalArgumentException.class, () -> WgDump.parse("x", "a\tb\tc\n"));
    }
}
