package dev.lstmrec.spark;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.model.Initializer;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.train.LossConfig;
import dev.lstmrec.engine.train.TrainConfig;
import dev.lstmrec.engine.train.Trainer;

import java.util.Iterator;

/**
 * One partition's training state kept in an executor across the rounds of a run: the engine {@link Trainer} (weights,
 * optimiser moments, sampler), its backend, the partition's shard and the current epoch's window order, built once
 * ({@link ResidentTrainers} holds them). {@link #round} says which state the trainer holds: the start state of that
 * round plus this task's own local steps in it, so the next round's delta turns it into the driver's state exactly.
 */
final class ResidentTrainer implements AutoCloseable {
    /** No round's state: new, or a task failed while changing it. */
    static final int NONE = Integer.MIN_VALUE;

    final int partition;
    final RunSpec spec;
    final Backend backend;
    final Trainer trainer;
    final RoundTask.Shard shard;
    final ParameterSlices slices;
    final boolean sampled;
    /** Rows the current round's steps updated: output rows (out.w/out.b row j) and embedding rows. */
    final TouchedRows outRows, embeddingRows;
    int round = NONE;
    volatile long lastUsed = System.nanoTime();
    private boolean built = true;
    private int orderEpoch = -1;
    private int[] order;

    private ResidentTrainer(int partition, RunSpec spec, RoundTask.Shard shard, long[] counts) {
        this.partition = partition;
        this.spec = spec;
        this.shard = shard;
        TrainSettings set = spec.settings();
        ModelConfig config = set.modelConfig(spec.numItems());
        TrainConfig base = set.trainConfig();
        TrainConfig tc = new TrainConfig(base.batchSize(), base.lr(), base.epochs(), base.patience(), set.partitionSeed(partition),
                base.weightDecay(), base.clipNorm(), base.schedule());
        this.slices = ParameterSlices.of(set, spec.numItems());
        this.backend = Backends.create(set.backend(), set.backendOptions());
        try {
            this.trainer = new Trainer(backend, config, tc, set.lossConfig());
            trainer.setScheduleSteps(spec.scheduleSteps());
            // every partition draws local step b's negatives with the run's seed: a round's tasks share them, so the
            // rows a round touches do not multiply with the tasks (partition 0's seed is the run's: one partition is
            // still the single-machine run)
            trainer.setNegativeSeed(set.seed());
            if (trainer.loss() != LossConfig.Loss.FULL) trainer.setSamplingCounts(counts);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        this.sampled = trainer.loss() != LossConfig.Loss.FULL;
        this.outRows = new TouchedRows(spec.numItems());
        this.embeddingRows = new TouchedRows(spec.numItems() + 1);
    }

    static ResidentTrainer build(int partition, RunSpec spec, Iterator<UserSequence> users, long[] counts) {
        return new ResidentTrainer(partition, spec, RoundTask.Shard.of(users, spec.settings().maxLen()), counts);
    }

    /** Whether this is the first round since the state was built here (read once). */
    boolean takeBuilt() {
        boolean b = built;
        built = false;
        return b;
    }

    /** The partition's window order of {@code epoch} (one shuffle per epoch, not per round). */
    int[] order(int epoch) {
        if (orderEpoch != epoch) {
            order = Trainer.shuffledOrder(shard.windows().size(), spec.settings().partitionSeed(partition), epoch);
            orderEpoch = epoch;
        }
        return order;
    }

    /** What bringing the state to a round cost: whether the full state was loaded, and the floats written (w, m, v together). */
    record Sync(boolean full, long floats) {}

    /** Whether {@link #bringTo} can reach the lineage's current round: by the deltas held, the base or the seed. */
    boolean canReach(StateChain.Lineage lineage) {
        return catchesUp(lineage) || lineage.complete();
    }

    private boolean catchesUp(StateChain.Lineage lineage) {
        return round != NONE && round >= lineage.firstRound() - 1 && round < lineage.current().round();
    }

    /**
     * Brings the trainer to the driver's state at the start of the lineage's current round: the deltas after
     * {@link #round} when the chain still holds them, else the base (or the run's initial state) and every delta.
     * Only called when {@link #canReach} holds.
     */
    Sync bringTo(StateChain.Lineage lineage) {
        long floats = 0;
        if (catchesUp(lineage)) {
            for (var d : lineage.deltas()) {
                RoundDelta delta = d.value();
                if (delta.round() > round) floats += delta.applyTo(trainer, slices);
            }
            return new Sync(false, floats);
        }
        if (!lineage.complete()) throw new IllegalStateException("the chain no longer reaches round " + lineage.current().round());
        int total = slices.total();
        if (lineage.base() == null) { // a new run: the state every executor computes from the seed
            ModelConfig config = spec.settings().modelConfig(spec.numItems());
            trainer.setState(Initializer.initialWeights(config, new ParameterLayout(config), spec.settings().seed()),
                    new float[total], new float[total], 0);
        } else {
            StateChain.Base b = lineage.base().value();
            trainer.setState(b.w(), b.m(), b.v(), 0);
        }
        floats += 3L * total;
        for (var d : lineage.deltas()) {
            RoundDelta delta = d.value();
            if (delta.round() > lineage.baseRound()) floats += delta.applyTo(trainer, slices);
        }
        return new Sync(true, floats);
    }

    @Override
    public void close() {
        backend.close();
    }

    /** A set of row indices with O(1) add and O(size) clear (a stamp per row, allocated once). */
    static final class TouchedRows {
        private final int[] stamp;
        private int[] rows = new int[256];
        private int n, current = 1;

        TouchedRows(int capacity) {
            stamp = new int[capacity];
        }

        void addAll(int[] ids) {
            for (int r : ids) {
                if (stamp[r] == current) continue;
                stamp[r] = current;
                if (n == rows.length) rows = java.util.Arrays.copyOf(rows, 2 * n);
                rows[n++] = r;
            }
        }

        int size() {
            return n;
        }

        int get(int i) {
            return rows[i];
        }

        void clear() {
            n = 0;
            if (++current == Integer.MAX_VALUE) {
                java.util.Arrays.fill(stamp, 0);
                current = 1;
            }
        }
    }
}
