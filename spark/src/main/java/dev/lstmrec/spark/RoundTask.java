package dev.lstmrec.spark;

import dev.lstmrec.engine.model.PackedBatch;
import dev.lstmrec.engine.train.NegativeSampler;
import dev.lstmrec.engine.train.Trainer;
import dev.lstmrec.engine.train.TrainingWindows;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * One task of a training round: bring the partition's {@link ResidentTrainer} to the driver's state (the round's
 * delta, the deltas it missed, or the full state when the lineage has it; when it has not, the task only asks for it
 * under key {@code NEEDS_STATE - partition}), train this partition's batches
 * {@code [firstBatch, firstBatch + localSteps)} of the epoch (the partition's windows in the order the single-machine
 * trainer would shuffle them with the partition's seed), and emit the parameter slices it changed plus one statistics
 * record under key {@link #STATS}. Pure: same state, partition and seed, same output, whichever executor runs it.
 *
 * <p>Under the sampled losses the work is proportional to the change: the delta's slices written, the local steps
 * (which touch only their rows), and the dense blocks plus the item rows the steps updated read back. The full
 * softmax updates every row, so there the task compares the whole state before and after.
 */
final class RoundTask {
    /** Key of the record carrying loss, tokens, steps and state traffic. */
    static final int STATS = -1;
    /** Keys below this one mark a partition whose resident copy the lineage cannot reach: {@code NEEDS_STATE - partition}. */
    static final int NEEDS_STATE = -2;

    /** Tests: make the first attempt of every task fail after its first local step, so Spark retries it on a resident state left half-changed. */
    static volatile boolean failFirstAttempts;
    static final java.util.concurrent.atomic.AtomicInteger injectedFailures = new java.util.concurrent.atomic.AtomicInteger();
    /** Tests: (partition, round) at which this JVM forgets the partition's resident state, as a lost executor would. */
    static volatile BiPredicate<Integer, Integer> loseResident;

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
     * @param counts the sampled losses' item counts over all the training data (null for the full softmax); read only
     *               when this executor builds the partition's resident state
     */
    static Iterator<Tuple2<Integer, SliceUpdate>> run(int partition, Iterator<UserSequence> users, RunSpec spec,
                                                      StateChain.Lineage lineage, Broadcast<long[]> counts) {
        RoundDelta d = lineage.current();
        BiPredicate<Integer, Integer> lose = loseResident;
        if (lose != null && lose.test(partition, d.round())) ResidentTrainers.drop(spec.runId(), partition);
        ResidentTrainer r = ResidentTrainers.get(spec, partition, users, counts == null ? null : counts.value());
        synchronized (r) {
            if (!r.canReach(lineage)) { // the driver rebases and runs this partition again; nothing changed here
                return List.of(new Tuple2<>(NEEDS_STATE - partition, SliceUpdate.empty())).iterator();
            }
            ResidentTrainer.Sync sync = r.bringTo(lineage);
            r.round = ResidentTrainer.NONE; // until this task ends well
            List<Tuple2<Integer, SliceUpdate>> out = train(r, d);
            SliceUpdate stats = out.get(out.size() - 1)._2();
            stats.addTraffic(r.takeBuilt() ? 1 : 0, sync.full() ? 1 : 0, sync.floats());
            r.round = d.round();
            return out.iterator();
        }
    }

    private static List<Tuple2<Integer, SliceUpdate>> train(ResidentTrainer r, RoundDelta d) {
        TrainSettings set = r.spec.settings();
        RoundTask.Shard shard = r.shard;
        Trainer trainer = r.trainer;
        int from = d.firstBatch(), to = Math.min(shard.batches(set.batch()), from + set.localSteps());
        List<Tuple2<Integer, SliceUpdate>> out = new ArrayList<>();
        SliceUpdate stats = SliceUpdate.empty();
        if (from >= to) { // this partition's epoch is over: it takes no part in the round
            out.add(new Tuple2<>(STATS, stats));
            return out;
        }
        boolean rowsOnly = r.sampled && !set.shipAllRows() && set.optimizer() == TrainSettings.Optimizer.ADAM;
        float[][] before = null;
        if (!rowsOnly) { // the full softmax changes every row: compare the whole state (O(N), as its steps are)
            float[][] m = trainer.downloadMoments();
            before = new float[][] {trainer.downloadWeights(), m[0], m[1]};
        }
        trainer.setStep(d.step());
        int[] order = r.order(d.epoch());
        r.outRows.clear();
        r.embeddingRows.clear();
        double loss = 0;
        long tokens = 0;
        float[] w = null;
        org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
        for (int b = from; b < to; b++) {
            int lo = b * set.batch(), hi = Math.min(order.length, lo + set.batch());
            PackedBatch batch = TrainingWindows.batch(shard.sequences(), shard.windows(), order, lo, hi, trainer.masksSeen());
            if (set.optimizer() == TrainSettings.Optimizer.ADAM) {
                loss += trainer.trainBatch(batch, d.epoch(), b);
            } else {
                loss += trainer.computeGradients(batch, d.epoch(), b);
                if (w == null) w = before[0].clone();
                sgdStep(w, trainer.downloadGradients(), set.lr(), set.clipNorm());
                trainer.setState(w, before[1], before[2], d.step() + b - from + 1);
            }
            if (rowsOnly) {
                int[][] rows = trainer.lastUpdatedRows();
                r.outRows.addAll(rows[0]);
                r.embeddingRows.addAll(rows[1]);
            }
            tokens += batch.predictedTokens();
            if (failFirstAttempts && task != null && task.attemptNumber() == 0) {
                injectedFailures.incrementAndGet();
                throw new IllegalStateException("injected failure of the first attempt after a local step (test)");
            }
        }
        long floats = rowsOnly ? shipTouched(r, out) : shipChanged(r, before, set.shipAllRows(), out);
        stats.addStats(loss, tokens, to - from);
        stats.addTraffic(0, 0, floats);
        out.add(new Tuple2<>(STATS, stats));
        return out;
    }

    /** The averaging shuffle's reduce partitions: a task packs its slices into one record per bucket. */
    static int buckets(TrainSettings set) {
        return Math.max(1, set.partitions());
    }

    /** The dense blocks and the item rows the steps updated, read from the trainer: O(change). Returns floats read. */
    private static long shipTouched(ResidentTrainer r, List<Tuple2<Integer, SliceUpdate>> out) {
        ParameterSlices slices = r.slices;
        int[] dense = slices.denseSlices();
        int[] ship = new int[dense.length + 2 * r.outRows.size() + r.embeddingRows.size()];
        int n = 0;
        for (int s : dense) ship[n++] = s;
        for (int i = 0; i < r.outRows.size(); i++) {
            int row = r.outRows.get(i);
            int w = slices.rowSlice("out.w", row); // -1 when tied: the output row is an embedding row, listed there
            if (w >= 0) ship[n++] = w;
            ship[n++] = slices.rowSlice("out.b", row);
        }
        for (int i = 0; i < r.embeddingRows.size(); i++) ship[n++] = slices.rowSlice("embedding", r.embeddingRows.get(i));
        int[] sorted = java.util.Arrays.copyOf(ship, n);
        java.util.Arrays.sort(sorted); // distinct: each row of each table is listed once
        return pack(r, sorted, null, out);
    }

    /**
     * Packs the given slices (ascending) into one record per bucket ({@code slice % buckets}), their values read from
     * the trainer or, when {@code state} is given, from that copy of it; a slice's m only where
     * {@link ParameterSlices#shipsMoment} says. Returns the floats read.
     */
    private static long pack(ResidentTrainer r, int[] sorted, float[][] state, List<Tuple2<Integer, SliceUpdate>> out) {
        ParameterSlices slices = r.slices;
        int buckets = buckets(r.spec.settings());
        int[] count = new int[buckets], floats = new int[buckets], mFloats = new int[buckets];
        for (int s : sorted) {
            int len = slices.length(s);
            count[s % buckets]++;
            floats[s % buckets] += len;
            if (slices.shipsMoment(s)) mFloats[s % buckets] += len;
        }
        int[][] ids = new int[buckets][], start = new int[buckets][], mStart = new int[buckets][];
        float[][][] values = new float[buckets][][];
        for (int b = 0; b < buckets; b++) {
            ids[b] = new int[count[b]];
            start[b] = new int[count[b] + 1];
            mStart[b] = new int[count[b] + 1];
            values[b] = new float[][] {new float[floats[b]], new float[mFloats[b]], new float[floats[b]]};
        }
        int[] j = new int[buckets], at = new int[buckets], mAt = new int[buckets];
        for (int s : sorted) { // ascending within each bucket too
            int b = s % buckets, off = slices.offset(s), len = slices.length(s), a = at[b], ma = mAt[b];
            boolean moment = slices.shipsMoment(s);
            float[][] x = values[b];
            ids[b][j[b]] = s;
            start[b][j[b]] = a;
            mStart[b][j[b]++] = ma;
            if (state == null) {
                r.trainer.readState(off, len, x[0], a, moment ? x[1] : null, ma, x[2], a);
            } else {
                System.arraycopy(state[0], off, x[0], a, len);
                if (moment) System.arraycopy(state[1], off, x[1], ma, len);
                System.arraycopy(state[2], off, x[2], a, len);
            }
            at[b] = a + len;
            if (moment) mAt[b] = ma + len;
        }
        long total = 0;
        for (int b = 0; b < buckets; b++) {
            if (count[b] == 0) continue;
            start[b][count[b]] = at[b];
            mStart[b][count[b]] = mAt[b];
            out.add(new Tuple2<>(b, SliceUpdate.of(ids[b], start[b], values[b][0], mStart[b], values[b][1], values[b][2])));
            total += 2L * at[b] + mAt[b];
        }
        return total;
    }

    /** Every slice that differs bitwise from the round's start (or every slice): the full softmax's O(N) path. */
    private static long shipChanged(ResidentTrainer r, float[][] before, boolean all, List<Tuple2<Integer, SliceUpdate>> out) {
        float[][] moments = r.trainer.downloadMoments();
        float[][] now = {r.trainer.downloadWeights(), moments[0], moments[1]};
        ParameterSlices slices = r.slices;
        int[] changed = new int[slices.count()];
        int n = 0;
        for (int i = 0; i < slices.count(); i++) if (all || slices.changed(i, now, before)) changed[n++] = i;
        pack(r, java.util.Arrays.copyOf(changed, n), now, out);
        return 6L * slices.total();
    }

    /** Plain SGD with the trainer's global-norm clipping: w -= lr * scale * g. */
    static void sgdStep(float[] w, float[] g, float lr, float clipNorm) {
        double sq = 0;
        for (float x : g) sq += (double) x * x;
        double norm = Math.sqrt(sq);
        float scale = clipNorm > 0 && norm > clipNorm ? (float) (clipNorm / norm) : 1f;
        for (int i = 0; i < w.length; i++) w[i] -= lr * (scale * g[i]);
    }
}
