package dev.lstmrec.engine.train;

import dev.lstmrec.engine.backend.AdagradStep;
import dev.lstmrec.engine.backend.AdamStep;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.eval.EvalCase;
import dev.lstmrec.engine.eval.Metric;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.eval.ModelScorer;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.eval.SessionEvaluator;
import dev.lstmrec.engine.model.Initializer;
import dev.lstmrec.engine.model.LstmNetwork;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.PackedBatch;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.model.Parameters;
import dev.lstmrec.engine.model.SampledScoring;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains the network with Adam on shuffled mini-batches of BPTT windows, validates after every epoch and keeps the
 * weights of the epoch with the best validation NDCG@10 (early stopping with patience: the run ends after that many
 * epochs in a row more than one standard error of the validation score below the best). Everything random derives
 * from the seed: initial weights, the order of each epoch, dropout masks — a run is reproducible, and the state
 * needed to continue it is (weights, Adam moments, step, epoch).
 */
public final class Trainer {
    /**
     * An upper bound on the standard error of a mean of {@code cases} values in [0, 1] whose mean is {@code mean}
     * (their variance is at most mean * (1 - mean)). Patience counts only epochs more than this below the best, so a
     * validation set of a few hundred users, whose NDCG@10 jitters by about this much from epoch to epoch, does not
     * end a run that is on a plateau (bench/RESULTS.md, "Early stopping on a noisy validation set").
     */
    static double standardError(double mean, int cases) {
        if (cases <= 0 || !(mean > 0 && mean < 1)) return 0;
        return Math.sqrt(mean * (1 - mean) / cases);
    }

    /** The validation metric that selects the best epoch, at cut-off {@link #SELECTION_CUTOFF}. */
    public static final Metric SELECTION_METRIC = Metric.NDCG;
    /** The cut-off of {@link #SELECTION_METRIC}. */
    public static final int SELECTION_CUTOFF = 10;

    private final Backend backend;
    private final ModelConfig model;
    private final TrainConfig train;
    private final ParameterLayout layout;
    private final Parameters weights;
    private final Parameters grads;
    private final Parameters adamM;
    private final Parameters adamV;
    private final LstmNetwork trainNet;
    private final LstmNetwork evalNet;
    private final Tensor normSq;
    private final float[] hostScalar = new float[1];
    private final List<DecayRanges.Range> decayRanges;
    private final LossConfig lossConfig;
    private final LossConfig.Loss lossKind;
    private SampledScoring sampled;
    private NegativeSampler sampler;
    private int[] negatives;
    /** The loss of the step {@link #checkedScale} last checked. */
    private double lastLoss;
    private int step;
    private long negativeSeed; // the sampled losses' draws: the run's seed unless set (a data-parallel round shares one)
    private long scheduleSteps = 1; // steps in the schedule's horizon, set by fit from the number of batches
    private long deadline; // System.nanoTime() after which fit trains no further epoch; 0 = none
    private int replayFrom = -1; // sequences from this index on are a replay pool (setReplay); -1 = none
    private int replayPerEpoch;
    private boolean patienceFromBest; // setPatienceFromBest: a plateau counts towards patience too

    /** A trainer with the full softmax. */
    public Trainer(Backend backend, ModelConfig model, TrainConfig train) {
        this(backend, model, train, LossConfig.full());
    }

    /** A trainer with the loss {@code lossConfig} resolves to for this catalogue (see {@link LossConfig#resolve}). */
    public Trainer(Backend backend, ModelConfig model, TrainConfig train, LossConfig lossConfig) {
        this.backend = backend;
        this.model = model;
        this.train = train;
        this.negativeSeed = train.seed();
        this.lossConfig = lossConfig;
        this.lossKind = lossConfig.resolve(model.numItems());
        this.layout = new ParameterLayout(model);
        this.weights = new Parameters(backend, model, layout);
        this.grads = new Parameters(backend, model, layout);
        this.adamM = new Parameters(backend, model, layout);
        this.adamV = new Parameters(backend, model, layout);
        this.trainNet = new LstmNetwork(backend, weights, grads);
        this.evalNet = new LstmNetwork(backend, weights, null);
        this.normSq = backend.allocate(1);
        this.decayRanges = train.weightDecay() > 0 ? DecayRanges.of(layout) : List.of(new DecayRanges.Range(0, layout.total(), false));
        backend.upload(weights.slab(), Initializer.initialWeights(model, layout, train.seed()), 0);
    }

    /** Whether training batches carry the users' histories, so the full softmax leaves their seen items out. */
    public boolean masksSeen() {
        return lossConfig.masksSeen(model.numItems());
    }

    /** The loss this trainer trains with (auto resolved). */
    public LossConfig.Loss loss() {
        return lossKind;
    }

    /**
     * Sets the item counts that the sampled losses draw negatives from and take log Q of ({@link #fit} sets them from
     * its training windows; callers of {@link #trainBatch} with a sampled loss set them first).
     *
     * @param counts per output row (item - 1), how often it is a training target
     */
    public void setSamplingCounts(long[] counts) {
        if (lossKind == LossConfig.Loss.FULL) return;
        if (counts.length != model.numItems()) throw new IllegalArgumentException("counts for " + counts.length
                + " items, the model has " + model.numItems());
        sampler = new NegativeSampler(counts, lossConfig.sampleAlpha());
        negatives = new int[lossConfig.negatives()];
        if (sampled == null) {
            sampled = new SampledScoring(backend, model, lossKind == LossConfig.Loss.BPR_MAX, lossConfig.negatives(),
                    lossConfig.logq(), lossConfig.bpreg());
        }
    }

    public ModelConfig modelConfig() {
        return model;
    }

    public ParameterLayout layout() {
        return layout;
    }

    /** The weights on the backend (the best epoch's after {@link #fit}). */
    public Parameters weights() {
        return weights;
    }

    /** The backend the trainer computes on. */
    public Backend backend() {
        return backend;
    }

    /** The current model as the session protocol scores it (the state runs through each session). */
    public SessionEvaluator.Scorer sessionScorer() {
        return SessionEvaluator.model(evalNet, weights);
    }

    /** A scorer over the current weights, for evaluation. */
    public ModelScorer scorer() {
        return new ModelScorer(evalNet, weights);
    }

    /** The current weights copied to the host, in {@link ParameterLayout} order. */
    public float[] downloadWeights() {
        float[] w = new float[layout.total()];
        backend.download(w, 0, weights.slab());
        return w;
    }

    /** Trains with validation under full ranking, seen items excluded. */
    public TrainingResult fit(List<int[]> trainSequences, List<EvalCase> validation, TrainingListener listener) {
        return fit(trainSequences, validation, Protocol.fullRanking(), listener);
    }

    /**
     * Trains on {@code trainSequences}, validating on {@code validation} under {@code protocol} after every epoch,
     * and leaves the best epoch's weights on the backend.
     */
    public TrainingResult fit(List<int[]> trainSequences, List<EvalCase> validation, Protocol protocol, TrainingListener listener) {
        return fit(trainSequences, validation, protocol, listener, Checkpointing.none(), null);
    }

    /**
     * As {@link #fit(List, List, Protocol, TrainingListener)}, saving state as {@code checkpointing} says and, when
     * {@code resume} is given, continuing from it: the result equals that of an uninterrupted run (bit for bit on a
     * deterministic backend).
     *
     * @throws TrainingInterruptedException when {@link Checkpointing#stop()} asked to stop
     */
    public TrainingResult fit(List<int[]> trainSequences, List<EvalCase> validation, Protocol protocol, TrainingListener listener,
                              Checkpointing checkpointing, TrainingState resume) {
        if (validation.isEmpty()) throw new IllegalArgumentException("no validation cases: every user has fewer than 3 interactions");
        return fit(trainSequences, Validation.cases(validation, protocol), listener, checkpointing, resume);
    }

    /**
     * Trains on {@code trainSequences}, scoring {@code validation} after every epoch, saving state as
     * {@code checkpointing} says and continuing from {@code resume} when given; leaves the best epoch's weights on the
     * backend.
     *
     * @throws TrainingInterruptedException when {@link Checkpointing#stop()} asked to stop
     */
    public TrainingResult fit(List<int[]> trainSequences, Validation validation, TrainingListener listener,
                              Checkpointing checkpointing, TrainingState resume) {
        List<int[]> windows = TrainingWindows.cut(trainSequences, model.maxLen());
        if (windows.isEmpty()) throw new IllegalArgumentException("no training sequence has two or more items");
        if (validation.isEmpty()) throw new IllegalArgumentException("nothing to validate on");
        if (lossKind != LossConfig.Loss.FULL && sampler == null) {
            setSamplingCounts(NegativeSampler.targetCounts(trainSequences, windows, model.numItems()));
        }
        return fit(trainSequences, windows, validation, listener, checkpointing, resume);
    }

    private TrainingResult fit(List<int[]> trainSequences, List<int[]> windows, Validation validation,
                               TrainingListener listener, Checkpointing checkpointing, TrainingState resume) {
        TrainingState st = resume == null ? new TrainingState() : restore(resume);
        int horizon = train.schedule().horizonEpochs() > 0 ? train.schedule().horizonEpochs() : train.epochs();
        int epochWindows = windowsPerEpoch(windows);
        scheduleSteps = (long) horizon * ((epochWindows + train.batchSize() - 1) / train.batchSize());
        // A tune trial trains to a rung of a longer run (the schedule's horizon): patience running out at the rung is
        // that run's early stop, and a continued trial checks it before training on.
        int plannedEpochs = Math.max(train.epochs(), horizon);
        boolean early = false;
        while (true) {
            if (train.patience() > 0 && st.sinceBest >= train.patience()) {
                early = st.epoch <= plannedEpochs;
                break;
            }
            if (st.epoch > train.epochs()) break;
            if (deadline != 0 && st.best != null && System.nanoTime() - deadline >= 0) {
                listener.onMessage("time budget spent: stopping after epoch " + (st.epoch - 1) + ", best epoch " + st.bestEpoch);
                break;
            }
            runEpoch(st, trainSequences, windows, listener, checkpointing);
            long v0 = System.nanoTime();
            Metrics valid = validation.evaluate(this);
            double validSeconds = (System.nanoTime() - v0) / 1e9;
            double score = valid.get(SELECTION_METRIC, SELECTION_CUTOFF);
            boolean improved = score > st.bestScore;
            if (improved) {
                st.bestScore = score;
                st.bestEpoch = st.epoch;
                st.sinceBest = 0;
                st.best = downloadWeights();
            } else if (!patienceFromBest && score >= st.bestScore - standardError(st.bestScore, valid.cases())) {
                st.sinceBest = 0; // a plateau within the validation set's noise is not a decline: keep training
            } else {
                st.sinceBest++;
            }
            EpochResult r = new EpochResult(st.epoch, st.epochLoss / Math.max(1, st.epochTokens), st.epochSeconds, st.epochTokens,
                    valid, validSeconds, improved);
            st.history.add(r);
            listener.onEpoch(r);
            st.epoch++;
            st.nextBatch = 0;
            st.epochLoss = 0;
            st.epochTokens = 0;
            st.epochSeconds = 0;
            save(st, checkpointing);
        }
        if (st.best == null) throw new IllegalStateException("no epoch was trained (the checkpoint is already past the epoch limit, " + train.epochs() + ")");
        backend.upload(weights.slab(), st.best, 0);
        long tokens = 0;
        double seconds = 0;
        for (EpochResult e : st.history) {
            tokens += e.tokens();
            seconds += e.seconds();
        }
        return new TrainingResult(List.copyOf(st.history), st.bestEpoch, st.history.get(st.bestEpoch - 1).validation(), early,
                seconds > 0 ? tokens / seconds : 0);
    }

    /**
     * Ends {@code fit} at the first epoch boundary after {@code nanoTime} ({@link System#nanoTime()}; 0 = never), once
     * an epoch has been validated, keeping the best epoch as early stopping does. A run with a deadline depends on
     * the machine's speed: it is not reproducible as one without.
     */
    public void setDeadline(long nanoTime) {
        this.deadline = nanoTime;
    }

    private TrainingState restore(TrainingState s) {
        if (s.weights.length != layout.total()) throw new IllegalArgumentException("checkpoint does not match the model size");
        backend.upload(weights.slab(), s.weights, 0);
        backend.upload(adamM.slab(), s.adamM, 0);
        backend.upload(adamV.slab(), s.adamV, 0);
        step = s.step;
        return s;
    }

    private Path save(TrainingState st, Checkpointing checkpointing) {
        return save(st, checkpointing, checkpointing.directory());
    }

    private Path save(TrainingState st, Checkpointing checkpointing, Path dir) {
        if (dir == null) return null;
        st.step = step;
        st.weights = downloadWeights();
        st.adamM = new float[layout.total()];
        st.adamV = new float[layout.total()];
        backend.download(st.adamM, 0, adamM.slab());
        backend.download(st.adamV, 0, adamV.slab());
        try {
            return TrainingCheckpoints.write(dir, st, checkpointing.fingerprint(), checkpointing.runConfig());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a training checkpoint to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes {@link #fit} train, every epoch, all windows of the sequences before index {@code fromSequence} and a fresh
     * draw of {@code perEpoch} windows (without repeats; all of them when there are fewer) from the sequences at
     * {@code fromSequence} and after: the replay of {@code lstmrec update}, which keeps a continued model from
     * forgetting the data it was trained on. A draw that changes every epoch covers {@code epochs} times more of the old
     * data than one fixed draw at the same cost, and does not let the model memorise the few windows it replays
     * (bench/RESULTS.md). Each epoch's draw is a pure function of (seed, epoch), so a resumed run replays it.
     */
    public void setReplay(int fromSequence, int perEpoch) {
        if (fromSequence < 0 || perEpoch < 0) throw new IllegalArgumentException("replay from sequence " + fromSequence + ", " + perEpoch + " per epoch");
        this.replayFrom = fromSequence;
        this.replayPerEpoch = perEpoch;
    }

    /**
     * Makes patience count every epoch without a new best, a plateau within the validation set's noise included. A run
     * from scratch must not stop on a plateau (it may still be climbing out of it); a continued model starts near its
     * best, and on data that teaches it little (an update of a log whose behaviour has not changed) a plateau is all
     * there is: ending it there is what keeps such an update cheap (bench/RESULTS.md).
     */
    public void setPatienceFromBest(boolean fromBest) {
        this.patienceFromBest = fromBest;
    }

    /** Windows of {@code windows} (cut in sequence order) that belong to sequences before the replay pool. */
    private int trainedEveryEpoch(List<int[]> windows) {
        if (replayFrom < 0) return windows.size();
        int n = 0;
        while (n < windows.size() && windows.get(n)[0] < replayFrom) n++;
        return n;
    }

    private int windowsPerEpoch(List<int[]> windows) {
        int fixed = trainedEveryEpoch(windows);
        return fixed + Math.min(replayPerEpoch, windows.size() - fixed);
    }

    /** The windows of epoch {@code epoch}, shuffled: all, or (with {@link #setReplay}) the fixed ones and this epoch's draw. */
    int[] epochOrder(List<int[]> windows, int epoch) {
        if (replayFrom < 0) return shuffledOrder(windows.size(), train.seed(), epoch);
        int fixed = trainedEveryEpoch(windows), pool = windows.size() - fixed, k = Math.min(replayPerEpoch, pool);
        int[] drawn = new int[pool]; // a partial Fisher-Yates shuffle of the pool: its first k are the draw
        for (int i = 0; i < pool; i++) drawn[i] = fixed + i;
        SplittableRandom rnd = new SplittableRandom((train.seed() * 31 + epoch) ^ 0x7E91A5L);
        for (int i = 0; i < k; i++) {
            int j = i + rnd.nextInt(pool - i);
            int t = drawn[i];
            drawn[i] = drawn[j];
            drawn[j] = t;
        }
        int[] shuffle = shuffledOrder(fixed + k, train.seed(), epoch);
        int[] order = new int[fixed + k];
        for (int i = 0; i < order.length; i++) order[i] = shuffle[i] < fixed ? shuffle[i] : drawn[shuffle[i] - fixed];
        return order;
    }

    /** Trains the batches of {@code st.epoch} from {@code st.nextBatch} on, accumulating into the state. */
    private void runEpoch(TrainingState st, List<int[]> sequences, List<int[]> windows, TrainingListener listener,
                          Checkpointing checkpointing) {
        int[] order = epochOrder(windows, st.epoch);
        int batches = (order.length + train.batchSize() - 1) / train.batchSize();
        long start = System.nanoTime();
        double secondsBefore = st.epochSeconds;
        int firstBatch = st.nextBatch;
        for (int b = st.nextBatch; b < batches; b++) {
            int from = b * train.batchSize(), to = Math.min(order.length, from + train.batchSize());
            PackedBatch batch = TrainingWindows.batch(sequences, windows, order, from, to, masksSeen());
            st.epochLoss += step(batch, st.epoch, b);
            st.epochTokens += batch.predictedTokens();
            st.nextBatch = b + 1;
            double elapsed = (System.nanoTime() - start) / 1e9;
            st.epochSeconds = secondsBefore + elapsed;
            listener.onBatch(st.epoch, b + 1, batches, st.epochLoss / st.epochTokens, st.epochTokens / Math.max(st.epochSeconds, 1e-9),
                    elapsed / (b + 1 - firstBatch) * (batches - b - 1));
            boolean last = b + 1 == batches;
            if (checkpointing.stop().getAsBoolean()) {
                Path saved = save(st, checkpointing,
                        checkpointing.directory() != null ? checkpointing.directory() : checkpointing.stopDirectory());
                throw new TrainingInterruptedException("training stopped at epoch " + st.epoch + ", batch " + (b + 1) + " of " + batches
                        + (saved == null ? " (progress not saved)" : "; state saved to " + saved), saved);
            }
            if (!last && checkpointing.everyBatches() > 0 && (b + 1) % checkpointing.everyBatches() == 0) save(st, checkpointing);
        }
    }

    /**
     * One training step on a batch the caller packed (forward, backward, optional clipping, one Adam step), outside
     * {@link #fit}: for throughput benchmarks and callers that build their own batches. Returns the batch's summed
     * loss (divide by {@link PackedBatch#predictedTokens()} for the mean).
     */
    public double trainBatch(PackedBatch batch) {
        return step(batch, 0, step);
    }

    // ---- Hooks for distributed training (lstmrec-spark): a task loads the broadcast state, trains the batches fit()
    // would train, and hands the state back. Host arrays are in ParameterLayout order.

    /** Replaces the weights, Adam moments and Adam step counter. */
    public void setState(float[] weights, float[] adamM, float[] adamV, int step) {
        if (weights.length != layout.total() || adamM.length != layout.total() || adamV.length != layout.total()) {
            throw new IllegalArgumentException("state does not match the model size " + layout.total());
        }
        backend.upload(this.weights.slab(), weights, 0);
        backend.upload(this.adamM.slab(), adamM, 0);
        backend.upload(this.adamV.slab(), adamV, 0);
        this.step = step;
    }

    /** The Adam moments copied to the host: {m, v}. */
    public float[][] downloadMoments() {
        float[] m = new float[layout.total()], v = new float[layout.total()];
        backend.download(m, 0, adamM.slab());
        backend.download(v, 0, adamV.slab());
        return new float[][] {m, v};
    }

    /** Adam steps taken so far. */
    public int step() {
        return step;
    }

    /** Sets the Adam step counter (a distributed round starts every task at the run's step). */
    public void setStep(int step) {
        this.step = step;
    }

    /**
     * The seed the sampled losses draw their negatives with (default: the run's seed). Data-parallel tasks that set the
     * same seed draw the same negatives for the same (epoch, batch), so the rows a round touches do not grow with the
     * number of tasks by the negatives (lstmrec-spark: one draw per local step of a round).
     */
    public void setNegativeSeed(long seed) {
        this.negativeSeed = seed;
    }

    /**
     * The learning-rate schedule's horizon in steps ({@link #fit} sets it to the horizon's epochs times the batches of
     * an epoch; a distributed run to its epochs times the steps its step counter takes per epoch).
     */
    public void setScheduleSteps(long steps) {
        if (steps <= 0) throw new IllegalArgumentException("schedule steps must be positive, got " + steps);
        this.scheduleSteps = steps;
    }

    /**
     * Copies the weights and both optimiser moments of slab elements [offset, offset + length) into {@code w}, {@code m},
     * {@code v} at {@code at}: O(length), for callers that exchange parts of the state (lstmrec-spark's row deltas).
     */
    public void readState(int offset, int length, float[] w, float[] m, float[] v, int at) {
        readState(offset, length, w, at, m, at, v, at);
    }

    /** As {@link #readState(int, int, float[], float[], float[], int)}, each array at its own position; m may be null (not read). */
    public void readState(int offset, int length, float[] w, int wAt, float[] m, int mAt, float[] v, int vAt) {
        backend.download(w, wAt, weights.slab().view(offset, length));
        if (m != null) backend.download(m, mAt, adamM.slab().view(offset, length));
        backend.download(v, vAt, adamV.slab().view(offset, length));
    }

    /** Replaces the weights and both optimiser moments of slab elements [offset, offset + length) from {@code at}. */
    public void writeState(int offset, int length, float[] w, float[] m, float[] v, int at) {
        writeState(offset, length, w, at, m, at, v, at);
    }

    /** As {@link #writeState(int, int, float[], float[], float[], int)}, each array from its own position; m may be null (kept). */
    public void writeState(int offset, int length, float[] w, int wAt, float[] m, int mAt, float[] v, int vAt) {
        backend.upload(weights.slab().view(offset, length), w, wAt);
        if (m != null) backend.upload(adamM.slab().view(offset, length), m, mAt);
        backend.upload(adamV.slab().view(offset, length), v, vAt);
    }

    /**
     * The item-table rows the last sampled step updated: {output rows j (out.w row j unless tied, out.b row j),
     * embedding rows (tied: with the output rows' j + 1)}; every other row of the tables kept its weights and moments.
     * Null under the full softmax, which updates every row.
     */
    public int[][] lastUpdatedRows() {
        if (sampled == null || lossKind == LossConfig.Loss.FULL) return null;
        IntTensor out = sampled.outRowIds(), in = sampled.embeddingRowIds();
        int[] o = new int[out.size()], e = new int[in.size()];
        if (o.length > 0) backend.downloadInt(o, 0, out);
        if (e.length > 0) backend.downloadInt(e, 0, in);
        return new int[][] {o, e};
    }

    /** One Adam step exactly as {@link #fit} trains batch {@code batchIndex} of epoch {@code epoch} (same dropout). */
    public double trainBatch(PackedBatch batch, int epoch, int batchIndex) {
        return step(batch, epoch, batchIndex);
    }

    /** Forward and backward only (no clipping, no update), as {@link #fit} would for that batch; returns the summed loss. */
    public double computeGradients(PackedBatch batch, int epoch, int batchIndex) {
        backend.fill(grads.slab(), 0f);
        trainNet.resetLoss();
        trainNet.trainStep(batch, dropoutSeed(epoch, batchIndex));
        backend.download(hostScalar, 0, trainNet.loss());
        return hostScalar[0];
    }

    /** The gradients of the last {@link #computeGradients} call, on the host. */
    public float[] downloadGradients() {
        float[] g = new float[layout.total()];
        backend.download(g, 0, grads.slab());
        return g;
    }

    /**
     * Forward, backward, optional clipping and one Adam step; returns the batch's summed loss. The gradient norm is
     * computed on every step (one reduction and one scalar download, small beside the step) because a NaN or
     * infinite norm must stop training before the update: {@code norm > clip} is false for NaN.
     */
    private double step(PackedBatch batch, int epoch, int batchIndex) {
        if (lossKind != LossConfig.Loss.FULL) return sampledStep(batch, epoch, batchIndex);
        backend.fill(grads.slab(), 0f);
        trainNet.resetLoss();
        trainNet.trainStep(batch, dropoutSeed(epoch, batchIndex));
        float scale = checkedScale(epoch, batchIndex, grads.slab());
        double loss = lastLoss;
        step++;
        adamUpdateSlab(0, layout.total(), scale);
        return loss;
    }

    /**
     * The sampled-loss step: K negatives drawn for (negative seed, epoch, batch), the dense LSTM weights through the slab path,
     * the item tables row by row (lazy Adam on the rows that received gradient). Zeroing, clipping and weight decay
     * touch the dense slab part and the compact row blocks only, never all N rows.
     */
    private double sampledStep(PackedBatch batch, int epoch, int batchIndex) {
        if (sampler == null) throw new IllegalStateException("a sampled loss needs setSamplingCounts before trainBatch");
        Tensor dense = grads.dense();
        backend.fill(dense, 0f);
        trainNet.resetLoss();
        sampler.draw(negatives, negatives.length, negativeSeed, epoch, batchIndex);
        sampled.prepare(batch, negatives, new SampledScoring.LogQ() {
            @Override
            public double target(int row) {
                return sampler.logCount(row);
            }

            @Override
            public double negative(int row) {
                return sampler.logSampleWeight(row);
            }
        });
        trainNet.trainStep(batch, dropoutSeed(epoch, batchIndex), sampled);
        float scale = checkedScale(epoch, batchIndex, dense, sampled.outWeightGrad(), sampled.outBiasGrad(), sampled.embeddingGrad());
        double loss = lastLoss;
        step++;
        long denseFrom = layout.entry(ParameterLayout.layerName(0, "w_ih")).offset();
        adamUpdateSlab(denseFrom, denseFrom + dense.size(), scale);
        // The row tables decay as DecayRanges says for their entry (out.w yes; out.b and the embedding no), lazily:
        // only the rows this step touched. Tied: the output rows are embedding rows, updated (undecayed) with them.
        int n = model.numItems();
        if (!model.tied()) {
            updateRows(weights.outW(), sampled.outWeightGrad(), adamM.outW(), adamV.outW(), sampled.outRowIds(), scale,
                    DecayRanges.decayed("out.w"));
        }
        updateRows(weights.outB().reshape(n, 1), sampled.outBiasGrad(), adamM.outB().reshape(n, 1),
                adamV.outB().reshape(n, 1), sampled.outRowIds(), scale, false);
        updateRows(weights.embedding(), sampled.embeddingGrad(), adamM.embedding(), adamV.embedding(),
                sampled.embeddingRowIds(), scale, false);
        return loss;
    }

    /**
     * The row optimiser's step on the listed rows of an item table. Adagrad keeps its momentum where Adam keeps m and
     * its accumulator where Adam keeps v, so checkpoints and resume carry it unchanged; without momentum it leaves m as
     * it is (zero), which Spark's rounds rely on to ship no m for item rows.
     */
    private void updateRows(Tensor param, Tensor gradRows, Tensor m, Tensor v, IntTensor rows, float scale, boolean decayed) {
        RowOptimizer opt = lossConfig.rows();
        if (opt.kind() == RowOptimizer.Kind.ADAM) {
            backend.adamUpdateRows(param, gradRows, m, v, rows, adamStep(scale, decayed));
        } else {
            backend.adagradUpdateRows(param, gradRows, m, v, rows, new AdagradStep(scheduled(opt.lr()), opt.momentum(),
                    RowOptimizer.ADAGRAD_EPS, decayed ? train.weightDecay() : 0f, scale));
        }
    }

    /** Adam over slab elements [from, to), one call per {@link DecayRanges} run so decay applies only where it says. */
    private void adamUpdateSlab(long from, long to, float scale) {
        for (DecayRanges.Range r : decayRanges) {
            long a = Math.max(from, r.offset()), b = Math.min(to, r.offset() + r.size());
            if (a >= b) continue;
            int size = (int) (b - a);
            backend.adamUpdate(weights.slab().view(a, size), grads.slab().view(a, size), adamM.slab().view(a, size),
                    adamV.slab().view(a, size), adamStep(scale, r.decayed()));
        }
    }

    /** A learning rate scaled by the schedule at this step. */
    private float scheduled(float lr) {
        return (float) (lr * train.schedule().factor(step, scheduleSteps));
    }

    /** This step's Adam settings: the learning rate scaled by the schedule, weight decay only when {@code decayed}. */
    private AdamStep adamStep(float scale, boolean decayed) {
        return new AdamStep(scheduled(train.lr()), TrainConfig.BETA1, TrainConfig.BETA2, TrainConfig.EPS, decayed ? train.weightDecay() : 0f, step, scale);
    }

    /**
     * The global gradient norm over the given blocks and the step's loss, both checked for divergence (the loss is left
     * in {@link #lastLoss}); returns the clipping factor (1 when clipping is off or not needed).
     */
    private float checkedScale(int epoch, int batchIndex, Tensor... gradBlocks) {
        backend.fill(normSq, 0f);
        for (Tensor g : gradBlocks) backend.sumSquares(normSq, g);
        backend.download(hostScalar, 0, normSq);
        double norm = Math.sqrt(hostScalar[0]);
        backend.download(hostScalar, 0, trainNet.loss());
        double loss = hostScalar[0];
        if (!Double.isFinite(loss)) throw diverged("loss", loss, epoch, batchIndex);
        if (!Double.isFinite(norm)) throw diverged("gradient norm", norm, epoch, batchIndex);
        lastLoss = loss;
        return train.clipNorm() > 0 && norm > train.clipNorm() ? (float) (train.clipNorm() / norm) : 1f;
    }

    /** Library wording (no CLI flags): the CLI adds its own hint. The weights are those before this step. */
    private TrainingDivergedException diverged(String what, double value, int epoch, int batchIndex) {
        return new TrainingDivergedException("training diverged: the " + what + " became " + value + " at epoch " + epoch
                + ", batch " + (batchIndex + 1) + " (step " + (step + 1) + "), before the update; lower the learning rate (now "
                + train.lr() + ") or clip the gradient norm" + (train.clipNorm() > 0 ? " harder (now " + train.clipNorm() + ")" : ""));
    }

    private long dropoutSeed(int epoch, int batchIndex) {
        return new SplittableRandom(train.seed() ^ (epoch * 0x9E3779B97F4A7C15L) ^ batchIndex).nextLong();
    }

    /** The order of epoch {@code epoch}: a pure function of (seed, epoch), so a resumed run replays it. */
    public static int[] shuffledOrder(int n, long seed, int epoch) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        SplittableRandom rnd = new SplittableRandom(seed * 31 + epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
