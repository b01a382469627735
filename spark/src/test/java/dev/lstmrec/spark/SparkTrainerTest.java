package dev.lstmrec.spark;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.data.DataReader;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.LeaveOneOut;
import dev.lstmrec.engine.data.Split;
import dev.lstmrec.engine.eval.EvalCase;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.model.Initializer;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.api.RunOption;
import dev.lstmrec.engine.train.LossConfig;
import dev.lstmrec.engine.train.RowOptimizer;
import dev.lstmrec.engine.train.NegativeSampler;
import dev.lstmrec.engine.train.TrainConfig;
import dev.lstmrec.engine.train.Trainer;
import dev.lstmrec.engine.train.TrainingListener;
import dev.lstmrec.engine.train.TrainingResult;
import dev.lstmrec.engine.train.TrainingWindows;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The distributed trainer against the single-machine trainer and against itself: one partition replays the
 * single-machine run bit for bit; averaging every plain-SGD step is SGD on the averaged gradient; shipping only
 * changed rows equals shipping all; retried tasks and a restart from a checkpoint change nothing.
 */
class SparkTrainerTest {
    private static Dataset data;
    private static List<UserSequence> sequences;

    @TempDir
    Path dir;

    @BeforeAll
    static void data(@TempDir Path tmp) throws Exception {
        data = DataReader.read(TestSpark.writeLog(tmp, 48, 40, 3, 30, 11));
        sequences = new ArrayList<>();
        for (int u = 0; u < data.numUsers(); u++) sequences.add(new UserSequence(u, data.userId(u), data.sequence(u)));
    }

    private static JavaRDD<UserSequence> users() {
        return JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext()).parallelize(sequences, 2);
    }

    private static TrainSettings settings(int partitions, int localSteps, TrainSettings.Optimizer opt, boolean shipAll, int epochs) {
        return settings(partitions, localSteps, opt, shipAll, epochs, 5f);
    }

    private static TrainSettings settings(int partitions, int localSteps, TrainSettings.Optimizer opt, boolean shipAll, int epochs,
                                          float clip) {
        return new TrainSettings(8, 8, 1, 12, 0.2f, 8, 0.01f, epochs, 0, 0f, clip, 42L, "simd", 1, partitions, localSteps, opt,
                TrainSettings.RowAveraging.ALL_TASKS, shipAll, true);
    }

    private static DistributedTrainer.Outcome train(TrainSettings s) {
        return new DistributedTrainer(s, null, 0, 0, m -> {}).fit(users(), data.numItems());
    }

    @Test
    void onePartitionReplaysTheSingleMachineTrainer() {
        TrainSettings s = settings(1, 3, TrainSettings.Optimizer.ADAM, false, 3);
        DistributedTrainer.Outcome spark = train(s);

        Split split = LeaveOneOut.split(data);
        List<int[]> train = new ArrayList<>();
        for (int u = 0; u < data.numUsers(); u++) train.add(split.trainSequence(u));
        List<EvalCase> valid = new ArrayList<>();
        for (int u : split.evaluatedUsers()) valid.add(new EvalCase(split.validHistory(u), split.validTarget(u)));
        ModelConfig config = s.modelConfig(data.numItems());
        try (Backend b = Backends.create("simd", BackendOptions.withThreads(1))) {
            Trainer t = new Trainer(b, config, s.trainConfig(), s.lossConfig()); // the full softmax, seen items masked
            assertTrue(t.masksSeen());
            TrainingResult r = t.fit(train, valid, new Protocol(true, 0, 42L), TrainingListener.SILENT);
            assertEquals(r.bestEpoch(), spark.bestEpoch());
            assertEquals(r.bestValidation().asMap(), spark.validation().asMap());
            for (int e = 0; e < r.epochs().size(); e++) {
                assertEquals(r.epochs().get(e).validation().get(dev.lstmrec.engine.eval.Metric.NDCG, 10), spark.history().get(e)[2], "epoch " + (e + 1));
            }
            assertArrayEquals(t.downloadWeights(), spark.weights());
        }
    }

    @Test
    void onePartitionWithTheSampledLossReplaysTheSingleMachineTrainer() {
        LossConfig loss = new LossConfig(LossConfig.Loss.SAMPLED, 12, 0.5f, 1f, 1f);
        TrainSettings s = settings(1, 3, TrainSettings.Optimizer.ADAM, false, 2).withLoss(loss);
        DistributedTrainer.Outcome spark = train(s);

        Split split = LeaveOneOut.split(data);
        List<int[]> train = new ArrayList<>();
        for (int u = 0; u < data.numUsers(); u++) train.add(split.trainSequence(u));
        List<EvalCase> valid = new ArrayList<>();
        for (int u : split.evaluatedUsers()) valid.add(new EvalCase(split.validHistory(u), split.validTarget(u)));
        ModelConfig config = s.modelConfig(data.numItems());
        try (Backend b = Backends.create("simd", BackendOptions.withThreads(1))) {
            Trainer t = new Trainer(b, config, s.trainConfig(), loss);
            assertEquals(LossConfig.Loss.SAMPLED, t.loss());
            TrainingResult r = t.fit(train, valid, new Protocol(true, 0, 42L), TrainingListener.SILENT);
            assertEquals(r.bestEpoch(), spark.bestEpoch());
            for (int e = 0; e < r.epochs().size(); e++) {
                assertEquals(r.epochs().get(e).validation().get(dev.lstmrec.engine.eval.Metric.NDCG, 10), spark.history().get(e)[2], "epoch " + (e + 1));
            }
            assertArrayEquals(t.downloadWeights(), spark.weights());
            // and it is the sampled run: the full-softmax run from the same start ends elsewhere
            Trainer full = new Trainer(b, config, s.trainConfig());
            full.fit(train, valid, new Protocol(true, 0, 42L), TrainingListener.SILENT);
            assertFalse(java.util.Arrays.equals(full.downloadWeights(), spark.weights()));
        }
    }

    /** The single-machine trainer's run of these settings (lstmrec train's: the same RunConfig views): best weights. */
    private static float[] singleMachine(TrainSettings s) {
        Split split = LeaveOneOut.split(data);
        List<int[]> train = new ArrayList<>();
        for (int u = 0; u < data.numUsers(); u++) train.add(split.trainSequence(u));
        List<EvalCase> valid = new ArrayList<>();
        for (int u : split.evaluatedUsers()) valid.add(new EvalCase(split.validHistory(u), split.validTarget(u)));
        try (Backend b = Backends.create("simd", BackendOptions.withThreads(1))) {
            Trainer t = new Trainer(b, s.modelConfig(data.numItems()), s.trainConfig(), s.lossConfig());
            t.fit(train, valid, new Protocol(s.excludeSeen(), 0, s.seed()), TrainingListener.SILENT);
            return t.downloadWeights();
        }
    }

    @Test
    void onePartitionReplaysTheSingleMachineTrainerWithTheNewerSettings() {
        TrainSettings base = settings(1, 3, TrainSettings.Optimizer.ADAM, false, 2);
        TrainSettings sampledTiedAdagradCosine = base.withLoss(new LossConfig(LossConfig.Loss.SAMPLED, 12, 0.5f, 1f, 1f,
                        new RowOptimizer(RowOptimizer.Kind.ADAGRAD, 0.05f, 0.1f)))
                .with(RunOption.TIED, "true").with(RunOption.LR_SCHEDULE, "cosine").with(RunOption.WARMUP, "3")
                .with(RunOption.EMBEDDING_DROPOUT, "0.4").with(RunOption.HIDDEN_DROPOUT, "0.1");
        TrainSettings fullTiedUnmaskedLinear = base.with(RunOption.TIED, "true").with(RunOption.MASK_SEEN, "false")
                .with(RunOption.LR_SCHEDULE, "linear").with(RunOption.WARMUP, "0.1");
        for (TrainSettings s : new TrainSettings[] {sampledTiedAdagradCosine, fullTiedUnmaskedLinear}) {
            assertTrue(s.modelConfig(data.numItems()).tied());
            DistributedTrainer.Outcome spark = train(s);
            assertArrayEquals(singleMachine(s), spark.weights(), s.run().toString());
            assertFalse(java.util.Arrays.equals(singleMachine(base), spark.weights()), "the settings changed the run");
        }
    }

    @Test
    void aLostResidentStateIsRebuiltExactly() {
        TrainSettings s = settings(2, 1, TrainSettings.Optimizer.ADAM, false, 2)
                .withLoss(new LossConfig(LossConfig.Loss.SAMPLED, 12, 0.5f, 1f, 1f));
        DistributedTrainer.Outcome whole = train(s);
        DistributedTrainer.Outcome lost;
        RoundTask.loseResident = (partition, round) -> (partition == 1 && round == 3) || (partition == 0 && round == 7)
                || round == 10;
        try {
            lost = train(s);
        } finally {
            RoundTask.loseResident = null;
        }
        assertArrayEquals(whole.weights(), lost.weights());
        assertEquals(whole.validation().asMap(), lost.validation().asMap());
        List<RoundMeter.Round> rounds = lost.meter().perRound();
        assertEquals(2, rounds.get(0).fullLoads(), "both partitions start from the seed's state");
        assertEquals(1, rounds.get(3).fullLoads());
        assertEquals(1, rounds.get(3).builds());
        assertEquals(2, rounds.get(10).fullLoads());
        int full = 0;
        for (RoundMeter.Round r : rounds) full += r.fullLoads();
        assertEquals(2 + 1 + 1 + 2, full, "no other round loaded the full state");
        assertTrue(rounds.stream().anyMatch(r -> r.baseBytes() > 0), "the chain dropped old deltas on this small model, so a rebuild read a base");
        for (int i = 0; i < rounds.size(); i++) {
            if (rounds.get(i).baseBytes() > 0) assertTrue(i == 3 || i == 7 || i == 10, "a base is broadcast only for a lost state, not in round " + i);
        }
        assertEquals(0, ResidentTrainers.size(), "the run released its resident states");
    }

    @Test
    void samplingCountsCoverTheWholeTrainingData() {
        Split split = LeaveOneOut.split(data);
        List<int[]> train = new ArrayList<>();
        for (int u = 0; u < data.numUsers(); u++) train.add(split.trainSequence(u));
        long[] single = NegativeSampler.targetCounts(train, TrainingWindows.cut(train, 12), data.numItems());
        assertArrayEquals(single, DistributedTrainer.targetCounts(DistributedTrainer.partitionUsers(users(), 3), 12, data.numItems()));
    }

    @Test
    void averagingEverySgdStepIsSgdOnTheAveragedGradient() {
        TrainSettings s = settings(2, 1, TrainSettings.Optimizer.SGD, false, 1, 0f); // no clipping: it is per task
        // one round of the distributed run: stop after it and read the state from the checkpoint
        String ckpt = dir.resolve("sgd").toString();
        assertThrows(DistributedTrainer.Stopped.class, () -> new DistributedTrainer(s, ckpt, 1, 1, m -> {}).fit(users(), data.numItems()));
        float[] spark = readState(ckpt, s).weights;

        ModelConfig config = s.modelConfig(data.numItems());
        ParameterLayout layout = new ParameterLayout(config);
        float[] w0 = Initializer.initialWeights(config, layout, s.seed());
        List<List<UserSequence>> parts = DistributedTrainer.partitionUsers(users(), 2).glom().collect();
        double[] gradSum = new double[layout.total()];
        try (Backend b = Backends.create("simd", BackendOptions.withThreads(1))) {
            for (int p = 0; p < 2; p++) {
                RoundTask.Shard shard = RoundTask.Shard.of(parts.get(p).iterator(), s.maxLen());
                long seed = s.partitionSeed(p);
                Trainer t = new Trainer(b, config, new TrainConfig(s.batch(), s.lr(), 1, 0, seed, 0f, s.clipNorm()), s.lossConfig());
                t.setState(w0, new float[layout.total()], new float[layout.total()], 0);
                int[] order = Trainer.shuffledOrder(shard.windows().size(), seed, 1);
                t.computeGradients(TrainingWindows.batch(shard.sequences(), shard.windows(), order, 0, Math.min(order.length, s.batch()),
                        t.masksSeen()), 1, 0);
                float[] g = t.downloadGradients();
                for (int i = 0; i < g.length; i++) gradSum[i] += g[i];
            }
        }
        int differing = 0;
        for (int i = 0; i < gradSum.length; i++) {
            float expected = (float) (w0[i] - s.lr() * gradSum[i] / 2);
            assertEquals(expected, spark[i], 1e-7f + 1e-6f * Math.abs(expected), "parameter " + i);
            if (spark[i] != w0[i]) differing++;
        }
        assertTrue(differing > layout.total() / 2, "the round changed the weights");
    }

    @Test
    void shippingOnlyChangedRowsEqualsShippingAll() {
        DistributedTrainer.Outcome sparse = train(settings(2, 2, TrainSettings.Optimizer.ADAM, false, 2));
        DistributedTrainer.Outcome dense = train(settings(2, 2, TrainSettings.Optimizer.ADAM, true, 2));
        assertArrayEquals(dense.weights(), sparse.weights());
        assertEquals(dense.validation().asMap(), sparse.validation().asMap());
        assertTrue(sparse.meter().slicesCollected() < dense.meter().slicesCollected(),
                "sparse rounds shipped fewer slices: " + sparse.meter().slicesCollected() + " vs " + dense.meter().slicesCollected());
    }

    @Test
    void retriedTasksGiveTheSameResult() {
        TrainSettings s = settings(2, 2, TrainSettings.Optimizer.ADAM, false, 1);
        DistributedTrainer.Outcome clean = train(s);
        DistributedTrainer.Outcome retried;
        RoundTask.failFirstAttempts = true; // every round task fails once and Spark reruns it (local[2,4])
        try {
            retried = new DistributedTrainer(s, null, 0, 0, m -> {}).fit(users(), data.numItems());
        } finally {
            RoundTask.failFirstAttempts = false;
        }
        assertTrue(RoundTask.injectedFailures.get() > 0, "failures were injected");
        assertArrayEquals(clean.weights(), retried.weights());
    }

    @Test
    void restartFromACheckpointEqualsAnUninterruptedRun() throws Exception {
        TrainSettings s = settings(2, 1, TrainSettings.Optimizer.ADAM, false, 2);
        DistributedTrainer.Outcome whole = train(s);
        String ckpt = dir.resolve("ckpt").toString();
        assertThrows(DistributedTrainer.Stopped.class, () -> new DistributedTrainer(s, ckpt, 2, 5, m -> {}).fit(users(), data.numItems()));
        assertTrue(Files.exists(dir.resolve("ckpt").resolve(SparkTrainingState.FILE)));
        List<String> log = new ArrayList<>();
        DistributedTrainer.Outcome resumed = new DistributedTrainer(s, ckpt, 2, 0, log::add).fit(users(), data.numItems());
        assertTrue(log.get(0).startsWith("resuming"), log.toString());
        assertArrayEquals(whole.weights(), resumed.weights());
        assertEquals(whole.validation().asMap(), resumed.validation().asMap());
        assertEquals(whole.rounds(), resumed.rounds());
        assertFalse(Files.list(dir.resolve("ckpt")).anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temp file left");
    }

    private static SparkTrainingState readState(String ckpt, TrainSettings s) {
        try {
            ModelConfig config = s.modelConfig(data.numItems());
            return SparkTrainingState.read(TestSpark.session().sparkContext().hadoopConfiguration(), ckpt,
                    s.runFingerprint(data.numItems(), data.numUsers()),
                    new ParameterLayout(config).total());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
