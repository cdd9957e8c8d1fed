package io.wirelink.dht;

import io.wirelink.facts.IpEndpoint;
import io.wirelink.facts.PublicKey;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * What other nodes say our address is (every reply carries it, STUN-like). Keeps the last few reports, one per
 * reporter, and answers with the endpoint most of them agree on, so one lying node cannot move it.
 */
final class ObservedAddresses {
    private record Report(PublicKey reporter, IpEndpoint endpoint) {}

    private static final int SIZE = 16;
    private final ArrayDeque<Report> reports = new ArrayDeque<>(SIZE);

    void report(PublicKey reporter, IpEndpoint endpoint) {
        reports.removeIf(r -> r.reporter.equals(reporter));
        reports.addLast(new Report(reporter, endpoint));
        if (reports.size() > SIZE) {
            reports.removeFirst();
        }
    }

    /** The endpoint most recent reports agree on (latest wins a tie), or null before any report. */
    IpEndpoint current() {
        Map<IpEndpoint, Integer> votes = new HashMap<>();
        IpEndpoint best = null;
        int bestVotes = 0;
        for (Report r : reports) {
            int v = votes.merge(r.endpoint, 1, Integer::sum);
            if (v >= bestVotes) {
                best = r.endpoint;
                bestVotes = v;
            }
        }
        return best;
    }
}
