package dev.lstmrec.engine.train;

import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.eval.Metric;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.model.ModelConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Patience counts only epochs clearly below the best (more than one standard error of the validation score): a
 * plateau inside a small validation set's noise goes on, a real decline still stops the run. The validation scores are
 * scripted, so the rule is checked exactly.
 */
class EarlyStoppingTest {
    /** Returns NDCG@10 = scores[epoch - 1] over {@code cases} cases. */
    private static Validation scripted(double[] scores, int cases) {
        return new Validation() {
            int calls;

            @Override
            public Metrics evaluate(Trainer trainer) {
                Map<String, Double> m = new LinkedHashMap<>();
                for (Metric metric : Metric.values()) for (int k : new int[] {5, 10, 20}) m.put(metric.key(k), scores[calls]);
                calls++;
                return Metrics.of(m, cases);
            }

            @Override
            public boolean isEmpty() {
                return false;
            }

            @Override
            public void fingerprint(CRC32C crc) {}
        };
    }

    private static final List<int[]> SEQUENCES = new ArrayList<>();

    static {
        for (int u = 0; u < 20; u++) SEQUENCES.add(new int[] {1 + u % 9, 1 + (u + 1) % 9, 1 + (u + 2) % 9});
    }

    private static TrainingResult run(double[] scores, int cases, int patience) {
        Trainer t = new Trainer(new ScalarBackend(), new ModelConfig(9, 4, 4, 1, 5, 0f, 0f),
                new TrainConfig(8, 0.01f, scores.length, patience, 1, 0f, 5f));
        return t.fit(SEQUENCES, scripted(scores, cases), TrainingListener.SILENT, Checkpointing.none(), null);
    }

    /**
     * A tune trial trains to a rung ({@code epochs}) of a longer run ({@code horizon}, the schedule's); when its
     * patience runs out exactly at the rung, the longer run would have stopped there: the trial says so, and when it
     * is continued it trains no further epoch.
     */
    @Test
    void patienceRunningOutAtARungStopsTheTrialAsTheWholeRunWould(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        double[] scores = {0.30, 0.10, 0.40, 0.50, 0.60, 0.70};
        ModelConfig model = new ModelConfig(9, 4, 4, 1, 5, 0f, 0f);
        TrainConfig whole = new TrainConfig(8, 0.01f, 6, 1, 1, 0f, 5f, LrSchedule.constant().withHorizon(6));
        Checkpointing save = new Checkpointing(dir, 0, "f", null, () -> false, null);
        TrainingResult rung = new Trainer(new ScalarBackend(), model, whole.withEpochs(2))
                .fit(SEQUENCES, scripted(scores, 40_000), TrainingListener.SILENT, save, null);
        assertEquals(2, rung.epochs().size());
        assertTrue(rung.stoppedEarly(), "epoch 2 is clearly below epoch 1 and patience is 1: `train --epochs 6` stops here");
        TrainingState state = TrainingCheckpoints.readLatest(dir).state();
        TrainingResult continued = new Trainer(new ScalarBackend(), model, whole.withEpochs(6))
                .fit(SEQUENCES, scripted(scores, 40_000), TrainingListener.SILENT, save, state);
        assertEquals(2, continued.epochs().size(), "a promoted trial whose patience ran out trains nothing more");
        assertTrue(continued.stoppedEarly());
        assertEquals(1, continued.bestEpoch());
        // Without a longer horizon, running out of patience at the last epoch is the end of the run, not an early stop.
        TrainingResult last = run(new double[] {0.30, 0.10}, 40_000, 1);
        assertFalse(last.stoppedEarly());
    }

    @Test
    void aPlateauWithinTheNoiseOfTheBestDoesNotEndTheRun() {
        // 400 cases at NDCG 0.05: one standard error is at most sqrt(0.05 * 0.95 / 400) = 0.0109.
        double[] plateau = {0.050, 0.045, 0.042, 0.044, 0.041, 0.046, 0.043, 0.040, 0.047, 0.044, 0.049, 0.060, 0.070};
        TrainingResult r = run(plateau, 400, 3);
        assertFalse(r.stoppedEarly());
        assertEquals(13, r.epochs().size());
        assertEquals(13, r.bestEpoch());
        // The same curve on 40,000 cases is a decline: three epochs more than 0.0011 below the best end it.
        TrainingResult big = run(plateau, 40_000, 3);
        assertTrue(big.stoppedEarly());
        assertEquals(4, big.epochs().size());
        assertEquals(1, big.bestEpoch());
    }

    @Test
    void aClearDeclineStopsAfterPatienceEpochsInARow() {
        double[] decline = {0.10, 0.12, 0.09, 0.115, 0.08, 0.07, 0.07, 0.2};
        // 400 cases at 0.12: one standard error 0.0162, so 0.09, 0.08 and 0.07 are clearly below, 0.115 is not (it
        // resets the count): epochs 5 and 6 are the two in a row.
        TrainingResult r = run(decline, 400, 2);
        assertTrue(r.stoppedEarly());
        assertEquals(List.of(1, 2, 3, 4, 5, 6), r.epochs().stream().map(EpochResult::epoch).toList());
        assertEquals(2, r.bestEpoch());
        assertEquals(0.0162, Trainer.standardError(0.12, 400), 1e-4);
        assertEquals(0, Trainer.standardError(0, 400));
        assertEquals(0, Trainer.standardError(0.5, 0));
    }

    /** An update counts every epoch without a new best: the plateau that a run from scratch goes on through ends it. */
    @Test
    void patienceFromTheBestEndsAPlateau() {
        double[] plateau = {0.050, 0.045, 0.042, 0.044, 0.041, 0.046, 0.043, 0.040, 0.047, 0.044, 0.049, 0.060, 0.070};
        Trainer t = new Trainer(new ScalarBackend(), new ModelConfig(9, 4, 4, 1, 5, 0f, 0f),
                new TrainConfig(8, 0.01f, plateau.length, 3, 1, 0f, 5f));
        t.setPatienceFromBest(true);
        TrainingResult r = t.fit(SEQUENCES, scripted(plateau, 400), TrainingListener.SILENT, Checkpointing.none(), null);
        assertTrue(r.stoppedEarly());
        assertEquals(4, r.epochs().size(), "epochs 2, 3 and 4 are no new best");
        assertEquals(1, r.bestEpoch());
        double[] climbing = {0.050, 0.051, 0.049, 0.048, 0.052, 0.050, 0.049, 0.053};
        Trainer c = new Trainer(new ScalarBackend(), new ModelConfig(9, 4, 4, 1, 5, 0f, 0f),
                new TrainConfig(8, 0.01f, climbing.length, 3, 1, 0f, 5f));
        c.setPatienceFromBest(true);
        TrainingResult rc = c.fit(SEQUENCES, scripted(climbing, 400), TrainingListener.SILENT, Checkpointing.none(), null);
        assertFalse(rc.stoppedEarly(), "a new best every third epoch keeps it going");
        assertEquals(8, rc.bestEpoch());
    }
}
