package dev.lstmrec.engine.train;

import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.eval.EvalCase;
import dev.lstmrec.engine.eval.Evaluator;
import dev.lstmrec.engine.eval.Metric;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.eval.PopularityScorer;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.PackedBatch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainer learns a sequential pattern that popularity cannot see, and is reproducible from its seed.
 * Data: {@link RingWalks} over 40 items (the next item is nearly determined by the last one while every item is
 * equally popular).
 */
class TrainerTest {
    private static final int ITEMS = 40;

    private static TrainingResult train(List<int[]> train, List<EvalCase> valid, long seed, Trainer[] out) {
        ModelConfig mc = new ModelConfig(ITEMS, 16, 16, 1, 10, 0.1f, 0.1f);
        Trainer t = new Trainer(new ScalarBackend(), mc, new TrainConfig(32, 0.01f, 6, 0, seed, 0f, 5f));
        out[0] = t;
        return t.fit(train, valid, TrainingListener.SILENT);
    }

    @Test
    void learnsSequentialStructureAndIsReproducible() {
        RingWalks.HeldOut data = RingWalks.HeldOut.lastItem(RingWalks.walks(300, ITEMS, 3));
        List<int[]> trainSeqs = data.train();
        List<EvalCase> valid = data.valid();
        Trainer[] t = new Trainer[1];
        TrainingResult r = train(trainSeqs, valid, 42, t);
        assertEquals(6, r.epochs().size());
        assertTrue(r.epochs().get(5).loss() < r.epochs().get(0).loss(), "loss falls: " + r.epochs());
        Metrics model = r.bestValidation();
        ScalarBackend backend = new ScalarBackend();
        Evaluator ev = new Evaluator(backend, ITEMS);
        Metrics pop = ev.evaluate(new PopularityScorer(backend, PopularityScorer.count(ITEMS, trainSeqs)), valid, Protocol.fullRanking());
        assertTrue(model.get(Metric.HR, 5) > 0.6, "model HR@5 " + model.get(Metric.HR, 5));
        assertTrue(model.get(Metric.HR, 5) > 2 * pop.get(Metric.HR, 5), "model " + model.get(Metric.HR, 5) + " vs popularity " + pop.get(Metric.HR, 5));

        float[] w1 = t[0].downloadWeights();
        train(trainSeqs, valid, 42, t);
        assertArrayEquals(w1, t[0].downloadWeights(), "same seed, same weights");
    }

    @Test
    void trainBatchStepsOnACallerBatch() {
        List<int[]> walks = RingWalks.walks(16, ITEMS, 7);
        List<int[]> in = new ArrayList<>(), tg = new ArrayList<>();
        for (int[] s : walks) {
            in.add(Arrays.copyOf(s, s.length - 1));
            int[] t = new int[s.length - 1];
            for (int i = 0; i < t.length; i++) t[i] = s[i + 1] - 1;
            tg.add(t);
        }
        PackedBatch batch = PackedBatch.pack(in, tg);
        Trainer t = new Trainer(new ScalarBackend(), new ModelConfig(ITEMS, 16, 16, 1, 20, 0f, 0f),
                new TrainConfig(16, 0.02f, 1, 0, 5, 0f, 0f));
        double first = t.trainBatch(batch) / batch.predictedTokens();
        double last = first;
        for (int i = 0; i < 30; i++) last = t.trainBatch(batch) / batch.predictedTokens();
        assertTrue(first > 3.0 && first < 4.5, "initial mean loss near ln(40): " + first);
        assertTrue(last < first - 0.5, "loss on the repeated batch falls: " + first + " -> " + last);
    }

    @Test
    void windowsTileLongSequencesFromTheEnd() {
        int[] seq = {1, 2, 3, 4, 5, 6, 7};
        List<int[]> w = TrainingWindows.cut(List.of(seq, new int[] {9}), 3);
        // 6 transitions predicted once each: [3,7) predicts 5,6,7; [0,4) predicts 2,3,4; the length-1 sequence none.
        assertEquals(2, w.size());
        assertArrayEquals(new int[] {4, 5, 6}, TrainingWindows.inputs(seq, w.get(0)));
        assertArrayEquals(new int[] {4, 5, 6}, TrainingWindows.targets(seq, w.get(0)));
        assertArrayEquals(new int[] {1, 2, 3}, TrainingWindows.inputs(seq, w.get(1)));
        assertArrayEquals(new int[] {1, 2, 3}, TrainingWindows.targets(seq, w.get(1)));
    }
}
