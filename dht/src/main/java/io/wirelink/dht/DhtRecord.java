package io.wirelink.dht;

import io.wirelink.facts.PublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * What the DHT stores under a key: where its owner can be reached. A record is a <em>hint</em>, never a proof: the
 * storing node checked that the STORE came from the owner (pairwise MAC), and a FIND_VALUE reply is authenticated by
 * the replying node, but a third party cannot verify the owner's pairwise MAC, so a reader believes an endpoint only
 * after the owner answers an authenticated PING there ({@link DhtNode#resolve}).
 *
 * @param owner the key the record is about (and the only key allowed to STORE it)
 * @param seq chosen by the owner, larger is newer (wirelink uses the creation time in epoch milliseconds)
 * @param ttlSeconds seconds the record stays valid, counted from when it was sent
 * @param endpoints up to {@link #MAX_ENDPOINTS} candidates, in the owner's order of preference; a storing node puts
 *     the address it saw the STORE come from first
 * @param relays up to {@link #MAX_RELAYS} relays, each with its key and endpoints: the owner's own relay (operator) and
 *     the relays it is registered with; a hint like the endpoints (PROTOCOL.md §7.8)
 */
public record DhtRecord(PublicKey owner, long seq, int ttlSeconds, List<RecordEndpoint> endpoints,
        List<RecordRelay> relays) {
    public static final int MAX_ENDPOINTS = 8;
    /**
     * Relays per record: the owner's own and up to three it is registered with. With {@link RecordRelay#MAX_ENDPOINTS}
     * IPv6 endpoints each and 8 IPv6 endpoints the largest VALUE reply is 768 bytes, well inside a packet.
     */
    public static final int MAX_RELAYS = 4;
    public static final int MAX_TTL_SECONDS = 65535;

    public DhtRecord {
        if (owner == null) {
            throw new IllegalArgumentException("record owner is missing");
        }
        if (ttlSeconds < 0 || ttlSeconds > MAX_TTL_SECONDS) {
            throw new IllegalArgumentException("record TTL must be 0.." + MAX_TTL_SECONDS + " s, got " + ttlSeconds);
        }
        endpoints = List.copyOf(endpoints);
        relays = List.copyOf(relays);
        if (endpoints.size() > MAX_ENDPOINTS) {
            throw new IllegalArgumentException("a record has at most " + MAX_ENDPOINTS + " endpoints");
        }
        if (relays.size() > MAX_RELAYS) {
            throw new IllegalArgumentException("a record has at most " + MAX_RELAYS + " relays");
        }
    }

    /** The same record with another TTL. */
    public DhtRecord withTtl(int seconds) {
        return new DhtRecord(owner, seq, seconds, endpoints, relays);
    }

    /** The same record with {@code e} first (moved there if present), truncated to the maximum. */
    public DhtRecord withFirstEndpoint(RecordEndpoint e) {
        List<RecordEndpoint> l = new ArrayList<>(endpoints.size() + 1);
        l.add(e);
        for (RecordEndpoint x : endpoints) {
            if (!x.equals(e) && l.size() < MAX_ENDPOINTS) {
                l.add(x);
            }
        }
        return new DhtRecord(owner, seq, ttlSeconds, l, relays);
    }
}
