package io.wirelink.dht;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import java.util.List;

/**
 * The body of a DHT packet. Requests (PING, FIND_NODE, FIND_VALUE, STORE) are answered by replies (PONG, NODES,
 * VALUE) that name the request's nonce in {@code inReplyTo}; every reply also tells the requester the address it was
 * seen from (STUN-like) and gives it a {@link Cookie} for that address.
 */
public sealed interface Message {
    /** The one-byte type code on the wire. */
    int type();

    /** Requests get replies; replies never do. */
    default boolean isRequest() {
        return false;
    }

    /** Common part of every reply. */
    sealed interface Reply extends Message {
        long inReplyTo();

        IpEndpoint observed();

        Cookie cookie();
    }

    int PING = 1;
    int PONG = 2;
    int FIND_NODE = 3;
    int NODES = 4;
    int FIND_VALUE = 5;
    int VALUE = 6;
    int STORE = 7;

    /** Liveness probe. Reply: PONG. */
    record Ping() implements Message {
        @Override
        public int type() {
            return PING;
        }

        @Override
        public boolean isRequest() {
            return true;
        }
    }

    /** Answers a PING, and acknowledges a STORE. */
    record Pong(long inReplyTo, IpEndpoint observed, Cookie cookie) implements Reply {
        public Pong {
            Message.check(observed, cookie);
        }

        @Override
        public int type() {
            return PONG;
        }
    }

    /** Asks for the contacts closest to {@code target}. Reply: NODES. */
    record FindNode(NodeId target) implements Message {
        public FindNode {
            if (target == null) {
                throw new IllegalArgumentException("target is missing");
            }
        }

        @Override
        public int type() {
            return FIND_NODE;
        }

        @Override
        public boolean isRequest() {
            return true;
        }
    }

    /** Up to k contacts, closest first. */
    record Nodes(long inReplyTo, IpEndpoint observed, Cookie cookie, List<Contact> contacts) implements Reply {
        public Nodes {
            Message.check(observed, cookie);
            contacts = List.copyOf(contacts);
            if (contacts.size() > DhtCodec.MAX_CONTACTS) {
                throw new IllegalArgumentException("at most " + DhtCodec.MAX_CONTACTS + " contacts");
            }
        }

        @Override
        public int type() {
            return NODES;
        }
    }

    /** Asks for the record of {@code key}; the lookup target is {@code NodeId.of(key)}. Reply: VALUE or NODES. */
    record FindValue(PublicKey key) implements Message {
        public FindValue {
            if (key == null) {
                throw new IllegalArgumentException("key is missing");
            }
        }

        @Override
        public int type() {
            return FIND_VALUE;
        }

        @Override
        public boolean isRequest() {
            return true;
        }
    }

    /** The record asked for; its TTL counts from the moment this reply was sent. */
    record Value(long inReplyTo, IpEndpoint observed, Cookie cookie, DhtRecord record) implements Reply {
        public Value {
            Message.check(observed, cookie);
            if (record == null) {
                throw new IllegalArgumentException("record is missing");
            }
        }

        @Override
        public int type() {
            return VALUE;
        }
    }

    /** The sender's own record, to keep. Only its owner may send it. Reply: PONG. */
    record Store(DhtRecord record) implements Message {
        public Store {
            if (record == null) {
                throw new IllegalArgumentException("record is missing");
            }
        }

        @Override
        public int type() {
            return STORE;
        }

        @Override
        public boolean isRequest() {
            return true;
        }
    }

    private static void check(IpEndpoint observed, Cookie cookie) {
        if (observed == null || cookie == null) {
            throw new IllegalArgumentException("a reply needs the observed address and a cookie");
        }
    }
}
