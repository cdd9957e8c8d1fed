package io.wirelink.sim;

import java.util.Arrays;

/**
 * A binary min-heap of events ordered by (time, seq), with O(log n) removal. The sequence number is taken when an
 * event is (re)scheduled, so events due at the same time fire in the order they were scheduled.
 */
final class EventQueue {
    private Event[] heap = new Event[1024];
    private int size;
    private long nextSeq;

    int size() {
        return size;
    }

    Event peek() {
        return size == 0 ? null : heap[0];
    }

    /** Queues {@code e} at {@code time}, moving it if it is already queued. */
    void schedule(Event e, long time) {
        if (e.heapIndex >= 0) {
            remove(e);
        }
        e.time = time;
        e.seq = nextSeq++;
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        int i = size++;
        heap[i] = e;
        e.heapIndex = i;
        siftUp(i);
    }

    Event poll() {
        if (size == 0) {
            return null;
        }
        Event top = heap[0];
        removeAt(0);
        return top;
    }

    /** True when {@code e} was queued and is not any more. */
    boolean remove(Event e) {
        int i = e.heapIndex;
        if (i < 0 || i >= size || heap[i] != e) {
            return false;
        }
        removeAt(i);
        return true;
    }

    private void removeAt(int i) {
        Event gone = heap[i];
        gone.heapIndex = -1;
        int last = --size;
        if (i != last) {
            Event moved = heap[last];
            heap[i] = moved;
            moved.heapIndex = i;
            heap[last] = null;
            siftDown(i);
            if (heap[i] == moved) {
                siftUp(i);
            }
        } else {
            heap[last] = null;
        }
    }

    private static boolean before(Event a, Event b) {
        return a.time < b.time || (a.time == b.time && a.seq < b.seq);
    }

    private void siftUp(int i) {
        Event e = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Event p = heap[parent];
            if (!before(e, p)) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = e;
        e.heapIndex = i;
    }

    private void siftDown(int i) {
        Event e = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Event c = heap[child];
            int right = child + 1;
            if (right < size && before(heap[right], c)) {
                child = right;
                c = heap[child];
            }
            if (!before(c, e)) {
                break;
            }
            heap[i] = c;
            c.heapIndex = i;
            i = child;
        }
        heap[i] = e;
        e.heapIndex = i;
    }
}
