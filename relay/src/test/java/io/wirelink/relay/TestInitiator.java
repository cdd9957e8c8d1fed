package io.wirelink.relay;

import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;

/**
 * The initiator half of WireGuard's handshake, written from the whitepaper for tests: it plays a client registering
 * with the relay, or one peer talking to another through it. Not production code (no timers, no retries).
 */
final class TestInitiator {
    final PrivateKey key;
    private final byte[] priv = new byte[32];

    TestInitiator(PrivateKey key) {
        this.key = key;
        key.writeTo(priv, 0);
    }

    static TestInitiator random(Random r) {
        byte[] k = new byte[32];
        r.nextBytes(k);
        return new TestInitiator(PrivateKey.of(k));
    }

    PublicKey publicKey() {
        return key.publicKey();
    }

    /** An initiation in flight: the message and the state needed to consume the response. */
    static final class Pending {
        final byte[] message;
        final PublicKey responder;
        final int senderIndex;
        final byte[] ephemeralPrivate;
        final byte[] chainKey;
        final byte[] hash;

        Pending(byte[] message, PublicKey responder, int senderIndex, byte[] ephemeralPrivate, byte[] chainKey,
                byte[] hash) {
            this.message = message;
            this.responder = responder;
            this.senderIndex = senderIndex;
            this.ephemeralPrivate = ephemeralPrivate;
            this.chainKey = chainKey;
            this.hash = hash;
        }

        byte[] mac1() {
            return Arrays.copyOfRange(message, WireFormat.INITIATION_MAC1_OFFSET,
                    WireFormat.INITIATION_MAC1_OFFSET + WireFormat.MAC_LENGTH);
        }
    }

    Pending initiate(PublicKey responder, Instant time, int senderIndex, Random random) {
        return initiate(responder, time, senderIndex, random, null);
    }

    /** A fresh initiation to {@code responder}; with a cookie, mac2 is set too. */
    Pending initiate(PublicKey responder, Instant time, int senderIndex, Random random, byte[] cookie) {
        byte[] msg = WireFormat.header(WireFormat.TYPE_INITIATION, WireFormat.INITIATION_LENGTH);
        WireFormat.putIntLE(msg, WireFormat.SENDER_OFFSET, senderIndex);
        byte[] rPub = responder.toBytes();
        byte[] hash = WgCrypto.hash(WgCrypto.INITIAL_HASH, rPub);
        byte[] ePriv = WgCrypto.generatePrivateKey(random);
        byte[] ePub = WgCrypto.publicKey(ePriv);
        System.arraycopy(ePub, 0, msg, WireFormat.INITIATION_EPHEMERAL_OFFSET, 32);
        byte[] ck = WgCrypto.kdf(1, WgCrypto.INITIAL_CHAIN_KEY, ePub)[0];
        hash = WgCrypto.hash(hash, ePub);
        byte[][] t = WgCrypto.kdf(2, ck, WgCrypto.dh(ePriv, rPub));
        ck = t[0];
        byte[] encStatic = WgCrypto.seal(t[1], 0, publicKey().toBytes(), hash);
        System.arraycopy(encStatic, 0, msg, WireFormat.INITIATION_STATIC_OFFSET, encStatic.length);
        hash = WgCrypto.hash(hash, encStatic);
        t = WgCrypto.kdf(2, ck, WgCrypto.dh(priv, rPub));
        ck = t[0];
        byte[] encTs = WgCrypto.seal(t[1], 0, Tai64n.of(time), hash);
        System.arraycopy(encTs, 0, msg, WireFormat.INITIATION_TIMESTAMP_OFFSET, encTs.length);
        hash = WgCrypto.hash(hash, encTs);
        Macs.writeMac1(responder, msg);
        if (cookie != null) {
            Macs.writeMac2(cookie, msg);
        }
        return new Pending(msg, responder, senderIndex, ePriv, ck, hash);
    }

    /** Consumes the response to {@code p}; null when it does not authenticate. */
    TestSession consumeResponse(Pending p, byte[] response) {
        if (WireFormat.classify(response) != WireFormat.TYPE_RESPONSE
                || WireFormat.getIntLE(response, WireFormat.RESPONSE_RECEIVER_OFFSET) != p.senderIndex
                || !Macs.verifyMac1(publicKey(), response)) {
            return null;
        }
        byte[] ePub = Arrays.copyOfRange(response, WireFormat.RESPONSE_EPHEMERAL_OFFSET,
                WireFormat.RESPONSE_EPHEMERAL_OFFSET + 32);
        byte[] hash = WgCrypto.hash(p.hash, ePub);
        byte[] ck = WgCrypto.kdf(1, p.chainKey, ePub)[0];
        ck = WgCrypto.kdf(1, ck, WgCrypto.dh(p.ephemeralPrivate, ePub))[0];
        ck = WgCrypto.kdf(1, ck, WgCrypto.dh(priv, ePub))[0];
        byte[][] t = WgCrypto.kdf(3, ck, new byte[32]);
        ck = t[0];
        hash = WgCrypto.hash(hash, t[1]);
        if (WgCrypto.open(t[2], 0, response, WireFormat.RESPONSE_EMPTY_OFFSET, 16, hash) == null) {
            return null;
        }
        byte[][] keys = WgCrypto.kdf(2, ck, WgCrypto.EMPTY);
        return new TestSession(p.senderIndex, WireFormat.senderIndex(response), keys[0], keys[1]);
    }

    /** The cookie in a cookie reply from {@code responder} to {@code p}; null when it does not decrypt. */
    static byte[] openCookieReply(Pending p, byte[] reply) {
        byte[] nonce = Arrays.copyOfRange(reply, WireFormat.COOKIE_NONCE_OFFSET, WireFormat.COOKIE_NONCE_OFFSET + 24);
        byte[] box = Arrays.copyOfRange(reply, WireFormat.COOKIE_ENCRYPTED_OFFSET, WireFormat.COOKIE_REPLY_LENGTH);
        return WgCrypto.xopen(Macs.cookieKey(p.responder), nonce, box, p.mac1());
    }

    /** One side's transport keys. */
    static final class TestSession {
        final int localIndex;
        final int remoteIndex;
        final byte[] sendKey;
        final byte[] receiveKey;
        long counter;

        TestSession(int localIndex, int remoteIndex, byte[] sendKey, byte[] receiveKey) {
            this.localIndex = localIndex;
            this.remoteIndex = remoteIndex;
            this.sendKey = sendKey;
            this.receiveKey = receiveKey;
        }

        byte[] seal(byte[] plaintext) {
            return sealWithCounter(plaintext, counter++);
        }

        byte[] sealWithCounter(byte[] plaintext, long c) {
            byte[] box = WgCrypto.seal(sendKey, c, plaintext, WgCrypto.EMPTY);
            byte[] msg = WireFormat.header(WireFormat.TYPE_TRANSPORT, 16 + box.length);
            WireFormat.putIntLE(msg, WireFormat.TRANSPORT_RECEIVER_OFFSET, remoteIndex);
            WireFormat.putLongLE(msg, WireFormat.TRANSPORT_COUNTER_OFFSET, c);
            System.arraycopy(box, 0, msg, 16, box.length);
            return msg;
        }

        byte[] keepalive() {
            return seal(WgCrypto.EMPTY);
        }

        byte[] open(byte[] msg) {
            if (WireFormat.classify(msg) != WireFormat.TYPE_TRANSPORT
                    || WireFormat.getIntLE(msg, WireFormat.TRANSPORT_RECEIVER_OFFSET) != localIndex) {
                return null;
            }
            return WgCrypto.open(receiveKey, WireFormat.counter(msg), msg, 16, msg.length - 16, WgCrypto.EMPTY);
        }
    }
}
