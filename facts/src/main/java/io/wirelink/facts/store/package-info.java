/**
 * The event-sourced fact store. Every input the agent learns (local observations, static configuration, verified
 * gossip, DHT records, relay observations) becomes a {@link io.wirelink.facts.store.FactEvent} with its
 * {@link io.wirelink.facts.store.Provenance}; the {@link io.wirelink.facts.store.FactStore} keeps the bounded,
 * optionally persisted log of those events, and {@link io.wirelink.facts.store.FactView} is what the log says at a
 * given instant, a pure fold of the events that the store also maintains incrementally.
 *
 * <p>This package owns the log, its bounds, its file (an MVStore) and the view. It does not decide trust: the policy
 * that turns a view into device configuration reads the provenances and chooses.
 *
 * <p>Threading: a store is owned by one thread, the agent's event loop, which makes every call; nothing here locks or
 * starts a thread. Views and events are immutable and may be handed to any thread.
 */
package io.wirelink.facts.store;
