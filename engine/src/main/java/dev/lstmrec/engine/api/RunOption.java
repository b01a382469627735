package dev.lstmrec.engine.api;

// THE declaration of a training run's settings: each constant is one `lstmrec train` option and one setting stored
// with the run's training state (docs/checkpoint-format.md, meta "run_config"): its key, type, default (and session-log
// default), value label, help text, group, whether a resume may change it and whether tune may search it. The CLI
// builds train's options and tune's refusals from it, README's options table is generated from it (ReadmeOptionsTest),
// and RunConfig gives the typed views the engine reads. Adding a training option is one constant here plus the code
// that uses its value.

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A setting of a training run, as given to {@code lstmrec train} and stored in its training state. A resumed run takes
 * every setting from the state; a setting given again must have the stored value unless it is
 * {@linkplain #changeable() changeable} ({@link #CHANGEABLE}: epochs, patience, threads, checkpoint-every).
 */
public enum RunOption {
    DATA(of("data", Type.PATH, null).in(Group.DATA).label("FILE").defaultText("synthetic")
            .help("Interaction log to read; without it, train uses the built-in synthetic dataset (deterministic, with sequential structure).")),
    TEST_DATA(of("test-data", Type.PATH, null).in(Group.DATA).label("FILE")
            .help("A second log (same format options, no k-core filter), typically later in time, whose sessions are the test set:"
                    + " the session protocol (every next item of every test session, all items ranked, prefix not excluded);"
                    + " validation then holds out part of the training log (--holdout).")),
    FORMAT(of("format", Type.STRING, "auto").in(Group.DATA).label("FORMAT")
            .help("auto, ml-100k, ml-1m, ml-csv, gru4rec (a session log: the session protocol on its latest sessions), sasrec, generic.")),
    COLUMNS(of("columns", Type.STRING, null).in(Group.DATA).label("LIST")
            .help("For generic files: field names in order, e.g. user,item,time or user,item,rating,time (_ skips a field).")),
    DELIMITER(of("delimiter", Type.STRING, null).in(Group.DATA).label("STR").defaultText("detect tab , ;")
            .help("For generic files: the field separator.")),
    HEADER(of("header", Type.BOOLEAN, false).in(Group.DATA).help("For generic files: skip the first line.")),
    MIN_RATING(of("min-rating", Type.DOUBLE, null).in(Group.DATA).label("R").help("Keep only interactions rated at least R.")),
    MIN_USER_COUNT(of("min-user-count", Type.INT, 0).in(Group.DATA).label("N")
            .help("k-core: keep users with at least N interactions (iterated with --min-item-count until stable; 0 = off).")),
    MIN_ITEM_COUNT(of("min-item-count", Type.INT, 0).in(Group.DATA).label("N")
            .help("k-core: keep items with at least N interactions (0 = off).")),

    // Session logs (the session protocol: --test-data or --format gru4rec): short sessions, many items that are both inputs
    // and targets. Measured on the Tmall split (bench/RESULTS.md, "Session logs"): a tied 128-wide model at Adam 0.01
    // learns in 6 epochs what the user-history defaults did not reach in 53; GRU4Rec's dropout (0.5 on embeddings, 0.3
    // on the LSTM output) ends higher, and a cosine decay over the 10 epochs higher still; 10 epochs keep a
    // one-million-event log well inside 30 minutes on 2 cores. The user-history defaults are ML-100K's.
    DIM(of("dim", Type.INT, 64).in(Group.MODEL).label("D").session(128).help("Embedding width d.")),
    HIDDEN(of("hidden", Type.INT, 64).in(Group.MODEL).label("H").session(128).help("LSTM hidden width h.")),
    LAYERS(of("layers", Type.INT, 1).in(Group.MODEL).label("N").help("Stacked LSTM layers.")),
    MAX_LEN(of("max-len", Type.INT, 200).in(Group.MODEL).label("T").help("Longest history unrolled (BPTT truncation).")),
    DROPOUT(of("dropout", Type.FLOAT, 0.2f).in(Group.MODEL).label("P").help("Dropout on the item embeddings and the LSTM outputs.")),
    EMBEDDING_DROPOUT(of("embedding-dropout", Type.FLOAT, null).in(Group.MODEL).label("P").session(0.5f)
            .defaultText("--dropout").help("Dropout on the item embeddings only (a session log's default applies unless --dropout is given).")),
    HIDDEN_DROPOUT(of("hidden-dropout", Type.FLOAT, null).in(Group.MODEL).label("P").session(0.3f)
            .defaultText("--dropout").help("Dropout on each LSTM layer's outputs only (a session log's default applies unless --dropout is given).")),
    TIED(of("tied", Type.BOOLEAN, false).in(Group.MODEL).session(true)
            .help("One item table for the input embedding and the output layer (GRU4Rec's constrained embedding; needs"
                    + " --dim = --hidden, else a session log keeps two tables; the output bias stays).")),

    BATCH(of("batch", Type.INT, 64).in(Group.TRAINING).label("N").help("Sequences per mini-batch.")),
    LR(of("lr", Type.FLOAT, 0.003f).in(Group.TRAINING).label("LR").session(0.01f).help("Adam learning rate.")),
    LR_SCHEDULE(of("lr-schedule", Type.STRING, "constant").in(Group.TRAINING).label("KIND").session("cosine")
            .help("constant, linear or cosine: decay of --lr to 0 over --epochs, after --warmup.")),
    WARMUP(of("warmup", Type.DOUBLE, 0.0).in(Group.TRAINING).label("N|F")
            .help("Linear learning-rate warm-up: N >= 1 steps, or a fraction F < 1 of all steps.")),
    EPOCHS(of("epochs", Type.INT, 60).in(Group.TRAINING).label("N").session(10).changeable()
            .help("Maximum epochs; early stopping may end sooner.")),
    PATIENCE(of("patience", Type.INT, 10).in(Group.TRAINING).label("N").session(3).changeable()
            .help("Stop after this many epochs in a row whose validation NDCG@10 is more than one standard error"
                    + " (sqrt(m(1-m)/n) for score m over n cases) below the best, so a plateau within the validation set's"
                    + " noise goes on; 0 = never.")),
    WEIGHT_DECAY(of("weight-decay", Type.FLOAT, 0f).in(Group.TRAINING).label("W")
            .help("Decoupled (AdamW) weight decay on the weight matrices (LSTM, output), not embeddings or biases.")),
    CLIP_NORM(of("clip-norm", Type.FLOAT, 5f).in(Group.TRAINING).label("N").help("Global gradient-norm clipping; 0 = off.")),
    SEED(of("seed", Type.LONG, 42L).in(Group.TRAINING).label("N").help("Seed for initialisation, shuffling, dropout and sampling.")),

    LOSS(of("loss", Type.STRING, "auto").in(Group.LOSS).label("full|sampled|bpr-max|auto")
            .help("Training loss: full softmax, sampled softmax or BPR-max over in-batch targets + shared negatives;"
                    + " auto = full up to " + String.format(Locale.ROOT, "%,d", dev.lstmrec.engine.train.LossConfig.AUTO_SAMPLED_ABOVE)
                    + " items, sampled above (train prints the choice and why).")),
    NEGATIVES(of("negatives", Type.INT, 2048).in(Group.LOSS).label("K").help("Sampled losses: negatives shared by every row of a step.")),
    SAMPLE_ALPHA(of("sample-alpha", Type.FLOAT, 0.5f).in(Group.LOSS).label("A")
            .help("Sampled losses: negatives drawn from popularity^A; 0 = uniform.")),
    LOGQ(of("logq", Type.FLOAT, 1.0f).in(Group.LOSS).label("W").help("Sampled softmax: weight of the logQ correction; 0 = off.")),
    BPREG(of("bpreg", Type.FLOAT, 1.0f).in(Group.LOSS).label("R").help("BPR-max: score regulariser (GRU4Rec's default).")),
    ROW_OPTIMIZER(of("row-optimizer", Type.STRING, "adam").in(Group.LOSS).label("adam|adagrad")
            .help("Sampled losses: how the item-table rows a step touched are updated: lazy Adam (--lr) or GRU4Rec's"
                    + " Adagrad with momentum (--adagrad-lr, --adagrad-momentum); the LSTM weights always use Adam.")),
    ADAGRAD_LR(of("adagrad-lr", Type.FLOAT, 0.05f).in(Group.LOSS).label("LR").help("--row-optimizer adagrad: learning rate (GRU4Rec's default).")),
    ADAGRAD_MOMENTUM(of("adagrad-momentum", Type.FLOAT, 0.0f).in(Group.LOSS).label("M")
            .help("--row-optimizer adagrad: momentum (GRU4Rec's default).")),
    // null = as the ranking; olderValue: stored runs without the setting trained without masking
    MASK_SEEN(of("mask-seen", Type.BOOLEAN, null).in(Group.LOSS).olderValue("false")
            .defaultText("as the ranking: on with --exclude-seen, off on session logs")
            .help("Full softmax: leave out, at each position, the items the user consumed before it (its target excepted),"
                    + " as the ranking does; --no-mask-seen trains against every item.")),

    EXCLUDE_SEEN(of("exclude-seen", Type.BOOLEAN, true).in(Group.EVALUATION)
            .help("Leave the user's history out of the ranking (leave-one-out; the session protocol ranks every item).")),
    EVAL_NEGATIVES(of("eval-negatives", Type.INT, 0).in(Group.EVALUATION).label("N")
            .help("0: rank against all items; N > 0: the sampled protocol, the target against N uniformly drawn unseen items.")),
    // olderValue: stored runs without it held out the last item of each session
    HOLDOUT(of("holdout", Type.STRING, "latest").in(Group.EVALUATION).label("latest|last-item").olderValue("last-item")
            .help("On a session log, what validation holds out of the training log: latest = the latest sessions (2% of the"
                    + " positions), scored as the test sessions are; last-item = the last item of every session.")),

    // threads change the SIMD reduction order, so a bit-identical resume needs the stored value (the default when not
    // given again); a different count continues the run correctly but not bit for bit
    BACKEND(of("backend", Type.STRING, "auto").in(Group.COMPUTATION).label("NAME")
            .defaultText("auto: the fastest usable, or -Dlstmrec.backend / LSTMREC_BACKEND")
            .help("Compute backend: auto, scalar, simd, cuda.")),
    THREADS(of("threads", Type.INT, 0).in(Group.COMPUTATION).label("N").defaultText("all cores").changeable()
            .help("Worker threads for CPU backends.")),
    CHECKPOINT_EVERY(of("checkpoint-every", Type.INT, 0).in(Group.OUTPUT).label("N").defaultText("after each epoch only").changeable()
            .help("With --checkpoint-dir: also save the training state every N batches within an epoch (lstmrec-spark saves"
                    + " every N rounds with --checkpoint-every-rounds)."));

    /** The settings a resumed run may change. */
    public static final List<RunOption> CHANGEABLE = Arrays.stream(values()).filter(RunOption::changeable).toList();

    /** How a value is written in the state and compared: each type has one canonical text form. */
    public enum Type { INT, LONG, FLOAT, DOUBLE, BOOLEAN, STRING, PATH }

    /**
     * What a setting is about; the order of help and README. Tune may search model, training and loss settings; the
     * others say where the data comes from, how trials are ranked (alike for every trial, so that their scores
     * compare), how the run is computed or where it writes.
     */
    public enum Group {
        DATA("data"), MODEL("model"), TRAINING("training"), LOSS("loss"), EVALUATION("evaluation"),
        COMPUTATION("computation"), OUTPUT("output");

        private final String title;

        Group(String title) {
            this.title = title;
        }

        /** The heading of this group in help and README. */
        public String title() {
            return title;
        }

        /** Whether tune may search the settings of this group. */
        public boolean searchable() {
            return this == MODEL || this == TRAINING || this == LOSS;
        }
    }

    /** The attributes of one declaration, written fluently above; read once by the constructor. */
    private static final class Decl {
        final String key;
        final Type type;
        final Object defaultValue;
        Group group;
        String label;
        String help;
        String defaultText;
        Object sessionDefault;
        String olderValue;
        boolean changeable;

        Decl(String key, Type type, Object defaultValue) {
            this.key = key;
            this.type = type;
            this.defaultValue = defaultValue;
        }

        Decl in(Group g) {
            group = g;
            return this;
        }

        Decl label(String l) {
            label = l;
            return this;
        }

        Decl help(String h) {
            help = h;
            return this;
        }

        Decl defaultText(String t) {
            defaultText = t;
            return this;
        }

        Decl session(Object v) {
            sessionDefault = v;
            return this;
        }

        Decl olderValue(String v) {
            olderValue = v;
            return this;
        }

        Decl changeable() {
            changeable = true;
            return this;
        }
    }

    private static Decl of(String key, Type type, Object defaultValue) {
        return new Decl(key, type, defaultValue);
    }

    private final String key;
    private final Type type;
    private final String defaultValue;
    private final String sessionDefault;
    private final boolean changeable;
    private final String olderValue;
    private final Group group;
    private final String label;
    private final String description;
    private final String defaultText;

    RunOption(Decl d) {
        if (d.group == null || d.help == null) throw new AssertionError(d.key + ": every setting has a group and a help text");
        this.key = d.key;
        this.type = d.type;
        this.defaultValue = d.defaultValue == null ? null : canonical(String.valueOf(d.defaultValue));
        this.sessionDefault = d.sessionDefault == null ? null : canonical(String.valueOf(d.sessionDefault));
        this.changeable = d.changeable;
        this.olderValue = d.olderValue;
        this.group = d.group;
        this.label = d.label;
        this.description = d.help;
        this.defaultText = d.defaultText;
    }

    /** What the setting is about. */
    public Group group() {
        return group;
    }

    /** Whether {@code lstmrec tune} may search this setting (its group's rule). */
    public boolean searchable() {
        return group.searchable();
    }

    /** The value's placeholder in help ({@code D} in {@code --dim=D}); null for a flag. */
    public String label() {
        return label;
    }

    /** One or more sentences for help and README, without the default (see {@link #defaultDescription()}). */
    public String description() {
        return description;
    }

    /**
     * The default as a reader should see it: the value (or what an unset setting means), with the session-log default
     * where there is one ("64; session logs: 128").
     */
    public String defaultDescription() {
        String general = defaultText != null ? defaultText
                : defaultValue == null ? (type == Type.STRING || type == Type.PATH ? "none" : "off")
                : type == Type.BOOLEAN ? (defaultValue.equals("true") ? "on" : "off")
                : defaultValue;
        if (sessionDefault == null) return general;
        String session = type == Type.BOOLEAN ? (sessionDefault.equals("true") ? "on" : "off") : sessionDefault;
        return general + "; session logs: " + session;
    }

    /**
     * The default of a run under the session protocol ({@link #TEST_DATA} given), where it differs from
     * {@link #defaultValue()}; empty otherwise.
     */
    public Optional<String> sessionDefault() {
        return Optional.ofNullable(sessionDefault);
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
