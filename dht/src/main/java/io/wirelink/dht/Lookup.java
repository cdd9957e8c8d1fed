package io.wirelink.dht;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One iterative Kademlia lookup: a shortlist sorted by XOR distance to the target, at most α requests outstanding.
 * A request whose adaptive timeout passes is "stalled": it no longer counts against α, so the lookup moves on, but a
 * late answer is still used. At twice the timeout it has failed. The lookup ends when the k closest candidates that
 * have not failed have all answered, when the target node itself answers (if asked to stop there), when a value
 * arrives, or when its time runs out. Driven entirely by the owning {@link DhtNode}; no clock of its own.
 */
final class Lookup {
    enum State { FRESH, WAITING, STALLED, DONE, FAILED }

    static final class Cand {
        final PublicKey key;
        final NodeId id;
        IpEndpoint endpoint;
        int depth;
        State state = State.FRESH;

        Cand(PublicKey key, NodeId id, IpEndpoint endpoint, int depth) {
            this.key = key;
            this.id = id;
            this.endpoint = endpoint;
            this.depth = depth;
        }
    }

    /** How the node sends a query for this lookup; returns false when it could not (the candidate then fails). */
    interface Sender {
        boolean query(Lookup l, Cand c, long now, Outbox out);
    }

    final NodeId target;
    final PublicKey valueKey;
    final boolean stopAtTarget;
    private final PublicKey self;
    private final int k;
    private final int alpha;
    private final int capacity;
    private final Sender sender;
    private final Consumer<LookupResult> done;
    private final ArrayList<Cand> cands = new ArrayList<>();
    private final Map<PublicKey, Cand> byKey = new HashMap<>();
    final long started;
    final long deadline;
    private int inFlight;
    private int queried;
    private int timeouts;
    private boolean finished;

    Lookup(NodeId target, PublicKey valueKey, boolean stopAtTarget, PublicKey self, DhtConfig cfg, Sender sender,
            long now, Consumer<LookupResult> done) {
        this.target = target;
        this.valueKey = valueKey;
        this.stopAtTarget = stopAtTarget;
        this.self = self;
        this.k = cfg.k();
        this.alpha = cfg.alpha();
        this.capacity = 3 * cfg.k();
        this.sender = sender;
        this.started = now;
        this.deadline = now + cfg.lookupTimeoutMillis();
        this.done = done;
    }

    boolean finished() {
        return finished;
    }

    boolean knows(PublicKey key) {
        return byKey.containsKey(key);
    }

    /**
     * Adds a candidate (its key already checked for workbit); a known one keeps the smaller depth. A null
     * {@code id} means the caller saw it as known and did not hash it.
     */
    void add(PublicKey key, NodeId id, IpEndpoint endpoint, int depth) {
        if (key.equals(self)) {
            return;
        }
        Cand c = byKey.get(key);
        if (c != null) {
            if (depth < c.depth && c.state == State.FRESH) {
                c.depth = depth;
            }
            return;
        }
        if (id == null) {
            return; // was known when the reply was filtered, and has since been trimmed off the far end
        }
        c = new Cand(key, id, endpoint, depth);
        int lo = 0;
        int hi = cands.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (target.compareDistance(cands.get(mid).id, id) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo >= capacity) {
            return;
        }
        cands.add(lo, c);
        byKey.put(key, c);
        if (cands.size() > capacity) {
            // drop the farthest candidate that is not in flight
            for (int i = cands.size() - 1; i >= capacity; i--) {
                Cand x = cands.get(i);
                if (x.state != State.WAITING && x.state != State.STALLED) {
                    cands.remove(i);
                    byKey.remove(x.key);
                    break;
                }
            }
        }
    }

    /** Sends what α allows and finishes when the k closest live candidates have all answered. */
    void step(long now, Outbox out) {
        boolean again = true;
        while (again && !finished) {
            again = false;
            int considered = 0;
            boolean allDone = true;
            for (int i = 0; i < cands.size() && considered < k; i++) {
                Cand c = cands.get(i);
                if (c.state == State.FAILED) {
                    continue;
                }
                considered++;
                if (c.state == State.FRESH) {
                    allDone = false;
                    if (inFlight < alpha) {
                        c.state = State.WAITING;
                        inFlight++;
                        queried++;
                        if (!sender.query(this, c, now, out)) {
                            c.state = State.FAILED;
                            inFlight--;
                            again = true; // a later candidate moves into the k closest
                            break;
                        }
                    }
                } else if (c.state != State.DONE) {
                    allDone = false;
                }
            }
            if (!again && allDone) {
                finish(now, considered > 0 ? LookupResult.Outcome.CLOSEST : LookupResult.Outcome.FAILED, null, 0);
            }
        }
    }

    /** A NODES reply; {@code contacts} are already filtered for workbit and carry their IDs. */
    void onNodes(Cand c, List<Contact> contacts, List<NodeId> ids, long now, Outbox out) {
        if (!answered(c)) {
            return;
        }
        if (stopAtTarget && c.id.equals(target)) {
            finish(now, LookupResult.Outcome.FOUND_TARGET, null, c.depth);
            return;
        }
        for (int i = 0; i < contacts.size(); i++) {
            add(contacts.get(i).key(), ids.get(i), contacts.get(i).endpoint(), c.depth + 1);
        }
        step(now, out);
    }

    /** A PONG-like answer without contacts (e.g. to a probe), or a VALUE. */
    void onValue(Cand c, DhtRecord r, long now, Outbox out) {
        if (!answered(c)) {
            return;
        }
        if (valueKey != null && r != null && r.owner().equals(valueKey)) {
            finish(now, LookupResult.Outcome.FOUND_VALUE, r, c.depth);
            return;
        }
        step(now, out);
    }

    private boolean answered(Cand c) {
        if (c.state == State.DONE) {
            return false;
        }
        if (c.state == State.WAITING) {
            inFlight--;
        }
        if (finished) {
            c.state = State.DONE;
            return false;
        }
        c.state = State.DONE;
        return true;
    }

    void onSoftTimeout(Cand c, long now, Outbox out) {
        if (c.state == State.WAITING) {
            c.state = State.STALLED;
            inFlight--;
            step(now, out);
        }
    }

    void onHardTimeout(Cand c, long now, Outbox out) {
        if (c.state == State.WAITING || c.state == State.STALLED) {
            if (c.state == State.WAITING) {
                inFlight--;
            }
            c.state = State.FAILED;
            timeouts++;
            step(now, out);
        }
    }

    void checkDeadline(long now) {
        if (!finished && now >= deadline) {
            finish(now, LookupResult.Outcome.TIMED_OUT, null, 0);
        }
    }

    private void finish(long now, LookupResult.Outcome outcome, DhtRecord record, int hops) {
        finished = true;
        List<Contact> closest = new ArrayList<>(k);
        int firstDepth = 0;
        for (Cand c : cands) {
            if (c.state == State.DONE && closest.size() < k) {
                if (closest.isEmpty()) {
                    firstDepth = c.depth;
                }
                closest.add(new Contact(c.key, c.endpoint));
            }
        }
        int h = hops != 0 ? hops : firstDepth;
        done.accept(new LookupResult(target, outcome, closest, record, h, queried, timeouts, now - started));
    }
}
