package io.wirelink.testkit;

import java.util.Random;

/**
 * The knobs every decoder fuzz test reads, so that one command runs all of them long: {@code
 * -Dwirelink.fuzz.iterations=N} (inputs per decoder; CI runs the default) and {@code -Dwirelink.fuzz.seed=S}
 * (replays a failure, which always prints its seed).
 */
public final class Fuzz {
    /** Inputs per decoder when no count is given: enough to catch a regression in CI in seconds. */
    public static final int DEFAULT_ITERATIONS = 20_000;

    private Fuzz() {}

    public static int iterations() {
        String s = System.getProperty("wirelink.fuzz.iterations", "");
        return s.isBlank() ? DEFAULT_ITERATIONS : Integer.parseInt(s.strip());
    }

    /** The seed given with {@code -Dwirelink.fuzz.seed}, else the test's own default. */
    public static long seed(long otherwise) {
        String s = System.getProperty("wirelink.fuzz.seed", "");
        return s.isBlank() ? otherwise : Long.parseLong(s.strip());
    }

    /** Random bytes of length 0 to {@code maxLength - 1}. */
    public static byte[] randomBytes(Random r, int maxLength) {
        byte[] b = new byte[r.nextInt(maxLength)];
        r.nextBytes(b);
        return b;
    }

    /** The summary line each fuzz test prints, which {@code scripts/fuzz} collects. */
    public static void report(String decoder, long inputs, long decoded, long seed) {
        System.out.printf("fuzz %s: %d inputs, %d decoded, %d rejected as malformed, 0 other failures (seed %d)%n",
                decoder, inputs, decoded, inputs - decoded, seed);
    }
}
