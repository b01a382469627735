package dev.lstmrec.engine.api;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.data.DataReader;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.eval.EvalCase;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.io.CheckpointFormatException;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.train.Checkpointing;
import dev.lstmrec.engine.train.Trainer;
import dev.lstmrec.engine.train.TrainingCheckpoints;
import dev.lstmrec.engine.train.TrainingListener;
import dev.lstmrec.engine.train.TrainingResult;
import dev.lstmrec.engine.train.TrainingWindows;
import dev.lstmrec.engine.train.Validation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;

/**
 * Continues training a saved model on events that arrived after it was trained ({@code lstmrec update}): the events
 * extend the stored histories ({@link MergedEvents}), the catalogue grows ({@link GrownWeights}), and the model trains
 * on the windows that end in new events, with up to max-len stored items of context before them, plus a replay
 * fraction of windows from the stored histories so that it does not forget. Validation for early stopping holds out
 * the latest new event of each user that has one (and a history before it), up to {@link ValidationUsers#MAX} users;
 * that event stays in the user's history. The new events come from a file, a {@link Dataset}, or an event journal
 * from the model's journal position on. The optimiser restarts (Adam moments zero; {@code warmup} applies as in
 * {@code train}): carrying the moments over was measured no better (bench/RESULTS.md). The replayed windows are drawn
 * anew every epoch ({@link Trainer#setReplay}) and patience counts every epoch without a new best. Settings are
 * {@link RunOption}s as for {@code train}; the network's shape is the parent's.
 */
public final class UpdateBuilder {
    /**
     * Epochs when none is given: twice train's default for the same data, at most {@link #MAX_DEFAULT_EPOCHS} (20 on
     * session logs and elsewhere). With replay drawn anew every epoch the update no longer memorises a few windows, and
     * its validation on the drifting log kept rising to epochs 13-19 of 20; 10 epochs reached 83% of a retrain's
     * HR@20 there, 20 reached 110% (bench/RESULTS.md). Patience counts every epoch without a new best
     * ({@link Trainer#setPatienceFromBest}), so an update on data that teaches the model little stops early.
     */
    public static final String DEFAULT_EPOCHS = "twice train's default, at most 20";
    static final int MAX_DEFAULT_EPOCHS = 20;
    /**
     * Replay when none is given: windows drawn from the stored histories per window of new events, anew every epoch.
     * 0.5 left the drifting log's updates at 70-75% of a retrain's HR@20; 2 with 20 epochs reached 110% (1 reached about
     * 91%; bench/RESULTS.md).
     */
    public static final double DEFAULT_REPLAY = 2;
    private static final List<RunOption> SHAPE = List.of(RunOption.DIM, RunOption.HIDDEN, RunOption.LAYERS, RunOption.MAX_LEN,
            RunOption.TIED);

    /**
     * The learning rate when none is given: half of train's for the same data. The parent ended its training at a low
     * rate (a cosine schedule ends at 0); restarting at train's full rate knocked a converged model off its optimum: on a
     * log whose behaviour had not changed the update scored below its own parent (97.5% of a full train's HR@20 at
     * train's rate, 98.8% at 0.3 of it), while on the drifting log half of train's rate did as well as the full one and
     * 0.3 of it lost 6% (bench/RESULTS.md).
     */
    public static final String DEFAULT_LR = "half of train's";

    /** An update's default learning rate where train's default is {@code trainLr}. */
    static float defaultLr(float trainLr) {
        return trainLr / 2;
    }

    /** An update's default epochs where train's default is {@code trainEpochs}. */
    static int defaultEpochs(int trainEpochs) {
        return Math.min(MAX_DEFAULT_EPOCHS, 2 * trainEpochs);
    }

    private final SavedModel parent;
    private final Map<RunOption, String> given = new EnumMap<>(RunOption.class);
    private final Map<String, String> remembered = new LinkedHashMap<>();
    private Dataset dataset;
    private Path journal;
    private boolean allowOutOfOrder;
    private double replay = DEFAULT_REPLAY;
    private Path checkpointDir;
    private Path resumeDir;
    private BooleanSupplier stop = () -> false;
    private TrainingListener listener = TrainingListener.SILENT;
    private Backend backendInstance;
    private java.time.Duration timeBudget;

    UpdateBuilder(SavedModel parent) {
        this.parent = Objects.requireNonNull(parent, "parent");
    }

    /** A setting, as {@code lstmrec update --KEY VALUE}; the network's shape (dim, hidden, layers, max-len, tied) is the parent's. */
    public UpdateBuilder set(RunOption option, String value) {
        given.put(Objects.requireNonNull(option, "option"), option.canonical(value));
        return this;
    }

    /** The new events' file ({@code --data}), read with the format settings. */
    public UpdateBuilder data(Path file) {
        return set(RunOption.DATA, file == null ? null : file.toString());
    }

    /** New events already in memory (instead of {@link #data}). */
    public UpdateBuilder dataset(Dataset events) {
        this.dataset = events;
        return this;
    }

    /**
     * The new events are the event journal's in {@code dir} (docs/journal.md) from the model's
     * {@link Lineage#journalPosition} on (all of them when it has none), instead of {@link #data}; the updated model's
     * journal position is the journal's end as read.
     */
    public UpdateBuilder journal(Path dir) {
        this.journal = dir;
        if (dir == null) remembered.remove("journal");
        else remembered.put("journal", dir.toAbsolutePath().normalize().toString());
        return this;
    }

    public UpdateBuilder epochs(int epochs) {
        return set(RunOption.EPOCHS, Integer.toString(epochs));
    }

    /** Windows from the stored histories trained per window of new events (0 = none). */
    public UpdateBuilder replay(double fraction) {
        if (!(fraction >= 0) || Double.isInfinite(fraction)) throw new IllegalArgumentException("replay must be >= 0, got " + fraction);
        this.replay = fraction;
        remembered.put("replay", Double.toString(fraction));
        return this;
    }

    /**
     * Stops training at the first epoch boundary after this much time from the start of {@link #train} (at least one
     * epoch is trained), keeping the best epoch; null = no limit. Such an update depends on the machine's speed.
     */
    public UpdateBuilder timeBudget(java.time.Duration budget) {
        if (budget != null && (budget.isNegative() || budget.isZero())) throw new IllegalArgumentException("time budget must be positive, got " + budget);
        this.timeBudget = budget;
        return this;
    }

    /** Takes a known user's events older than their last stored one, merging them into the stored history by time. */
    public UpdateBuilder allowOutOfOrder(boolean allow) {
        this.allowOutOfOrder = allow;
        remembered.put("allow-out-of-order", Boolean.toString(allow));
        return this;
    }

    public UpdateBuilder backend(String name) {
        return set(RunOption.BACKEND, name);
    }

    /** Computes on this backend (the caller keeps owning it). */
    public UpdateBuilder backend(Backend backend) {
        this.backendInstance = backend;
        return this;
    }

    public UpdateBuilder threads(int threads) {
        return set(RunOption.THREADS, Integer.toString(threads));
    }

    public UpdateBuilder seed(long seed) {
        return set(RunOption.SEED, Long.toString(seed));
    }

    /** Saves the training state here after every epoch (and every checkpoint-every batches). */
    public UpdateBuilder checkpointDir(Path dir) {
        this.checkpointDir = dir;
        return this;
    }

    /** Continues the update whose state is in {@code dir}, with its stored settings; the parent must be the same model. */
    public UpdateBuilder resume(Path dir) {
        this.resumeDir = dir;
        return this;
    }

    /** A setting of the caller's own, stored with the state and given back by {@link RunConfig#remembered} after a resume. */
    public UpdateBuilder remember(String key, String value) {
        remembered.put(Objects.requireNonNull(key, "key"), value);
        return this;
    }

    public UpdateBuilder stopWhen(BooleanSupplier stop) {
        this.stop = Objects.requireNonNull(stop, "stop");
        return this;
    }

    public UpdateBuilder listener(TrainingListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** What an update produced: the grown, updated model and how it was trained. */
    public record Result(SavedModel model, TrainingResult training, MergedEvents merged, int newWindows, int replayWindows,
                         int validationCases, double seconds, RunConfig run) {}

    /**
     * The settings of this update (a resumed one's stored settings with the changeable ones given now).
     *
     * @throws IllegalArgumentException for an invalid setting or a shape setting other than the parent's
     * @throws RunConfig.ConflictException when a resume is given a fixed setting with another value
     */
    public RunConfig resolve() throws IOException {
        if (journal != null && (given.get(RunOption.DATA) != null || dataset != null)) {
            throw new IllegalArgumentException("journal and data are two sources of the new events: give one");
        }
        ModelConfig c = parent.config();
        Map<RunOption, String> shape = Map.of(RunOption.DIM, Integer.toString(c.embeddingDim()), RunOption.HIDDEN,
                Integer.toString(c.hiddenDim()), RunOption.LAYERS, Integer.toString(c.layers()), RunOption.MAX_LEN,
                Integer.toString(c.maxLen()), RunOption.TIED, Boolean.toString(c.tied()));
        for (RunOption o : SHAPE) {
            if (given.containsKey(o) && !Objects.equals(given.get(o), o.canonical(shape.get(o)))) {
                throw new IllegalArgumentException(o.key() + " is the parent model's (" + shape.get(o) + "): an update keeps the"
                        + " network's shape, got " + given.get(o));
            }
        }
        Map<RunOption, String> all = new EnumMap<>(given);
        shape.forEach(all::put);
        if (!all.containsKey(RunOption.EPOCHS)) {
            all.put(RunOption.EPOCHS, Integer.toString(defaultEpochs(RunConfig.of(all, remembered).intValue(RunOption.EPOCHS))));
        }
        if (!all.containsKey(RunOption.LR)) {
            all.put(RunOption.LR, Float.toString(defaultLr(RunConfig.of(all, remembered).floatValue(RunOption.LR))));
        }
        if (!given.containsKey(RunOption.DROPOUT) && !given.containsKey(RunOption.EMBEDDING_DROPOUT)) {
            all.put(RunOption.EMBEDDING_DROPOUT, Float.toString(c.embeddingDropout()));
        }
        if (!given.containsKey(RunOption.DROPOUT) && !given.containsKey(RunOption.HIDDEN_DROPOUT)) {
            all.put(RunOption.HIDDEN_DROPOUT, Float.toString(c.hiddenDropout()));
        }
        RunConfig fresh = RunConfig.of(all, remembered);
        RunConfig run = fresh;
        if (resumeDir != null) {
            TrainingCheckpoints.Loaded loaded = TrainingCheckpoints.readLatest(resumeDir);
            if (loaded.runConfig() == null) throw new CheckpointFormatException(loaded.file().toString(), "not the state of an update");
            run = RunConfig.fromJson(loaded.runConfig()).resume(given, remembered);
        }
        run.modelConfig(1);
        run.trainConfig();
        run.lossConfig();
        run.readOptions();
        if (run.intValue(RunOption.THREADS) < 0) throw new IllegalArgumentException("threads must be >= 0, got " + run.get(RunOption.THREADS));
        return run;
    }

    /**
     * Runs the update. The returned model's info records its {@link Lineage} (the parent's checksum, the events seen,
     * the latest event time, and the journal position: where the journal was read up to, or the parent's).
     *
     * @throws dev.lstmrec.engine.data.DataFormatException for a malformed line, or a known user's event older than the
     *                                                     model's last event of that user (without allowOutOfOrder)
     * @throws dev.lstmrec.engine.train.TrainingInterruptedException when {@link #stopWhen} asked to stop
     */
    public Result train() throws IOException {
        long t0 = System.nanoTime();
        long journalFrom = Lineage.of(parent).journalPosition().orElse(0);
        JournalEvents fromJournal = null;
        if (journal != null && resumeDir == null) {
            resolve(); // refuses a second source before the journal is read
            listener.onMessage("reading journal " + journal + " from position " + journalFrom);
            fromJournal = JournalEvents.read(journal, journalFrom, -1);
            remembered.put("journal-to", Long.toString(fromJournal.to())); // a resumed update reads the same events
        }
        RunConfig run = resolve();
        if (resumeDir != null) {
            replay = run.remembered("replay") != null ? Double.parseDouble(run.remembered("replay")) : DEFAULT_REPLAY;
            allowOutOfOrder = Boolean.parseBoolean(run.remembered("allow-out-of-order"));
        }
        Path writeDir = checkpointDir != null ? checkpointDir : resumeDir;
        if (checkpointDir != null && resumeDir == null) TrainingCheckpoints.requireUnused(checkpointDir);
        Backends.Found chosen = backendInstance != null ? null : Backends.choose(run.get(RunOption.BACKEND));
        if (resumeDir != null && run.remembered("journal") != null) {
            fromJournal = JournalEvents.read(Path.of(run.remembered("journal")), journalFrom, Long.parseLong(run.remembered("journal-to")));
        }
        Dataset events = fromJournal != null ? fromJournal.events() : dataset;
        Path file = fromJournal != null ? Path.of(run.remembered("journal")) : run.dataFile();
        if (events == null) {
            if (file == null) throw new IllegalArgumentException("an update needs the new events (data)");
            listener.onMessage("reading " + file);
            events = DataReader.read(file, run.readOptions());
        }
        MergedEvents merged = MergedEvents.merge(parent, events, file != null ? file : Path.of(events.source()), allowOutOfOrder);
        ModelConfig grown = run.modelConfig(merged.numItems());
        listener.onMessage(String.format("new events: %,d from %,d users (%,d new users), %,d new items; catalogue %,d -> %,d items",
                merged.newEvents(), events.numUsers(), merged.userIds().size() - parent.userIds().size(), merged.newItems(),
                merged.storedItems(), merged.numItems()));

        int maxLen = grown.maxLen();
        List<int[]> train = new ArrayList<>();
        List<EvalCase> valid = new ArrayList<>();
        int users = merged.histories().length;
        long[] latestNew = new long[users];
        for (int u = 0; u < users; u++) {
            int last = merged.lastNew()[u];
            latestNew[u] = last <= 0 ? Long.MIN_VALUE : merged.eventTimes() != null ? merged.eventTimes()[u][last] : u;
        }
        boolean[] heldOut = ValidationUsers.choose(latestNew, ValidationUsers.MAX);
        for (int u = 0; u < users; u++) {
            int k = merged.newCount(u);
            if (k == 0) continue;
            int[] h = merged.histories()[u];
            int last = merged.lastNew()[u]; // the user's latest new event: held out for validation (see ValidationUsers)
            if (heldOut[u]) valid.add(new EvalCase(Arrays.copyOfRange(h, Math.max(0, last - maxLen), last), h[last]));
            int start = Math.max(0, merged.firstNew()[u] - maxLen); // context before the first new event
            int end = heldOut[u] ? last : last + 1; // the window ends before the held-out event
            if ((heldOut[u] ? k - 1 : k) >= 1 && end - start >= 2) train.add(Arrays.copyOfRange(h, start, end));
        }
        if (train.isEmpty()) {
            throw new IllegalArgumentException("no user has two or more new events: nothing to train on once each user's latest new"
                    + " event is held out for validation");
        }
        if (valid.isEmpty()) throw new IllegalArgumentException("no new event has an event before it: nothing to validate on");
        int newSequences = train.size();
        int newWindows = 0, storedWindows = 0;
        for (int[] w : train) newWindows += TrainingWindows.count(w.length, maxLen);
        for (int[] h : parent.histories()) { // the replay pool: every stored history, drawn from anew each epoch
            if (h.length < 2) continue;
            train.add(h);
            storedWindows += TrainingWindows.count(h.length, maxLen);
        }
        int replayWindows = (int) Math.min(storedWindows, Math.round(replay * newWindows));
        listener.onMessage(String.format("training on %,d windows of new events and, each epoch, %,d drawn anew from the %,d of the"
                + " stored histories; validation: the latest new event of %,d users", newWindows, replayWindows, storedWindows, valid.size()));

        long seed = run.longValue(RunOption.SEED);
        Protocol protocol = new Protocol(run.booleanValue(RunOption.EXCLUDE_SEEN), 0, seed);
        String parentChecksum = Lineage.checksum(parent);
        RunFingerprint fingerprint = RunFingerprint.of("update;parent=" + parentChecksum + ";replay=" + replay + ";", run,
                merged.numItems(), protocol, train, Validation.cases(valid, protocol));
        TrainingCheckpoints.Loaded state = null;
        if (resumeDir != null) {
            state = TrainingCheckpoints.readLatest(resumeDir);
            state.requireFingerprint(fingerprint::accepts);
            listener.onMessage("resuming from " + state.file() + " at epoch " + state.state().epoch());
        }
        Backend b = backendInstance != null ? backendInstance : chosen.create(run.backendOptions());
        try {
            Trainer trainer = new Trainer(b, grown, run.trainConfig(), run.lossConfig());
            trainer.setReplay(newSequences, replayWindows);
            trainer.setPatienceFromBest(true);
            float[] weights = GrownWeights.grow(parent.config(), parent.weights(), grown, merged.newItemCounts(), seed);
            int total = weights.length;
            trainer.setState(weights, new float[total], new float[total], 0);
            if (timeBudget != null) trainer.setDeadline(t0 + timeBudget.toNanos());
            Checkpointing checkpointing = new Checkpointing(writeDir, run.intValue(RunOption.CHECKPOINT_EVERY), fingerprint.value(),
                    run.toJson(), stop, null);
            TrainingResult result = trainer.fit(train, Validation.cases(valid, protocol), listener, checkpointing,
                    state == null ? null : state.state());
            Lineage parentLineage = Lineage.of(parent);
            OptionalLong latest = java.util.stream.LongStream.concat(merged.latest().stream(), parentLineage.lastTime().stream()).max();
            Map<String, String> info = new LinkedHashMap<>(parent.info());
            info.keySet().removeIf(k -> k.startsWith("test.")); // the parent's test figures do not describe this model
            info.put("loss", run.lossConfig().describe(grown.numItems()));
            info.put("update.dataset", events.source());
            info.put("backend", b.name());
            info.put("best_epoch", Integer.toString(result.bestEpoch()));
            info.put("update.events", Long.toString(merged.newEvents()));
            info.put("update.new_items", Integer.toString(merged.newItems()));
            // a model keeps the journal events its parent contains; events from the journal take it to where they were read
            OptionalLong journalPosition = fromJournal != null ? OptionalLong.of(fromJournal.to()) : parentLineage.journalPosition();
            info = new Lineage(parentLineage.events() + merged.newEvents(), latest, parentChecksum, journalPosition).into(info);
            SavedModel model = new SavedModel(grown, merged.itemIds(), merged.userIds(), merged.histories(), trainer.downloadWeights(),
                    info, merged.lastTimes(), merged.eventTimes());
            return new Result(model, result, merged, newWindows, replayWindows, valid.size(), (System.nanoTime() - t0) / 1e9, run);
        } finally {
            if (backendInstance == null) b.close();
        }
    }
}
