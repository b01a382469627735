package dev.lstmrec.engine.api;

// A fluent mirror of `lstmrec train`'s options over Experiment.run: same defaults (Defaults), same data readers,
// same split, protocol and model info. Checked by LstmRecTest (tiny synthetic run, then recommending from the saved
// model) and, for the defaults, by the CLI's DefaultsAgreementTest.

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.data.DataReader;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.Format;
import dev.lstmrec.engine.data.ReadOptions;
import dev.lstmrec.engine.data.SyntheticConfig;
import dev.lstmrec.engine.data.SyntheticData;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.train.LossConfig;
import dev.lstmrec.engine.train.TrainConfig;
import dev.lstmrec.engine.train.TrainingListener;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Configures and runs one training run: read (or take) the data, split it leave-one-out, train with early stopping
 * on validation NDCG@10, evaluate the best epoch's model and the popularity baseline on the test targets. Every
 * setting starts at the {@code lstmrec train} default ({@link Defaults}); with no data given it trains on the
 * built-in synthetic dataset, as the CLI does. Settings are checked when {@link #train()} runs, with the CLI's
 * messages. Not thread-safe; a builder may be reused for several runs.
 */
public final class TrainingBuilder {
    private Path file;
    private ReadOptions readOptions = ReadOptions.defaults();
    private Dataset dataset;
    private int dim = Defaults.DIM;
    private int hidden = Defaults.HIDDEN;
    private int layers = Defaults.LAYERS;
    private int maxLen = Defaults.MAX_LEN;
    private float dropout = Defaults.DROPOUT;
    private int batch = Defaults.BATCH;
    private float lr = Defaults.LR;
    private int epochs = Defaults.EPOCHS;
    private int patience = Defaults.PATIENCE;
    private float weightDecay = Defaults.WEIGHT_DECAY;
    private float clipNorm = Defaults.CLIP_NORM;
    private long seed = Defaults.SEED;
    private String backend = Defaults.BACKEND;
    private int threads = Defaults.THREADS;
    private boolean excludeSeen = Defaults.EXCLUDE_SEEN;
    private int evalNegatives = Defaults.EVAL_NEGATIVES;
    private TrainingListener listener = TrainingListener.SILENT;
    private LossConfig loss = LossConfig.defaults();
    private boolean tied;

    TrainingBuilder() {}

    /** The interaction log to read ({@code --data}); replaces any {@link #dataset(Dataset)}. */
    public TrainingBuilder data(Path file) {
        this.file = Objects.requireNonNull(file, "file");
        this.dataset = null;
        return this;
    }

    /** An interaction log already in memory; replaces any {@link #data(Path)}. */
    public TrainingBuilder dataset(Dataset dataset) {
        this.dataset = Objects.requireNonNull(dataset, "dataset");
        this.file = null;
        return this;
    }

    /** The file format ({@code --format}); {@link Format#AUTO} by default. Keeps the filters already set. */
    public TrainingBuilder format(Format format) {
        ReadOptions o = readOptions;
        this.readOptions = new ReadOptions(Objects.requireNonNull(format, "format"), o.columns(), o.delimiter(), o.header(),
                o.minRating(), o.minUserCount(), o.minItemCount());
        return this;
    }

    /** Everything about reading the file at once: format, generic layout, rating and k-core filters. */
    public TrainingBuilder readOptions(ReadOptions options) {
        this.readOptions = Objects.requireNonNull(options, "options");
        return this;
    }

    /** Embedding width d ({@code --dim}). */
    public TrainingBuilder dim(int dim) {
        this.dim = dim;
        return this;
    }

    /** LSTM hidden width h ({@code --hidden}). */
    public TrainingBuilder hidden(int hidden) {
        this.hidden = hidden;
        return this;
    }

    /** Stacked LSTM layers ({@code --layers}). */
    public TrainingBuilder layers(int layers) {
        this.layers = layers;
        return this;
    }

    /** Longest history unrolled, the BPTT truncation ({@code --max-len}). */
    public TrainingBuilder maxLen(int maxLen) {
        this.maxLen = maxLen;
        return this;
    }

    /** Dropout on embeddings and LSTM outputs ({@code --dropout}). */
    public TrainingBuilder dropout(float dropout) {
        this.dropout = dropout;
        return this;
    }

    /** Sequences per mini-batch ({@code --batch}). */
    public TrainingBuilder batch(int batch) {
        this.batch = batch;
        return this;
    }

    /** Adam learning rate ({@code --lr}). */
    public TrainingBuilder lr(float lr) {
        this.lr = lr;
        return this;
    }

    /** Maximum epochs ({@code --epochs}). */
    public TrainingBuilder epochs(int epochs) {
        this.epochs = epochs;
        return this;
    }

    /** Early-stopping patience on validation NDCG@10; 0 = off ({@code --patience}). */
    public TrainingBuilder patience(int patience) {
        this.patience = patience;
        return this;
    }

    /** Decoupled (AdamW) weight decay ({@code --weight-decay}). */
    public TrainingBuilder weightDecay(float weightDecay) {
        this.weightDecay = weightDecay;
        return this;
    }

    /** Global gradient-norm clipping; 0 = off ({@code --clip-norm}). */
    public TrainingBuilder clipNorm(float clipNorm) {
        this.clipNorm = clipNorm;
        return this;
    }

    /** Seed of initialisation, shuffling, dropout and sampled negatives ({@code --seed}). */
    public TrainingBuilder seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Backend name ({@code --backend}): {@code auto}, {@code scalar}, {@code simd}, {@code cuda} or a third-party one. */
    public TrainingBuilder backend(String backend) {
        this.backend = backend;
        return this;
    }

    /** CPU worker threads; 0 = all cores ({@code --threads}). */
    public TrainingBuilder threads(int threads) {
        this.threads = threads;
        return this;
    }

    /** Whether the user's history is removed from the ranking in validation and test ({@code --exclude-seen}). */
    public TrainingBuilder excludeSeen(boolean excludeSeen) {
        this.excludeSeen = excludeSeen;
        return this;
    }

    /** 0 = test against all items; N = sampled protocol with N negatives ({@code --eval-negatives}). */
    public TrainingBuilder evalNegatives(int evalNegatives) {
        this.evalNegatives = evalNegatives;
        return this;
    }

    /**
     * The training loss and its sampling settings ({@code --loss}, {@code --negatives}, {@code --sample-alpha},
     * {@code --logq}, {@code --bpreg}); default {@link LossConfig#defaults()}: auto.
     */
    public TrainingBuilder loss(LossConfig loss) {
        this.loss = Objects.requireNonNull(loss, "loss");
        return this;
    }

    /** One item table for the input embedding and the output layer ({@code --tied}; needs dim = hidden). */
    public TrainingBuilder tied(boolean tied) {
        this.tied = tied;
        return this;
    }

    /** Receives per-batch and per-epoch progress; silent by default. */
    public TrainingBuilder listener(TrainingListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** The network settings as configured. */
    public ModelSettings modelSettings() {
        return new ModelSettings(dim, hidden, layers, maxLen, dropout, dropout, tied);
    }

    /** The optimisation settings as configured; throws {@link IllegalArgumentException} for an invalid one. */
    public TrainConfig trainConfig() {
        return new TrainConfig(batch, lr, epochs, patience, seed, weightDecay, clipNorm);
    }

    /** The evaluation protocol as configured (sampled negatives are drawn from the training seed, as in the CLI). */
    public Protocol protocol() {
        return new Protocol(excludeSeen, evalNegatives, seed);
    }

    /**
     * Runs the training. The backend is created for the run and closed after it; the returned model holds its
     * weights on the heap, so it can be saved ({@link SavedModel#save}) or served ({@link Recommender}).
     *
     * @return the split, per-epoch history, the best model's test metrics beside the popularity baseline's, and the
     *         model (its info records {@code dataset}, {@code backend}, {@code best_epoch} and test metrics)
     * @throws IllegalArgumentException when a setting is invalid or no user has enough interactions to split
     * @throws IOException              when the data file cannot be read or is malformed
     * @throws dev.lstmrec.engine.backend.BackendUnavailableException when the named backend cannot run here
     */
    public Experiment.Result train() throws IOException {
        ModelSettings settings = modelSettings();
        settings.forItems(1); // checks the model settings before any work is done
        TrainConfig train = trainConfig();
        Protocol protocol = protocol();
        BackendOptions options = new BackendOptions(threads, Map.of());
        Backends.Found chosen = Backends.choose(backend); // an unusable backend fails before the data is read
        Dataset data = dataset != null ? dataset
                : file != null ? DataReader.read(file, readOptions)
                : SyntheticData.generate(SyntheticConfig.defaults());
        try (Backend b = chosen.create(options)) {
            Map<String, String> info = new LinkedHashMap<>();
            info.put("dataset", data.source());
            info.put("backend", b.name());
            return Experiment.run(data, settings, train, loss, protocol, b, listener, info, null, 0, false, () -> false, null);
        }
    }
}
