/**
 * Proof-of-work keys and an authenticated Kademlia DHT.
 *
 * <p>{@link io.wirelink.dht.Workbit} and {@link io.wirelink.dht.WorkbitMiner} define and mine the proof of work a
 * key carries. {@link io.wirelink.dht.DhtNode} is the DHT: a pure, single-threaded state machine that takes the time
 * as a parameter of every call, reads no clock, opens no socket and starts no thread; it emits datagrams into an
 * {@link io.wirelink.dht.Outbox}. {@link io.wirelink.dht.DhtCodec} is the wire format. The owner of a node (an I/O
 * adapter on one event loop, or the simulator in {@code io.wirelink.dht.sim}) calls it from one thread only. The
 * miner is the one class that owns threads; it is a command-line tool. The protocol is described in
 * PROTOCOL.md §7.
 */
package io.wirelink.dht;
