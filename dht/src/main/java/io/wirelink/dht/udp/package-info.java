/**
 * The UDP shell of a DHT node: one socket, one thread that owns the {@link io.wirelink.dht.DhtNode}. Public nodes
 * and tests use it; the agent may drive a node from its own event loop instead.
 */
package io.wirelink.dht.udp;
