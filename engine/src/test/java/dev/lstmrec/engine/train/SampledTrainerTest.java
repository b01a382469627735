package dev.lstmrec.engine.train;

import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.eval.Metric;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.PackedBatch;
import dev.lstmrec.engine.model.ParameterLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training with the sampled losses: both learn {@link RingWalks}, a step updates only the
 * item rows it touched, the negatives are a pure function of (seed, epoch, batch), and auto picks by catalogue size.
 */
class SampledTrainerTest {
    private static final int ITEMS = 60;

    private static TrainingResult fit(LossConfig loss, RingWalks.HeldOut data, float[][] weights) {
        ModelConfig mc = new ModelConfig(ITEMS, 16, 16, 1, 10, 0.1f, 0.1f);
        Trainer t = new Trainer(new ScalarBackend(), mc, new TrainConfig(32, 0.01f, 8, 0, 42, 0f, 5f), loss);
        assertEquals(loss.loss(), t.loss());
        TrainingResult r = t.fit(data.train(), data.valid(), TrainingListener.SILENT);
        weights[0] = t.downloadWeights();
        return r;
    }

    @Test
    void sampledSoftmaxAndBprMaxLearnSequentialStructureReproducibly() {
        RingWalks.HeldOut data = RingWalks.HeldOut.lastItem(RingWalks.walks(400, ITEMS, 3));
        for (LossConfig.Loss loss : new LossConfig.Loss[] {LossConfig.Loss.SAMPLED, LossConfig.Loss.BPR_MAX}) {
            float[][] w1 = new float[1][], w2 = new float[1][];
            TrainingResult r = fit(new LossConfig(loss, 12, 0.5f, 1f, 1f), data, w1);
            // Popularity is flat on the ring (HR@5 about 5/60); the walk's next item is one of two.
            assertTrue(r.bestValidation().get(Metric.HR, 5) > 0.5, loss + " HR@5 " + r.bestValidation().get(Metric.HR, 5));
            fit(new LossConfig(loss, 12, 0.5f, 1f, 1f), data, w2);
            assertArrayEquals(w1[0], w2[0], loss + ": same seed, same weights");
        }
    }

    @Test
    void tiedModelLearnsWithTheSampledSoftmax() {
        RingWalks.HeldOut data = RingWalks.HeldOut.lastItem(RingWalks.walks(400, ITEMS, 5));
        ModelConfig mc = new ModelConfig(ITEMS, 16, 16, 1, 10, 0.1f, 0.1f, true);
        Trainer t = new Trainer(new ScalarBackend(), mc, new TrainConfig(32, 0.01f, 8, 0, 42, 0f, 5f),
                new LossConfig(LossConfig.Loss.SAMPLED, 12, 0.5f, 1f, 1f));
        assertThrows(IllegalArgumentException.class, () -> t.layout().entry("out.w"), "a tied model has no out.w");
        TrainingResult r = t.fit(data.train(), data.valid(), TrainingListener.SILENT);
        assertTrue(r.bestValidation().get(Metric.HR, 5) > 0.5, "tied HR@5 " + r.bestValidation().get(Metric.HR, 5));
    }

    @Test
    void adagradRowsLearnSequentialStructure() {
        RingWalks.HeldOut data = RingWalks.HeldOut.lastItem(RingWalks.walks(400, ITEMS, 3));
        TrainingResult r = fit(new LossConfig(LossConfig.Loss.SAMPLED, 12, 0.5f, 1f, 1f,
                new RowOptimizer(RowOptimizer.Kind.ADAGRAD, 0.1f, 0.2f)), data, new float[1][]);
        assertTrue(r.bestValidation().get(Metric.HR, 5) > 0.5, "adagrad HR@5 " + r.bestValidation().get(Metric.HR, 5));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(RowOptimizer.Kind.class)
    void aStepUpdatesOnlyTheItemRowsItTouched(RowOptimizer.Kind kind) {
        ModelConfig mc = new ModelConfig(ITEMS, 8, 8, 1, 20, 0f, 0f);
        Trainer t = new Trainer(new ScalarBackend(), mc, new TrainConfig(4, 0.05f, 1, 0, 9, 0.01f, 1f),
                new LossConfig(LossConfig.Loss.SAMPLED, 3, 0.5f, 1f, 1f, new RowOptimizer(kind, 0.05f, 0.1f)));
        assertThrows(IllegalStateException.class, () -> t.trainBatch(PackedBatch.pack(List.of(new int[] {1}), List.of(new int[] {1}))));
        long[] counts = new long[ITEMS];
        counts[10] = 5; // the only item negatives can be drawn from: alpha > 0 never samples a count of 0
        t.setSamplingCounts(counts);
        float[] before = t.downloadWeights();
        t.trainBatch(PackedBatch.pack(List.of(new int[] {1, 2, 3}, new int[] {4}), List.of(new int[] {4, 5, 6}, new int[] {7})));
        float[] after = t.downloadWeights();
        ParameterLayout layout = t.layout();
        int h = mc.hiddenDim(), e = mc.embeddingDim();
        ParameterLayout.Entry out = layout.entry("out.w"), bias = layout.entry("out.b"), emb = layout.entry("embedding");
        for (int row = 0; row < ITEMS; row++) {
            boolean touched = row == 4 || row == 5 || row == 6 || row == 7 || row == 10;
            float[] b = Arrays.copyOfRange(before, (int) out.offset() + row * h, (int) out.offset() + (row + 1) * h);
            float[] a = Arrays.copyOfRange(after, (int) out.offset() + row * h, (int) out.offset() + (row + 1) * h);
            if (touched) assertNotEquals(Arrays.toString(b), Arrays.toString(a), "out.w row " + row + " was scored");
            else assertArrayEquals(b, a, "out.w row " + row + " untouched");
            float bb = before[(int) bias.offset() + row], ba = after[(int) bias.offset() + row];
            if (!touched) assertEquals(bb, ba, "out.b row " + row);
        }
        for (int item = 0; item <= ITEMS; item++) {
            boolean input = item >= 1 && item <= 4;
            float[] b = Arrays.copyOfRange(before, (int) emb.offset() + item * e, (int) emb.offset() + (item + 1) * e);
            float[] a = Arrays.copyOfRange(after, (int) emb.offset() + item * e, (int) emb.offset() + (item + 1) * e);
            if (input) assertNotEquals(Arrays.toString(b), Arrays.toString(a), "embedding " + item + " was an input");
            else assertArrayEquals(b, a, "embedding " + item + " untouched (weight decay is lazy too)");
        }
    }

    @Test
    void negativesArePureFunctionsOfSeedEpochAndBatch() {
        long[] counts = new long[1000];
        for (int i = 0; i < counts.length; i++) counts[i] = 1 + (1000 / (i + 1));
        NegativeSampler s = new NegativeSampler(counts, 0.5f);
        int[] a = new int[64], b = new int[64], c = new int[64];
        s.draw(a, 64, 7, 2, 5);
        s.draw(b, 64, 7, 2, 5);
        s.draw(c, 64, 7, 2, 6);
        assertArrayEquals(a, b);
        assertNotEquals(Arrays.toString(a), Arrays.toString(c));
    }

    @Test
    void aliasTableSamplesPopularityToTheAlpha() {
        long[] counts = {1, 4, 9, 0, 16};
        NegativeSampler s = new NegativeSampler(counts, 0.5f); // weights 1, 2, 3, 0, 4
        int[] out = new int[200_000];
        s.draw(out, out.length, 1, 1, 1);
        int[] hist = new int[counts.length];
        for (int x : out) hist[x]++;
        assertEquals(0, hist[3], "count 0 is never drawn");
        double[] expected = {0.1, 0.2, 0.3, 0, 0.4};
        for (int j = 0; j < counts.length; j++) assertEquals(expected[j], hist[j] / (double) out.length, 0.005, "item " + j);
        int[] uniform = new int[50_000];
        new NegativeSampler(counts, 0f).draw(uniform, uniform.length, 1, 1, 1);
        int[] uh = new int[counts.length];
        for (int x : uniform) uh[x]++;
        for (int j = 0; j < counts.length; j++) assertEquals(0.2, uh[j] / (double) uniform.length, 0.01, "uniform item " + j);
    }

    @Test
    void autoPicksTheFullSoftmaxForSmallCatalogues() {
        LossConfig auto = dev.lstmrec.engine.api.RunConfig.defaults().lossConfig();
        assertEquals(LossConfig.Loss.FULL, auto.resolve(1682));
        assertEquals(LossConfig.Loss.SAMPLED, auto.resolve(1_000_000));
        assertTrue(auto.describe(1682).contains("full softmax"), auto.describe(1682));
        LossConfig adagrad = new LossConfig(LossConfig.Loss.AUTO, 2048, 0.5f, 1f, 1f, new RowOptimizer(RowOptimizer.Kind.ADAGRAD, 0.1f, 0.2f));
        assertTrue(adagrad.describe(1682).contains("--row-optimizer is for the sampled losses"), adagrad.describe(1682));
        assertTrue(adagrad.describe(1_000_000).contains("Adagrad (lr 0.1, momentum 0.2)"), adagrad.describe(1_000_000));
        assertEquals(LossConfig.Loss.BPR_MAX, LossConfig.Loss.parse("bpr-max"));
        assertThrows(IllegalArgumentException.class, () -> LossConfig.Loss.parse("xe"));
        assertThrows(IllegalArgumentException.class, () -> new LossConfig(LossConfig.Loss.SAMPLED, -1, 0.5f, 1f, 1f));
    }
}
