package dev.lstmrec.engine.api;

// The time-ordered replay of a log behind `lstmrec backtest`: train on the first fraction of time, then for each of
// C later chunks of equal event count score every event from the user's history up to it, then update the models per
// mode. Checked by BacktestTest (chunking, the history-up-to-the-event rule, new-item metrics, refusal of logs without
// times, resume) and the CLI's BacktestCliTest.

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.eval.EvalCase;
import dev.lstmrec.engine.eval.Evaluator;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.eval.ModelScorer;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.io.AtomicFiles;
import dev.lstmrec.engine.io.Json;
import dev.lstmrec.engine.model.LstmNetwork;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.model.Parameters;
import dev.lstmrec.engine.train.Checkpointing;
import dev.lstmrec.engine.train.Trainer;
import dev.lstmrec.engine.train.TrainingListener;
import dev.lstmrec.engine.train.TrainingResult;
import dev.lstmrec.engine.train.Validation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Replays a time-stamped log as production would have lived it ({@code lstmrec backtest}). All events are put in one
 * time order (ties: user, then the user's own order). The models train on the events before
 * {@code first time + initial · (last time − first time)} (n0 events); the R events after them are cut into C chunks
 * of equal event count (chunk c holds the events {@code [n0 + ⌊c·R/C⌋, n0 + ⌊(c+1)·R/C⌋)} of the time order). For each
 * chunk:
 * <ol>
 *   <li>every event with at least one earlier event of its user is a next-item case whose history is that user's
 *   events before it (earlier chunks and earlier events of the same chunk, never itself or a later event), ranked
 *   against all items of the model's catalogue (history excluded or not per {@code exclude-seen}; ties against the
 *   target). A target the model does not know is a miss, and so is a history with no item the model knows. Metrics
 *   are kept over all cases and over the cases whose target is new (not in the initial training data);</li>
 *   <li>then each mode updates: {@code frozen} never, {@code incremental} runs {@link UpdateBuilder} on the chunk's
 *   events, {@code retrain} trains from scratch on everything up to the chunk's end, both with the same settings and
 *   the same held-out events (the latest event of the chunk of each user who has one validates; see {@link #train}).
 *   The initial models train the same way, their last chunk-sized slice of events in the role of the chunk.</li>
 * </ol>
 * The popularity baseline scores the same cases by the counts of all events before each one, over the whole log's
 * catalogue. With a work directory each finished chunk's results and the models it ends with are stored atomically,
 * and running again with the same log and settings continues after the last finished chunk.
 */
public final class Backtest {
    /** The initial fraction of time when none is given. */
    public static final double DEFAULT_INITIAL = 0.5;
    /** What a case the model cannot score (unknown target, or no known item in the history) gets as rank. */
    static final int MISS = Integer.MAX_VALUE;
    private static final int SKIPPED = -1;
    private static final int CASE_BLOCK = 2048;
    private static final String STATE = "backtest.json";

    /** How a model follows the log. */
    public enum Mode {
        INCREMENTAL, RETRAIN, FROZEN;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** A comma-separated list such as {@code incremental,retrain,frozen}, in the order given, without repeats. */
        public static List<Mode> parseList(String s) {
            List<Mode> out = new ArrayList<>();
            for (String part : s.split(",")) {
                String p = part.trim();
                Mode m = Arrays.stream(values()).filter(x -> x.key().equals(p)).findFirst().orElseThrow(() ->
                        new IllegalArgumentException("modes: unknown mode '" + p + "' (incremental, retrain, frozen)"));
                if (out.contains(m)) throw new IllegalArgumentException("modes: '" + p + "' given twice");
                out.add(m);
            }
            return out;
        }
    }

    /**
     * The replay's order and cut: {@code order[j]} is the j-th event in time order as the log's flat event index
     * ({@link Dataset#eventIndex}), {@code userOf[k]} the user of flat event k, {@code position[k]} its place in the
     * user's sequence; events {@code [0, initialEvents)} train the initial models; chunk c is
     * {@code [chunkStart[c], chunkStart[c + 1])}.
     */
    public record Plan(int[] order, int[] userOf, int[] position, int initialEvents, int[] chunkStart, long cutTime) {
        public int chunks() {
            return chunkStart.length - 1;
        }

        /** Flags over flat event indices for time-order positions [from, to). */
        boolean[] marks(int from, int to) {
            boolean[] keep = new boolean[order.length];
            for (int j = from; j < to; j++) keep[order[j]] = true;
            return keep;
        }
    }

    /**
     * Orders the log's events in time and cuts it.
     *
     * @throws IllegalArgumentException when the log has no times, or the cut leaves no initial events or fewer events
     *                                  than chunks after it
     */
    public static Plan plan(Dataset log, double initial, int chunks) {
        if (!log.timed()) {
            throw new IllegalArgumentException(log.source() + " has no time stamps: a backtest replays a log in time order; use a"
                    + " format with a time column (ml-100k, ml-1m, ml-csv, gru4rec, or generic with a time column)");
        }
        if (!(initial > 0 && initial < 1)) throw new IllegalArgumentException("initial must be in (0, 1), got " + initial);
        if (chunks < 1) throw new IllegalArgumentException("chunks must be >= 1, got " + chunks);
        int n = (int) log.numInteractions();
        int[] userOf = new int[n], position = new int[n];
        long[] time = new long[n];
        long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
        for (int u = 0; u < log.numUsers(); u++) {
            for (int i = 0; i < log.sequenceLength(u); i++) {
                int k = log.eventIndex(u, i);
                userOf[k] = u;
                position[k] = i;
                time[k] = log.timeAt(u, i);
                min = Math.min(min, time[k]);
                max = Math.max(max, time[k]);
            }
        }
        // flat indices are user-major in each user's time order, so (time, flat index) is a time order that keeps
        // every user's own order
        Integer[] boxed = new Integer[n];
        for (int k = 0; k < n; k++) boxed[k] = k;
        Arrays.sort(boxed, (a, b) -> time[a] != time[b] ? Long.compare(time[a], time[b]) : Integer.compare(a, b));
        int[] order = new int[n];
        for (int j = 0; j < n; j++) order[j] = boxed[j];
        long cut = min + (long) Math.floor(initial * (max - min));
        int n0 = 0;
        while (n0 < n && time[order[n0]] < cut) n0++;
        if (n0 == 0) throw new IllegalArgumentException("no event before the initial cut (" + initial + " of the log's time span)");
        int rest = n - n0;
        if (rest < chunks) {
            throw new IllegalArgumentException("only " + rest + " events after the initial " + initial + " of the time span: fewer than "
                    + chunks + " chunks");
        }
        int[] starts = new int[chunks + 1];
        for (int c = 0; c <= chunks; c++) starts[c] = n0 + (int) ((long) c * rest / chunks);
        return new Plan(order, userOf, position, n0, starts, cut);
    }

    /** Ranking metrics over all cases and over the cases whose target is new. */
    public record Scores(Metrics all, Metrics newItems) {}

    /** One mode's result on one chunk: its scores before the update and the update's training seconds. */
    public record ModeChunk(Mode mode, Scores scores, double trainSeconds, String note) {}

    /**
     * One chunk: its events, the cases scored (events with a history), those with a new target, the time span
     * (milliseconds), each mode's result and the popularity baseline's scores.
     */
    public record Chunk(int index, int events, int cases, int newItemCases, long firstTime, long lastTime, List<ModeChunk> modes,
                        Scores popularity) {
        public ModeChunk mode(Mode m) {
            return modes.stream().filter(x -> x.mode() == m).findFirst().orElseThrow();
        }
    }

    /** The whole replay: the initial training's seconds and every chunk. */
    public record Result(Plan plan, List<Mode> modes, double initialSeconds, List<Chunk> chunks) {
        /**
         * The mean over chunks of each metric of {@code mode} over all cases (new-item cases: {@code newItems}; chunks
         * without such cases left out).
         */
        public Map<String, Double> mean(Mode mode, boolean newItems) {
            return meanOf(chunks.stream().map(c -> pick(c.mode(mode).scores(), newItems)).toList());
        }

        public Map<String, Double> meanPopularity(boolean newItems) {
            return meanOf(chunks.stream().map(c -> pick(c.popularity(), newItems)).toList());
        }

        /** Training seconds of {@code mode} over all chunks (the shared initial training not included). */
        public double totalSeconds(Mode mode) {
            return chunks.stream().mapToDouble(c -> c.mode(mode).trainSeconds()).sum();
        }

        private static Metrics pick(Scores s, boolean newItems) {
            return newItems ? s.newItems() : s.all();
        }

        /** The mean over the chunks that have cases (a chunk without new-item targets says nothing about them). */
        private static Map<String, Double> meanOf(List<Metrics> ms) {
            List<Metrics> some = ms.stream().filter(m -> m.cases() > 0).toList();
            Map<String, Double> out = new LinkedHashMap<>();
            for (String k : ms.get(0).asMap().keySet()) out.put(k, 0.0);
            for (Metrics m : some) m.asMap().forEach((k, v) -> out.merge(k, v / some.size(), Double::sum));
            return out;
        }
    }

    private final Dataset log;
    private final Map<RunOption, String> options = new EnumMap<>(RunOption.class);
    private double initial = DEFAULT_INITIAL;
    private int chunks = 8;
    private List<Mode> modes = List.of(Mode.INCREMENTAL, Mode.RETRAIN, Mode.FROZEN);
    private Path workDir;
    private Backend backend;
    private TrainingListener listener = TrainingListener.SILENT;
    private Consumer<Chunk> onChunk = c -> {};
    private final Map<SavedModel, String> savedAs = new java.util.IdentityHashMap<>(); // models already in the work directory

    Backtest(Dataset log) {
        this.log = Objects.requireNonNull(log, "log");
    }

    /** A training setting, as {@code lstmrec train --KEY VALUE}, for the initial training, the retrains and the updates. */
    public Backtest set(RunOption option, String value) {
        options.put(Objects.requireNonNull(option, "option"), option.canonical(value));
        return this;
    }

    public Backtest initial(double fraction) {
        this.initial = fraction;
        return this;
    }

    public Backtest chunks(int chunks) {
        this.chunks = chunks;
        return this;
    }

    public Backtest modes(List<Mode> modes) {
        if (modes.isEmpty()) throw new IllegalArgumentException("modes: at least one");
        this.modes = List.copyOf(modes);
        return this;
    }

    /** Stores each finished chunk and the models here; a later run with the same log and settings continues. */
    public Backtest workDir(Path dir) {
        this.workDir = dir;
        return this;
    }

    /** Computes on this backend (the caller keeps owning it). */
    public Backtest backend(Backend backend) {
        this.backend = backend;
        return this;
    }

    public Backtest listener(TrainingListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** Called after each chunk, resumed ones included, in order. */
    public Backtest onChunk(Consumer<Chunk> onChunk) {
        this.onChunk = Objects.requireNonNull(onChunk, "onChunk");
        return this;
    }

    /** The settings of the trainings and updates, checked. */
    public RunConfig resolve() {
        RunConfig run = RunConfig.of(options);
        run.modelConfig(1);
        run.trainConfig();
        run.lossConfig();
        return run;
    }

    /** Runs (or continues) the replay. */
    public Result run() throws IOException {
        Objects.requireNonNull(backend, "backend");
        RunConfig run = resolve();
        Plan plan = plan(log, initial, chunks);
        Protocol protocol = new Protocol(run.booleanValue(RunOption.EXCLUDE_SEEN), 0, run.longValue(RunOption.SEED));
        boolean[] initialItem = new boolean[log.numItems() + 1];
        for (int j = 0; j < plan.initialEvents(); j++) initialItem[log.itemAt(plan.userOf()[plan.order()[j]], plan.position()[plan.order()[j]])] = true;
        listener.onMessage(String.format("backtest: %,d events; the first %,d (before %s) train the initial models, then %d chunks"
                        + " of about %,d events", plan.order().length, plan.initialEvents(), java.time.Instant.ofEpochMilli(plan.cutTime()),
                plan.chunks(), (plan.order().length - plan.initialEvents()) / plan.chunks()));

        if (!run.sessionDefaultsUsed().isEmpty()) {
            listener.onMessage("session log: session-log defaults " + String.join(" ", run.sessionDefaultsUsed()));
        }
        String fingerprint = fingerprint(run);
        List<Chunk> done = new ArrayList<>();
        Map<Mode, SavedModel> models = new EnumMap<>(Mode.class);
        double initialSeconds;
        Map<String, Object> state = workDir == null ? null : readState(fingerprint);
        if (state != null) {
            initialSeconds = ((Number) state.get("initial_seconds")).doubleValue();
            @SuppressWarnings("unchecked") List<Object> stored = (List<Object>) state.get("chunks");
            for (Object o : stored) done.add(chunkFromJson(castMap(o)));
            @SuppressWarnings("unchecked") Map<String, Object> files = (Map<String, Object>) state.get("models");
            for (Mode m : modes) models.put(m, SavedModel.load(workDir.resolve((String) files.get(m.key()))));
            listener.onMessage("resuming the backtest in " + workDir + " after chunk " + done.size() + " of " + plan.chunks());
            for (Chunk c : done) onChunk.accept(c);
        } else {
            long t0 = System.nanoTime();
            listener.onMessage("training the initial model on " + plan.initialEvents() + " events");
            int slice = (plan.order().length - plan.initialEvents()) / plan.chunks(); // a chunk's size: see train
            SavedModel first = train(plan, Math.max(0, plan.initialEvents() - slice), plan.initialEvents(), run,
                    log.source() + " (initial " + initial + " of time)");
            initialSeconds = (System.nanoTime() - t0) / 1e9;
            listener.onMessage(String.format(Locale.ROOT, "initial training took %.1f s (%.1f CPU s of the process so far)", initialSeconds,
                    cpuSeconds()));
            for (Mode m : modes) models.put(m, first);
            save(fingerprint, initialSeconds, done, models);
        }

        long[] counts = new long[log.numItems() + 1];
        int startChunk = done.size();
        for (int j = 0; j < plan.chunkStart()[startChunk]; j++) counts[itemOfOrder(plan, j)]++;
        for (int c = startChunk; c < plan.chunks(); c++) {
            int from = plan.chunkStart()[c], to = plan.chunkStart()[c + 1];
            boolean[] newTarget = new boolean[to - from];
            int cases = 0, newCases = 0;
            for (int j = from; j < to; j++) {
                int k = plan.order()[j];
                if (plan.position()[k] == 0) continue;
                cases++;
                if (!initialItem[itemOfOrder(plan, j)]) {
                    newTarget[j - from] = true;
                    newCases++;
                }
            }
            Scores pop = scores(popularityRanks(log, plan, from, to, counts, protocol.excludeSeen()), newTarget);
            List<ModeChunk> results = new ArrayList<>();
            Map<Mode, Scores> scored = new EnumMap<>(Mode.class);
            Map<SavedModel, Scores> byModel = new java.util.IdentityHashMap<>(); // modes that share a model are scored once
            for (Mode m : modes) {
                SavedModel model = models.get(m);
                Scores s = byModel.get(model);
                if (s == null) {
                    long t0 = System.nanoTime();
                    double cpu0 = cpuSeconds();
                    s = scores(modelRanks(model, log, plan, from, to, protocol, backend), newTarget);
                    byModel.put(model, s);
                    listener.onMessage(String.format(Locale.ROOT, "chunk %d: scored its %,d cases with the %s model in %.1f s (%.1f CPU s)",
                            c + 1, cases, m.key(), (System.nanoTime() - t0) / 1e9, cpuSeconds() - cpu0));
                }
                scored.put(m, s);
            }
            for (Mode m : modes) {
                long t0 = System.nanoTime();
                double cpu0 = cpuSeconds();
                String note = "";
                if (m == Mode.INCREMENTAL) {
                    listener.onMessage("chunk " + (c + 1) + ": incremental update on its " + (to - from) + " events");
                    Dataset chunk = log.keepEvents(plan.marks(from, to), log.source() + " (chunk " + (c + 1) + ")");
                    try {
                        models.put(m, update(models.get(m), chunk));
                    } catch (NothingToTrainException e) {
                        note = e.getMessage();
                    }
                } else if (m == Mode.RETRAIN) {
                    listener.onMessage("chunk " + (c + 1) + ": retraining on the " + to + " events up to its end");
                    models.put(m, train(plan, from, to, run, log.source() + " (up to chunk " + (c + 1) + ")"));
                }
                double seconds = m == Mode.FROZEN ? 0 : (System.nanoTime() - t0) / 1e9;
                if (m != Mode.FROZEN) {
                    listener.onMessage(String.format(Locale.ROOT, "chunk %d: %s took %.1f s (%.1f CPU s)", c + 1, m.key(), seconds,
                            cpuSeconds() - cpu0));
                }
                results.add(new ModeChunk(m, scored.get(m), seconds, note));
            }
            long firstTime = timeOfOrder(plan, from), lastTime = timeOfOrder(plan, to - 1);
            Chunk chunk = new Chunk(c + 1, to - from, cases, newCases, firstTime, lastTime, results, pop);
            done.add(chunk);
            if (workDir != null) save(fingerprint, initialSeconds, done, models);
            onChunk.accept(chunk);
        }
        return new Result(plan, modes, initialSeconds, done);
    }

    /**
     * The process's CPU seconds so far (all threads), NaN where the JVM does not say: on a shared machine the wall
     * seconds say little, the CPU seconds what the work costs.
     */
    private static double cpuSeconds() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean hs ? hs.getProcessCpuTime() / 1e9 : Double.NaN;
    }

    private int itemOfOrder(Plan plan, int j) {
        int k = plan.order()[j];
        return log.itemAt(plan.userOf()[k], plan.position()[k]);
    }

    private long timeOfOrder(Plan plan, int j) {
        int k = plan.order()[j];
        return log.timeAt(plan.userOf()[k], plan.position()[k]);
    }

    /**
     * Trains a model from scratch on the events of time-order positions [0, end), holding out for early stopping what
     * an update of the events [recentFrom, end) would hold out: the latest of them of each user who has one (and an
     * earlier event), up to {@link ValidationUsers#MAX} users. A retrain (recentFrom = the chunk's start) thus trains on the same events as the incremental
     * update of that chunk, and no event is set aside as a test set: the backtest's test is the next chunk.
     */
    private SavedModel train(Plan plan, int recentFrom, int end, RunConfig run, String source) {
        long[] latest = new long[log.numUsers()]; // time of each user's latest event in [recentFrom, end) with one before it
        Arrays.fill(latest, Long.MIN_VALUE);
        for (int j = recentFrom; j < end; j++) {
            int k = plan.order()[j];
            if (plan.position()[k] > 0) latest[plan.userOf()[k]] = j; // the time order itself
        }
        boolean[] recent = ValidationUsers.choose(latest, ValidationUsers.MAX);
        boolean[] keep = plan.marks(0, end);
        Dataset data = log.keepEvents(keep, source);
        ModelConfig config = run.modelConfig(data.numItems());
        List<int[]> sequences = new ArrayList<>(data.numUsers());
        List<EvalCase> valid = new ArrayList<>();
        int v = 0;
        for (int u = 0; u < log.numUsers(); u++) {
            if (log.sequenceLength(u) == 0 || !keep[log.eventIndex(u, 0)]) continue; // keepEvents drops users left empty
            int[] h = data.sequence(v++);
            int last = h.length - 1;
            if (recent[u] && last > 0) {
                valid.add(new EvalCase(Arrays.copyOfRange(h, Math.max(0, last - config.maxLen()), last), h[last]));
                sequences.add(Arrays.copyOf(h, last));
            } else {
                sequences.add(h);
            }
        }
        listener.onMessage(String.format(Locale.ROOT, "training from scratch on %,d events of %,d users, %,d items; validation: the"
                + " latest event of %,d users active in the last %,d events", data.numInteractions(), data.numUsers(),
                data.numItems(), valid.size(), end - recentFrom));
        Protocol validation = new Protocol(run.booleanValue(RunOption.EXCLUDE_SEEN), 0, run.longValue(RunOption.SEED));
        Trainer trainer = new Trainer(backend, config, run.trainConfig(), run.lossConfig());
        TrainingResult result = trainer.fit(sequences, Validation.cases(valid, validation), listener, Checkpointing.none(), null);
        Map<String, String> info = new LinkedHashMap<>();
        info.put("dataset", source);
        info.put("backend", backend.name());
        info.put("loss", run.lossConfig().describe(config.numItems()));
        info.put("best_epoch", Integer.toString(result.bestEpoch()));
        return Experiment.savedModel(data, config, trainer.downloadWeights(), info);
    }

    /** Thrown inside when a chunk has nothing an update can train on; the model stays as it was. */
    private static final class NothingToTrainException extends Exception {
        NothingToTrainException(String message) {
            super(message);
        }
    }

    private SavedModel update(SavedModel model, Dataset chunk) throws IOException, NothingToTrainException {
        UpdateBuilder b = LstmRec.updater(model).dataset(chunk).backend(backend).listener(listener);
        options.forEach((o, v) -> {
            if (takenByUpdate(o)) b.set(o, v);
        });
        try {
            return b.train().model();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("no user has two or more new events")) {
                throw new NothingToTrainException("not updated: " + e.getMessage());
            }
            throw e;
        }
    }

    /** The settings an update takes: all but the network's shape (the parent's), the data and the held-out protocol. */
    static boolean takenByUpdate(RunOption o) {
        if (o == RunOption.DROPOUT || o == RunOption.EMBEDDING_DROPOUT || o == RunOption.HIDDEN_DROPOUT) return true;
        return o.group() != RunOption.Group.MODEL && o != RunOption.DATA && o != RunOption.TEST_DATA && o != RunOption.HOLDOUT
                && o != RunOption.EVAL_NEGATIVES;
    }

    /**
     * The rank of every event in time-order positions [from, to) under {@code model}: {@link #SKIPPED} for an event
     * without history, {@link #MISS} when the model cannot score it, else the 0-based conservative rank among all of
     * the model's items. The history of an event is its user's events before it, mapped to the model's items (unknown
     * ones dropped).
     */
    static int[] modelRanks(SavedModel model, Dataset log, Plan plan, int from, int to, Protocol protocol, Backend backend) {
        Map<String, Integer> index = model.itemIndex();
        int[] map = new int[log.numItems() + 1];
        for (int i = 1; i <= log.numItems(); i++) map[i] = index.getOrDefault(log.itemId(i), 0);
        int[] ranks = new int[to - from];
        try (Parameters weights = new Parameters(backend, model.config(), new ParameterLayout(model.config()));
             LstmNetwork network = new LstmNetwork(backend, weights, null);
             Evaluator evaluator = new Evaluator(backend, model.config().numItems())) {
            backend.upload(weights.slab(), model.weights(), 0);
            ModelScorer scorer = new ModelScorer(network, weights);
            List<EvalCase> block = new ArrayList<>(CASE_BLOCK);
            List<Integer> where = new ArrayList<>(CASE_BLOCK);
            for (int j = from; j < to; j++) {
                int k = plan.order()[j], u = plan.userOf()[k], pos = plan.position()[k];
                if (pos == 0) {
                    ranks[j - from] = SKIPPED;
                    continue;
                }
                int target = map[log.itemAt(u, pos)];
                int[] history = new int[pos];
                int h = 0;
                for (int i = 0; i < pos; i++) { // the user's events before this one: never itself or a later one
                    int m = map[log.itemAt(u, i)];
                    if (m != 0) history[h++] = m;
                }
                if (target == 0 || h == 0) {
                    ranks[j - from] = MISS;
                    continue;
                }
                block.add(new EvalCase(h == pos ? history : Arrays.copyOf(history, h), target));
                where.add(j - from);
                if (block.size() == CASE_BLOCK) flush(evaluator, scorer, block, where, protocol, ranks);
            }
            flush(evaluator, scorer, block, where, protocol, ranks);
        }
        return ranks;
    }

    private static void flush(Evaluator evaluator, ModelScorer scorer, List<EvalCase> block, List<Integer> where, Protocol protocol,
                              int[] ranks) {
        if (block.isEmpty()) return;
        int[] r = evaluator.ranks(scorer, block, protocol);
        for (int i = 0; i < r.length; i++) ranks[where.get(i)] = r[i];
        block.clear();
        where.clear();
    }

    /**
     * The popularity baseline's rank of every event in time-order positions [from, to), counting every event before
     * it: {@code counts} holds the counts of the events before {@code from} and is advanced past {@code to - 1}. The rank
     * is the number of other items (not in the history when {@code excludeSeen}) counted at least as often as the
     * target, over the whole log's catalogue; a Fenwick tree over count values makes it O(log E + history) per event.
     */
    static int[] popularityRanks(Dataset log, Plan plan, int from, int to, long[] counts, boolean excludeSeen) {
        int n = log.numItems();
        int size = plan.order().length + 2;
        long[] tree = new long[size + 1];
        // frequency of each count value, shifted by one so that count 0 is index 1
        for (int i = 1; i <= n; i++) fenwickAdd(tree, (int) counts[i] + 1, 1);
        int[] seenMark = new int[n + 1];
        Arrays.fill(seenMark, -1);
        int[] ranks = new int[to - from];
        for (int j = from; j < to; j++) {
            int k = plan.order()[j], u = plan.userOf()[k], pos = plan.position()[k];
            int target = log.itemAt(u, pos);
            if (pos == 0) {
                ranks[j - from] = SKIPPED;
            } else {
                long ct = counts[target];
                long atLeast = n - fenwickSum(tree, (int) ct); // items with count >= ct, the target among them
                long rank = atLeast - 1;
                if (excludeSeen) {
                    for (int i = 0; i < pos; i++) {
                        int item = log.itemAt(u, i);
                        if (item == target || seenMark[item] == j) continue;
                        seenMark[item] = j;
                        if (counts[item] >= ct) rank--;
                    }
                }
                ranks[j - from] = (int) rank;
            }
            fenwickAdd(tree, (int) counts[target] + 1, -1);
            counts[target]++;
            fenwickAdd(tree, (int) counts[target] + 1, 1);
        }
        return ranks;
    }

    private static void fenwickAdd(long[] tree, int i, long d) {
        for (; i < tree.length; i += i & -i) tree[i] += d;
    }

    /** Sum of frequencies at indices 1..i (count values 0..i-1). */
    private static long fenwickSum(long[] tree, int i) {
        long s = 0;
        for (i = Math.min(i, tree.length - 1); i > 0; i -= i & -i) s += tree[i];
        return s;
    }

    /** Metrics over the scored cases (skipped ones left out), and over those whose target is new. */
    static Scores scores(int[] ranks, boolean[] newTarget) {
        int[] all = new int[ranks.length], fresh = new int[ranks.length];
        int a = 0, f = 0;
        for (int i = 0; i < ranks.length; i++) {
            if (ranks[i] == SKIPPED) continue;
            all[a++] = ranks[i];
            if (newTarget[i]) fresh[f++] = ranks[i];
        }
        return new Scores(Metrics.fromRanks(Arrays.copyOf(all, a)), Metrics.fromRanks(Arrays.copyOf(fresh, f)));
    }

    // ---- the work directory: one JSON state written atomically after the models it names ----

    private String fingerprint(RunConfig run) {
        return "log=" + log.source() + ";events=" + log.numInteractions() + ";users=" + log.numUsers() + ";items=" + log.numItems()
                + ";initial=" + initial + ";chunks=" + chunks + ";modes=" + modes + ";run=" + run.toJson();
    }

    private Map<String, Object> readState(String fingerprint) throws IOException {
        Path f = workDir.resolve(STATE);
        if (!Files.exists(f)) return null;
        Map<String, Object> state = Json.parseObject(Files.readString(f));
        if (!fingerprint.equals(state.get("fingerprint"))) {
            throw new IllegalArgumentException(workDir + " holds another backtest (other log or settings): use a new work directory");
        }
        return state;
    }

    private void save(String fingerprint, double initialSeconds, List<Chunk> done, Map<Mode, SavedModel> models) throws IOException {
        if (workDir == null) return;
        Files.createDirectories(workDir);
        Map<String, Object> files = new LinkedHashMap<>();
        for (Mode m : modes) {
            SavedModel model = models.get(m);
            String name = savedAs.get(model);
            if (name == null) {
                name = m.key() + "-" + done.size() + ".lstmrec";
                model.save(workDir.resolve(name));
                savedAs.put(model, name);
            }
            files.put(m.key(), name);
        }
        savedAs.values().retainAll(files.values());
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("fingerprint", fingerprint);
        state.put("initial_seconds", initialSeconds);
        state.put("models", files);
        List<Object> chunksJson = new ArrayList<>();
        for (Chunk c : done) chunksJson.add(chunkToJson(c));
        state.put("chunks", chunksJson);
        AtomicFiles.writeString(workDir.resolve(STATE), Json.writePretty(state) + "\n");
        try (var list = Files.list(workDir)) { // models of earlier chunks are no longer named by the state
            for (Path p : list.toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".lstmrec") && !files.containsValue(name)) Files.deleteIfExists(p);
            }
        }
    }

    /** A chunk as the report and the work directory store it. */
    public static Map<String, Object> chunkToJson(Chunk c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("chunk", c.index());
        m.put("events", c.events());
        m.put("cases", c.cases());
        m.put("new_item_cases", c.newItemCases());
        m.put("first_time", c.firstTime());
        m.put("last_time", c.lastTime());
        Map<String, Object> modesJson = new LinkedHashMap<>();
        for (ModeChunk mc : c.modes()) {
            Map<String, Object> x = scoresToJson(mc.scores());
            x.put("train_seconds", mc.trainSeconds());
            if (!mc.note().isEmpty()) x.put("note", mc.note());
            modesJson.put(mc.mode().key(), x);
        }
        m.put("modes", modesJson);
        m.put("popularity", scoresToJson(c.popularity()));
        return m;
    }

    private static Map<String, Object> scoresToJson(Scores s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("all", new LinkedHashMap<>(s.all().asMap()));
        m.put("all_cases", s.all().cases());
        m.put("new_items", new LinkedHashMap<>(s.newItems().asMap()));
        m.put("new_item_cases", s.newItems().cases());
        return m;
    }

    private static Chunk chunkFromJson(Map<String, Object> m) {
        List<ModeChunk> ms = new ArrayList<>();
        for (Map.Entry<String, Object> e : castMap(m.get("modes")).entrySet()) {
            Map<String, Object> x = castMap(e.getValue());
            Mode mode = Mode.parseList(e.getKey()).get(0);
            ms.add(new ModeChunk(mode, scoresFromJson(x), ((Number) x.get("train_seconds")).doubleValue(),
                    x.containsKey("note") ? (String) x.get("note") : ""));
        }
        return new Chunk(((Number) m.get("chunk")).intValue(), ((Number) m.get("events")).intValue(), ((Number) m.get("cases")).intValue(),
                ((Number) m.get("new_item_cases")).intValue(), ((Number) m.get("first_time")).longValue(),
                ((Number) m.get("last_time")).longValue(), ms, scoresFromJson(castMap(m.get("popularity"))));
    }

    private static Scores scoresFromJson(Map<String, Object> m) {
        return new Scores(metrics(castMap(m.get("all")), ((Number) m.get("all_cases")).intValue()),
                metrics(castMap(m.get("new_items")), ((Number) m.get("new_item_cases")).intValue()));
    }

    private static Metrics metrics(Map<String, Object> values, int cases) {
        Map<String, Double> v = new LinkedHashMap<>();
        values.forEach((k, x) -> v.put(k, ((Number) x).doubleValue()));
        return Metrics.of(v, cases);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}
