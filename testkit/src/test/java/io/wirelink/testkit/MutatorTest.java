package io.wirelink.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MutatorTest {
    static final byte[] SEED = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    @Test
    void theSameSeedGivesTheSameInputs() {
        Mutator m = Mutator.builder().maxRun(4).build();
        Random a = new Random(7);
        Random b = new Random(7);
        for (int i = 0; i < 1_000; i++) {
            assertArrayEquals(m.mutate(SEED, a, List.of(SEED)), m.mutate(SEED, b, List.of(SEED)));
        }
    }

    @Test
    void mutatesACopyAndReachesManyShapes() {
        Mutator m = Mutator.builder().build();
        byte[] seed = SEED.clone();
        Random r = new Random(1);
        Set<Integer> lengths = new HashSet<>();
        int changed = 0;
        for (int i = 0; i < 2_000; i++) {
            byte[] out = m.mutate(seed, r, List.of(new byte[] {9, 9}));
            lengths.add(out.length);
            if (!Arrays.equals(out, SEED)) {
                changed++;
            }
        }
        assertArrayEquals(SEED, seed, "the seed itself is never changed");
        assertTrue(changed > 1_800, changed + " of 2000 changed");
        assertTrue(lengths.contains(0) && lengths.stream().anyMatch(l -> l > SEED.length + 8), lengths.toString());
    }

    @Test
    void emptyInputsAndAnEmptyCorpusAreFine() {
        Mutator m = Mutator.builder().maxRun(8).build();
        Random r = new Random(2);
        for (int i = 0; i < 1_000; i++) {
            m.mutate(new byte[0], r, List.of());
        }
    }

    @Test
    void formatOperationsAreChosen() {
        int[] calls = {0};
        Mutator m = Mutator.builder().maxOps(1).op((b, r) -> {
            calls[0]++;
            return new byte[] {42};
        }).build();
        Random r = new Random(3);
        int answers = 0;
        for (int i = 0; i < 800; i++) {
            if (Arrays.equals(new byte[] {42}, m.mutate(SEED, r, List.of()))) {
                answers++;
            }
        }
        assertEquals(calls[0], answers);
        assertTrue(calls[0] > 50 && calls[0] < 200, calls[0] + " of 800 (one in eight expected)");
    }

    @Test
    void interestingValuesComeUp() {
        Mutator m = Mutator.builder().interesting(0xf1).build();
        Random r = new Random(4);
        int hits = 0;
        for (int i = 0; i < 1_000; i++) {
            if (m.interesting(r) == 0xf1) {
                hits++;
            }
        }
        assertTrue(hits > 400, hits + " of 1000");
    }

    @Test
    void nonsenseSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Mutator.builder().maxOps(0));
        assertThrows(IllegalArgumentException.class, () -> Mutator.builder().maxRun(0));
    }
}
