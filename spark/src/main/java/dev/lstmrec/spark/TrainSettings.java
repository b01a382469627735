package dev.lstmrec.spark;

import dev.lstmrec.engine.api.LstmRec;
import dev.lstmrec.engine.api.RunConfig;
import dev.lstmrec.engine.api.RunFingerprint;
import dev.lstmrec.engine.api.RunOption;
import dev.lstmrec.engine.api.TrainingBuilder;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.train.LossConfig;
import dev.lstmrec.engine.train.TrainConfig;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Every setting of a distributed training run, serialisable so tasks receive it inside the broadcast state. The model,
 * optimisation and loss settings are those of {@code lstmrec train}, taken from a {@link RunConfig} ({@link #from}: the
 * {@link RunOption}s in {@link #RUN_OPTIONS}, with their defaults and checks; the loss kept as plain fields so the record
 * stays serialisable); the rest says how the work is spread: partitions, the averaging period (local steps per round),
 * the optimizer, how item rows are averaged.
 */
public record TrainSettings(int dim, int hidden, int layers, int maxLen, float dropout, int batch, float lr, int epochs,
                            int patience, float weightDecay, float clipNorm, long seed, String backend, int threads,
                            int partitions, int localSteps, Optimizer optimizer, RowAveraging rowAveraging,
                            boolean shipAllRows, boolean excludeSeen, String loss, int negatives, float sampleAlpha,
                            float logq, float bpreg) implements Serializable {

    /** Adam as in the single-machine trainer, or plain SGD (w -= lr * g, clipping as configured). */
    public enum Optimizer { ADAM, SGD }

    /**
     * How an item row is averaged. ALL_TASKS: over every task that took a step this round (tasks that did not touch
     * the row count with its old value), which equals dense averaging. TOUCHING_TASKS: over the tasks that changed
     * the row only (MLlib Word2Vec's fix for SPARK-24666 divides by such counts), so rare items are not damped by P.
     */
    public enum RowAveraging { ALL_TASKS, TOUCHING_TASKS }

    public TrainSettings {
        if (partitions <= 0) throw new IllegalArgumentException("partitions must be positive, got " + partitions);
        if (localSteps <= 0) throw new IllegalArgumentException("local steps (averaging period) must be positive, got " + localSteps);
        new TrainConfig(batch, lr, epochs, patience, seed, weightDecay, clipNorm); // the CLI's checks and messages
        new ModelConfig(1, dim, hidden, layers, maxLen, dropout, dropout); // the network checks
        LossConfig l = new LossConfig(LossConfig.Loss.parse(loss), negatives, sampleAlpha, logq, bpreg); // the CLI's checks
        if (optimizer == Optimizer.SGD && l.loss() != LossConfig.Loss.FULL && l.loss() != LossConfig.Loss.AUTO) {
            throw new IllegalArgumentException("--optimizer sgd trains the full softmax only (--loss full), got --loss " + loss);
        }
    }

    /** The plain full softmax, every other setting as given. */
    public TrainSettings(int dim, int hidden, int layers, int maxLen, float dropout, int batch, float lr, int epochs,
                         int patience, float weightDecay, float clipNorm, long seed, String backend, int threads,
                         int partitions, int localSteps, Optimizer optimizer, RowAveraging rowAveraging,
                         boolean shipAllRows, boolean excludeSeen) {
        this(dim, hidden, layers, maxLen, dropout, batch, lr, epochs, patience, weightDecay, clipNorm, seed, backend, threads,
                partitions, localSteps, optimizer, rowAveraging, shipAllRows, excludeSeen, LossConfig.Loss.FULL.cliName(),
                LossConfig.full().negatives(), LossConfig.full().sampleAlpha(), LossConfig.full().logq(), LossConfig.full().bpreg());
    }

    /**
     * The loss settings as the engine takes them; the full softmax leaves seen items out exactly when the ranking does
     * ({@code excludeSeen}), the rule {@code lstmrec train} follows by default.
     */
    public LossConfig lossConfig() {
        return new LossConfig(LossConfig.Loss.parse(loss), negatives, sampleAlpha, logq, bpreg).withMaskSeen(excludeSeen);
    }

    /** These settings with the given loss settings. */
    public TrainSettings withLoss(LossConfig l) {
        return new TrainSettings(dim, hidden, layers, maxLen, dropout, batch, lr, epochs, patience, weightDecay, clipNorm, seed,
                backend, threads, partitions, localSteps, optimizer, rowAveraging, shipAllRows, excludeSeen, l.loss().cliName(),
                l.negatives(), l.sampleAlpha(), l.logq(), l.bpreg());
    }

    /** The {@link RunOption}s a Spark run takes from its {@link RunConfig}; every other one must keep its default. */
    public static final Set<RunOption> RUN_OPTIONS = Collections.unmodifiableSet(EnumSet.of(RunOption.DIM, RunOption.HIDDEN,
            RunOption.LAYERS, RunOption.MAX_LEN, RunOption.DROPOUT, RunOption.BATCH, RunOption.LR, RunOption.EPOCHS,
            RunOption.PATIENCE, RunOption.WEIGHT_DECAY, RunOption.CLIP_NORM, RunOption.SEED, RunOption.BACKEND, RunOption.THREADS,
            RunOption.EXCLUDE_SEEN, RunOption.LOSS, RunOption.NEGATIVES, RunOption.SAMPLE_ALPHA, RunOption.LOGQ, RunOption.BPREG));

    /**
     * The settings of {@code run} (as {@code LstmRec.trainer()...resolve()} gives them: defaults filled in, values
     * checked) spread over {@code partitions} tasks that average every {@code localSteps} steps.
     *
     * @throws IllegalArgumentException naming the first setting outside {@link #RUN_OPTIONS} that is not at its default
     *                                  (Spark training does not support it yet), or an invalid combination
     */
    public static TrainSettings from(RunConfig run, int partitions, int localSteps, Optimizer optimizer, RowAveraging rowAveraging) {
        for (RunOption o : RunOption.values()) {
            if (!RUN_OPTIONS.contains(o) && !Objects.equals(run.get(o), o.defaultValue())) {
                throw new IllegalArgumentException("Spark training does not support " + o.key() + " yet (got "
                        + (run.get(o) == null ? "unset" : run.get(o)) + ")");
            }
        }
        ModelConfig m = run.modelConfig(1);
        TrainConfig t = run.trainConfig();
        LossConfig l = run.lossConfig();
        return new TrainSettings(m.embeddingDim(), m.hiddenDim(), m.layers(), m.maxLen(), run.floatValue(RunOption.DROPOUT), t.batchSize(),
                t.lr(), t.epochs(), t.patience(), t.weightDecay(), t.clipNorm(), t.seed(), run.get(RunOption.BACKEND),
                run.intValue(RunOption.THREADS), partitions, localSteps, optimizer, rowAveraging, false,
                run.booleanValue(RunOption.EXCLUDE_SEEN), l.loss().cliName(), l.negatives(), l.sampleAlpha(), l.logq(), l.bpreg());
    }

    /** The {@code lstmrec train} defaults (loss auto), 2 partitions, averaging every 4 local steps, Adam, dense-equivalent row averaging. */
    public static TrainSettings defaults() {
        return from(resolve(LstmRec.trainer()), 2, 4, Optimizer.ADAM, RowAveraging.ALL_TASKS);
    }

    /** The configuration of a new run (no resume, so nothing is read). */
    static RunConfig resolve(TrainingBuilder b) {
        try {
            return b.resolve();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ModelConfig modelConfig(int numItems) {
        return new ModelConfig(numItems, dim, hidden, layers, maxLen, dropout, dropout);
    }

    public TrainConfig trainConfig() {
        return new TrainConfig(batch, lr, epochs, patience, seed, weightDecay, clipNorm);
    }

    /** The training seed of partition {@code p}: partition 0 uses the run's seed, so one partition replays the single-machine run. */
    public long partitionSeed(int p) {
        return seed + p * 0x9E3779B97F4A7C15L;
    }

    /** Backend threads inside a task: the setting, else the task's CPUs ({@code spark.task.cpus}), else all cores. */
    public BackendOptions backendOptions() {
        int t = threads;
        if (t <= 0) {
            t = TaskThreads.taskThreads();
        }
        return BackendOptions.withThreads(t);
    }

    public TrainSettings withPartitions(int p) {
        return new TrainSettings(dim, hidden, layers, maxLen, dropout, batch, lr, epochs, patience, weightDecay, clipNorm, seed,
                backend, threads, p, localSteps, optimizer, rowAveraging, shipAllRows, excludeSeen, loss, negatives, sampleAlpha, logq,
                bpreg);
    }

    public TrainSettings withLocalSteps(int k) {
        return new TrainSettings(dim, hidden, layers, maxLen, dropout, batch, lr, epochs, patience, weightDecay, clipNorm, seed,
                backend, threads, partitions, k, optimizer, rowAveraging, shipAllRows, excludeSeen, loss, negatives, sampleAlpha, logq,
                bpreg);
    }

    /**
     * These settings as the run configuration they stand for: the settings in {@link #RUN_OPTIONS} at their values,
     * every other at its default (as {@link #from} requires).
     */
    public RunConfig runConfig() {
        Map<RunOption, String> m = new EnumMap<>(RunOption.class);
        m.put(RunOption.DIM, Integer.toString(dim));
        m.put(RunOption.HIDDEN, Integer.toString(hidden));
        m.put(RunOption.LAYERS, Integer.toString(layers));
        m.put(RunOption.MAX_LEN, Integer.toString(maxLen));
        m.put(RunOption.DROPOUT, Float.toString(dropout));
        m.put(RunOption.BATCH, Integer.toString(batch));
        m.put(RunOption.LR, Float.toString(lr));
        m.put(RunOption.EPOCHS, Integer.toString(epochs));
        m.put(RunOption.PATIENCE, Integer.toString(patience));
        m.put(RunOption.WEIGHT_DECAY, Float.toString(weightDecay));
        m.put(RunOption.CLIP_NORM, Float.toString(clipNorm));
        m.put(RunOption.SEED, Long.toString(seed));
        m.put(RunOption.BACKEND, backend);
        m.put(RunOption.THREADS, Integer.toString(threads));
        m.put(RunOption.EXCLUDE_SEEN, Boolean.toString(excludeSeen));
        m.put(RunOption.LOSS, loss);
        m.put(RunOption.NEGATIVES, Integer.toString(negatives));
        m.put(RunOption.SAMPLE_ALPHA, Float.toString(sampleAlpha));
        m.put(RunOption.LOGQ, Float.toString(logq));
        m.put(RunOption.BPREG, Float.toString(bpreg));
        return RunConfig.of(m);
    }

    /**
     * What a Spark training state must have been made for to be resumed: the run fingerprint of these settings
     * ({@link RunFingerprint#settings}: the same fixed settings as a single-machine run), how the work is spread, and
     * the catalogue and user counts (the data is not on the driver to checksum). States written by older versions
     * carry {@link #legacyFingerprint}; a run that does not mask seen items also takes the form from before masking.
     */
    public RunFingerprint runFingerprint(int numItems, long numUsers) {
        String text = RunFingerprint.settings(runConfig(), lossConfig().resolve(numItems)) + "partitions=" + partitions
                + ";local-steps=" + localSteps + ";optimizer=" + optimizer + ";row-averaging=" + rowAveraging + ";items=" + numItems
                + ";users=" + numUsers;
        String older = legacyFingerprint() + "|items" + numItems + "|users" + numUsers;
        boolean masks = lossConfig().maskSeen();
        return RunFingerprint.ofText(text, masks ? List.of(older) : List.of(older, older.replace(MASK_TOKEN + "false", "")));
    }

    /** The token of the older fingerprint form that says whether the loss masks seen items; forms before masking lack it. */
    static final String MASK_TOKEN = "|mask";

    /** The fingerprint older versions wrote (before {@link RunFingerprint}), kept to resume their states. */
    String legacyFingerprint() {
        String f = String.join("|", "d" + dim, "h" + hidden, "l" + layers, "T" + maxLen, "p" + dropout, "B" + batch, "lr" + lr,
                "wd" + weightDecay, "clip" + clipNorm, "seed" + seed, "P" + partitions, "k" + localSteps, optimizer.name(),
                rowAveraging.name(), "ex" + excludeSeen) + MASK_TOKEN + lossConfig().maskSeen();
        if (loss.equals(LossConfig.Loss.FULL.cliName())) return f;
        return String.join("|", f, "loss" + loss, "K" + negatives, "alpha" + sampleAlpha, "logq" + logq, "bpreg" + bpreg);
    }
}
