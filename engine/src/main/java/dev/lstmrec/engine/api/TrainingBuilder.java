package dev.lstmrec.engine.api;

// The one front door for training from code, and what `lstmrec train` runs: every setting of RunOption (same defaults
// as the CLI), checkpointing, resume from a directory alone, a backend by name or a caller's instance, a stop signal.
// A new setting: one line in RunOption (stored, restored and compared on resume from then on; changeable or not),
// a typed setter here, and its read in RunConfig where the engine's configs are built.
// Checked by LstmRecTest, TrainingBuilderResumeTest and, through the CLI, CliTest and ResumeTest.

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.data.DataReader;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.Format;
import dev.lstmrec.engine.data.ReadOptions;
import dev.lstmrec.engine.data.SyntheticConfig;
import dev.lstmrec.engine.data.SyntheticData;
import dev.lstmrec.engine.data.TestSessions;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.io.CheckpointFormatException;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.train.LrSchedule;
import dev.lstmrec.engine.train.TrainConfig;
import dev.lstmrec.engine.train.TrainingCheckpoints;
import dev.lstmrec.engine.train.TrainingListener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Configures and runs one training run: read (or take) the data, split it leave-one-out, train with early stopping
 * on validation NDCG@10, evaluate the best epoch's model and the popularity baseline on the test targets. With
 * {@link #testData} the session-based protocol replaces leave-one-out (same checkpointing, resume and stop). Every
 * setting starts at the {@code lstmrec train} default ({@link RunOption}); with no data given it
 * trains on the built-in synthetic dataset, as the CLI does. Settings are checked when {@link #train()} runs.
 *
 * <p>Crash safety: with {@link #checkpointDir} the whole training state and the run's configuration
 * ({@link RunConfig}) are saved after every epoch (and every {@link #checkpointEvery} batches); a new run needs an
 * empty or new directory. {@link #resume} continues the run saved in a directory with nothing else set: every
 * setting comes from the state; a setting set here must equal the stored one unless it is
 * {@linkplain RunOption#CHANGEABLE changeable} ({@link RunConfig.ConflictException} otherwise). A resume writes its
 * further state to {@link #checkpointDir} when set (which must then be empty, or the same directory), else back into
 * the resumed directory. A resume is bit-identical to an uninterrupted run on a deterministic backend with the same
 * thread count (the stored one unless threads is set): the thread count changes the order of SIMD reductions.
 *
 * <p>Not thread-safe; a builder may be reused for several runs.
 */
public final class TrainingBuilder {
    private final Map<RunOption, String> given = new EnumMap<>(RunOption.class);
    private final Map<String, String> remembered = new LinkedHashMap<>();
    private Dataset dataset;
    private Backend backendInstance;
    private Path checkpointDir;
    private Path resumeDir;
    private Path stopDir;
    private BooleanSupplier stop = () -> false;
    private TrainingListener listener = TrainingListener.SILENT;
    private boolean testCurve;

    TrainingBuilder() {}

    /**
     * Sets a run setting from its text form, as {@code lstmrec train --KEY VALUE} would; null unsets it (no file, no
     * filter). The typed setters below all come here.
     *
     * @throws IllegalArgumentException when the value does not parse as the setting's type
     */
    public TrainingBuilder set(RunOption option, String value) {
        given.put(Objects.requireNonNull(option, "option"), option.canonical(value));
        return this;
    }

    private TrainingBuilder set(RunOption option, Object value) {
        return set(option, value == null ? null : String.valueOf(value));
    }

    /**
     * Remembers a setting of the caller's own with the run (the CLI keeps its output paths here): stored in the
     * training state and given back by {@link RunConfig#remembered} after a resume, where a new value replaces it.
     */
    public TrainingBuilder remember(String key, String value) {
        remembered.put(Objects.requireNonNull(key, "key"), value);
        return this;
    }

    /** The interaction log to read ({@code --data}); replaces any {@link #dataset(Dataset)}. */
    public TrainingBuilder data(Path file) {
        this.dataset = null;
        return set(RunOption.DATA, Objects.requireNonNull(file, "file"));
    }

    /** An interaction log already in memory; replaces any {@link #data(Path)}. Not stored: give it again to resume. */
    public TrainingBuilder dataset(Dataset dataset) {
        this.dataset = Objects.requireNonNull(dataset, "dataset");
        given.remove(RunOption.DATA);
        return this;
    }

    /**
     * A second log whose sessions are the test set ({@code --test-data}): the session-based protocol replaces
     * leave-one-out (validation = the last item of each training session, test = every next item of every test
     * session, see {@link SessionExperiment}); read like the data, without the k-core filters. Null = leave-one-out.
     */
    public TrainingBuilder testData(Path file) {
        return set(RunOption.TEST_DATA, file);
    }

    /** The file format ({@code --format}); {@link Format#AUTO} by default. Keeps the filters already set. */
    public TrainingBuilder format(Format format) {
        return set(RunOption.FORMAT, Objects.requireNonNull(format, "format").cliName());
    }

    /** Everything about reading the file at once: format, generic layout, rating and k-core filters. */
    public TrainingBuilder readOptions(ReadOptions options) {
        Objects.requireNonNull(options, "options");
        set(RunOption.FORMAT, options.format().cliName());
        set(RunOption.COLUMNS, options.columns().isEmpty() ? null : String.join(",", options.columns()));
        set(RunOption.DELIMITER, options.delimiter());
        set(RunOption.HEADER, options.header());
        set(RunOption.MIN_RATING, options.filtersRating() ? options.minRating() : null);
        set(RunOption.MIN_USER_COUNT, options.minUserCount());
        return set(RunOption.MIN_ITEM_COUNT, options.minItemCount());
    }

    /** Embedding width d ({@code --dim}). */
    public TrainingBuilder dim(int dim) {
        return set(RunOption.DIM, dim);
    }

    /** LSTM hidden width h ({@code --hidden}). */
    public TrainingBuilder hidden(int hidden) {
        return set(RunOption.HIDDEN, hidden);
    }

    /** Stacked LSTM layers ({@code --layers}). */
    public TrainingBuilder layers(int layers) {
        return set(RunOption.LAYERS, layers);
    }

    /** Longest history unrolled, the BPTT truncation ({@code --max-len}). */
    public TrainingBuilder maxLen(int maxLen) {
        return set(RunOption.MAX_LEN, maxLen);
    }

    /** Dropout on embeddings and LSTM outputs ({@code --dropout}). */
    public TrainingBuilder dropout(float dropout) {
        return set(RunOption.DROPOUT, dropout);
    }

    /** Dropout on the item embeddings only, overriding {@link #dropout} there ({@code --embedding-dropout}). */
    public TrainingBuilder embeddingDropout(float dropout) {
        return set(RunOption.EMBEDDING_DROPOUT, dropout);
    }

    /** Dropout on each LSTM layer's outputs only, overriding {@link #dropout} there ({@code --hidden-dropout}). */
    public TrainingBuilder hiddenDropout(float dropout) {
        return set(RunOption.HIDDEN_DROPOUT, dropout);
    }

    /** Learning-rate schedule ({@code --lr-schedule}, {@code --warmup}); its horizon is always {@code --epochs}. */
    public TrainingBuilder lrSchedule(LrSchedule schedule) {
        set(RunOption.LR_SCHEDULE, schedule.kind().cliName());
        return set(RunOption.WARMUP, schedule.warmup());
    }

    /** Sequences per mini-batch ({@code --batch}). */
    public TrainingBuilder batch(int batch) {
        return set(RunOption.BATCH, batch);
    }

    /** Adam learning rate ({@code --lr}). */
    public TrainingBuilder lr(float lr) {
        return set(RunOption.LR, lr);
    }

    /** Maximum epochs ({@code --epochs}); may change on resume. */
    public TrainingBuilder epochs(int epochs) {
        return set(RunOption.EPOCHS, epochs);
    }

    /** Early-stopping patience on validation NDCG@10; 0 = off ({@code --patience}); may change on resume. */
    public TrainingBuilder patience(int patience) {
        return set(RunOption.PATIENCE, patience);
    }

    /** Decoupled (AdamW) weight decay ({@code --weight-decay}). */
    public TrainingBuilder weightDecay(float weightDecay) {
        return set(RunOption.WEIGHT_DECAY, weightDecay);
    }

    /** Global gradient-norm clipping; 0 = off ({@code --clip-norm}). */
    public TrainingBuilder clipNorm(float clipNorm) {
        return set(RunOption.CLIP_NORM, clipNorm);
    }

    /**
     * The training loss and its sampling settings ({@code --loss}, {@code --negatives}, {@code --sample-alpha},
     * {@code --logq}, {@code --bpreg}, {@code --row-optimizer}, {@code --adagrad-lr}, {@code --adagrad-momentum}); default
     * {@link RunOption}'s loss defaults: auto.
     */
    public TrainingBuilder loss(dev.lstmrec.engine.train.LossConfig loss) {
        set(RunOption.LOSS, loss.loss().cliName());
        set(RunOption.NEGATIVES, loss.negatives());
        set(RunOption.SAMPLE_ALPHA, loss.sampleAlpha());
        set(RunOption.LOGQ, loss.logq());
        set(RunOption.ROW_OPTIMIZER, loss.rows().kind().cliName());
        set(RunOption.ADAGRAD_LR, loss.rows().lr());
        set(RunOption.ADAGRAD_MOMENTUM, loss.rows().momentum());
        return set(RunOption.BPREG, loss.bpreg());
    }

    /**
     * Whether the full softmax leaves out the items each user has already consumed ({@code --mask-seen}); by default it
     * does exactly when the evaluation excludes them ({@link #excludeSeen}). The sampled losses ignore it.
     */
    public TrainingBuilder maskSeen(boolean maskSeen) {
        return set(RunOption.MASK_SEEN, maskSeen);
    }

    /** One item table for the input embedding and the output layer ({@code --tied}; needs dim = hidden). */
    public TrainingBuilder tied(boolean tied) {
        return set(RunOption.TIED, tied);
    }

    /** Seed of initialisation, shuffling, dropout and sampled negatives ({@code --seed}). */
    public TrainingBuilder seed(long seed) {
        return set(RunOption.SEED, seed);
    }

    /**
     * Backend name ({@code --backend}): {@code auto}, {@code scalar}, {@code simd}, {@code cuda} or a third-party one;
     * null = the configured default ({@code -Dlstmrec.backend}, {@code LSTMREC_BACKEND}, else auto).
     */
    public TrainingBuilder backend(String backend) {
        return set(RunOption.BACKEND, backend == null ? Backends.requestedName(null) : backend);
    }

    /**
     * Computes on {@code backend}, which the caller created (e.g. with its own warnings) and keeps: it is not closed.
     * The run's backend and threads settings are still recorded; they should describe this instance.
     */
    public TrainingBuilder backend(Backend backend) {
        this.backendInstance = Objects.requireNonNull(backend, "backend");
        return this;
    }

    /** CPU worker threads; 0 = all cores ({@code --threads}); may change on resume (see the class comment). */
    public TrainingBuilder threads(int threads) {
        return set(RunOption.THREADS, threads);
    }

    /** Whether the user's history is removed from the ranking in validation and test ({@code --exclude-seen}). */
    public TrainingBuilder excludeSeen(boolean excludeSeen) {
        return set(RunOption.EXCLUDE_SEEN, excludeSeen);
    }

    /** 0 = test against all items; N = sampled protocol with N negatives ({@code --eval-negatives}). */
    public TrainingBuilder evalNegatives(int evalNegatives) {
        return set(RunOption.EVAL_NEGATIVES, evalNegatives);
    }

    /** Where the training state is saved ({@code --checkpoint-dir}); for a new run it must be empty or absent. */
    public TrainingBuilder checkpointDir(Path dir) {
        this.checkpointDir = dir;
        return this;
    }

    /** Also save every {@code n} batches within an epoch; 0 = only after each epoch ({@code --checkpoint-every}). */
    public TrainingBuilder checkpointEvery(int n) {
        return set(RunOption.CHECKPOINT_EVERY, n);
    }

    /** Continues the run saved in {@code dir} ({@code --resume}); null = a new run. See the class comment. */
    public TrainingBuilder resume(Path dir) {
        this.resumeDir = dir;
        return this;
    }

    /**
     * Polled after every batch: when it says stop, the state is saved (to the checkpoint directory, else to
     * {@link #stopDir}) and {@link #train()} throws {@link dev.lstmrec.engine.train.TrainingInterruptedException}.
     */
    public TrainingBuilder stopWhen(BooleanSupplier stop) {
        this.stop = Objects.requireNonNull(stop, "stop");
        return this;
    }

    /**
     * Where a stopped run without a checkpoint directory saves its state; when that directory is not empty, the first
     * empty {@code dir-2}, {@code dir-3}, ... is used. Null (the default) = a stop saves nothing.
     */
    public TrainingBuilder stopDir(Path dir) {
        this.stopDir = dir;
        return this;
    }

    /** Receives per-batch and per-epoch progress and one-line messages; silent by default. */
    public TrainingBuilder listener(TrainingListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * Also scores the test targets after every epoch, for a learning curve ({@link Experiment.Result#testCurve()});
     * off by default. The epoch kept is still chosen on validation alone: the curve is a report, and the test of the
     * kept model is the same as without it. Costs one test evaluation per epoch.
     */
    public TrainingBuilder testCurve(boolean on) {
        this.testCurve = on;
        return this;
    }

    /** The network as configured (without a resumed run's stored ones) for {@code numItems} items; throws for an invalid setting. */
    public ModelConfig modelConfig(int numItems) {
        return RunConfig.of(given, remembered).modelConfig(numItems);
    }

    /** The optimisation settings as configured; throws {@link IllegalArgumentException} for an invalid one. */
    public TrainConfig trainConfig() {
        return RunConfig.of(given, remembered).trainConfig();
    }

    /** The evaluation protocol as configured (sampled negatives are drawn from the training seed, as in the CLI). */
    public Protocol protocol() {
        return RunConfig.of(given, remembered).protocol();
    }

    /**
     * The configuration {@link #train()} will run, checked: the settings given, or with {@link #resume} the stored
     * ones with the changeable settings given here.
     *
     * @throws RunConfig.ConflictException when a resume is given a fixed setting with another value
     * @throws IllegalArgumentException    when a setting is invalid
     * @throws IOException                 when the resume directory holds no usable state
     */
    public RunConfig resolve() throws IOException {
        return resolved().run();
    }

    private record Resolved(RunConfig run, TrainingCheckpoints.Loaded state) {}

    private Resolved resolved() throws IOException {
        RunConfig fresh = RunConfig.of(given, remembered);
        Resolved r;
        if (resumeDir == null) {
            r = new Resolved(fresh, null);
        } else {
            TrainingCheckpoints.Loaded loaded = TrainingCheckpoints.readLatest(resumeDir);
            if (loaded.runConfig() == null) {
                r = new Resolved(fresh, loaded); // written before configurations were stored: the settings given now apply
            } else {
                RunConfig stored;
                try {
                    stored = RunConfig.fromJson(loaded.runConfig());
                } catch (IllegalArgumentException e) {
                    throw new CheckpointFormatException(loaded.file().toString(), "invalid run configuration: " + e.getMessage());
                }
                r = new Resolved(stored.resume(given, remembered), loaded);
            }
        }
        RunConfig run = r.run();
        run.modelConfig(1);
        run.trainConfig();
        run.protocol();
        run.lossConfig();
        run.readOptions();
        SessionExperiment.Holdout.parse(run.get(RunOption.HOLDOUT));
        if (run.testDataFile() != null) {
            run.testReadOptions();
            if (run.intValue(RunOption.EVAL_NEGATIVES) != 0) {
                throw new IllegalArgumentException("eval-negatives does not apply with test-data: the session protocol ranks against all items");
            }
        }
        if (run.intValue(RunOption.THREADS) < 0) throw new IllegalArgumentException("threads must be >= 0, got " + run.get(RunOption.THREADS));
        int every = run.intValue(RunOption.CHECKPOINT_EVERY);
        if (every < 0) throw new IllegalArgumentException("checkpoint-every must be >= 0, got " + every);
        if (every > 0 && checkpointDir == null && resumeDir == null) {
            throw new IllegalArgumentException("checkpoint-every needs a checkpoint directory");
        }
        return r;
    }

    /**
     * Runs the training. A backend named by the settings is created for the run and closed after it; the returned
     * model holds its weights on the heap, so it can be saved ({@link SavedModel#save}) or served ({@link Recommender}).
     *
     * @return the split, per-epoch history, the best model's test metrics beside the popularity baseline's, the model
     *         (its info records {@code dataset}, {@code backend}, {@code best_epoch} and test metrics) and the run's
     *         configuration
     * @throws IllegalArgumentException when a setting is invalid or no user has enough interactions to split
     * @throws RunConfig.ConflictException when a resume is given a fixed setting with another value
     * @throws dev.lstmrec.engine.train.CheckpointDirectoryInUseException when a new run's checkpoint directory is not empty
     * @throws IOException              when the data file cannot be read or is malformed, or no state can be resumed
     * @throws dev.lstmrec.engine.backend.BackendUnavailableException when the named backend cannot run here
     * @throws dev.lstmrec.engine.train.TrainingInterruptedException when {@link #stopWhen} asked to stop
     * @throws dev.lstmrec.engine.train.TrainingDivergedException when the loss or gradient norm became NaN or infinite
     */
    public Experiment.Result train() throws IOException {
        Resolved resolved = resolved();
        RunConfig run = resolved.run();
        Path writeDir = checkpointDir != null ? checkpointDir : resumeDir;
        if (checkpointDir != null && (resumeDir == null || !sameDirectory(checkpointDir, resumeDir))) {
            TrainingCheckpoints.requireUnused(checkpointDir);
        }
        Path stopTo = writeDir == null && stopDir != null ? TrainingCheckpoints.unusedDirectory(stopDir) : null;
        Backends.Found chosen = backendInstance != null ? null : Backends.choose(run.get(RunOption.BACKEND)); // fails before reading
        Dataset data = data(run);
        Map<String, String> info = new LinkedHashMap<>();
        info.put("dataset", data.source());
        TestSessions sessions = null;
        if (run.testDataFile() != null) {
            listener.onMessage("reading test sessions from " + run.testDataFile());
            Dataset testLog = DataReader.read(run.testDataFile(), run.testReadOptions());
            sessions = SessionExperiment.testSessions(data, testLog);
            listener.onMessage(sessions.describe());
            info.put("test_dataset", testLog.source());
        } else if (run.sessionLog()) {
            SessionExperiment.LogSplit split = SessionExperiment.LogSplit.latestAsTest(data);
            data = split.train();
            sessions = split.test();
            String source = data.source() + " (its latest " + sessions.sessions().size() + " sessions)";
            listener.onMessage("session log without --test-data: the latest sessions of " + data.source() + " are the test set: "
                    + sessions.describe());
            info.put("test_dataset", source);
        }
        Backend b = backendInstance != null ? backendInstance : chosen.create(run.backendOptions());
        try {
            listener.onMessage("protocol: " + (sessions != null ? SessionExperiment.describe() : run.protocol().describe()));
            info.put("backend", b.name());
            return Experiment.run(data, sessions, b, new Experiment.Plan(run, listener, info, writeDir, stop, stopTo, resolved.state(), testCurve));
        } finally {
            if (backendInstance == null) b.close();
        }
    }

    private Dataset data(RunConfig run) throws IOException {
        Dataset d;
        if (dataset != null) {
            d = dataset;
        } else if (run.dataFile() != null) {
            listener.onMessage("reading " + run.dataFile());
            d = DataReader.read(run.dataFile(), run.readOptions());
        } else {
            listener.onMessage("no data file given: training on the built-in synthetic dataset (see README)");
            d = SyntheticData.generate(SyntheticConfig.defaults());
        }
        listener.onMessage(String.format("dataset %s: %,d users, %,d items, %,d interactions",
                d.source(), d.numUsers(), d.numItems(), d.numInteractions()));
        return d;
    }

    private static boolean sameDirectory(Path a, Path b) throws IOException {
        if (Files.exists(a) && Files.exists(b)) return Files.isSameFile(a, b);
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
}
