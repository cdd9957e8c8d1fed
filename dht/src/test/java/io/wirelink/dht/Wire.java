package io.wirelink.dht;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.util.ArrayList;
import java.util.List;

/** Test helper: speaks the wire protocol by hand, as another node (or an attacker holding a key) would. */
final class Wire {
    record Sent(IpEndpoint to, byte[] data) {}

    /** An outbox that keeps everything. */
    static final class Capture implements Outbox {
        final List<Sent> sent = new ArrayList<>();

        @Override
        public void send(IpEndpoint to, byte[] datagram) {
            sent.add(new Sent(to, datagram));
        }

        Sent last() {
            return sent.get(sent.size() - 1);
        }

        void clear() {
            sent.clear();
        }
    }

    static byte[] pairKey(PrivateKey from, PublicKey to, String network) {
        return PairKeys.derive(from.sharedSecret(to), Workbit.networkBytes(network), from.publicKey(), to);
    }

    static byte[] packet(PrivateKey from, PublicKey to, String network, Message m, long ts, long nonce,
            Cookie cookie, int padding) {
        Packet p = new Packet(false, from.publicKey(), ts, nonce, cookie, m, padding);
        return DhtCodec.encode(p, pairKey(from, to, network), to);
    }

    /** A request padded to {@code size} bytes (no cookie). */
    static byte[] request(PrivateKey from, PublicKey to, String network, Message m, long ts, long nonce, int size) {
        Packet p = new Packet(false, from.publicKey(), ts, nonce, null, m, 0);
        int pad = Math.max(0, size - DhtCodec.length(p));
        return packet(from, to, network, m, ts, nonce, null, pad);
    }

    /** Decodes and checks the MAC of a packet {@code to} received. */
    static Packet open(byte[] data, PrivateKey to, String network) {
        Packet p = DhtCodec.decode(data);
        if (!DhtCodec.verify(data, pairKey(to, p.sender(), network), to.publicKey())) {
            throw new AssertionError("bad MAC");
        }
        return p;
    }
}
