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

    /**
     * With a replay pool, every epoch trains all windows of the sequences before it and a fresh draw of distinct pool
     * windows; the draw is a function of (seed, epoch) only, so a resumed run trains the same windows.
     */
    @Test
    void aReplayPoolIsDrawnAnewEachEpochBesideEveryFixedWindow() {
        List<int[]> sequences = new java.util.ArrayList<>();
        for (int s = 0; s < 3; s++) sequences.add(new int[] {1, 2, 3});       // fixed: windows 0..2
        for (int s = 0; s < 40; s++) sequences.add(new int[] {4, 5, 6, 7, 8}); // pool: 2 windows each at max-len 3
        List<int[]> windows = TrainingWindows.cut(sequences, 3);
        assertEquals(83, windows.size());
        assertEquals(3 * TrainingWindows.count(3, 3) + 40 * TrainingWindows.count(5, 3), windows.size());
        assertEquals(0, TrainingWindows.count(1, 3));
        Trainer t = new Trainer(new ScalarBackend(), new ModelConfig(9, 4, 4, 1, 3, 0f, 0f), new TrainConfig(8, 0.01f, 3, 0, 7, 0f, 5f));
        t.setReplay(3, 10);
        java.util.Set<Integer> first = null;
        for (int epoch = 1; epoch <= 3; epoch++) {
            int[] order = t.epochOrder(windows, epoch);
            assertEquals(13, order.length);
            java.util.Set<Integer> seen = new java.util.TreeSet<>();
            for (int w : order) assertTrue(seen.add(w), "window " + w + " twice in epoch " + epoch);
            for (int w = 0; w < 3; w++) assertTrue(seen.contains(w), "fixed window " + w + " missing from epoch " + epoch);
            assertArrayEquals(order, t.epochOrder(windows, epoch), "the same epoch draws the same windows");
            if (first == null) first = seen;
            else assertTrue(!first.equals(seen), "epoch " + epoch + " replays the windows of epoch 1");
        }
        t.setReplay(3, 1000); // more than the pool: all of it, once
        assertEquals(83, t.epochOrder(windows, 1).length);
        assertEquals(83, java.util.Arrays.stream(t.epochOrder(windows, 1)).distinct().count());
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

    @Test
    void aBatchWithHistoriesListsWhatEachPositionHasSeenFromTheStartOfItsSequence() {
        int[] seq = {1, 2, 3, 2, 5, 6, 7}; // item 2 comes back at position 3
        List<int[]> w = TrainingWindows.cut(List.of(seq), 3);
        PackedBatch plain = TrainingWindows.batch(List.of(seq), w, new int[] {0, 1}, 0, 2);
        assertTrue(!plain.hasHistories());
        PackedBatch b = TrainingWindows.batch(List.of(seq), w, new int[] {0, 1}, 0, 2, true);
        assertTrue(b.hasHistories());
        // Window 0 = [3, 7): inputs 2, 5, 6 predicting 5, 6, 7; window 1 = [0, 4): inputs 1, 2, 3 predicting 2, 3, 2.
        // Packed time-major, equal lengths keep batch order: rows (t0: w0, w1), (t1: w0, w1), (t2: w0, w1).
        PackedBatch.SeenColumns seen = b.seenColumns(0, b.tokens());
        int[][] expected = {
                {0, 1, 2, 1},       // w0 t0: seen 1 2 3 2 (columns item - 1), target 5 (column 4) not among them
                {0},                // w1 t0: seen 1, target 2
                {0, 1, 2, 1, 4},    // w0 t1: seen 1 2 3 2 5, target 6
                {0, 1},             // w1 t1: seen 1 2, target 3
                {0, 1, 2, 1, 4, 5}, // w0 t2: seen 1 2 3 2 5 6, target 7
                {0, 2},             // w1 t2: seen 1 2 3, target 2 again: a repeat stays predictable
        };
        int k = 0;
        for (int r = 0; r < expected.length; r++) {
            assertEquals(k, seen.offsets()[r], "offset of row " + r);
            assertArrayEquals(expected[r], Arrays.copyOfRange(seen.columns(), seen.offsets()[r], seen.offsets()[r + 1]), "row " + r);
            k += expected[r].length;
        }
        assertEquals(k, seen.offsets()[expected.length]);
        PackedBatch.SeenColumns tail = b.seenColumns(4, 2); // a chunk starting past row 0 has its own offsets from 0
        assertArrayEquals(new int[] {0, 6, 8}, tail.offsets());
        assertArrayEquals(new int[] {0, 1, 2, 1, 4, 5, 0, 2}, tail.columns());
    }

    @Test
    void masksSeenItemsOnlyWithTheFullSoftmaxAndWhenAsked() {
        ModelConfig mc = new ModelConfig(ITEMS, 8, 8, 1, 10, 0f, 0f);
        TrainConfig tc = new TrainConfig(8, 0.01f, 1, 0, 1, 0f, 0f);
        ScalarBackend b = new ScalarBackend();
        assertTrue(!new Trainer(b, mc, tc).masksSeen(), "the plain full softmax (library default)");
        assertTrue(new Trainer(b, mc, tc, LossConfig.full().withMaskSeen(true)).masksSeen());
        assertTrue(new Trainer(b, mc, tc, dev.lstmrec.engine.api.RunConfig.defaults().lossConfig()).masksSeen(), "the CLI defaults: auto = full on 40 items, masked");
        assertTrue(!new Trainer(b, mc, tc, dev.lstmrec.engine.api.RunConfig.defaults().lossConfig().withLoss(LossConfig.Loss.SAMPLED)).masksSeen(),
                "the sampled losses do not mask");
    }

    @Test
    void maskingSeenItemsChangesTrainingAndMatchesTheSoftmaxOverUnseenItems() {
        // Walks of at most 17 steps of +1/+2 on a ring of 40 never revisit an item, so no target is masked; the masked loss
        // of the same weights and batch is lower (fewer competitors), and training then differs from the plain run.
        RingWalks.HeldOut data = RingWalks.HeldOut.lastItem(RingWalks.walks(60, ITEMS, 3));
        ModelConfig mc = new ModelConfig(ITEMS, 8, 8, 1, 10, 0f, 0f);
        TrainConfig tc = new TrainConfig(16, 0.01f, 2, 0, 5, 0f, 0f);
        List<int[]> windows = TrainingWindows.cut(data.train(), mc.maxLen());
        int[] order = new int[Math.min(16, windows.size())];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Trainer plain = new Trainer(new ScalarBackend(), mc, tc), masked = new Trainer(new ScalarBackend(), mc, tc,
                LossConfig.full().withMaskSeen(true));
        double lossPlain = plain.computeGradients(TrainingWindows.batch(data.train(), windows, order, 0, order.length), 1, 0);
        double lossMasked = masked.computeGradients(TrainingWindows.batch(data.train(), windows, order, 0, order.length, true), 1, 0);
        assertTrue(lossMasked < lossPlain, "masked loss " + lossMasked + " < plain " + lossPlain);
        TrainingResult a = plain.fit(data.train(), data.valid(), TrainingListener.SILENT);
        TrainingResult m = masked.fit(data.train(), data.valid(), TrainingListener.SILENT);
        assertTrue(a.epochs().get(0).loss() != m.epochs().get(0).loss(), "the masked run trains differently");
    }
}
