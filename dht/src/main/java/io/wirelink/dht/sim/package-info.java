/**
 * An in-process, virtual-time network of DHT nodes ({@link io.wirelink.dht.sim.DhtSimulation}) for tests and the
 * churn benchmark ({@link io.wirelink.dht.sim.DhtBench}). Deterministic for a seed; single-threaded.
 */
package io.wirelink.dht.sim;
