package dev.lstmrec.engine.api;

// The per-user state cache on the scalar backend, where a carried state takes exactly the ops of a fresh pass: keyed
// answers must equal unkeyed ones to the last bit, whatever the cache held (hits, window restarts, evictions, stale
// histories, duplicate keys in a batch, a zero budget), and the counters must say which path each query took. The
// other backends run the same comparison within tolerance in CarriedStateSuite.

import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.eval.ModelScorer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RecommenderStateCacheTest {
    private final SavedModel model = TinyModel.get();
    private final int n = model.config().numItems(), maxLen = model.config().maxLen();

    private static List<Set<Integer>> noExclusions(int b) {
        List<Set<Integer>> out = new ArrayList<>();
        for (int i = 0; i < b; i++) out.add(Set.of());
        return out;
    }

    private List<Recommendation> keyed(Recommender r, String key, int[] history) {
        return r.recommendBatch(List.of(key), List.of(history), new int[] {n}, noExclusions(1)).get(0);
    }

    private List<Recommendation> fresh(Recommender r, int[] history) {
        return r.recommendBatch(List.of(history), new int[] {n}, noExclusions(1)).get(0);
    }

    @Test
    void oneUserEventByEventIsExactAcrossWindowRestarts() {
        SplittableRandom rnd = new SplittableRandom(1);
        try (Recommender keyed = new Recommender(model, new ScalarBackend());
             Recommender fresh = new Recommender(model, new ScalarBackend())) {
            keyed.setStateCacheBytes(1 << 20);
            int[] h = new int[0];
            int restarts = 0;
            for (int len = 1; len <= 5 * maxLen + 3; len++) {
                h = Arrays.copyOf(h, len);
                h[len - 1] = 1 + rnd.nextInt(n);
                if (len > 1 && ModelScorer.windowStart(len, maxLen) != ModelScorer.windowStart(len - 1, maxLen)) restarts++;
                assertEquals(fresh(fresh, h), keyed(keyed, "u", h), "history of " + len);
            }
            UserStates.Stats s = keyed.stateCacheStats();
            assertEquals(1, s.misses(), s.toString());
            assertEquals(restarts, s.restarts(), s.toString());
            assertEquals(5 * maxLen + 3 - 1 - restarts, s.hits(), s.toString());
            assertEquals(s.hits(), s.steps(), "one step per event: " + s);
            assertEquals(0, s.stale() + s.evictions(), s.toString());
            assertEquals(1, s.users());
        }
    }

    @Test
    void windowStartsMoveEveryMaxLenAndCoverAtLeastMaxLen() {
        for (int len = 1; len <= 10 * maxLen; len++) {
            int start = ModelScorer.windowStart(len, maxLen), covered = len - start;
            if (len <= maxLen) assertEquals(0, start);
            else assertEquals(true, covered >= maxLen && covered <= 2 * maxLen - 1 && start % maxLen == 0, "length " + len + ": start " + start);
            assertEquals(covered, ModelScorer.window(new int[len], maxLen).length);
        }
    }

    @Test
    void staleShorterAndChangedHistoriesAreRecomputed() {
        try (Recommender keyed = new Recommender(model, new ScalarBackend());
             Recommender fresh = new Recommender(model, new ScalarBackend())) {
            keyed.setStateCacheBytes(1 << 20);
            int[] h = {3, 4, 5, 6, 7};
            keyed(keyed, "u", h);
            int[] changed = {3, 4, 9, 6, 7, 8};
            assertEquals(fresh(fresh, changed), keyed(keyed, "u", changed));
            int[] shorter = {3, 4, 9};
            assertEquals(fresh(fresh, shorter), keyed(keyed, "u", shorter));
            assertEquals(fresh(fresh, new int[] {3, 4, 9, 1}), keyed(keyed, "u", new int[] {3, 4, 9, 1}));
            UserStates.Stats s = keyed.stateCacheStats();
            assertEquals(1, s.misses(), s.toString());
            assertEquals(2, s.stale(), s.toString());
            assertEquals(1, s.hits(), s.toString());
        }
    }

    @Test
    void manyUsersInBatchesWithATinyBudgetAnswerExactly() {
        SplittableRandom rnd = new SplittableRandom(2);
        int users = 12;
        int[][] hist = new int[users][0];
        try (Recommender keyed = new Recommender(model, new ScalarBackend());
             Recommender fresh = new Recommender(model, new ScalarBackend())) {
            keyed.setStateCacheBytes(3 * (128 + 4 + 4L * (2 * maxLen - 1) + 4L * 2 * 2 * model.config().hiddenDim()));
            for (int round = 0; round < 300; round++) {
                int b = 1 + rnd.nextInt(5);
                List<String> keys = new ArrayList<>();
                List<int[]> hs = new ArrayList<>();
                for (int q = 0; q < b; q++) {
                    int u = rnd.nextInt(users);
                    int events = rnd.nextInt(3);
                    int[] h = Arrays.copyOf(hist[u], Math.max(1, hist[u].length + events));
                    for (int e = hist[u].length; e < h.length; e++) h[e] = 1 + rnd.nextInt(n);
                    hist[u] = h;
                    keys.add(rnd.nextInt(8) == 0 ? null : "user" + u); // some unkeyed queries, some repeated keys
                    hs.add(h);
                }
                int[] k = new int[b];
                Arrays.fill(k, n);
                assertEquals(fresh.recommendBatch(hs, k, noExclusions(b)), keyed.recommendBatch(keys, hs, k, noExclusions(b)), "round " + round);
            }
            UserStates.Stats s = keyed.stateCacheStats();
            assertEquals(true, s.hits() > 50 && s.evictions() > 50 && s.restarts() > 0 && s.users() <= 3, s.toString());
            assertEquals(true, s.bytes() <= s.maxBytes(), s.toString());
        }
    }

    @Test
    void aZeroBudgetKeepsNothingAndKeysThroughTheBatcherWork() throws Exception {
        int[] h = {1, 2, 3};
        try (Recommender keyed = new Recommender(model, new ScalarBackend());
             Recommender fresh = new Recommender(model, new ScalarBackend())) {
            keyed(keyed, "u", h);
            keyed(keyed, "u", h);
            UserStates.Stats s = keyed.stateCacheStats();
            assertEquals(2, s.misses(), s.toString());
            assertEquals(0, s.users(), s.toString());
            keyed.setStateCacheBytes(1 << 16);
            try (Batcher batcher = new Batcher(keyed, 8, Duration.ZERO)) {
                batcher.submit("u", h, 5, Set.of()).get();
                List<Recommendation> second = batcher.submit("u", new int[] {1, 2, 3, 4}, 5, Set.of(1)).get();
                assertEquals(fresh.recommend(new int[] {1, 2, 3, 4}, 5, false, Set.of(1)), second);
            }
            assertEquals(1, keyed.stateCacheStats().hits());
            assertThrows(IllegalArgumentException.class, () -> keyed.setStateCacheBytes(-1));
            assertThrows(IllegalArgumentException.class,
                    () -> keyed.recommendBatch(List.of("a", "b"), List.of(h), new int[] {1}, noExclusions(1)));
        }
    }
}
