package dev.lstmrec.engine.api;

// The effective settings of one training run (every RunOption, defaults filled in) plus the caller's own remembered
// settings, as stored in the training state and merged on resume. Checked by RunConfigTest and the CLI's ResumeTest.

import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.data.Format;
import dev.lstmrec.engine.data.ReadOptions;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.io.Json;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.train.LrSchedule;
import dev.lstmrec.engine.train.LossConfig;
import dev.lstmrec.engine.train.RowOptimizer;
import dev.lstmrec.engine.train.TrainConfig;

import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A training run's configuration: the value of every {@link RunOption} (canonical text, null = unset) and the
 * caller's remembered settings ({@link TrainingBuilder#remember}), with typed views for the parts of the engine.
 * Stored as one JSON object (docs/checkpoint-format.md); {@link #resume} merges what a resumed run is given into it.
 */
public final class RunConfig {
    /** The JSON member holding the caller's remembered settings; every other member is a {@link RunOption} key. */
    static final String REMEMBERED = "remembered";

    private final Map<RunOption, String> values;
    private final Map<String, String> remembered;

    private RunConfig(Map<RunOption, String> values, Map<String, String> remembered) {
        this.values = Collections.unmodifiableMap(new EnumMap<>(values));
        this.remembered = Collections.unmodifiableMap(new TreeMap<>(remembered));
    }

    /**
     * The defaults overridden by {@code given} (values already canonical), with {@code remembered}. A run under the
     * session protocol ({@link RunOption#TEST_DATA} given) takes each setting's {@linkplain RunOption#sessionDefault()
     * session-log default} where it has one.
     */
    static RunConfig of(Map<RunOption, String> given, Map<String, String> remembered) {
        Map<RunOption, String> v = new EnumMap<>(RunOption.class);
        boolean session = sessionLog(given.get(RunOption.TEST_DATA), given.get(RunOption.FORMAT));
        for (RunOption o : RunOption.values()) {
            v.put(o, given.containsKey(o) ? given.get(o) : session ? o.sessionDefault().orElse(o.defaultValue()) : o.defaultValue());
        }
        // --dropout given sets both sites, as it does outside session logs.
        if (session && given.containsKey(RunOption.DROPOUT)) {
            for (RunOption site : new RunOption[] {RunOption.EMBEDDING_DROPOUT, RunOption.HIDDEN_DROPOUT}) {
                if (!given.containsKey(site)) v.put(site, site.defaultValue());
            }
        }
        // A tied table needs d = h: widths given apart keep two tables rather than fail on a default nobody asked for.
        if (session && !given.containsKey(RunOption.TIED) && !java.util.Objects.equals(v.get(RunOption.DIM), v.get(RunOption.HIDDEN))) {
            v.put(RunOption.TIED, RunOption.TIED.defaultValue());
        }
        return new RunConfig(v, remembered);
    }

    /**
     * The configuration of {@code given} settings (text as on the command line; null = unset), every other at its
     * default: what {@code lstmrec train} with those options would run.
     *
     * @throws IllegalArgumentException naming the setting when a value does not parse as its type
     */
    public static RunConfig of(Map<RunOption, String> given) {
        Map<RunOption, String> v = new EnumMap<>(RunOption.class);
        given.forEach((o, x) -> v.put(o, o.canonical(x)));
        return of(v, Map.of());
    }

    /** Every setting at its default (the general, user-history defaults: no test log, format auto). */
    public static RunConfig defaults() {
        return of(Map.of(), Map.of());
    }

    /**
     * A setting's value as the run uses it, where "unset" means another setting's value: the dropout sites read
     * {@code dropout}, {@code mask-seen} follows the ranking ({@link #lossConfig()}); every other setting as {@link #get}.
     */
    public String effective(RunOption option) {
        return switch (option) {
            case EMBEDDING_DROPOUT -> Float.toString(dropoutAt(RunOption.EMBEDDING_DROPOUT));
            case HIDDEN_DROPOUT -> Float.toString(dropoutAt(RunOption.HIDDEN_DROPOUT));
            case MASK_SEEN -> Boolean.toString(lossConfig().maskSeen());
            default -> values.get(option);
        };
    }

    /**
     * The session-log defaults this configuration holds ({@code --key value} each) and that differ from the general
     * defaults: what {@code train} prints when it chose them. Empty outside the session protocol.
     */
    public java.util.List<String> sessionDefaultsUsed() {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (!sessionLog()) return out;
        for (RunOption o : RunOption.values()) {
            String d = o.sessionDefault().orElse(null);
            if (d != null && d.equals(values.get(o)) && !d.equals(o.defaultValue())) {
                out.add(o.type() == RunOption.Type.BOOLEAN ? "--" + o.key() : "--" + o.key() + " " + d);
            }
        }
        return out;
    }

    /** A setting's value in canonical text; null when unset. */
    public String get(RunOption option) {
        return values.get(option);
    }

    /** A setting of the caller's own, remembered with the run; null when absent. */
    public String remembered(String key) {
        return remembered.get(key);
    }

    public int intValue(RunOption o) {
        return Integer.parseInt(values.get(o));
    }

    public long longValue(RunOption o) {
        return Long.parseLong(values.get(o));
    }

    public float floatValue(RunOption o) {
        return Float.parseFloat(values.get(o));
    }

    public boolean booleanValue(RunOption o) {
        return Boolean.parseBoolean(values.get(o));
    }

    /** The data file; null = the built-in synthetic dataset (or a dataset handed over in memory). */
    public Path dataFile() {
        String d = values.get(RunOption.DATA);
        return d == null ? null : Path.of(d);
    }

    /**
     * Whether the run is on a session log and so uses the session protocol: a test log is given, or the data is a
     * GRU4Rec session file ({@code --format gru4rec}), whose latest sessions are then the test set.
     */
    public boolean sessionLog() {
        return sessionLog(values.get(RunOption.TEST_DATA), values.get(RunOption.FORMAT));
    }

    /** The one rule for {@link #sessionLog()}, from the test-data and format settings (null = unset), for callers without a run. */
    public static boolean sessionLog(String testData, String format) {
        return testData != null || Format.GRU4REC.cliName().equalsIgnoreCase(format);
    }

    /** The test log of the session-based protocol; null = leave-one-out on {@link #dataFile()}. */
    public Path testDataFile() {
        String d = values.get(RunOption.TEST_DATA);
        return d == null ? null : Path.of(d);
    }

    /**
     * How to read {@link #testDataFile()}: the same format and rating filter, without the k-core filters (test sessions
     * are only ever cut by the model's item index, unknown items dropped, and by length).
     */
    public ReadOptions testReadOptions() {
        ReadOptions o = readOptions();
        return new ReadOptions(o.format(), o.columns(), o.delimiter(), o.header(), o.minRating(), 0, 0);
    }

    /** How to read {@link #dataFile()}; throws {@link IllegalArgumentException} for invalid read settings. */
    public ReadOptions readOptions() {
        ReadOptions.Builder b = ReadOptions.builder().format(Format.fromCliName(values.get(RunOption.FORMAT)))
                .header(booleanValue(RunOption.HEADER))
                .minUserCount(intValue(RunOption.MIN_USER_COUNT)).minItemCount(intValue(RunOption.MIN_ITEM_COUNT));
        if (values.get(RunOption.COLUMNS) != null) b.columns(values.get(RunOption.COLUMNS));
        if (values.get(RunOption.DELIMITER) != null) b.delimiter(values.get(RunOption.DELIMITER));
        if (values.get(RunOption.MIN_RATING) != null) b.minRating(Double.parseDouble(values.get(RunOption.MIN_RATING)));
        return b.build();
    }

    /**
     * The network for a catalogue of {@code numItems} items; throws {@link IllegalArgumentException} for an invalid
     * setting (any positive count checks the settings alone).
     */
    public ModelConfig modelConfig(int numItems) {
        return new ModelConfig(numItems, intValue(RunOption.DIM), intValue(RunOption.HIDDEN), intValue(RunOption.LAYERS),
                intValue(RunOption.MAX_LEN), dropoutAt(RunOption.EMBEDDING_DROPOUT), dropoutAt(RunOption.HIDDEN_DROPOUT),
                booleanValue(RunOption.TIED));
    }

    /** A dropout site's rate: its own setting, or {@code dropout} where it is unset. */
    private float dropoutAt(RunOption site) {
        return values.get(site) != null ? floatValue(site) : floatValue(RunOption.DROPOUT);
    }

    /**
     * The training loss and its sampling settings; throws {@link IllegalArgumentException} for an invalid one. Seen
     * items are masked as {@code mask-seen} says or, unset, exactly when the ranking leaves them out: leave-one-out
     * with {@code exclude-seen}; never under the session-based protocol ({@code test-data}), which ranks every item.
     */
    public LossConfig lossConfig() {
        boolean maskSeen = values.get(RunOption.MASK_SEEN) != null ? booleanValue(RunOption.MASK_SEEN)
                : booleanValue(RunOption.EXCLUDE_SEEN) && !sessionLog();
        return new LossConfig(LossConfig.Loss.parse(values.get(RunOption.LOSS)), intValue(RunOption.NEGATIVES),
                floatValue(RunOption.SAMPLE_ALPHA), floatValue(RunOption.LOGQ), floatValue(RunOption.BPREG),
                new RowOptimizer(RowOptimizer.Kind.parse(values.get(RunOption.ROW_OPTIMIZER)), floatValue(RunOption.ADAGRAD_LR),
                        floatValue(RunOption.ADAGRAD_MOMENTUM)), maskSeen);
    }

    /** The optimisation settings; throws {@link IllegalArgumentException} for an invalid one. */
    public TrainConfig trainConfig() {
        return new TrainConfig(intValue(RunOption.BATCH), floatValue(RunOption.LR), intValue(RunOption.EPOCHS),
                intValue(RunOption.PATIENCE), longValue(RunOption.SEED), floatValue(RunOption.WEIGHT_DECAY),
                floatValue(RunOption.CLIP_NORM), new LrSchedule(LrSchedule.Kind.fromCliName(values.get(RunOption.LR_SCHEDULE)),
                Double.parseDouble(values.get(RunOption.WARMUP)), 0));
    }

    /** The evaluation protocol (sampled negatives drawn from the training seed). */
    public Protocol protocol() {
        return new Protocol(booleanValue(RunOption.EXCLUDE_SEEN), intValue(RunOption.EVAL_NEGATIVES), longValue(RunOption.SEED));
    }

    /** Options for creating the backend named by {@link RunOption#BACKEND}. */
    public BackendOptions backendOptions() {
        return new BackendOptions(intValue(RunOption.THREADS), Map.of());
    }

    /** The configuration as one JSON object: {@link RunOption} keys, then {@code "remembered": {...}}. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (RunOption o : RunOption.values()) m.put(o.key(), values.get(o));
        m.put(REMEMBERED, new LinkedHashMap<>(remembered));
        return Json.write(m);
    }

    /**
     * Reads {@link #toJson()}'s form. Keys this version does not know are an error (a newer lstmrec wrote them); a
     * known setting missing from the object (an older lstmrec wrote it) takes its default, which is the value that
     * version used.
     *
     * @throws IllegalArgumentException when the text is not such an object
     */
    public static RunConfig fromJson(String json) {
        if (!(Json.parse(json) instanceof Map<?, ?> m)) throw new IllegalArgumentException("run configuration is not a JSON object");
        Map<RunOption, String> given = new EnumMap<>(RunOption.class);
        Map<String, String> remembered = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String key = (String) e.getKey();
            if (key.equals(REMEMBERED)) {
                ((Map<?, ?>) e.getValue()).forEach((k, x) -> remembered.put((String) k, x == null ? null : String.valueOf(x)));
                continue;
            }
            RunOption o = RunOption.byKey(key)
                    .orElseThrow(() -> new IllegalArgumentException("unknown run setting '" + key + "' (written by a newer lstmrec?)"));
            given.put(o, e.getValue() == null ? null : o.canonical(String.valueOf(e.getValue())));
        }
        for (RunOption o : RunOption.values()) {
            // stored as null = unset, kept; missing = what the lstmrec that wrote it used: never a session-log default,
            // which came later than every setting a stored run could lack
            if (!given.containsKey(o)) given.put(o, o.olderValue().orElse(o.defaultValue()));
        }
        return of(given, remembered);
    }

    /**
     * The configuration of a resumed run: this (stored) one, with the changeable settings in {@code given} replaced
     * and the {@code remembered} ones updated. A fixed setting given with another value is an error.
     *
     * @throws ConflictException naming the first setting given with a value other than the stored one
     */
    RunConfig resume(Map<RunOption, String> given, Map<String, String> rememberedNow) {
        Map<RunOption, String> v = new EnumMap<>(values);
        for (Map.Entry<RunOption, String> e : given.entrySet()) {
            RunOption o = e.getKey();
            String stored = values.get(o);
            if (java.util.Objects.equals(stored, e.getValue())) continue;
            if (!o.changeable()) throw new ConflictException(o, stored, e.getValue());
            v.put(o, e.getValue());
        }
        Map<String, String> r = new LinkedHashMap<>(remembered);
        r.putAll(rememberedNow);
        return new RunConfig(v, r);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunConfig c && c.values.equals(values) && c.remembered.equals(remembered);
    }

    @Override
    public int hashCode() {
        return values.hashCode() * 31 + remembered.hashCode();
    }

    @Override
    public String toString() {
        return toJson();
    }

    /** A resumed run was given a fixed setting with a value other than the one the run was started with. */
    public static final class ConflictException extends IllegalArgumentException {
        private final RunOption option;
        private final String stored;
        private final String given;

        ConflictException(RunOption option, String stored, String given) {
            super("setting " + option.key() + " is " + shown(given) + " but the resumed run used " + shown(stored)
                    + "; only " + String.join(", ", RunOption.CHANGEABLE.stream().map(RunOption::key).toList())
                    + " may change when resuming");
            this.option = option;
            this.stored = stored;
            this.given = given;
        }

        /** A value for messages: null reads "unset". */
        public static String shown(String value) {
            return value == null ? "unset" : value;
        }

        public RunOption option() {
            return option;
        }

        /** The value stored with the run (null = unset). */
        public String stored() {
            return stored;
        }

        /** The value given now (null = unset). */
        public String given() {
            return given;
        }
    }
}
