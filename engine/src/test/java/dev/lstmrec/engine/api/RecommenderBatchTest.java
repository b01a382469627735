package dev.lstmrec.engine.api;

// Recommender.recommendBatch against two oracles: the same queries one at a time (batching changes nothing), and a
// host-side reference that scores every item in double precision from the saved weights and the LSTM's final
// hidden state, then excludes and sorts (ties to the lower index), as the scoreTopK contract says.

import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.eval.ModelScorer;
import dev.lstmrec.engine.model.LstmNetwork;
import dev.lstmrec.engine.model.PackedBatch;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.model.Parameters;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecommenderBatchTest {
    private final SavedModel model = TinyModel.get();
    private final int n = model.config().numItems();

    private List<int[]> histories(SplittableRandom rnd, int count) {
        List<int[]> out = new ArrayList<>();
        for (int q = 0; q < count; q++) {
            int[] h = new int[1 + rnd.nextInt(20)]; // 1..20 items: below and above max_len = 8
            for (int t = 0; t < h.length; t++) h[t] = 1 + rnd.nextInt(n);
            out.add(h);
        }
        return out;
    }

    @Test
    void batchEqualsOneByOneAndTheHostReference() {
        SplittableRandom rnd = new SplittableRandom(3);
        List<int[]> histories = histories(rnd, 57);
        int[] k = new int[histories.size()];
        List<Set<Integer>> exclude = new ArrayList<>();
        for (int q = 0; q < histories.size(); q++) {
            k[q] = 1 + rnd.nextInt(n + 5); // some above N: clamped
            Set<Integer> ex = new HashSet<>();
            if (rnd.nextBoolean()) for (int item : histories.get(q)) ex.add(item);
            for (int e = rnd.nextInt(4); e > 0; e--) ex.add(rnd.nextInt(n + 3) - 1); // a few out of range: ignored
            exclude.add(ex);
        }
        Recommender batched = new Recommender(model, new ScalarBackend());
        Recommender single = new Recommender(model, new ScalarBackend());
        List<List<Recommendation>> all = batched.recommendBatch(histories, k, exclude);
        assertEquals(histories.size(), all.size());
        int longRows = 0;
        for (int q = 0; q < histories.size(); q++) {
            List<Recommendation> one = single.recommendBatch(List.of(histories.get(q)), new int[] {k[q]}, List.of(exclude.get(q))).get(0);
            assertEquals(one, all.get(q), "query " + q + ": batched differs from alone");
            List<Integer> expected = reference(histories.get(q), k[q], exclude.get(q));
            List<Integer> got = new ArrayList<>();
            for (Recommendation r : all.get(q)) {
                got.add(r.item());
                assertEquals(model.itemIds().get(r.item() - 1), r.itemId());
            }
            assertEquals(expected, got, "query " + q + ": top-k differs from the host reference");
            if (histories.get(q).length > model.config().maxLen()) longRows++;
        }
        assertTrue(longRows > 5, "some histories are longer than max_len");
    }

    /** Items 1..N by descending double-precision score, excluded ones removed, first k. */
    private List<Integer> reference(int[] history, int k, Set<Integer> exclude) {
        ScalarBackend backend = new ScalarBackend();
        ParameterLayout layout = new ParameterLayout(model.config());
        Parameters p = new Parameters(backend, model.config(), layout);
        backend.upload(p.slab(), model.weights(), 0);
        float[] h = new float[model.config().hiddenDim()];
        backend.download(h, 0, new LstmNetwork(backend, p, null)
                .finalHidden(PackedBatch.pack(List.of(ModelScorer.window(history, model.config().maxLen())), null)));
        int w = (int) layout.entry("out.w").offset(), b = (int) layout.entry("out.b").offset();
        double[] score = new double[n + 1];
        List<Integer> items = new ArrayList<>();
        for (int j = 1; j <= n; j++) {
            double s = model.weights()[b + j - 1];
            for (int c = 0; c < h.length; c++) s += (double) h[c] * model.weights()[w + (j - 1) * h.length + c];
            score[j] = s;
            if (!exclude.contains(j)) items.add(j);
        }
        items.sort(Comparator.<Integer>comparingDouble(j -> -score[j]).thenComparingInt(j -> j));
        return items.subList(0, Math.min(k, items.size()));
    }

    @Test
    void recommendIsTheBatchOfOneAndExcludesSeenItems() {
        Recommender rec = new Recommender(model, new ScalarBackend());
        int[] history = {3, 4, 5, 6};
        List<Recommendation> top = rec.recommend(history, n, true, Set.of(10));
        assertEquals(n - 5, top.size(), "all items but the 4 seen and 1 excluded");
        for (Recommendation r : top) assertTrue(r.item() > 6 || r.item() < 3, "seen item " + r.item());
        assertTrue(top.stream().noneMatch(r -> r.item() == 10));
        for (int i = 1; i < top.size(); i++) assertTrue(top.get(i - 1).score() >= top.get(i).score(), "descending");
        assertEquals(n, rec.recommend(history, n + 10, false, Set.of()).size(), "k clamped to N");
    }

    @Test
    void rejectsBadQueries() {
        Recommender rec = new Recommender(model, new ScalarBackend());
        assertThrows(IllegalArgumentException.class, () -> rec.recommendBatch(List.of(), new int[0], List.of()));
        assertThrows(IllegalArgumentException.class, () -> rec.recommendBatch(List.of(new int[] {1}), new int[] {1, 2}, List.of(Set.of())));
        assertThrows(IllegalArgumentException.class, () -> rec.recommend(new int[0], 5, true, Set.of()));
        assertThrows(IllegalArgumentException.class, () -> rec.recommend(new int[] {n + 1}, 5, true, Set.of()));
        assertThrows(IllegalArgumentException.class, () -> rec.recommend(new int[] {1}, 0, true, Set.of()));
    }
}
