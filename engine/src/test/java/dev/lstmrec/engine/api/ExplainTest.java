package dev.lstmrec.engine.api;

// Recommender.explain against its definition, recomputed the slow way on the scalar backend: for each recommended
// item, the model is run through Recommender.recommend on the window without each examined position, and the drop of
// that item's score must be what explain reported; every examined position with a positive drop that is not listed
// must drop by no more than the listed ones. Scores from recommend (the fused score + top-K) and from explain (a
// GEMM over the K items) sum the same H products in another order: a few ulp of O(1) scores.

import dev.lstmrec.engine.backend.conformance.Tolerances;
import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.eval.ModelScorer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExplainTest {
    private final SavedModel model = TinyModel.get();
    private final int n = model.config().numItems(), maxLen = model.config().maxLen();
    private final double atol = Tolerances.reductionAtol(model.config().hiddenDim());

    /** Every item's score after {@code sequence} read whole (it is shorter than 2·maxLen, so its own window). */
    private float[] scores(Recommender rec, int[] sequence) {
        assertEquals(sequence.length, ModelScorer.window(sequence, maxLen).length, "the sequence is read whole");
        float[] s = new float[n + 1];
        for (Recommendation r : rec.recommend(sequence, n, false, Set.of())) s[r.item()] = r.score();
        return s;
    }

    @Test
    void dropsAreTheScoreLostWhenThatHistoryItemIsLeftOut() {
        SplittableRandom rnd = new SplittableRandom(4);
        try (Recommender rec = new Recommender(model, new ScalarBackend())) {
            for (int len : new int[] {2, 3, maxLen, maxLen + 3, 2 * maxLen + 5, 3 * maxLen}) {
                int[] history = new int[len];
                for (int i = 0; i < len; i++) history[i] = 1 + rnd.nextInt(n);
                int cap = len == 3 * maxLen ? 4 : Recommender.EXPLAIN_POSITIONS; // one case with fewer positions than the window
                List<Recommendation> recs = rec.recommend(history, 5, true, Set.of());
                List<Explanation> ex = rec.explain(history, recs, 3, cap);
                int start = ModelScorer.windowStart(len, maxLen);
                int[] window = Arrays.copyOfRange(history, start, len);
                float[] full = scores(rec, window);
                int examinedFrom = Math.max(0, window.length - cap);
                assertEquals(recs.size(), ex.size());
                int listed = 0;
                for (int j = 0; j < recs.size(); j++) {
                    Explanation e = ex.get(j);
                    int item = recs.get(j).item();
                    assertEquals(recs.get(j), e.recommendation());
                    assertTrue(e.contributions().size() <= 3);
                    float smallestListed = Float.POSITIVE_INFINITY;
                    for (Explanation.Contribution c : e.contributions()) {
                        int p = c.position() - start;
                        assertTrue(p >= examinedFrom && p < window.length, "position " + c.position() + " is an examined one");
                        assertEquals(history[c.position()], c.item());
                        assertEquals(model.itemIds().get(c.item() - 1), c.itemId());
                        double expected = full[item] - scores(rec, without(window, p))[item];
                        assertEquals(expected, c.drop(), atol, "length " + len + ", item " + item + ", position " + c.position());
                        assertTrue(c.drop() > 0);
                        smallestListed = Math.min(smallestListed, c.drop());
                        listed++;
                    }
                    for (int p = examinedFrom; p < window.length; p++) { // nothing unlisted dropped more
                        final int pos = start + p;
                        if (e.contributions().stream().anyMatch(c -> c.position() == pos)) continue;
                        double drop = full[item] - scores(rec, without(window, p))[item];
                        if (e.contributions().size() == 3) assertTrue(drop <= smallestListed + atol, "unlisted position " + pos + " drops " + drop);
                        else assertTrue(drop <= atol, "unlisted position " + pos + " drops " + drop + " though fewer than 3 are listed");
                    }
                    for (int i = 1; i < e.contributions().size(); i++) {
                        assertTrue(e.contributions().get(i - 1).drop() >= e.contributions().get(i).drop(), "largest drop first");
                    }
                }
                if (len > 2) assertTrue(listed > 0, "length " + len + ": something contributed");
            }
        }
    }

    @Test
    void aOneItemHistoryHasNothingToLeaveOutAndBadArgumentsAreRefused() {
        try (Recommender rec = new Recommender(model, new ScalarBackend())) {
            List<Recommendation> recs = rec.recommend(new int[] {4}, 3, true, Set.of());
            List<Explanation> ex = rec.explain(new int[] {4}, recs, 3, 50);
            assertEquals(3, ex.size());
            for (Explanation e : ex) assertEquals(List.of(), e.contributions());
            assertThrows(IllegalArgumentException.class, () -> rec.explain(new int[] {4, 5}, recs, 0, 50));
            assertThrows(IllegalArgumentException.class, () -> rec.explain(new int[] {4, 5}, recs, 3, 0));
            assertThrows(IllegalArgumentException.class, () -> rec.explain(new int[] {4, n + 1}, recs, 3, 50));
        }
    }

    private static int[] without(int[] window, int p) {
        int[] out = new int[window.length - 1];
        System.arraycopy(window, 0, out, 0, p);
        System.arraycopy(window, p + 1, out, p, window.length - 1 - p);
        return out;
    }
}
