package io.wirelink.dht;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Anti-replay: a packet is accepted once. Its timestamp must be within the window around our clock (checked by the
 * caller) and its (sender, nonce) key must not have been seen. Keys are remembered until their timestamp leaves the
 * window, at which point the window check alone rejects a replay. The memory is bounded: when it is full the oldest
 * key is forgotten and the window's lower edge moves up to that key's timestamp, so a packet that could have been
 * forgotten is refused rather than accepted twice.
 */
final class ReplayGuard {
    private final int capacity;
    private final long window;
    private final LinkedHashMap<Long, Long> seen = new LinkedHashMap<>();
    private long watermark = Long.MIN_VALUE;

    ReplayGuard(int capacity, long windowMillis) {
        this.capacity = capacity;
        this.window = windowMillis;
    }

    /** True the first time (key, timestamp) is offered; false for a replay or anything at or below the watermark. */
    boolean accept(long key, long timestamp, long now) {
        Iterator<Map.Entry<Long, Long>> it = seen.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Long> e = it.next();
            if (e.getValue() >= now - window) {
                break;
            }
            it.remove();
        }
        if (timestamp <= watermark || seen.containsKey(key)) {
            return false;
        }
        if (seen.size() >= capacity) {
            Iterator<Map.Entry<Long, Long>> first = seen.entrySet().iterator();
            Map.Entry<Long, Long> oldest = first.next();
            watermark = Math.max(watermark, oldest.getValue());
            first.remove();
            if (timestamp <= watermark) {
                return false;
            }
        }
        seen.put(key, timestamp);
        return true;
    }

    int size() {
        return seen.size();
    }
}
