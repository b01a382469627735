package dev.lstmrec.engine.train;

import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.PackedBatch;
import dev.lstmrec.engine.model.ParameterLayout;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The learning-rate schedule's shape, and weight decay reaching the weight matrices only. */
class LrScheduleTest {
    @Test
    void warmupThenDecayToZero() {
        LrSchedule cos = new LrSchedule(LrSchedule.Kind.COSINE, 10, 0);
        assertEquals(0.1, cos.factor(1, 110), 1e-12);
        assertEquals(1.0, cos.factor(10, 110), 1e-12);
        assertEquals(0.5, cos.factor(60, 110), 1e-12, "half way through the decay");
        assertEquals(0.0, cos.factor(110, 110), 1e-12);
        assertEquals(0.0, cos.factor(500, 110), 1e-12, "past the horizon the rate stays at its end");
        LrSchedule lin = new LrSchedule(LrSchedule.Kind.LINEAR, 0.1, 0);
        assertEquals(10, lin.warmupSteps(100));
        assertEquals(0.5, lin.factor(5, 100), 1e-12);
        assertEquals(0.5, lin.factor(55, 100), 1e-12);
        assertEquals(1.0, LrSchedule.constant().factor(1, 100), 1e-12);
        assertEquals(1.0, LrSchedule.constant().factor(1000, 100), 1e-12);
        for (long s = 11; s < 110; s++) assertTrue(cos.factor(s + 1, 110) <= cos.factor(s, 110), "cosine decays monotonically");
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(LrSchedule.Kind.COSINE, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(LrSchedule.Kind.COSINE, 2.5, 0));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.Kind.fromCliName("step"));
        assertEquals(LrSchedule.Kind.LINEAR, LrSchedule.Kind.fromCliName("linear"));
    }

    @Test
    void decayRangesCoverTheSlabAndPickTheWeightMatrices() {
        ParameterLayout layout = new ParameterLayout(new ModelConfig(30, 8, 6, 2, 10, 0f, 0f));
        List<DecayRanges.Range> ranges = DecayRanges.of(layout);
        long next = 0;
        for (DecayRanges.Range r : ranges) {
            assertEquals(next, r.offset());
            next += r.size();
        }
        assertEquals(layout.total(), next);
        for (ParameterLayout.Entry e : layout.entries()) {
            boolean matrix = e.name().endsWith("w_ih") || e.name().endsWith("w_hh") || e.name().equals("out.w");
            assertEquals(matrix, DecayRanges.decayed(e.name()), e.name());
        }
    }

    @Test
    void weightDecayLeavesEmbeddingsAndBiasesAlone() {
        ModelConfig mc = new ModelConfig(30, 8, 6, 1, 10, 0f, 0f);
        PackedBatch batch = PackedBatch.pack(List.of(new int[] {1, 2, 3, 4}, new int[] {5, 6, 7}), List.of(new int[] {2, 3, 4, 5}, new int[] {6, 7, 8}));
        float[] plain = step(mc, 0f, batch), decayed = step(mc, 0.5f, batch);
        ParameterLayout layout = new ParameterLayout(mc);
        for (ParameterLayout.Entry e : layout.entries()) {
            boolean differs = false;
            for (int i = 0; i < e.size(); i++) differs |= plain[(int) e.offset() + i] != decayed[(int) e.offset() + i];
            if (DecayRanges.decayed(e.name())) assertTrue(differs, e.name() + " is decayed");
            else assertFalse(differs, e.name() + " is not decayed");
        }
    }

    @Test
    void sampledStepsDecayTheSameParametersLazily() {
        PackedBatch batch = PackedBatch.pack(List.of(new int[] {1, 2, 3, 4}, new int[] {5, 6, 7}), List.of(new int[] {2, 3, 4, 5}, new int[] {6, 7, 8}));
        for (boolean tied : new boolean[] {false, true}) {
            ModelConfig mc = new ModelConfig(30, 6, 6, 1, 10, 0f, 0f, tied);
            LossConfig loss = new LossConfig(LossConfig.Loss.SAMPLED, 5, 0.5f, 1f, 1f);
            float[] plain = step(mc, 0f, batch, loss), decayed = step(mc, 0.5f, batch, loss);
            for (ParameterLayout.Entry e : new ParameterLayout(mc).entries()) {
                boolean differs = false;
                for (int i = 0; i < e.size(); i++) differs |= plain[(int) e.offset() + i] != decayed[(int) e.offset() + i];
                String what = e.name() + (tied ? " (tied)" : "");
                if (DecayRanges.decayed(e.name())) assertTrue(differs, what + " is decayed");
                else assertFalse(differs, what + " is not decayed");
            }
        }
    }

    private static float[] step(ModelConfig mc, float weightDecay, PackedBatch batch) {
        return step(mc, weightDecay, batch, LossConfig.full());
    }

    private static float[] step(ModelConfig mc, float weightDecay, PackedBatch batch, LossConfig loss) {
        Trainer t = new Trainer(new ScalarBackend(), mc, new TrainConfig(2, 0.01f, 1, 0, 3, weightDecay, 0f), loss);
        long[] counts = new long[mc.numItems()];
        java.util.Arrays.fill(counts, 1);
        t.setSamplingCounts(counts);
        t.trainBatch(batch);
        return t.downloadWeights();
    }
}
