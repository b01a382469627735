package dev.lstmrec.spark;

import dev.lstmrec.engine.api.LstmRec;
import dev.lstmrec.engine.api.ModelSettings;
import dev.lstmrec.engine.api.RunConfig;
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
import java.util.EnumSet;
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
        new ModelSettings(dim, hidden, layers, maxLen, dropout, dropout).forItems(1);
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
        ModelSettings m = run.modelSettings();
        TrainConfig t = run.trainConfig();
        LossConfig l = run.lossConfig();
        return new TrainSettings(m.dim(), m.hidden(), m.layers(), m.maxLen(), run.floatValue(RunOption.DROPOUT), t.batchSize(),
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

    public ModelSettings modelSettings() {
        return new ModelSettings(dim, hidden, layers, maxLen, dropout, dropout);
    }

    public ModelConfig modelConfig(int numItems) {
        return modelSettings().forItems(numItems);
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

    /** The fingerprint token that says whether the loss masks seen items; states written before masking lack it. */
    static final String MASK_TOKEN = "|mask";

    /** A fingerprint written before masking existed, as this version writes the same (unmasked) run's. */
    static String withMaskToken(String old) {
        int loss = old.indexOf("|loss");
        int end = loss >= 0 ? loss : old.indexOf("|items") >= 0 ? old.indexOf("|items") : old.length();
        return old.substring(0, end) + MASK_TOKEN + "false" + old.substring(end);
    }

    /**
     * What a checkpoint must agree on to be resumed (everything except epochs and patience), seen-item masking included
     * (a state written before masking existed trained without it and is refused with a message saying so).
     */
    public String fingerprint() {
        String f = String.join("|", "d" + dim, "h" + hidden, "l" + layers, "T" + maxLen, "p" + dropout, "B" + batch, "lr" + lr,
                "wd" + weightDecay, "clip" + clipNorm, "seed" + seed, "P" + partitions, "k" + localSteps, optimizer.name(),
                rowAveraging.name(), "ex" + excludeSeen) + MASK_TOKEN + lossConfig().maskSeen();
        if (loss.equals(LossConfig.Loss.FULL.cliName())) return f;
        return String.join("|", f, "loss" + loss, "K" + negatives, "alpha" + sampleAlpha, "logq" + logq, "bpreg" + bpreg);
    }
}
