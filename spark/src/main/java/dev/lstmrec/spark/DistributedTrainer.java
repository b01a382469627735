package dev.lstmrec.spark;

import dev.lstmrec.engine.api.RunFingerprint;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.model.Initializer;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.train.LossConfig;
import dev.lstmrec.engine.train.Trainer;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Synchronous data-parallel training in ordinary Spark stages. Users are hash-partitioned into P partitions; every
 * epoch each partition shuffles its BPTT windows with its own seed, and a round runs one task per partition that
 * trains {@code localSteps} mini-batches from the broadcast state (weights, Adam moments, step). Tasks emit the
 * parameter slices they changed; a {@code reduceByKey} sums them per slice on the executors, the executors turn sums
 * into averages, and the driver receives one averaged copy of the changed slices (never P models) and broadcasts
 * the next state. Adam moments are averaged like the weights; the step counter advances by the most local steps
 * taken. After each epoch the validation NDCG@10 selects the best epoch with the CLI's patience rule. With one
 * partition this replays the single-machine trainer exactly.
 */
public final class DistributedTrainer {
    private final TrainSettings settings;
    private final Consumer<String> log;
    private final String checkpointDir;
    private final int checkpointEveryRounds;
    private final int stopAfterRounds;
    private final RoundMeter meter = new RoundMeter();

    /** The best epoch's weights and how the run went. */
    public record Outcome(float[] weights, ModelConfig config, int bestEpoch, int epochsRun, int rounds, Metrics validation,
                          List<double[]> history, double seconds, RoundMeter meter) {}

    /**
     * @param checkpointDir   Hadoop path of the training state (null: none); an existing state there is resumed
     * @param checkpointEveryRounds rounds between saves (the state is also saved after every epoch)
     * @param stopAfterRounds for tests: stop (throw {@link Stopped}) after this many rounds of this job; 0 = never
     */
    public DistributedTrainer(TrainSettings settings, String checkpointDir, int checkpointEveryRounds, int stopAfterRounds, Consumer<String> log) {
        this.settings = settings;
        this.checkpointDir = checkpointDir;
        this.checkpointEveryRounds = checkpointEveryRounds;
        this.stopAfterRounds = stopAfterRounds;
        this.log = log;
    }

    /** Thrown when a test asked the run to stop early (simulates a killed driver after a checkpoint). */
    public static final class Stopped extends RuntimeException {
        Stopped(String m) {
            super(m);
        }
    }

    /** The traffic of the rounds run so far (also after {@link Stopped}). */
    public RoundMeter meter() {
        return meter;
    }

    /** The users hash-partitioned as training needs them: P partitions, users ascending within each. */
    public static JavaRDD<UserSequence> partitionUsers(JavaRDD<UserSequence> users, int partitions) {
        JavaPairRDD<Long, UserSequence> keyed = users.mapToPair(u -> new Tuple2<>(u.user(), u));
        return keyed.repartitionAndSortWithinPartitions(new HashPartitioner(partitions)).values();
    }

    public Outcome fit(JavaRDD<UserSequence> allUsers, int numItems) {
        long t0 = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(allUsers.context());
        meter.register(jsc);
        int p = settings.partitions();
        JavaRDD<UserSequence> users = partitionUsers(allUsers, p).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            return run(jsc, users, numItems, t0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            users.unpersist(false);
            meter.unregister(jsc);
        }
    }

    private Outcome run(JavaSparkContext jsc, JavaRDD<UserSequence> users, int numItems, long t0) throws IOException {
        ModelConfig config = settings.modelConfig(numItems);
        ParameterLayout layout = new ParameterLayout(config);
        ParameterSlices slices = ParameterSlices.of(settings, numItems);
        int maxLen = settings.maxLen(), batch = settings.batch(), k = settings.localSteps();
        int[] batches = new int[settings.partitions()];
        long numUsers = 0;
        for (int[] t : users.mapPartitionsWithIndex((idx, it) -> {
            RoundTask.Shard shard = RoundTask.Shard.of(it, maxLen);
            return List.of(new int[] {idx, shard.batches(batch), shard.sequences().size()}).iterator();
        }, true).collect()) {
            batches[t[0]] = t[1];
            numUsers += t[2];
        }
        int maxBatches = 0;
        for (int b : batches) maxBatches = Math.max(maxBatches, b);
        if (maxBatches == 0) throw new IllegalArgumentException("no training sequence has two or more items");
        int roundsPerEpoch = (maxBatches + k - 1) / k;
        RunFingerprint fingerprint = settings.runFingerprint(numItems, numUsers);
        SparkTrainingState st = checkpointDir == null ? null
                : SparkTrainingState.read(jsc.hadoopConfiguration(), checkpointDir, fingerprint, layout.total());
        boolean fresh = st == null;
        if (st != null) {
            log.accept("resuming from " + checkpointDir + " at epoch " + st.epoch + ", round " + (st.nextRound + 1) + " (" + st.step + " steps done)");
        } else {
            st = new SparkTrainingState();
            st.weights = Initializer.initialWeights(config, layout, settings.seed());
            st.adamM = new float[layout.total()];
            st.adamV = new float[layout.total()];
        }
        Protocol validation = new Protocol(settings.excludeSeen(), 0, settings.seed());
        LossConfig.Loss loss = settings.lossConfig().resolve(numItems);
        Broadcast<long[]> counts = null;
        if (loss != LossConfig.Loss.FULL && settings.optimizer() == TrainSettings.Optimizer.SGD) {
            throw new IllegalArgumentException("--optimizer sgd trains the full softmax only, but --loss auto chose " + loss.cliName()
                    + " for " + numItems + " items; give --loss full or use Adam");
        }
        if (loss != LossConfig.Loss.FULL) { // the whole training data's counts, as the single-machine trainer takes them
            counts = jsc.broadcast(targetCounts(users, maxLen, numItems));
            log.accept("loss: " + settings.lossConfig().describe(numItems));
        }
        int horizon = settings.trainConfig().schedule().horizonEpochs() > 0 ? settings.trainConfig().schedule().horizonEpochs() : settings.epochs();
        RunSpec spec = new RunSpec(java.util.UUID.randomUUID().toString(), settings, numItems, (long) horizon * maxBatches);
        float[][] state = {st.weights, st.adamM, st.adamV};
        // deltas kept for copies that fell behind: half a state (Spark holds each broadcast twice on the driver)
        StateChain chain = new StateChain(jsc, fresh ? null : state, st.rounds, 4L * 3 * layout.total() / 2, meter);
        RoundDelta.Builder pending = null; // the previous round's averaged slices, shipped with the next round
        int roundsThisJob = 0;
        double epochStart = System.nanoTime();
        Metrics bestValidation = null;
        try {
            while (st.epoch <= settings.epochs()) {
                for (; st.nextRound < roundsPerEpoch; ) {
                    int first = st.nextRound * k;
                    int active = 0;
                    for (int b : batches) if (b > first) active++;
                    RoundDelta delta = pending == null ? RoundDelta.first(st.rounds, st.epoch, first, st.step)
                            : pending.build(st.rounds, st.epoch, first, st.step);
                    StateChain.Lineage lineage = chain.next(delta, meter);
                    pending = new RoundDelta.Builder();
                    SliceUpdate stats = round(users, spec, chain, lineage, counts, slices, active, state, pending);
                    st.step += stats.maxSteps();
                    st.epochLoss += stats.loss();
                    st.epochTokens += stats.tokens();
                    st.nextRound++;
                    st.rounds++;
                    roundsThisJob++;
                    boolean epochEnds = st.nextRound == roundsPerEpoch;
                    if (!epochEnds && checkpointDir != null && checkpointEveryRounds > 0 && st.rounds % checkpointEveryRounds == 0) {
                        st.write(jsc.hadoopConfiguration(), checkpointDir, fingerprint.value());
                    }
                    if (stopAfterRounds > 0 && roundsThisJob >= stopAfterRounds) throw new Stopped("stopped after " + roundsThisJob + " rounds");
                }
                Metrics valid = DistributedEvaluator.evaluate(users, config, st.weights, DistributedEvaluator.Target.VALIDATION,
                        validation, settings.backend(), settings.threads());
                double score = valid.get(Trainer.SELECTION_METRIC, Trainer.SELECTION_CUTOFF);
                boolean improved = score > st.bestScore;
                if (improved) {
                    st.bestScore = score;
                    st.bestEpoch = st.epoch;
                    st.sinceBest = 0;
                    st.best = st.weights.clone();
                    bestValidation = valid;
                } else {
                    st.sinceBest++;
                }
                double seconds = (System.nanoTime() - epochStart) / 1e9;
                epochStart = System.nanoTime();
                st.history.add(new double[] {st.epoch, st.epochLoss / Math.max(1, st.epochTokens), score, seconds});
                log.accept(String.format("epoch %d: loss %.4f, validation NDCG@10 %.4f%s (%d rounds of %d local steps, %.1f s)",
                        st.epoch, st.epochLoss / Math.max(1, st.epochTokens), score, improved ? " *" : "", roundsPerEpoch, k, seconds));
                st.epoch++;
                st.nextRound = 0;
                st.epochLoss = 0;
                st.epochTokens = 0;
                if (settings.patience() > 0 && st.sinceBest >= settings.patience() && st.epoch <= settings.epochs()) break;
                if (checkpointDir != null) st.write(jsc.hadoopConfiguration(), checkpointDir, fingerprint.value());
            }
        } finally {
            chain.destroy();
            release(users, spec.runId());
        }
        if (st.best == null) throw new IllegalStateException("no epoch was trained (the checkpoint is already past the epoch limit)");
        if (bestValidation == null) { // resumed after the best epoch: recompute its metrics
            bestValidation = DistributedEvaluator.evaluate(users, config, st.best, DistributedEvaluator.Target.VALIDATION,
                    validation, settings.backend(), settings.threads());
        }
        return new Outcome(st.best, config, st.bestEpoch, st.epoch - 1, st.rounds, bestValidation, List.copyOf(st.history),
                (System.nanoTime() - t0) / 1e9, meter);
    }

    /** Frees the executors' resident states of the run (those a partition's task reaches; idle ones go later). */
    private void release(JavaRDD<UserSequence> users, String runId) {
        try {
            users.foreachPartition(it -> ResidentTrainers.release(runId));
        } catch (RuntimeException e) {
            log.accept("could not release the executors' training state (" + e.getMessage() + "); it is freed when idle");
        }
    }

    /** How often each item (index item - 1) is a training target in the users' BPTT windows, over all partitions. */
    static long[] targetCounts(JavaRDD<UserSequence> users, int maxLen, int numItems) {
        return users.mapPartitions(it -> List.of(RoundTask.targetCounts(it, maxLen, numItems)).iterator())
                .treeReduce(DistributedTrainer::sum);
    }

    private static long[] sum(long[] a, long[] b) {
        long[] s = a.clone();
        for (int i = 0; i < s.length; i++) s[i] += b[i];
        return s;
    }

    /**
     * One round: each task brings its resident state to the round's start (the lineage's delta, or the full state),
     * trains its local steps and ships the slices it changed, packed per reduce bucket; {@code reduceByKey} sums them
     * per slice on the executors;
     * the driver averages the sums into {@code state} in place and keeps them for the next round's delta. A task whose
     * copy the lineage cannot reach (a lost executor, a moved task, a failed attempt) trains nothing and asks for the
     * state: the driver then rebases the chain on its state and runs those partitions again (their task is a pure
     * function of the state at the round's start, which the driver has not changed yet). Nothing here is O(N) under
     * the sampled losses unless a resident state was lost.
     */
    private SliceUpdate round(JavaRDD<UserSequence> users, RunSpec spec, StateChain chain, StateChain.Lineage lineage,
                              Broadcast<long[]> counts, ParameterSlices slices, int active, float[][] state, RoundDelta.Builder next) {
        TrainSettings.RowAveraging mode = settings.rowAveraging();
        Map<Integer, SliceUpdate> sums = runTasks(users, spec, lineage, counts, null);
        HashSet<Integer> lost = new HashSet<>();
        for (Iterator<Integer> it = sums.keySet().iterator(); it.hasNext(); ) {
            int key = it.next();
            if (key <= RoundTask.NEEDS_STATE) {
                lost.add(RoundTask.NEEDS_STATE - key);
                it.remove();
            }
        }
        if (!lost.isEmpty()) {
            StateChain.Lineage rebased = chain.rebase(state, meter);
            log.accept("round " + (meter.rounds() + 1) + ": partitions " + new TreeSet<>(lost) + " lost their state; rebased the chain and ran them again");
            for (Map.Entry<Integer, SliceUpdate> e : runTasks(users, spec, rebased, counts, lost).entrySet()) {
                if (e.getKey() <= RoundTask.NEEDS_STATE) throw new IllegalStateException("a task could not load the rebased state");
                sums.merge(e.getKey(), e.getValue(), SliceUpdate::merge);
            }
        }
        SliceUpdate stats = null;
        long floats = 0, mFloats = 0, count = 0;
        for (Map.Entry<Integer, SliceUpdate> t : new TreeMap<>(sums).entrySet()) { // buckets in order: a deterministic delta
            if (t.getKey() == RoundTask.STATS) {
                stats = t.getValue();
                continue;
            }
            long[] averaged = RoundAverager.averageInto(t.getValue(), state, slices, active, mode, next);
            floats += averaged[0];
            mFloats += averaged[1];
            count += t.getValue().size();
        }
        if (stats == null || stats.maxSteps() == 0) throw new IllegalStateException("a training round ran no batch");
        meter.endRound(count, floats, mFloats, stats);
        RoundMeter.Round r = meter.perRound().get(meter.perRound().size() - 1);
        log.accept(String.format(java.util.Locale.ROOT, "round %d: delta broadcast %,d bytes (full state %,d)%s, %,d slices averaged,"
                        + " tasks moved %,d floats of state, %d resident states built, %d full loads", meter.rounds(),
                r.deltaBytes(), 12L * slices.total(), r.baseBytes() > 0 ? String.format(java.util.Locale.ROOT,
                        ", rebased for a lost state: %,d bytes", r.baseBytes()) : "", count,
                r.taskFloats(), r.builds(), r.fullLoads()));
        return stats;
    }

    /** Runs the round's tasks (of the partitions in {@code only}, or all) and collects their summed slices by bucket. */
    private Map<Integer, SliceUpdate> runTasks(JavaRDD<UserSequence> users, RunSpec spec, StateChain.Lineage lineage,
                                               Broadcast<long[]> counts, HashSet<Integer> only) {
        Map<Integer, SliceUpdate> sums = new HashMap<>();
        for (Tuple2<Integer, SliceUpdate> t : users
                .mapPartitionsWithIndex((idx, it) -> only == null || only.contains(idx) ? RoundTask.run(idx, it, spec, lineage, counts)
                        : java.util.Collections.<Tuple2<Integer, SliceUpdate>>emptyIterator(), true)
                .mapToPair(t -> t)
                .reduceByKey(SliceUpdate::merge, RoundTask.buckets(settings))
                .collect()) {
            sums.put(t._1(), t._2());
        }
        return sums;
    }
}
