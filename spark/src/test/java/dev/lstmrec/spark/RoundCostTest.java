package dev.lstmrec.spark;

import dev.lstmrec.engine.data.DataReader;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.train.LossConfig;
import org.apache.spark.api.java.JavaSparkContext;
import dev.lstmrec.engine.train.RowOptimizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/spark.md's rule "no per-round work is O(N) under the sampled losses", counted the way the engine's
 * CountingBackend counts a warm training step: per round, the bytes broadcast, the floats the driver averages into its
 * state and the floats the tasks move between their resident trainers and the host are those of the round's change
 * (the dense blocks and the item rows some step updated), bounded independently of the catalogue, and no task builds
 * or loads a full state after the first round.
 */
class RoundCostTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "rows by {0}")
    @ValueSource(strings = {"adam", "adagrad"})
    void aWarmRoundMovesOnlyWhatChanged(String rowOptimizer) throws Exception {
        Dataset data = DataReader.read(TestSpark.writeLog(dir, 1000, 20000, 3, 12, 5));
        List<UserSequence> seqs = new ArrayList<>();
        for (int u = 0; u < data.numUsers(); u++) seqs.add(new UserSequence(u, data.userId(u), data.sequence(u)));
        int p = 2, k = 1, batch = 8, maxLen = 12, negatives = 16, h = 8;
        TrainSettings s = new TrainSettings(h, h, 1, maxLen, 0.2f, batch, 0.01f, 1, 0, 0f, 5f, 42L, "simd", 1, p, k,
                TrainSettings.Optimizer.ADAM, TrainSettings.RowAveraging.ALL_TASKS, false, true)
                .withLoss(new LossConfig(LossConfig.Loss.SAMPLED, negatives, 0.5f, 1f, 1f, rowOptimizer.equals("adam")
                        ? RowOptimizer.adam() : new RowOptimizer(RowOptimizer.Kind.ADAGRAD, 0.05f, 0f)));
        int n = data.numItems();
        int total = new ParameterLayout(s.modelConfig(n)).total();
        // Adagrad without momentum never changes the item rows' m: rounds ship m of the dense blocks only
        ParameterSlices cut = ParameterSlices.of(s, n);
        long denseFloats = 0;
        for (int slice : cut.denseSlices()) denseFloats += cut.length(slice);
        DistributedTrainer trainer = new DistributedTrainer(s, null, 0, 8, m -> {});
        assertThrows(DistributedTrainer.Stopped.class, () -> trainer.fit(
                JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext()).parallelize(seqs, 2), n));
        List<RoundMeter.Round> rounds = trainer.meter().perRound();
        assertEquals(8, rounds.size());

        long full = 12L * total;
        int dense = 4 * h * (h + h + 1);
        // item rows one step can update: its targets and negatives (out.w + out.b), its inputs (embedding)
        long rowsPerStep = (long) batch * maxLen + negatives;
        long changeBound = dense + (long) p * k * rowsPerStep * (h + 1 + h);
        assertEquals(0, trainer.meter().initialBroadcastBytes(), "a new run's state comes from the seed, not a broadcast");
        assertEquals(0, rounds.get(0).deltaBytes() - 0, "the first round has nothing to ship");
        for (int i = 0; i < rounds.size(); i++) {
            RoundMeter.Round r = rounds.get(i);
            String at = "round " + i + ": " + r;
            assertEquals(0, r.baseBytes(), "no full state is broadcast: " + at);
            assertEquals(i == 0 ? p : 0, r.builds(), "resident states are built once: " + at);
            assertEquals(i == 0 ? p : 0, r.fullLoads(), "and loaded once: " + at);
            assertTrue(r.driverFloats() <= changeBound, "the driver averages the change only: " + at + ", bound " + changeBound);
            assertTrue(r.driverFloats() >= dense, at);
            if (i + 1 < rounds.size()) {
                assertEquals(4 * r.slices() + 4 * (2 * r.driverFloats() + r.momentFloats()), rounds.get(i + 1).deltaBytes(),
                        "the next round broadcasts exactly the averaged slices: " + at);
            }
            if (rowOptimizer.equals("adam")) {
                assertEquals(r.driverFloats(), r.momentFloats(), "Adam's m changes with every row: " + at);
            } else {
                assertEquals(denseFloats, r.momentFloats(), "no item row's m is shipped: " + at);
            }
            if (i > 0) {
                long applied = rounds.get(i - 1).driverFloats();
                assertTrue(r.taskFloats() <= 3L * p * (applied + r.driverFloats()),
                        "tasks write the delta and read back their change: " + at);
                assertTrue(r.deltaBytes() < full / 10, "a warm round broadcasts well under the state (" + full + " bytes): " + at);
            }
        }
        assertTrue(changeBound < total / 4, "the catalogue is large beside a round's change: " + changeBound + " of " + total);
    }

    /**
     * Every task of a round draws the negatives of its local step b from the run's seed, so a round touches the K draws
     * of one task, not P times as many: with negatives outnumbering the tokens of a batch, the output rows averaged per
     * round stay within one task's negatives plus every task's targets (independent draws would nearly double them).
     */
    @Test
    void aRoundsTasksShareTheirNegatives() throws Exception {
        Dataset data = DataReader.read(TestSpark.writeLog(dir, 2000, 20000, 3, 6, 7));
        List<UserSequence> seqs = new ArrayList<>();
        for (int u = 0; u < data.numUsers(); u++) seqs.add(new UserSequence(u, data.userId(u), data.sequence(u)));
        int p = 2, k = 2, batch = 4, maxLen = 6, negatives = 300, h = 4;
        TrainSettings s = new TrainSettings(h, h, 1, maxLen, 0f, batch, 0.01f, 1, 0, 0f, 5f, 42L, "simd", 1, p, k,
                TrainSettings.Optimizer.ADAM, TrainSettings.RowAveraging.ALL_TASKS, false, true)
                .withLoss(new LossConfig(LossConfig.Loss.SAMPLED, negatives, 0.5f, 1f, 1f));
        int n = data.numItems();
        DistributedTrainer trainer = new DistributedTrainer(s, null, 0, 4, m -> {});
        assertThrows(DistributedTrainer.Stopped.class, () -> trainer.fit(
                JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext()).parallelize(seqs, 2), n));
        int dense = 4 * h * (h + h + 1);
        long tokens = (long) p * k * batch * maxLen; // every task's targets and inputs
        long shared = dense + (k * (long) negatives + tokens) * (h + 1) + tokens * h;
        long independent = dense + (p * k * (long) negatives) * (h + 1);
        assertTrue(shared < independent * 3 / 4, "the bound tells shared from independent draws");
        for (RoundMeter.Round r : trainer.meter().perRound()) {
            assertTrue(r.driverFloats() <= shared, "a round averages one task's negatives: " + r + ", bound " + shared);
        }
    }
}
