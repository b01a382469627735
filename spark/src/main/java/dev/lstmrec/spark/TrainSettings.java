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
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Every setting of a distributed training run, serialisable so tasks receive it with each round. The model,
 * optimisation and loss settings are those of {@code lstmrec train}: the values of the {@link RunOption}s in
 * {@link #RUN_OPTIONS} (canonical text, as a {@link RunConfig} holds them), read back through {@link #runConfig()}'s
 * typed views, so an option of those groups added to {@code RunOption} trains on Spark as it trains on one machine;
 * the rest says how the work is spread: partitions, the averaging period (local steps per round), the optimizer, how
 * item rows are averaged.
 */
public record TrainSettings(Map<RunOption, String> run, int partitions, int localSteps, Optimizer optimizer,
                            RowAveraging rowAveraging, boolean shipAllRows) implements Serializable {

    /** Adam as in the single-machine trainer, or plain SGD (w -= lr * g, clipping as configured). */
    public enum Optimizer { ADAM, SGD }

    /**
     * How an item row is averaged. ALL_TASKS: over every task that took a step this round (tasks that did not touch
     * the row count with its old value), which equals dense averaging. TOUCHING_TASKS: over the tasks that updated
     * the row only (MLlib Word2Vec's fix for SPARK-24666 divides by such counts), so rare items are not damped by P.
     */
    public enum RowAveraging { ALL_TASKS, TOUCHING_TASKS }

    /**
     * The {@link RunOption}s a Spark run trains with: every model, training, loss and computation setting, and
     * {@code exclude-seen}. The data settings are Spark's input (its own reader, or refused with a reason by
     * {@link SparkMain}), and the evaluation settings other than {@code exclude-seen} are refused there too.
     */
    public static final Set<RunOption> RUN_OPTIONS;

    static {
        EnumSet<RunOption> s = EnumSet.of(RunOption.EXCLUDE_SEEN);
        for (RunOption o : RunOption.values()) {
            if (o.group() == RunOption.Group.MODEL || o.group() == RunOption.Group.TRAINING || o.group() == RunOption.Group.LOSS
                    || o.group() == RunOption.Group.COMPUTATION) s.add(o);
        }
        RUN_OPTIONS = Collections.unmodifiableSet(s);
    }

    /** Settings that older versions of this class could not hold: states written then were made with their defaults. */
    private static final Set<RunOption> LATER_OPTIONS = Collections.unmodifiableSet(EnumSet.of(RunOption.EMBEDDING_DROPOUT,
            RunOption.HIDDEN_DROPOUT, RunOption.TIED, RunOption.LR_SCHEDULE, RunOption.WARMUP, RunOption.ROW_OPTIMIZER,
            RunOption.ADAGRAD_LR, RunOption.ADAGRAD_MOMENTUM, RunOption.MASK_SEEN));

    public TrainSettings {
        Map<RunOption, String> m = new EnumMap<>(RunOption.class);
        for (RunOption o : RUN_OPTIONS) m.put(o, o.canonical(run.containsKey(o) ? run.get(o) : o.defaultValue()));
        for (RunOption o : run.keySet()) {
            if (!RUN_OPTIONS.contains(o)) throw new IllegalArgumentException("Spark training does not take " + o.key());
        }
        run = Collections.unmodifiableMap(m);
        if (partitions <= 0) throw new IllegalArgumentException("partitions must be positive, got " + partitions);
        if (localSteps <= 0) throw new IllegalArgumentException("local steps (averaging period) must be positive, got " + localSteps);
        RunConfig c = RunConfig.of(run);
        c.trainConfig(); // the CLI's checks and messages
        c.modelConfig(1);
        LossConfig l = c.lossConfig();
        if (optimizer == Optimizer.SGD && l.loss() != LossConfig.Loss.FULL && l.loss() != LossConfig.Loss.AUTO) {
            throw new IllegalArgumentException("--optimizer sgd trains the full softmax only (--loss full), got --loss " + l.loss().cliName());
        }
    }

    /** The plain full softmax, every other setting as given and the rest at {@code lstmrec train}'s defaults. */
    public TrainSettings(int dim, int hidden, int layers, int maxLen, float dropout, int batch, float lr, int epochs,
                         int patience, float weightDecay, float clipNorm, long seed, String backend, int threads,
                         int partitions, int localSteps, Optimizer optimizer, RowAveraging rowAveraging,
                         boolean shipAllRows, boolean excludeSeen) {
        this(values(RunOption.DIM, dim, RunOption.HIDDEN, hidden, RunOption.LAYERS, layers, RunOption.MAX_LEN, maxLen,
                RunOption.DROPOUT, dropout, RunOption.BATCH, batch, RunOption.LR, lr, RunOption.EPOCHS, epochs,
                RunOption.PATIENCE, patience, RunOption.WEIGHT_DECAY, weightDecay, RunOption.CLIP_NORM, clipNorm,
                RunOption.SEED, seed, RunOption.BACKEND, backend, RunOption.THREADS, threads, RunOption.EXCLUDE_SEEN, excludeSeen,
                RunOption.LOSS, LossConfig.Loss.FULL.cliName()), partitions, localSteps, optimizer, rowAveraging, shipAllRows);
    }

    private static Map<RunOption, String> values(Object... pairs) {
        Map<RunOption, String> m = new EnumMap<>(RunOption.class);
        for (int i = 0; i < pairs.length; i += 2) m.put((RunOption) pairs[i], String.valueOf(pairs[i + 1]));
        return m;
    }

    /** These settings with {@code option} set to {@code value} (text as on the command line; null = unset). */
    public TrainSettings with(RunOption option, String value) {
        Map<RunOption, String> m = new EnumMap<>(run);
        m.put(option, value);
        return new TrainSettings(m, partitions, localSteps, optimizer, rowAveraging, shipAllRows);
    }

    /** These settings with the given loss settings (the loss, its sampling settings and the row optimiser). */
    public TrainSettings withLoss(LossConfig l) {
        return with(RunOption.LOSS, l.loss().cliName()).with(RunOption.NEGATIVES, Integer.toString(l.negatives()))
                .with(RunOption.SAMPLE_ALPHA, Float.toString(l.sampleAlpha())).with(RunOption.LOGQ, Float.toString(l.logq()))
                .with(RunOption.BPREG, Float.toString(l.bpreg())).with(RunOption.ROW_OPTIMIZER, l.rows().kind().cliName())
                .with(RunOption.ADAGRAD_LR, Float.toString(l.rows().lr())).with(RunOption.ADAGRAD_MOMENTUM, Float.toString(l.rows().momentum()));
    }

    /**
     * The settings of {@code run} (as {@code LstmRec.trainer()...resolve()} gives them: defaults filled in, values
     * checked) spread over {@code partitions} tasks that average every {@code localSteps} steps.
     *
     * @throws IllegalArgumentException naming the first setting outside {@link #RUN_OPTIONS} that is not at its default
     *                                  (Spark training does not take it), or an invalid combination
     */
    public static TrainSettings from(RunConfig run, int partitions, int localSteps, Optimizer optimizer, RowAveraging rowAveraging) {
        Map<RunOption, String> m = new EnumMap<>(RunOption.class);
        for (RunOption o : RunOption.values()) {
            if (RUN_OPTIONS.contains(o)) {
                m.put(o, run.get(o));
            } else if (!Objects.equals(run.get(o), o.defaultValue())) {
                throw new IllegalArgumentException("Spark training does not support " + o.key() + " yet (got "
                        + (run.get(o) == null ? "unset" : run.get(o)) + ")");
            }
        }
        return new TrainSettings(m, partitions, localSteps, optimizer, rowAveraging, false);
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

    /** These settings as the run configuration they stand for: every setting outside {@link #RUN_OPTIONS} at its default. */
    public RunConfig runConfig() {
        return RunConfig.of(run);
    }

    public ModelConfig modelConfig(int numItems) {
        return runConfig().modelConfig(numItems);
    }

    public TrainConfig trainConfig() {
        return runConfig().trainConfig();
    }

    /**
     * The loss settings as the engine takes them (with the row optimiser); the full softmax leaves seen items out as
     * {@code --mask-seen} says, unset exactly when the ranking does ({@code excludeSeen}): {@code lstmrec train}'s rule.
     */
    public LossConfig lossConfig() {
        return runConfig().lossConfig();
    }

    /**
     * Whether the item rows' first moment never changes: the sampled losses update them with Adagrad without momentum,
     * which neither reads nor writes it (the full softmax updates whole tables with Adam).
     */
    public boolean constantItemMoment(int numItems) {
        LossConfig l = lossConfig();
        return l.resolve(numItems) != LossConfig.Loss.FULL && l.rows().kind() == dev.lstmrec.engine.train.RowOptimizer.Kind.ADAGRAD
                && l.rows().momentum() == 0f;
    }

    private String v(RunOption o) {
        return run.get(o);
    }

    public int dim() {
        return Integer.parseInt(v(RunOption.DIM));
    }

    public int hidden() {
        return Integer.parseInt(v(RunOption.HIDDEN));
    }

    public int maxLen() {
        return Integer.parseInt(v(RunOption.MAX_LEN));
    }

    public int batch() {
        return Integer.parseInt(v(RunOption.BATCH));
    }

    public float lr() {
        return Float.parseFloat(v(RunOption.LR));
    }

    public int epochs() {
        return Integer.parseInt(v(RunOption.EPOCHS));
    }

    public int patience() {
        return Integer.parseInt(v(RunOption.PATIENCE));
    }

    public float clipNorm() {
        return Float.parseFloat(v(RunOption.CLIP_NORM));
    }

    public long seed() {
        return Long.parseLong(v(RunOption.SEED));
    }

    public String backend() {
        return v(RunOption.BACKEND);
    }

    public int threads() {
        return Integer.parseInt(v(RunOption.THREADS));
    }

    public boolean excludeSeen() {
        return Boolean.parseBoolean(v(RunOption.EXCLUDE_SEEN));
    }

    /** The training seed of partition {@code p}: partition 0 uses the run's seed, so one partition replays the single-machine run. */
    public long partitionSeed(int p) {
        return seed() + p * 0x9E3779B97F4A7C15L;
    }

    /** Backend threads inside a task: the setting, else the task's CPUs ({@code spark.task.cpus}), else all cores. */
    public BackendOptions backendOptions() {
        int t = threads();
        if (t <= 0) {
            t = TaskThreads.taskThreads();
        }
        return BackendOptions.withThreads(t);
    }

    public TrainSettings withPartitions(int p) {
        return new TrainSettings(run, p, localSteps, optimizer, rowAveraging, shipAllRows);
    }

    public TrainSettings withLocalSteps(int k) {
        return new TrainSettings(run, partitions, k, optimizer, rowAveraging, shipAllRows);
    }

    /**
     * What a Spark training state must have been made for to be resumed: the run fingerprint of these settings
     * ({@link RunFingerprint#settings}: the same fixed settings as a single-machine run), how the work is spread, and
     * the catalogue and user counts (the data is not on the driver to checksum). States written by older versions
     * carry {@link #legacyFingerprint}, which resume only when every setting those versions could not hold is at its
     * default; a run that does not mask seen items also takes the form from before masking.
     */
    public RunFingerprint runFingerprint(int numItems, long numUsers) {
        String text = RunFingerprint.settings(runConfig(), lossConfig().resolve(numItems)) + "partitions=" + partitions
                + ";local-steps=" + localSteps + ";optimizer=" + optimizer + ";row-averaging=" + rowAveraging + ";items=" + numItems
                + ";users=" + numUsers;
        boolean older = LATER_OPTIONS.stream().allMatch(o -> Objects.equals(run.get(o), o.defaultValue()));
        if (!older) return RunFingerprint.ofText(text, List.of());
        String form = legacyFingerprint() + "|items" + numItems + "|users" + numUsers;
        boolean masks = lossConfig().maskSeen();
        return RunFingerprint.ofText(text, masks ? List.of(form) : List.of(form, form.replace(MASK_TOKEN + "false", "")));
    }

    /** The token of the older fingerprint form that says whether the loss masks seen items; forms before masking lack it. */
    static final String MASK_TOKEN = "|mask";

    /** The fingerprint older versions wrote (before {@link RunFingerprint}), kept to resume their states. */
    String legacyFingerprint() {
        String f = String.join("|", "d" + v(RunOption.DIM), "h" + v(RunOption.HIDDEN), "l" + v(RunOption.LAYERS),
                "T" + v(RunOption.MAX_LEN), "p" + v(RunOption.DROPOUT), "B" + v(RunOption.BATCH), "lr" + v(RunOption.LR),
                "wd" + v(RunOption.WEIGHT_DECAY), "clip" + v(RunOption.CLIP_NORM), "seed" + v(RunOption.SEED), "P" + partitions,
                "k" + localSteps, optimizer.name(), rowAveraging.name(), "ex" + v(RunOption.EXCLUDE_SEEN)) + MASK_TOKEN + lossConfig().maskSeen();
        String loss = v(RunOption.LOSS);
        if (loss.equals(LossConfig.Loss.FULL.cliName())) return f;
        return String.join("|", Arrays.asList(f, "loss" + loss, "K" + v(RunOption.NEGATIVES), "alpha" + v(RunOption.SAMPLE_ALPHA),
                "logq" + v(RunOption.LOGQ), "bpreg" + v(RunOption.BPREG)));
    }
}
