package io.wirelink.sim;

import io.wirelink.facts.PublicKey;

/**
 * A UDP datagram on the underlay, which is its own event while in flight (arrival at {@link #target}). WireGuard
 * messages carry their meaning as fields instead of ciphertext: the sim models who can read what, not the crypto.
 */
final class Packet extends Event {
    /** A plain UDP datagram (payload in {@link #payload}). */
    static final int UDP = 0;
    /** WireGuard handshake initiation (148 bytes). */
    static final int WG_INIT = 1;
    /** WireGuard handshake response (92 bytes). */
    static final int WG_RESP = 2;
    /** WireGuard transport data; a keepalive when {@link #payload} is null. */
    static final int WG_DATA = 3;
    /** A datagram to a local address, delivered without touching a network (inner fields as for data). */
    static final int LOCAL = 4;

    int kind;
    int srcAddr;
    int srcPort;
    int dstAddr;
    int dstPort;
    /** UDP payload bytes on the wire. */
    int size;
    /** Where the packet arrives when its event fires. */
    Iface target;
    Node localTarget;
    byte[] payload;

    // WireGuard fields
    int senderIndex;
    int receiverIndex;
    PublicKey initiator;
    PublicKey responder;
    long timestamp;
    long handshakeId;

    // the tunnelled (inner) UDP datagram of a data packet
    byte[] innerSrc;
    byte[] innerDst;
    int innerSrcPort;
    int innerDstPort;

    Packet(int kind) {
        this.kind = kind;
    }

    @Override
    void fire() {
        if (kind == LOCAL) {
            ((Host) localTarget).arriveLocal(this);
            return;
        }
        Iface t = target;
        target = null;
        t.node.arrive(this, t);
    }

    @Override
    long traceCode() {
        long h = kind;
        h = h * 31 + srcAddr;
        h = h * 31 + srcPort;
        h = h * 31 + dstAddr;
        h = h * 31 + dstPort;
        h = h * 31 + size;
        return h * 31 + (target == null ? -1 : target.id);
    }

    String kindName() {
        switch (kind) {
            case UDP:
                return "udp";
            case WG_INIT:
                return "wg-initiation";
            case WG_RESP:
                return "wg-response";
            case WG_DATA:
                return payload == null ? "wg-keepalive" : "wg-data";
            default:
                return "local";
        }
    }

    String describe() {
        return kindName() + " " + Ip4.format(srcAddr) + ":" + srcPort + " -> " + Ip4.format(dstAddr) + ":" + dstPort
                + " " + size + "B";
    }

    /** WireGuard pads the encrypted inner packet to a multiple of 16 bytes. */
    static int dataSize(int innerLength) {
        return 32 + ((innerLength + 15) & ~15);
    }
}
