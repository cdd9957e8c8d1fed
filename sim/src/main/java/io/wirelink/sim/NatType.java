package io.wirelink.sim;

/** Where a host sits: on the public network, or behind a NAT of some behaviour. */
public enum NatType {
    /** No NAT: the host has a public address. */
    PUBLIC,
    /**
     * Endpoint-independent mapping with port preservation where the port is free (Linux masquerade): every
     * destination sees the same external endpoint. Filtering is address-and-port-dependent by default (Linux's
     * {@code ct state new drop} on the outside): only remote endpoints the inside host has sent to may answer. This
     * is the NAT that hole punching gets through.
     */
    CONE,
    /**
     * Endpoint-dependent mapping: a new random external port for every destination endpoint (Linux
     * {@code masquerade random}). What a peer learns of the endpoint from a third party is useless, so hole punching
     * fails.
     */
    SYMMETRIC
}
