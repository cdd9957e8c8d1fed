package io.wirelink.traversal;

import io.wirelink.facts.PublicKey;
import io.wirelink.traversal.PeerPath.State;
import io.wirelink.traversal.RelayPlanner.Offer;
import io.wirelink.traversal.RelayPlanner.PathInfo;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/** Each peer's path as {@code show} prints it, and since when it holds. */
final class PathStatus {
    private final RelayDirectory directory;
    private final Map<PublicKey, PathInfo> shown = new TreeMap<>();

    PathStatus(RelayDirectory directory) {
        this.directory = directory;
    }

    /** The path to show for {@code peer}: "via relay …" while {@code pp} is not DIRECT, else {@code corePath}. */
    String show(PublicKey peer, PeerPath pp, String corePath, Instant now, Function<PublicKey, String> names) {
        String path = corePath;
        PublicKey relay = null;
        if (pp != null && pp.state() != State.DIRECT && pp.relay() != null) {
            Offer o = directory.offer(pp.relay());
            String name = o == null || o.operator() == null ? null : names.apply(o.operator());
            path = "via relay " + (name != null ? name : pp.relay().toString());
            relay = pp.relay();
        }
        String why = pp == null || "direct".equals(path) ? "" : pp.why();
        PathInfo old = shown.get(peer);
        Instant since = old != null && old.path().equals(path) ? old.since() : now;
        shown.put(peer, new PathInfo(path, since, why, relay));
        return path;
    }

    PathInfo get(PublicKey peer) {
        return shown.get(peer);
    }

    void retain(Set<PublicKey> keep) {
        shown.keySet().retainAll(keep);
    }
}
