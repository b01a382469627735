package dev.lstmrec.spark;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.PackedBatch;
import dev.lstmrec.engine.train.LossConfig;
import dev.lstmrec.engine.train.NegativeSampler;
import dev.lstmrec.engine.train.TrainConfig;
import dev.lstmrec.engine.train.Trainer;
import dev.lstmrec.engine.train.TrainingWindows;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One task of a training round: load the broadcast state into an engine {@link Trainer}, train this partition's
 * batches {@code [firstBatch, firstBatch + localSteps)} of the epoch (the partition's windows in the order the
 * single-machine trainer would shuffle them with the partition's seed), and emit the parameter slices that changed
 * plus one statistics record under key {@link #STATS}. Pure: same state, partition and seed, same output.
 */
final class RoundTask {
    /** Key of the record carrying loss, tokens and steps. */
    static final int STATS = -1;

    /** Tests: make the first attempt of every task fail, so Spark retries it (in-process local mode only). */
    static volatile boolean failFirstAttempts;
    static final java.util.concurrent.atomic.AtomicInteger injectedFailures = new java.util.concurrent.atomic.AtomicInteger();

    private RoundTask() {}

    /** The partition's training sequences (leave-one-out training parts, user order) and their BPTT windows. */
    record Shard(List<int[]> sequences, List<int[]> windows) {
        static Shard of(Iterator<UserSequence> users, int maxLen) {
            List<int[]> seqs = new ArrayList<>();
            while (users.hasNext()) seqs.add(users.next().trainPart());
            return new Shard(seqs, TrainingWindows.cut(seqs, maxLen));
        }

        int batches(int batch) {
            return (windows.size() + batch - 1) / batch;
        }
    }

    /**
     * Training-target counts of one partition's windows (engine {@code NegativeSampler.targetCounts}); summed over the
     * partitions they are the whole training data's counts, what a single-machine run samples negatives from.
     */
    static long[] targetCounts(Iterator<UserSequence> users, int maxLen, int numItems) {
        Shard shard = Shard.of(users, maxLen);
        return NegativeSampler.targetCounts(shard.sequences(), shard.windows(), numItems);
    }

    /**
     * @param counts the sampled losses' item counts over all the training data (null for the full softmax)
     */
    static Iterator<Tuple2<Integer, SliceUpdate>> run(int partition, Iterator<UserSequence> users, RoundState s, ParameterSlices slices,
                                                      long[] counts) {
        TrainSettings set = s.settings();
        org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
        if (failFirstAttempts && task != null && task.attemptNumber() == 0) {
            injectedFailures.incrementAndGet();
            throw new IllegalStateException("injected failure of the first attempt (test)");
        }
        Shard shard = Shard.of(users, set.maxLen());
        int batches = shard.batches(set.batch());
        int from = s.firstBatch(), to = Math.min(batches, from + set.localSteps());
        List<Tuple2<Integer, SliceUpdate>> out = new ArrayList<>();
        if (from >= to) return out.iterator(); // this partition's epoch is over: it takes no part in the round
        ModelConfig config = set.modelConfig(s.numItems());
        TrainConfig base = set.trainConfig();
        long seed = set.partitionSeed(partition);
        TrainConfig tc = new TrainConfig(base.batchSize(), base.lr(), base.epochs(), base.patience(), seed, base.weightDecay(), base.clipNorm());
        int[] order = Trainer.shuffledOrder(shard.windows().size(), seed, s.epoch());
        double loss = 0;
        long tokens = 0;
        float[][] now;
        try (Backend backend = Backends.create(set.backend(), set.backendOptions())) {
            Trainer trainer = new Trainer(backend, config, tc, set.lossConfig());
            trainer.setState(s.weights(), s.adamM(), s.adamV(), s.step());
            if (trainer.loss() != LossConfig.Loss.FULL) trainer.setSamplingCounts(counts);
            float[] w = null;
            for (int b = from; b < to; b++) {
                int lo = b * set.batch(), hi = Math.min(order.length, lo + set.batch());
                PackedBatch batch = TrainingWindows.batch(shard.sequences(), shard.windows(), order, lo, hi, trainer.masksSeen());
                if (set.optimizer() == TrainSettings.Optimizer.ADAM) {
                    loss += trainer.trainBatch(batch, s.epoch(), b);
                } else {
                    loss += trainer.computeGradients(batch, s.epoch(), b);
                    if (w == null) w = s.weights().clone();
                    sgdStep(w, trainer.downloadGradients(), set.lr(), set.clipNorm());
                    trainer.setState(w, s.adamM(), s.adamV(), s.step() + b - from + 1);
                }
                tokens += batch.predictedTokens();
            }
            float[][] moments = trainer.downloadMoments();
            now = new float[][] {trainer.downloadWeights(), moments[0], moments[1]};
        }
        float[][] before = {s.weights(), s.adamM(), s.adamV()};
        for (int i = 0; i < slices.count(); i++) {
            if (!set.shipAllRows() && !slices.changed(i, now, before)) continue;
            int off = slices.offset(i), len = slices.length(i);
            out.add(new Tuple2<>(i, new SliceUpdate(copy(now[0], off, len), copy(now[1], off, len), copy(now[2], off, len))));
        }
        SliceUpdate stats = new SliceUpdate(new float[0], new float[0], new float[0]);
        stats.addStats(loss, tokens, to - from);
        out.add(new Tuple2<>(STATS, stats));
        return out.iterator();
    }

    /** Plain SGD with the trainer's global-norm clipping: w -= lr * scale * g. */
    static void sgdStep(float[] w, float[] g, float lr, float clipNorm) {
        double sq = 0;
        for (float x : g) sq += (double) x * x;
        double norm = Math.sqrt(sq);
        float scale = clipNorm > 0 && norm > clipNorm ? (float) (clipNorm / norm) : 1f;
        for (int i = 0; i < w.length; i++) w[i] -= lr * (scale * g[i]);
    }

    private static float[] copy(float[] a, int off, int len) {
        float[] c = new float[len];
        System.arraycopy(a, off, c, 0, len);
        return c;
    }
}
