package dev.lstmrec.engine.api;

// THE registry of a training run's settings: each constant is one setting stored with the run's training state
// (docs/checkpoint-format.md, meta "run_config") and restored by a resume. Adding a setting to `lstmrec train` /
// TrainingBuilder is one line here (key = the CLI option without "--", its type, its default, whether a resume may
// change it), plus the builder's setter and the place in RunConfig that reads it. Checked by RunConfigTest.

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A setting of a training run, as stored in its training state. A resumed run takes every setting from the state;
 * a setting given again must have the stored value unless it is {@linkplain #changeable() changeable}
 * ({@link #CHANGEABLE}: epochs, patience, threads, checkpoint-every).
 */
public enum RunOption {
    // data: where and how to read it
    DATA("data", Type.PATH, null, false),
    // a second log whose sessions are the test set: the session-based protocol instead of leave-one-out
    TEST_DATA("test-data", Type.PATH, null, false),
    // a session log's validation split; olderValue: stored runs without it held out the last item of each session
    HOLDOUT("holdout", Type.STRING, "latest", false, "last-item"),
    FORMAT("format", Type.STRING, "auto", false),
    COLUMNS("columns", Type.STRING, null, false),
    DELIMITER("delimiter", Type.STRING, null, false),
    HEADER("header", Type.BOOLEAN, false, false),
    MIN_RATING("min-rating", Type.DOUBLE, null, false),
    MIN_USER_COUNT("min-user-count", Type.INT, 0, false),
    MIN_ITEM_COUNT("min-item-count", Type.INT, 0, false),
    // model
    DIM("dim", Type.INT, Defaults.DIM, false),
    HIDDEN("hidden", Type.INT, Defaults.HIDDEN, false),
    LAYERS("layers", Type.INT, Defaults.LAYERS, false),
    MAX_LEN("max-len", Type.INT, Defaults.MAX_LEN, false),
    DROPOUT("dropout", Type.FLOAT, Defaults.DROPOUT, false),
    EMBEDDING_DROPOUT("embedding-dropout", Type.FLOAT, null, false), // null = --dropout
    HIDDEN_DROPOUT("hidden-dropout", Type.FLOAT, null, false), // null = --dropout
    TIED("tied", Type.BOOLEAN, false, false),
    // training
    BATCH("batch", Type.INT, Defaults.BATCH, false),
    LR("lr", Type.FLOAT, Defaults.LR, false),
    LR_SCHEDULE("lr-schedule", Type.STRING, Defaults.LR_SCHEDULE.kind().cliName(), false),
    WARMUP("warmup", Type.DOUBLE, Defaults.LR_SCHEDULE.warmup(), false),
    EPOCHS("epochs", Type.INT, Defaults.EPOCHS, true),
    PATIENCE("patience", Type.INT, Defaults.PATIENCE, true),
    WEIGHT_DECAY("weight-decay", Type.FLOAT, Defaults.WEIGHT_DECAY, false),
    CLIP_NORM("clip-norm", Type.FLOAT, Defaults.CLIP_NORM, false),
    SEED("seed", Type.LONG, Defaults.SEED, false),
    // training loss (defaults = LossConfig.defaults())
    LOSS("loss", Type.STRING, "auto", false),
    NEGATIVES("negatives", Type.INT, 2048, false),
    SAMPLE_ALPHA("sample-alpha", Type.FLOAT, 0.5f, false),
    LOGQ("logq", Type.FLOAT, 1.0f, false),
    BPREG("bpreg", Type.FLOAT, 1.0f, false),
    ROW_OPTIMIZER("row-optimizer", Type.STRING, "adam", false),
    ADAGRAD_LR("adagrad-lr", Type.FLOAT, 0.05f, false),
    ADAGRAD_MOMENTUM("adagrad-momentum", Type.FLOAT, 0.0f, false),
    // null = as exclude-seen; olderValue: stored runs without the setting trained without masking
    MASK_SEEN("mask-seen", Type.BOOLEAN, null, false, "false"),
    // evaluation protocol
    EXCLUDE_SEEN("exclude-seen", Type.BOOLEAN, Defaults.EXCLUDE_SEEN, false),
    EVAL_NEGATIVES("eval-negatives", Type.INT, Defaults.EVAL_NEGATIVES, false),
    // computation: threads change the SIMD reduction order, so a bit-identical resume needs the stored value (the
    // default when not given again); a different count continues the run correctly but not bit for bit
    BACKEND("backend", Type.STRING, Defaults.BACKEND, false),
    THREADS("threads", Type.INT, Defaults.THREADS, true),
    CHECKPOINT_EVERY("checkpoint-every", Type.INT, 0, true);

    /** The settings a resumed run may change. */
    public static final List<RunOption> CHANGEABLE = Arrays.stream(values()).filter(RunOption::changeable).toList();

    /** How a value is written in the state and compared: each type has one canonical text form. */
    public enum Type { INT, LONG, FLOAT, DOUBLE, BOOLEAN, STRING, PATH }

    private final String key;
    private final Type type;
    private final String defaultValue;
    private final boolean changeable;
    private final String olderValue;
    private String sessionDefault;

    RunOption(String key, Type type, Object defaultValue, boolean changeable) {
        this(key, type, defaultValue, changeable, null);
    }

    // Session logs (the session protocol, --test-data): short sessions, many items that are both inputs and targets.
    // Measured on the Tmall split (bench/RESULTS.md, "Session logs"): a tied 128-wide model at Adam 0.01 learns in
    // 6 epochs what the user-history defaults did not reach in 53; GRU4Rec's dropout (0.5 on embeddings, 0.3 on the
    // LSTM output) ends higher, and a cosine decay over the 10 epochs higher still; 10 epochs keep a one-million-event
    // log well inside 30 minutes on 2 cores. The
    // user-history defaults are unchanged (ML-100K).
    static {
        DIM.sessionDefault = "128";
        HIDDEN.sessionDefault = "128";
        TIED.sessionDefault = "true";
        EMBEDDING_DROPOUT.sessionDefault = "0.5";
        HIDDEN_DROPOUT.sessionDefault = "0.3";
        LR.sessionDefault = "0.01";
        LR_SCHEDULE.sessionDefault = "cosine";
        EPOCHS.sessionDefault = "10";
        PATIENCE.sessionDefault = "3";
    }

    /**
     * The default of a run under the session protocol ({@link #TEST_DATA} given), where it differs from
     * {@link #defaultValue()}; empty otherwise.
     */
    public Optional<String> sessionDefault() {
        return Optional.ofNullable(sessionDefault);
    }

    /** @param olderValue what a stored run that lacks the setting (an older lstmrec wrote it) used, when not the default */
    RunOption(String key, Type type, Object defaultValue, boolean changeable, String olderValue) {
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue == null ? null : String.valueOf(defaultValue);
        this.changeable = changeable;
        this.olderValue = olderValue;
    }

    /**
     * The value of a stored run that lacks this setting: an lstmrec older than the setting wrote it, and the setting's
     * default changed behaviour when it was added, so such a run reads the value it was trained with; empty when
     * the default is that value.
     */
    public Optional<String> olderValue() {
        return Optional.ofNullable(olderValue);
    }

    /** The name in the stored configuration, equal to the {@code lstmrec train} option without "--". */
    public String key() {
        return key;
    }

    public Type type() {
        return type;
    }

    /** The value when the setting is not given; null = unset (no filter, no file: the built-in synthetic data). */
    public String defaultValue() {
        return defaultValue;
    }

    /** Whether a resumed run may give a different value. */
    public boolean changeable() {
        return changeable;
    }

    /** The setting stored under {@code key}, if any. */
    public static Optional<RunOption> byKey(String key) {
        return Arrays.stream(values()).filter(o -> o.key.equals(key)).findFirst();
    }

    /**
     * The canonical text of {@code value} for this setting (so that "0.0030" and "0.003", or a relative and an absolute
     * path to the same file, compare equal); null stays null.
     *
     * @throws IllegalArgumentException naming the setting when the value does not parse as its type
     */
    public String canonical(String value) {
        if (value == null) return null;
        String v = value.trim();
        try {
            return switch (type) {
                case INT -> Integer.toString(Integer.parseInt(v));
                case LONG -> Long.toString(Long.parseLong(v));
                case FLOAT -> Float.toString(Float.parseFloat(v));
                case DOUBLE -> Double.toString(Double.parseDouble(v));
                case BOOLEAN -> switch (v.toLowerCase(Locale.ROOT)) {
                    case "true" -> "true";
                    case "false" -> "false";
                    default -> throw new IllegalArgumentException();
                };
                case STRING -> value;
                case PATH -> Path.of(v).toAbsolutePath().normalize().toString();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + " must be " + type.name().toLowerCase(Locale.ROOT) + ", got '" + value + "'");
        }
    }
}
