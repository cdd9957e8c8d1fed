package io.wirelink.relay;

/**
 * One transport keypair of the relay's own WireGuard session with a client (the relay is always the responder).
 * The relay opens what the client sends to this index (keepalives) and can seal keepalives back; it never sees
 * any other session's keys. Not thread-safe.
 */
final class Session {
    /** WireGuard's REJECT_AFTER_TIME: no keypair is used for longer. */
    static final long REJECT_AFTER_TIME_NANOS = 180_000_000_000L;
    final int localIndex;
    final int remoteIndex;
    final long created;
    final Client client;
    private final byte[] receiveKey;
    private final byte[] sendKey;
    private final ReplayWindow replay = new ReplayWindow();
    private long sendCounter;
    boolean confirmed;

    Session(int localIndex, int remoteIndex, byte[] receiveKey, byte[] sendKey, long created, Client client) {
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
        this.receiveKey = receiveKey;
        this.sendKey = sendKey;
        this.created = created;
        this.client = client;
    }

    boolean expired(long now) {
        return now - created >= REJECT_AFTER_TIME_NANOS;
    }

    /**
     * Authenticates and decrypts the well-formed transport message {@code msg} sent to this index: the plaintext
     * (empty for a keepalive), or null when it is forged, replayed, or the keys are too old.
     */
    byte[] open(byte[] msg, long now) {
        if (expired(now)) {
            return null;
        }
        long counter = WireFormat.counter(msg);
        byte[] plain = WgCrypto.open(receiveKey, counter, msg, WireFormat.TRANSPORT_HEADER_LENGTH,
                msg.length - WireFormat.TRANSPORT_HEADER_LENGTH, WgCrypto.EMPTY);
        if (plain == null || !replay.accept(counter)) {
            return null;
        }
        return plain;
    }

    /** A transport message carrying {@code plaintext} (empty: a keepalive) to the client, or null when too old. */
    byte[] seal(byte[] plaintext, long now) {
        if (expired(now) || Long.compareUnsigned(sendCounter, ReplayWindow.REJECT_AFTER_MESSAGES) >= 0) {
            return null;
        }
        long counter = sendCounter++;
        byte[] box = WgCrypto.seal(sendKey, counter, plaintext, WgCrypto.EMPTY);
        byte[] msg = WireFormat.header(WireFormat.TYPE_TRANSPORT, WireFormat.TRANSPORT_HEADER_LENGTH + box.length);
        WireFormat.putIntLE(msg, WireFormat.TRANSPORT_RECEIVER_OFFSET, remoteIndex);
        WireFormat.putLongLE(msg, WireFormat.TRANSPORT_COUNTER_OFFSET, counter);
        System.arraycopy(box, 0, msg, WireFormat.TRANSPORT_HEADER_LENGTH, box.length);
        return msg;
    }

    void destroy() {
        WgCrypto.zero(receiveKey, sendKey);
    }
}
