package dev.lstmrec.engine.train;

import dev.lstmrec.engine.backend.AdamStep;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.eval.EvalCase;
import dev.lstmrec.engine.eval.Evaluator;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.eval.ModelScorer;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.model.Initializer;
import dev.lstmrec.engine.model.LstmNetwork;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.PackedBatch;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.model.Parameters;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains the network with Adam on shuffled mini-batches of BPTT windows, validates after every epoch and keeps the
 * weights of the epoch with the best validation NDCG@10 (early stopping with patience). Everything random derives
 * from the seed: initial weights, the order of each epoch, dropout masks — a run is reproducible, and the state
 * needed to continue it is (weights, Adam moments, step, epoch).
 */
public final class Trainer {
    /** The validation metric that selects the best epoch. */
    public static final String SELECTION_METRIC = "NDCG@10";

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
    private float[] best;
    private int step;

    public Trainer(Backend backend, ModelConfig model, TrainConfig train) {
        this.backend = backend;
        this.model = model;
        this.train = train;
        this.layout = new ParameterLayout(model);
        this.weights = new Parameters(backend, model, layout);
        this.grads = new Parameters(backend, model, layout);
        this.adamM = new Parameters(backend, model, layout);
        this.adamV = new Parameters(backend, model, layout);
        this.trainNet = new LstmNetwork(backend, weights, grads);
        this.evalNet = new LstmNetwork(backend, weights, null);
        this.normSq = backend.allocate(1);
        backend.upload(weights.slab(), Initializer.initialWeights(model, layout, train.seed()), 0);
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
        List<int[]> windows = TrainingWindows.cut(trainSequences, model.maxLen());
        if (windows.isEmpty()) throw new IllegalArgumentException("no training sequence has two or more items");
        if (validation.isEmpty()) throw new IllegalArgumentException("no validation cases: every user has fewer than 3 interactions");
        Evaluator evaluator = new Evaluator(backend, model.numItems());
        List<EpochResult> epochs = new ArrayList<>();
        double bestScore = Double.NEGATIVE_INFINITY;
        int bestEpoch = 0, sinceBest = 0;
        Metrics bestMetrics = null;
        long allTokens = 0;
        double allSeconds = 0;
        boolean early = false;
        for (int epoch = 1; epoch <= train.epochs(); epoch++) {
            long t0 = System.nanoTime();
            double[] lossTokens = runEpoch(epoch, trainSequences, windows, listener);
            double seconds = (System.nanoTime() - t0) / 1e9;
            allTokens += (long) lossTokens[1];
            allSeconds += seconds;
            long v0 = System.nanoTime();
            Metrics valid = evaluator.evaluate(scorer(), validation, protocol);
            double validSeconds = (System.nanoTime() - v0) / 1e9;
            double score = valid.get(SELECTION_METRIC);
            boolean improved = score > bestScore;
            if (improved) {
                bestScore = score;
                bestEpoch = epoch;
                bestMetrics = valid;
                sinceBest = 0;
                best = downloadWeights();
            } else {
                sinceBest++;
            }
            EpochResult r = new EpochResult(epoch, lossTokens[0] / Math.max(1, lossTokens[1]), seconds, (long) lossTokens[1],
                    valid, validSeconds, improved);
            epochs.add(r);
            listener.onEpoch(r);
            if (train.patience() > 0 && sinceBest >= train.patience() && epoch < train.epochs()) {
                early = true;
                break;
            }
        }
        backend.upload(weights.slab(), best, 0);
        return new TrainingResult(epochs, bestEpoch, bestMetrics, early, allSeconds > 0 ? allTokens / allSeconds : 0);
    }

    /** One pass over the shuffled windows; returns {summed loss, predicted tokens}. */
    private double[] runEpoch(int epoch, List<int[]> sequences, List<int[]> windows, TrainingListener listener) {
        int[] order = shuffledOrder(windows.size(), train.seed(), epoch);
        int batches = (order.length + train.batchSize() - 1) / train.batchSize();
        double lossSum = 0;
        long tokens = 0;
        long start = System.nanoTime();
        for (int b = 0; b < batches; b++) {
            int from = b * train.batchSize(), to = Math.min(order.length, from + train.batchSize());
            List<int[]> in = new ArrayList<>(to - from), tg = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) {
                int[] w = windows.get(order[i]);
                int[] seq = sequences.get(w[0]);
                in.add(TrainingWindows.inputs(seq, w));
                tg.add(TrainingWindows.targets(seq, w));
            }
            PackedBatch batch = PackedBatch.pack(in, tg);
            double loss = step(batch, epoch, b);
            lossSum += loss;
            tokens += batch.predictedTokens();
            double elapsed = (System.nanoTime() - start) / 1e9;
            listener.onBatch(epoch, b + 1, batches, lossSum / tokens, tokens / Math.max(elapsed, 1e-9),
                    elapsed / (b + 1) * (batches - b - 1));
        }
        return new double[] {lossSum, tokens};
    }

    /**
     * One training step on a batch the caller packed (forward, backward, optional clipping, one Adam step), outside
     * {@link #fit}: for throughput benchmarks and callers that build their own batches. Returns the batch's summed
     * loss (divide by {@link PackedBatch#predictedTokens()} for the mean).
     */
    public double trainBatch(PackedBatch batch) {
        return step(batch, 0, step);
    }

    /** Forward, backward, optional clipping and one Adam step; returns the batch's summed loss. */
    private double step(PackedBatch batch, int epoch, int batchIndex) {
        backend.fill(grads.slab(), 0f);
        trainNet.resetLoss();
        trainNet.trainStep(batch, dropoutSeed(epoch, batchIndex));
        float scale = 1f;
        if (train.clipNorm() > 0) {
            backend.fill(normSq, 0f);
            backend.sumSquares(normSq, grads.slab());
            backend.download(hostScalar, 0, normSq);
            double norm = Math.sqrt(hostScalar[0]);
            if (norm > train.clipNorm()) scale = (float) (train.clipNorm() / norm);
        }
        backend.download(hostScalar, 0, trainNet.loss());
        double loss = hostScalar[0];
        if (!Double.isFinite(loss)) {
            throw new TrainingDivergedException("training loss became " + loss + " at epoch " + epoch + ", batch " + (batchIndex + 1)
                    + "; try a lower --lr (now " + train.lr() + ") or --clip-norm 5");
        }
        step++;
        backend.adamUpdate(weights.slab(), grads.slab(), adamM.slab(), adamV.slab(),
                new AdamStep(train.lr(), TrainConfig.BETA1, TrainConfig.BETA2, TrainConfig.EPS, train.weightDecay(), step, scale));
        return loss;
    }

    private long dropoutSeed(int epoch, int batchIndex) {
        return new SplittableRandom(train.seed() ^ (epoch * 0x9E3779B97F4A7C15L) ^ batchIndex).nextLong();
    }

    /** The order of epoch {@code epoch}: a pure function of (seed, epoch), so a resumed run replays it. */
    static int[] shuffledOrder(int n, long seed, int epoch) {
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
