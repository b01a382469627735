package dev.lstmrec.engine.eval;

// The session-based protocol on tiny hand-made logs: hand-computed ranks and metrics through the popularity scorer
// (whose scores are the counts), the LSTM's one-forward-per-session ranks against per-prefix forwards, unknown-item
// dropping and the last-item holdout (the whole train --test-data pipeline: api.SessionTrainingTest).

import dev.lstmrec.engine.api.SessionExperiment;
import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.TestSessions;
import dev.lstmrec.engine.model.Initializer;
import dev.lstmrec.engine.model.LstmNetwork;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.model.Parameters;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionProtocolTest {
    private static final double EPS = 1e-12;

    /** Training log with item counts a 5, b 3, c 2, d 1, e 3 (internal items 1..5 in that order). */
    private static Dataset trainLog() {
        Dataset.Builder b = Dataset.builder("hand-made train");
        String[][] sessions = {{"a", "b", "c", "d", "e"}, {"a", "b", "e"}, {"a", "b", "c", "e"}, {"a"}, {"a"}};
        for (int s = 0; s < sessions.length; s++) for (String item : sessions[s]) b.add("s" + s, item);
        return b.build();
    }

    /** Test log: [b, a, x, c] (x unknown), [d, d] (a repeat: the prefix is not excluded), [x], [c]. */
    private static Dataset testLog() {
        Dataset.Builder b = Dataset.builder("hand-made test");
        String[][] sessions = {{"b", "a", "x", "c"}, {"d", "d"}, {"x"}, {"c"}};
        for (int s = 0; s < sessions.length; s++) for (String item : sessions[s]) b.add("t" + s, item);
        return b.build();
    }

    @Test
    void unknownItemsAndShortSessionsAreDroppedAndCounted() {
        TestSessions t = SessionExperiment.testSessions(trainLog(), testLog());
        assertEquals(2, t.sessions().size());
        assertArrayEquals(new int[] {2, 1, 3}, t.sessions().get(0), "b a c in training numbering, x dropped");
        assertArrayEquals(new int[] {4, 4}, t.sessions().get(1));
        assertEquals(8, t.events());
        assertEquals(2, t.unknownEvents());
        assertEquals(2, t.droppedSessions(), "[x] has no known item, [c] only one");
        assertEquals(3, t.positions());
    }

    @Test
    void popularityRanksAndMetricsMatchHandComputedValues() {
        Dataset train = trainLog();
        TestSessions test = SessionExperiment.testSessions(train, testLog());
        long[] counts = new long[train.numItems() + 1];
        for (int u = 0; u < train.numUsers(); u++) for (int item : train.sequence(u)) counts[item]++;
        assertArrayEquals(new long[] {0, 5, 3, 2, 1, 3}, counts);
        try (ScalarBackend backend = new ScalarBackend()) {
            SessionEvaluator ev = new SessionEvaluator(backend, train.numItems());
            SessionEvaluator.Scorer pop = SessionEvaluator.popularity(new PopularityScorer(backend, counts));
            // a given [b]: nothing scores >= 5 -> 0. c given [b, a]: a 5, b 3, e 3 -> 3 (b is in the prefix and still
            // counts). d given [d]: a, b, c, e -> 4 (d itself, in the prefix, is the target).
            assertArrayEquals(new int[] {0, 3, 4}, ev.ranks(pop, test.sessions()));
            Metrics m = ev.evaluate(pop, test.sessions());
            assertEquals(3, m.cases());
            assertEquals(1.0, m.get(Metric.HR, 5), EPS);
            assertEquals((1 + 1 / 4.0 + 1 / 5.0) / 3, m.get(Metric.MRR, 5), EPS);
            assertEquals((1 + 1 / log2(5) + 1 / log2(6)) / 3, m.get(Metric.NDCG, 5), EPS);
            assertEquals(1.0, m.get(Metric.HR, 20), EPS);
        }
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    @Test
    void holdoutKeepsTheLastItemOfEachTrainingSessionForValidation() {
        Dataset train = trainLog();
        List<int[]> seqs = LastItemHoldout.trainSequences(train);
        assertArrayEquals(new int[] {1, 2, 3, 4}, seqs.get(0));
        assertArrayEquals(new int[] {1}, seqs.get(3), "a one-item session trains as it is");
        List<EvalCase> valid = LastItemHoldout.validation(train);
        assertEquals(3, valid.size());
        assertEquals(5, valid.get(0).target());
        assertArrayEquals(new int[] {1, 2}, valid.get(1).history());
    }

    @Test
    void oneForwardPerSessionRanksLikeAForwardPerPrefix() {
        ModelConfig config = new ModelConfig(23, 6, 7, 2, 50, 0f, 0f);
        SplittableRandom rnd = new SplittableRandom(3);
        List<int[]> sessions = new ArrayList<>();
        for (int s = 0; s < 9; s++) {
            int[] x = new int[2 + rnd.nextInt(s == 4 ? 40 : 9)];
            for (int i = 0; i < x.length; i++) x[i] = 1 + rnd.nextInt(23);
            sessions.add(x);
        }
        try (ScalarBackend backend = new ScalarBackend()) {
            ParameterLayout layout = new ParameterLayout(config);
            Parameters w = new Parameters(backend, config, layout);
            backend.upload(w.slab(), Initializer.initialWeights(config, layout, 9), 0);
            LstmNetwork net = new LstmNetwork(backend, w, null);
            int[] got = new SessionEvaluator(backend, 23).ranks(SessionEvaluator.model(net, w), sessions);
            List<EvalCase> prefixes = new ArrayList<>();
            for (int[] s : sessions) for (int i = 1; i < s.length; i++) prefixes.add(new EvalCase(java.util.Arrays.copyOf(s, i), s[i]));
            int[] expected = new Evaluator(backend, 23).ranks(new ModelScorer(new LstmNetwork(backend, w, null), w), prefixes,
                    new Protocol(false, 0, 1));
            assertArrayEquals(expected, got);
        }
    }

    @Test
    void sessionsShorterThanTwoAreRefused() {
        try (ScalarBackend backend = new ScalarBackend()) {
            SessionEvaluator ev = new SessionEvaluator(backend, 3);
            SessionEvaluator.Scorer pop = SessionEvaluator.popularity(new PopularityScorer(backend, new long[] {0, 1, 2, 3}));
            assertThrows(IllegalArgumentException.class, () -> ev.ranks(pop, List.of(new int[] {1})));
        }
    }
}
