package io.wirelink.relay;

import static io.wirelink.relay.WireFormat.INITIATION_EPHEMERAL_OFFSET;
import static io.wirelink.relay.WireFormat.INITIATION_STATIC_LENGTH;
import static io.wirelink.relay.WireFormat.INITIATION_STATIC_OFFSET;
import static io.wirelink.relay.WireFormat.INITIATION_TIMESTAMP_LENGTH;
import static io.wirelink.relay.WireFormat.INITIATION_TIMESTAMP_OFFSET;
import static io.wirelink.relay.WireFormat.KEY_LENGTH;

import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * The responder half of WireGuard's Noise_IKpsk2 handshake (whitepaper 5.4.2 and 5.4.3) with no preshared key (32
 * zero bytes, as WireGuard uses when none is configured). {@link #consume} checks an initiation whose mac1 the
 * caller has already verified; {@link #respond} builds the response and derives the transport keys.
 *
 * <p>Per initiator it remembers the greatest TAI64N timestamp and when it last consumed an initiation, refusing
 * replays and initiations less than 20 ms apart, as WireGuard does; it also caches the static-static DH. That table
 * is bounded (least recently used out); a forgotten initiator's old initiation could then be replayed, which the
 * relay tolerates because it binds a client's endpoint only on the first transport packet under the new keys (the
 * key confirmation), which a replayer cannot produce. Not thread-safe.
 */
final class NoiseResponder {
    /** WireGuard's REKEY_TIMEOUT-independent flood limit: one initiation per initiator per 20 ms. */
    static final long MIN_INITIATION_INTERVAL_NANOS = 20_000_000L;
    private static final byte[] ZERO_PSK = new byte[32];

    private final byte[] staticPrivate = new byte[32];
    private final PublicKey staticPublic;
    private final byte[] initialHash;
    private final Map<PublicKey, PeerState> peers;

    /** Why an initiation was refused. */
    enum Reason {
        /** The ephemeral key is a low-order point (the DH is zero). */
        BAD_EPHEMERAL,
        /** The static key did not decrypt: not for this key, or tampered. */
        BAD_STATIC,
        /** The admission callback refused the initiator's key (or it is the relay's own key). */
        NOT_ADMITTED,
        /** The initiator's static key is a low-order point. */
        BAD_PEER_KEY,
        /** The timestamp did not decrypt. */
        BAD_TIMESTAMP,
        /** The timestamp is not later than the last accepted one from this initiator. */
        REPLAY,
        /** Less than 20 ms since this initiator's last accepted initiation. */
        FLOOD
    }

    /** A refused initiation: a stackless exception, since refusals are routine network input. */
    static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Reason reason;

        Rejected(Reason reason) {
            super(reason.name(), null, false, false);
            this.reason = reason;
        }
    }

    /** The state after a consumed initiation; {@link #respond} continues from it. */
    record Consumed(PublicKey peer, int senderIndex, byte[] remoteEphemeral, byte[] chainKey, byte[] hash,
            byte[] timestamp) {}

    /** A response and the transport keys it derived (the responder receives with the first KDF output). */
    record Responded(byte[] message, byte[] receiveKey, byte[] sendKey) {}

    private static final class PeerState {
        byte[] lastTimestamp;
        long lastConsumed;
        boolean consumedOnce;
        byte[] staticStatic;
    }

    NoiseResponder(PrivateKey key, int maxPeers) {
        key.writeTo(staticPrivate, 0);
        this.staticPublic = key.publicKey();
        this.initialHash = WgCrypto.hash(WgCrypto.INITIAL_HASH, staticPublic.toBytes());
        this.peers = new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<PublicKey, PeerState> eldest) {
                return size() > maxPeers;
            }
        };
    }

    PublicKey publicKey() {
        return staticPublic;
    }

    /**
     * Decrypts and checks a well-formed initiation (mac1 already verified by the caller).
     *
     * @param admit asked once the initiator's static key is known, before the second DH
     * @throws Rejected when the initiation is invalid, refused, replayed or too soon
     */
    Consumed consume(byte[] msg, long now, Predicate<PublicKey> admit) throws Rejected {
        byte[] ephemeral = Arrays.copyOfRange(msg, INITIATION_EPHEMERAL_OFFSET, INITIATION_EPHEMERAL_OFFSET + KEY_LENGTH);
        byte[] hash = WgCrypto.hash(initialHash, ephemeral);
        byte[] chainKey = WgCrypto.kdf(1, WgCrypto.INITIAL_CHAIN_KEY, ephemeral)[0];

        byte[] es = WgCrypto.dh(staticPrivate, ephemeral);
        if (es == null) {
            throw new Rejected(Reason.BAD_EPHEMERAL);
        }
        byte[][] ck = WgCrypto.kdf(2, chainKey, es);
        WgCrypto.zero(es);
        chainKey = ck[0];
        byte[] peerBytes = WgCrypto.open(ck[1], 0, msg, INITIATION_STATIC_OFFSET, INITIATION_STATIC_LENGTH, hash);
        WgCrypto.zero(ck[1]);
        if (peerBytes == null) {
            throw new Rejected(Reason.BAD_STATIC);
        }
        hash = WgCrypto.hash(hash, Arrays.copyOfRange(msg, INITIATION_STATIC_OFFSET,
                INITIATION_STATIC_OFFSET + INITIATION_STATIC_LENGTH));
        PublicKey peer = PublicKey.of(peerBytes);
        if (peer.equals(staticPublic) || !admit.test(peer)) {
            throw new Rejected(Reason.NOT_ADMITTED);
        }

        PeerState state = peers.get(peer);
        byte[] ss = state == null ? null : state.staticStatic;
        if (ss == null) {
            ss = WgCrypto.dh(staticPrivate, peerBytes);
            if (ss == null) {
                throw new Rejected(Reason.BAD_PEER_KEY);
            }
        }
        ck = WgCrypto.kdf(2, chainKey, ss);
        chainKey = ck[0];
        byte[] timestamp = WgCrypto.open(ck[1], 0, msg, INITIATION_TIMESTAMP_OFFSET, INITIATION_TIMESTAMP_LENGTH, hash);
        WgCrypto.zero(ck[1]);
        if (timestamp == null) {
            throw new Rejected(Reason.BAD_TIMESTAMP);
        }
        hash = WgCrypto.hash(hash, Arrays.copyOfRange(msg, INITIATION_TIMESTAMP_OFFSET,
                INITIATION_TIMESTAMP_OFFSET + INITIATION_TIMESTAMP_LENGTH));

        if (state == null) {
            state = new PeerState();
            state.staticStatic = ss;
            peers.put(peer, state);
        }
        if (!Tai64n.after(timestamp, state.lastTimestamp)) {
            throw new Rejected(Reason.REPLAY);
        }
        if (state.consumedOnce && now - state.lastConsumed < MIN_INITIATION_INTERVAL_NANOS) {
            throw new Rejected(Reason.FLOOD);
        }
        state.lastTimestamp = timestamp;
        state.lastConsumed = now;
        state.consumedOnce = true;
        return new Consumed(peer, WireFormat.senderIndex(msg), ephemeral, chainKey, hash, timestamp);
    }

    /**
     * Builds the response to {@code c} with a fresh ephemeral key and derives the session keys. mac1 is keyed with
     * the initiator's public key; mac2 is zero (the relay holds no cookie from its clients).
     */
    Responded respond(Consumed c, int localIndex, Random random) {
        byte[] ePriv = WgCrypto.generatePrivateKey(random);
        byte[] ePub = WgCrypto.publicKey(ePriv);
        byte[] msg = WireFormat.header(WireFormat.TYPE_RESPONSE, WireFormat.RESPONSE_LENGTH);
        WireFormat.putIntLE(msg, WireFormat.SENDER_OFFSET, localIndex);
        WireFormat.putIntLE(msg, WireFormat.RESPONSE_RECEIVER_OFFSET, c.senderIndex());
        System.arraycopy(ePub, 0, msg, WireFormat.RESPONSE_EPHEMERAL_OFFSET, KEY_LENGTH);

        byte[] hash = WgCrypto.hash(c.hash(), ePub);
        byte[] chainKey = WgCrypto.kdf(1, c.chainKey(), ePub)[0];
        byte[] ee = WgCrypto.dh(ePriv, c.remoteEphemeral());
        byte[] se = WgCrypto.dh(ePriv, c.peer().toBytes());
        WgCrypto.zero(ePriv);
        // consume() refused low-order ephemeral and static keys, so neither DH can be zero here
        chainKey = WgCrypto.kdf(1, chainKey, ee)[0];
        chainKey = WgCrypto.kdf(1, chainKey, se)[0];
        WgCrypto.zero(ee, se);
        byte[][] t = WgCrypto.kdf(3, chainKey, ZERO_PSK);
        chainKey = t[0];
        hash = WgCrypto.hash(hash, t[1]);
        byte[] empty = WgCrypto.seal(t[2], 0, WgCrypto.EMPTY, hash);
        WgCrypto.zero(t[1], t[2]);
        System.arraycopy(empty, 0, msg, WireFormat.RESPONSE_EMPTY_OFFSET, WireFormat.TAG_LENGTH);
        Macs.writeMac1(c.peer(), msg);

        byte[][] keys = WgCrypto.kdf(2, chainKey, WgCrypto.EMPTY);
        WgCrypto.zero(chainKey, c.chainKey());
        return new Responded(msg, keys[0], keys[1]);
    }
}
