package dev.lstmrec.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated data: deterministic (a committed fingerprint pins it across JVMs and edits), sized as documented, no
 * repeats, and carrying sequential signal: a first-order Markov count model beats popularity at least 2x in HR@10.
 */
class SyntheticDataTest {
    /** Fingerprint of {@code SyntheticConfig.defaults()}; changes only if the generator changes (then update it). */
    private static final long DEFAULTS_FINGERPRINT = -7898311347456439259L;

    private static final Dataset DEFAULTS = SyntheticData.generate(SyntheticConfig.defaults());

    @TempDir
    Path dir;

    static long fingerprint(Dataset d) {
        long h = 1125899906842597L;
        for (int u = 0; u < d.numUsers(); u++) {
            h = 31 * h + d.userId(u).hashCode();
            for (int item : d.sequence(u)) h = 31 * h + d.itemId(item).hashCode();
        }
        return h;
    }

    @Test
    void sameSeedSameDataOtherSeedOtherData() {
        Dataset again = SyntheticData.generate(SyntheticConfig.defaults());
        assertEquals(DEFAULTS.numUsers(), again.numUsers());
        for (int u = 0; u < DEFAULTS.numUsers(); u++) assertArrayEquals(DEFAULTS.sequence(u), again.sequence(u));
        Dataset other = SyntheticData.generate(SyntheticConfig.defaults().withSeed(43));
        assertNotEquals(fingerprint(DEFAULTS), fingerprint(other));
        assertEquals(DEFAULTS_FINGERPRINT, fingerprint(DEFAULTS), "generator output changed");
    }

    @Test
    void defaultsHaveTheDocumentedShapeAndNoRepeats() {
        Dataset d = DEFAULTS;
        assertEquals(2000, d.numUsers());
        assertEquals(800, d.numItems());
        assertTrue(d.numInteractions() > 75_000 && d.numInteractions() < 85_000, "interactions " + d.numInteractions());
        assertEquals("u1", d.userId(0));
        assertEquals("i1", d.itemId(1)); // item k is "ik"
        assertEquals("i800", d.itemId(800));
        for (int u = 0; u < d.numUsers(); u++) {
            int[] s = d.sequence(u);
            assertTrue(s.length >= 20 && s.length <= 60, "length " + s.length);
            boolean[] seen = new boolean[d.numItems() + 1];
            for (int item : s) {
                assertTrue(!seen[item], "user " + u + " repeats item " + item);
                seen[item] = true;
            }
        }
    }

    @Test
    void markovCountsBeatPopularityTwice() {
        Split split = LeaveOneOut.split(DEFAULTS);
        int n = DEFAULTS.numItems();
        int[][] next = new int[n + 1][n + 1];
        long[] popularity = new long[n + 1];
        for (int u = 0; u < DEFAULTS.numUsers(); u++) {
            int[] s = split.trainSequence(u);
            for (int i = 0; i < s.length; i++) {
                popularity[s[i]]++;
                if (i > 0) next[s[i - 1]][s[i]]++;
            }
        }
        int markovHits = 0;
        int popularHits = 0;
        for (int u : split.evaluatedUsers()) {
            int[] history = split.testHistory(u);
            boolean[] seen = new boolean[n + 1];
            for (int item : history) seen[item] = true;
            int last = history[history.length - 1];
            long[] markov = new long[n + 1];
            // transition count first, popularity as the tie-break: both fit on training parts only
            for (int j = 1; j <= n; j++) markov[j] = next[last][j] * 1_000_000L + popularity[j];
            if (inTopTen(markov, seen, split.testTarget(u))) markovHits++;
            if (inTopTen(popularity, seen, split.testTarget(u))) popularHits++;
        }
        double users = split.numEvaluated();
        double markovHr = markovHits / users;
        double popularHr = popularHits / users;
        assertTrue(popularHr > 0.01, "popularity HR@10 " + popularHr);
        assertTrue(markovHr >= 2 * popularHr, "Markov HR@10 " + markovHr + " vs popularity " + popularHr);
    }

    /** Whether the target ranks in the top 10 of the unseen items (ties count against it). */
    private static boolean inTopTen(long[] score, boolean[] seen, int target) {
        int better = 0;
        for (int j = 1; j < score.length; j++) {
            if (j != target && !seen[j] && score[j] >= score[target]) better++;
        }
        return better < 10;
    }

    @Test
    void writtenFileReadsBackTheSameSequences() throws IOException {
        Dataset small = SyntheticData.generate(SyntheticConfig.defaults().withSize(50, 200, 10));
        Path p = dir.resolve("synthetic.data");
        SyntheticData.writeMl100k(small, p);
        assertEquals(TestFiles.render(small), TestFiles.render(DataReader.read(p)));
    }

    @Test
    void configIsChecked() {
        SyntheticConfig d = SyntheticConfig.defaults();
        assertThrows(IllegalArgumentException.class, () -> d.withLengths(10, 5));
        assertThrows(IllegalArgumentException.class, () -> d.withSize(10, 40, 20)); // fewer items than maxLength
        assertThrows(IllegalArgumentException.class, () -> d.withSize(10, 100, 60)); // too many topics
    }
}
