package io.wirelink.relay;

/**
 * The sliding window of transport counters a receiver has accepted (RFC 6479's bitmap ring): a counter is fresh
 * when it is ahead of the window or inside it and unseen. 2048 - 64 counters behind the greatest are tracked; older
 * ones are refused, as are counters at or beyond WireGuard's REJECT_AFTER_MESSAGES. Call it only after the packet
 * authenticated, so that forged counters never move the window.
 */
final class ReplayWindow {
    /** 2^64 - 2^13 - 1 as an unsigned long: counters from here on are never accepted. */
    static final long REJECT_AFTER_MESSAGES = -(1L << 13) - 1;
    private static final int BLOCKS = 32;
    static final long WINDOW = (BLOCKS - 1) * 64L;

    private final long[] ring = new long[BLOCKS];
    private long greatest = -1;
    private boolean empty = true;

    /** Records {@code counter} and returns true if it was fresh; false for a replay or a counter too old. */
    boolean accept(long counter) {
        if (Long.compareUnsigned(counter, REJECT_AFTER_MESSAGES) >= 0) {
            return false;
        }
        long block = counter >>> 6;
        if (empty || Long.compareUnsigned(counter, greatest) > 0) {
            long current = empty ? block - BLOCKS : greatest >>> 6;
            long advance = Math.min(block - current, BLOCKS);
            for (long i = 1; i <= advance; i++) {
                ring[(int) ((current + i) & (BLOCKS - 1))] = 0;
            }
            greatest = counter;
            empty = false;
        } else if (Long.compareUnsigned(greatest - counter, WINDOW) > 0) {
            return false;
        }
        int slot = (int) (block & (BLOCKS - 1));
        long bit = 1L << (counter & 63);
        if ((ring[slot] & bit) != 0) {
            return false;
        }
        ring[slot] |= bit;
        return true;
    }
}
