package io.wirelink.relay;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.MalformedInputException;
import io.wirelink.facts.PrivateKey;
import io.wirelink.facts.PublicKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;

/**
 * Endpoint disclosure on the relay's port (PROTOCOL.md §6.4): a registered client asks the relay where a peer's NAT
 * mapped the peer's WireGuard port (the source of the peer's authenticated packets to the relay) and when to switch
 * to it, so that both ends of a relayed pair set each other's mapping and send at the same moment (a punch through
 * cone NATs). The relay answers only when both are registered and each allowed the other, the rule that forwarding
 * follows; otherwise it answers "unknown", in an answer of the same size. Neither message is a WireGuard message.
 *
 * <pre>
 * query  (112 B) = F4 | 01 | 00 00 | nonce (16) | timestamp (12, TAI64N) | client key (32) | peer key (32)
 *                  | mac (16) = keyed BLAKE2s-128(Kq, the 96 bytes before it)
 * answer  (84 B) = F5 | 01 | 00 00 | the query's nonce (16) | answer nonce (24)
 *                  | XChaCha20-Poly1305(Ka, answer nonce, plain (24), ad = the first 20 bytes | peer key) (24 + 16)
 * plain          = status (1: 00 unknown, 01 known) | family (1: 04 or 06) | IP (16, an IPv4 address in the first 4)
 *                  | port (2) | switch (2, signed, ms from when the relay sent the answer) | 00 00
 *                  (all zero after the status when unknown)
 * K  = BLAKE2s-256("wirelink-relay-disclosure-v1" | X25519(client, relay) | client public key | relay public key)
 * Kq = BLAKE2s-256(K | 01), Ka = BLAKE2s-256(K | 02)
 * </pre>
 *
 * The key is the static-static Diffie-Hellman of the client's WireGuard interface key and the relay's key, so only
 * the client can ask (in its own name) and only the relay can answer; the answer is encrypted, so the peer's mapping
 * is told to the client alone. Replays: the relay accepts a client's query only when its timestamp is later than the
 * last one it accepted from that client and than the TAI64N timestamp of the handshake that registered the client
 * (the client's agent and its WireGuard read the same clock), so a query can be used once and not across
 * registrations. An answer is never larger than its query and goes to the query's source address.
 */
public final class Disclosure {
    public static final int QUERY_LENGTH = 112;
    public static final int ANSWER_LENGTH = 84;
    public static final int NONCE_LENGTH = 16;
    public static final int ANSWER_NONCE_LENGTH = 24;
    static final int PLAIN_LENGTH = 24;
    static final byte QUERY = (byte) 0xF4;
    static final byte ANSWER = (byte) 0xF5;
    static final byte VERSION = 1;
    static final int TIMESTAMP_OFFSET = 20;
    static final int CLIENT_OFFSET = 32;
    static final int PEER_OFFSET = 64;
    static final int MAC_OFFSET = 96;
    static final int ANSWER_NONCE_OFFSET = 20;
    static final int SEALED_OFFSET = 44;
    static final byte[] LABEL = "wirelink-relay-disclosure-v1".getBytes(StandardCharsets.US_ASCII);
    /**
     * How far ahead of the first answer about a pair the relay puts the pair's switch moment: more than the clients'
     * query interval (500 ms), so the other end asks and learns the same moment before it comes.
     */
    public static final long SWITCH_LEAD_MILLIS = 700;
    /** For how long after a switch moment the relay still tells it (as past) before it sets a new one. */
    public static final long SWITCH_HOLD_MILLIS = 1500;

    private Disclosure() {}

    /** The two keys of one client-relay pair: Kq authenticates queries, Ka seals answers. */
    public record Keys(byte[] query, byte[] answer) {}

    /** The keys on the client's side: its interface private key and the relay's public key; null for a bad key. */
    public static Keys clientKeys(PrivateKey client, PublicKey relay) {
        return keys(client, relay, client.publicKey(), relay);
    }

    /** The keys on the relay's side; null when the client's key is a low-order point. */
    static Keys relayKeys(PrivateKey relay, PublicKey client) {
        return keys(relay, client, client, relay.publicKey());
    }

    private static Keys keys(PrivateKey own, PublicKey other, PublicKey client, PublicKey relay) {
        byte[] ss;
        try {
            ss = own.sharedSecret(other);
        } catch (IllegalArgumentException lowOrder) {
            return null;
        }
        byte[] k = WgCrypto.hash(LABEL, ss, client.toBytes(), relay.toBytes());
        Keys out = new Keys(WgCrypto.hash(k, new byte[] {1}), WgCrypto.hash(k, new byte[] {2}));
        WgCrypto.zero(ss, k);
        return out;
    }

    // ------------------------------------------------------------------ query

    /** A query, as decoded: no field is checked beyond its size (the relay looks the keys up). */
    public record Query(byte[] nonce, byte[] timestamp, PublicKey client, PublicKey peer, byte[] mac) {
        /** The query's bytes (the decoder's input, byte for byte). */
        public byte[] encode() {
            byte[] b = new byte[QUERY_LENGTH];
            b[0] = QUERY;
            b[1] = VERSION;
            System.arraycopy(nonce, 0, b, 4, NONCE_LENGTH);
            System.arraycopy(timestamp, 0, b, TIMESTAMP_OFFSET, Tai64n.LENGTH);
            client.writeTo(b, CLIENT_OFFSET);
            peer.writeTo(b, PEER_OFFSET);
            System.arraycopy(mac, 0, b, MAC_OFFSET, WireFormat.MAC_LENGTH);
            return b;
        }
    }

    /**
     * A query from {@code client} about {@code peer}, carrying {@code nonce} (16 random bytes) and the time
     * {@code now} (the wall clock, which must be the one the client's WireGuard reads).
     */
    public static byte[] query(Keys keys, byte[] nonce, Instant now, PublicKey client, PublicKey peer) {
        if (nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("the nonce is " + NONCE_LENGTH + " bytes");
        }
        byte[] b = new Query(nonce, Tai64n.of(now), client, peer, new byte[WireFormat.MAC_LENGTH]).encode();
        System.arraycopy(WgCrypto.mac(keys.query(), b, MAC_OFFSET), 0, b, MAC_OFFSET, WireFormat.MAC_LENGTH);
        return b;
    }

    /** True when {@code d} has a query's length and header (then {@link #decodeQuery} cannot fail). */
    static boolean isQuery(byte[] d) {
        return d.length == QUERY_LENGTH && d[0] == QUERY && d[1] == VERSION && d[2] == 0 && d[3] == 0;
    }

    /** Decodes a query's fields; throws {@link MalformedInputException} for anything else. */
    public static Query decodeQuery(byte[] d) {
        if (!isQuery(d)) {
            throw new MalformedInputException("not a disclosure query (" + d.length + " bytes)");
        }
        return new Query(Arrays.copyOfRange(d, 4, 4 + NONCE_LENGTH), Arrays.copyOfRange(d, TIMESTAMP_OFFSET,
                TIMESTAMP_OFFSET + Tai64n.LENGTH), PublicKey.of(d, CLIENT_OFFSET), PublicKey.of(d, PEER_OFFSET),
                Arrays.copyOfRange(d, MAC_OFFSET, QUERY_LENGTH));
    }

    /** True when the query {@code d} (see {@link #isQuery}) carries a valid mac under {@code keys}. */
    static boolean verify(Keys keys, byte[] d) {
        byte[] m = WgCrypto.mac(keys.query(), d, MAC_OFFSET);
        return org.bouncycastle.util.Arrays.constantTimeAreEqual(WireFormat.MAC_LENGTH, m, 0, d, MAC_OFFSET);
    }

    // ------------------------------------------------------------------ answer

    /** An answer, as decoded: the query nonce it echoes, its own nonce and the sealed part. */
    public record Answer(byte[] queryNonce, byte[] answerNonce, byte[] sealed) {
        public byte[] encode() {
            byte[] b = new byte[ANSWER_LENGTH];
            b[0] = ANSWER;
            b[1] = VERSION;
            System.arraycopy(queryNonce, 0, b, 4, NONCE_LENGTH);
            System.arraycopy(answerNonce, 0, b, ANSWER_NONCE_OFFSET, ANSWER_NONCE_LENGTH);
            System.arraycopy(sealed, 0, b, SEALED_OFFSET, PLAIN_LENGTH + WireFormat.TAG_LENGTH);
            return b;
        }
    }

    /** Decodes an answer's fields (not its sealed content); throws {@link MalformedInputException} otherwise. */
    public static Answer decodeAnswer(byte[] d, int len) {
        if (len != ANSWER_LENGTH || d.length < len || d[0] != ANSWER || d[1] != VERSION || d[2] != 0 || d[3] != 0) {
            throw new MalformedInputException("not a disclosure answer (" + len + " bytes)");
        }
        return new Answer(Arrays.copyOfRange(d, 4, 4 + NONCE_LENGTH), Arrays.copyOfRange(d, ANSWER_NONCE_OFFSET,
                SEALED_OFFSET), Arrays.copyOfRange(d, SEALED_OFFSET, ANSWER_LENGTH));
    }

    /**
     * What the relay said: where it sees the peer ({@code null}: unknown, i.e. not registered or the pair not
     * allowed both ways) and the switch moment, in milliseconds after the relay sent the answer (negative: passed).
     */
    public record Disclosed(IpEndpoint endpoint, int switchMillis) {}

    /**
     * The answer to a query with {@code queryNonce} about {@code peer}: {@code endpoint} and {@code switchMillis}, or
     * unknown when {@code endpoint} is null.
     */
    static byte[] answer(Keys keys, byte[] queryNonce, PublicKey peer, IpEndpoint endpoint, int switchMillis,
            Random random) {
        byte[] plain = new byte[PLAIN_LENGTH];
        if (endpoint != null) {
            plain[0] = 1;
            byte[] a = endpoint.address().getAddress();
            plain[1] = (byte) (a.length == 4 ? 4 : 6);
            System.arraycopy(a, 0, plain, 2, a.length);
            plain[18] = (byte) (endpoint.port() >>> 8);
            plain[19] = (byte) endpoint.port();
            int s = Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, switchMillis));
            plain[20] = (byte) (s >> 8);
            plain[21] = (byte) s;
        }
        byte[] nonce = new byte[ANSWER_NONCE_LENGTH];
        random.nextBytes(nonce);
        byte[] head = new byte[4 + NONCE_LENGTH];
        head[0] = ANSWER;
        head[1] = VERSION;
        System.arraycopy(queryNonce, 0, head, 4, NONCE_LENGTH);
        byte[] sealed = WgCrypto.xseal(keys.answer(), nonce, plain, ad(head, peer));
        return new Answer(queryNonce, nonce, sealed).encode();
    }

    private static byte[] ad(byte[] head, PublicKey peer) {
        byte[] ad = Arrays.copyOf(head, head.length + PublicKey.LENGTH);
        peer.writeTo(ad, head.length);
        return ad;
    }

    /** The query nonce an answer echoes (to find the query it answers), or null when {@code d} is no answer. */
    public static byte[] answerNonce(byte[] d, int len) {
        try {
            return decodeAnswer(d, len).queryNonce();
        } catch (MalformedInputException e) {
            return null;
        }
    }

    /**
     * Opens the answer {@code d} to our query about {@code peer}; null when it does not authenticate under
     * {@code keys} or its content is malformed. Never throws on any input.
     */
    public static Disclosed open(Keys keys, PublicKey peer, byte[] d, int len) {
        Answer a;
        try {
            a = decodeAnswer(d, len);
        } catch (MalformedInputException e) {
            return null;
        }
        byte[] plain = WgCrypto.xopen(keys.answer(), a.answerNonce(), a.sealed(), ad(Arrays.copyOf(d, 20), peer));
        if (plain == null) {
            return null;
        }
        try {
            return parsePlain(plain);
        } catch (MalformedInputException e) {
            return null;
        }
    }

    /** The strict parse of an answer's plaintext. */
    static Disclosed parsePlain(byte[] p) {
        if (p.length != PLAIN_LENGTH || p[22] != 0 || p[23] != 0) {
            throw new MalformedInputException("bad disclosure plaintext");
        }
        if (p[0] == 0) {
            for (int i = 1; i < PLAIN_LENGTH; i++) {
                if (p[i] != 0) {
                    throw new MalformedInputException("an unknown answer carries data");
                }
            }
            return new Disclosed(null, 0);
        }
        if (p[0] != 1 || (p[1] != 4 && p[1] != 6)) {
            throw new MalformedInputException("bad disclosure status or family");
        }
        int alen = p[1] == 4 ? 4 : 16;
        for (int i = 2 + alen; i < 18; i++) {
            if (p[i] != 0) {
                throw new MalformedInputException("bytes after an IPv4 address");
            }
        }
        int port = ((p[18] & 0xff) << 8) | (p[19] & 0xff);
        if (port == 0) {
            throw new MalformedInputException("port 0");
        }
        IpEndpoint ep;
        try {
            ep = IpEndpoint.of(Arrays.copyOfRange(p, 2, 2 + alen), port);
        } catch (IllegalArgumentException e) {
            throw new MalformedInputException("bad disclosed address: " + e.getMessage());
        }
        return new Disclosed(ep, (short) (((p[20] & 0xff) << 8) | (p[21] & 0xff)));
    }
}
