package dev.lstmrec.engine.api;

// Recommendation and evaluation reuse their device buffers and give back everything they allocated, counted with
// CountingBackend: a warm Recommender allocates nothing whatever the batch size and k (up to those seen), its close()
// frees all it allocated on a caller's backend, and ModelEvaluation / PopularityScorer leave no live tensor behind.

import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.backend.CountingBackend;
import dev.lstmrec.engine.backend.CountingBackend.Counts;
import dev.lstmrec.engine.eval.EvalCase;
import dev.lstmrec.engine.eval.Evaluator;
import dev.lstmrec.engine.eval.PopularityScorer;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.model.Initializer;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.ParameterLayout;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkspaceReuseTest {
    private static final int ITEMS = 40;
    private static final ModelConfig CONFIG = new ModelConfig(ITEMS, 8, 12, 2, 8, 0.1f, 0.1f);

    /** An untrained model with random weights: memory behaviour does not depend on what the model learnt. */
    private static SavedModel model() {
        SplittableRandom rnd = new SplittableRandom(5);
        List<String> items = new ArrayList<>(), users = new ArrayList<>();
        for (int i = 1; i <= ITEMS; i++) items.add("i" + i);
        int[][] histories = new int[30][];
        for (int u = 0; u < histories.length; u++) {
            users.add("u" + u);
            histories[u] = rnd.ints(3 + rnd.nextInt(12), 1, ITEMS + 1).toArray();
        }
        float[] weights = Initializer.initialWeights(CONFIG, new ParameterLayout(CONFIG), 9);
        return new SavedModel(CONFIG, items, users, histories, weights, Map.of());
    }

    private static List<int[]> histories(int count, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<int[]> out = new ArrayList<>();
        for (int q = 0; q < count; q++) out.add(rnd.ints(1 + rnd.nextInt(15), 1, ITEMS + 1).toArray());
        return out;
    }

    private static List<Set<Integer>> excludeHistory(List<int[]> histories) {
        List<Set<Integer>> out = new ArrayList<>();
        for (int[] h : histories) out.add(Set.copyOf(Arrays.stream(h).boxed().toList()));
        return out;
    }

    private static List<List<Recommendation>> ask(Recommender r, List<int[]> histories, int k) {
        int[] ks = new int[histories.size()];
        Arrays.fill(ks, k);
        return r.recommendBatch(histories, ks, excludeHistory(histories));
    }

    @Test
    void aWarmRecommenderAllocatesNothingWhenBatchSizeOrKChanges() {
        try (CountingBackend backend = new CountingBackend(Backends.create("scalar", BackendOptions.withThreads(1)))) {
            long idle = backend.snapshot().liveBytes();
            Recommender rec = new Recommender(model(), backend);
            ask(rec, histories(16, 1), 20); // warm-up at the largest batch and k
            Counts before = backend.snapshot();
            List<List<Recommendation>> small = ask(rec, histories(3, 2), 5);
            ask(rec, histories(16, 3), 10);
            ask(rec, histories(1, 4), 20);
            ask(rec, histories(9, 5), 1);
            Counts warm = backend.snapshot().minus(before);
            assertEquals(0, warm.allocations(), "no allocation once warm, whatever the batch's k: " + warm);
            assertEquals(0, warm.frees(), warm.toString());
            assertEquals(4, warm.calls("scoreTopK"), warm.toString());
            try (Recommender fresh = new Recommender(model(), backend)) {
                assertEquals(small, ask(fresh, histories(3, 2), 5), "reused buffers give the same answer as fresh ones");
            }
            assertTrue(backend.snapshot().liveBytes() > idle);
            rec.close();
            rec.close(); // idempotent
            assertThrows(IllegalStateException.class, () -> ask(rec, histories(1, 6), 3));
            assertEquals(idle, backend.snapshot().liveBytes(), "both recommenders freed what they allocated");
        }
    }

    @Test
    void recommenderCloseFreesEverythingOnACallersBackend() {
        try (CountingBackend backend = new CountingBackend(Backends.create("scalar", BackendOptions.withThreads(1)))) {
            long idle = backend.snapshot().liveBytes();
            try (Recommender rec = new Recommender(model(), backend)) {
                ask(rec, histories(7, 1), 4);
                ask(rec, histories(40, 2), 30); // grows every buffer: the replaced ones are freed at once
            }
            Counts end = backend.snapshot();
            assertEquals(idle, end.liveBytes(), "nothing left on the backend after close: " + end);
            assertEquals(end.allocations(), end.frees(), end.toString());
            backend.synchronize(); // the backend itself stays open
        }
    }

    @Test
    void evaluationAndPopularityFreeWhatTheyAllocate() {
        SavedModel model = model();
        List<int[]> sequences = Arrays.asList(model.histories());
        try (CountingBackend backend = new CountingBackend(Backends.create("scalar", BackendOptions.withThreads(1)))) {
            ModelEvaluation.Result r = ModelEvaluation.evaluate(model, sequences, Protocol.fullRanking(), backend, 0);
            assertEquals(30, r.cases());
            Counts end = backend.snapshot();
            assertEquals(0, end.liveBytes(), "ModelEvaluation leaves nothing on the caller's backend: " + end);

            List<EvalCase> cases = new ArrayList<>();
            for (int[] s : sequences) cases.add(new EvalCase(Arrays.copyOf(s, s.length - 1), s[s.length - 1]));
            try (Evaluator evaluator = new Evaluator(backend, ITEMS);
                 PopularityScorer popularity = new PopularityScorer(backend, PopularityScorer.count(ITEMS, sequences))) {
                int[] first = evaluator.ranks(popularity, cases, Protocol.fullRanking());
                Counts before = backend.snapshot();
                int[] second = evaluator.ranks(popularity, cases, Protocol.fullRanking());
                Counts warm = backend.snapshot().minus(before);
                assertEquals(Arrays.toString(first), Arrays.toString(second));
                assertEquals(0, warm.allocations(), "popularity: no allocation once warm: " + warm);
                assertEquals(0, warm.calls("fill"), "the ones are filled once, not per batch: " + warm);
            }
            assertEquals(0, backend.snapshot().liveBytes(), "evaluator and popularity scorer freed on close");
        }
    }
}
