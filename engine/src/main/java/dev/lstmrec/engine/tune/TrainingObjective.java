package dev.lstmrec.engine.tune;

// The real objective: trains a trial's configuration (its loss included, as Experiment would) with the Trainer on the
// leave-one-out split, or under the session protocol (test-data among the fixed options) on all but the latest training
// sessions, and scores it by validation NDCG@10 under full ranking (the held-out latest sessions scored as train does). Each trial keeps its training state in
// its own checkpoint directory, so a promotion continues the trial (the schedule's horizon is the maximum epochs from
// the start, so stopping at a rung and continuing trains exactly what one uninterrupted `train --epochs MAX` run
// would). The test targets are not touched here; only finalRun, for the winner, evaluates them.

import dev.lstmrec.engine.api.Experiment;
import dev.lstmrec.engine.api.RunFingerprint;
import dev.lstmrec.engine.api.LstmRec;
import dev.lstmrec.engine.api.RunConfig;
import dev.lstmrec.engine.api.RunOption;
import dev.lstmrec.engine.api.SessionExperiment;
import dev.lstmrec.engine.api.TrainingBuilder;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.LeaveOneOut;
import dev.lstmrec.engine.data.Split;
import dev.lstmrec.engine.eval.EvalCase;
import dev.lstmrec.engine.eval.LatestSessionsHoldout;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.train.Checkpointing;
import dev.lstmrec.engine.train.EpochResult;
import dev.lstmrec.engine.train.LossConfig;
import dev.lstmrec.engine.train.TrainConfig;
import dev.lstmrec.engine.train.Trainer;
import dev.lstmrec.engine.train.TrainingCheckpoints;
import dev.lstmrec.engine.train.TrainingListener;
import dev.lstmrec.engine.train.TrainingResult;
import dev.lstmrec.engine.train.TrainingState;
import dev.lstmrec.engine.train.Validation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** Trains trials for real; see the file header. */
public final class TrainingObjective implements Objective {
    private final Dataset data;
    private final Map<String, String> fixed;
    private final Supplier<Backend> backends;
    private final Protocol validation;
    private final Path workDir;
    private final BooleanSupplier stop;
    private final List<int[]> trainSequences = new ArrayList<>();
    private final Validation valid;
    private final String fingerprintPrefix;

    /**
     * @param fixed       {@code train} options every trial shares (e.g. epochs, patience, seed, clip-norm); a trial's
     *                    own configuration overrides them
     * @param backends    creates the backend of one job; each job closes its own, so a trial's device memory is
     *                    released when its job ends however many trials the search runs
     * @param excludeSeen whether validation ranking excludes the user's history, as {@code --exclude-seen}
     * @param workDir     where each trial's checkpoints go ({@code trial-NNN/})
     * @param stop        polled after every batch; when true the trial's state is saved and training stops
     */
    public TrainingObjective(Dataset data, Map<String, String> fixed, Supplier<Backend> backends, boolean excludeSeen, Path workDir,
                             BooleanSupplier stop) {
        this.data = data;
        this.fixed = new LinkedHashMap<>(fixed);
        this.backends = backends;
        this.workDir = workDir;
        this.stop = stop;
        if (RunConfig.sessionLog(fixed.get(RunOption.TEST_DATA.key()), fixed.get(RunOption.FORMAT.key()))) {
            // The session protocol: trials validate on the latest training sessions, as train does; a session log
            // without a test log first gives up its own latest sessions as the test set, as train does.
            this.validation = new Protocol(false, 0, 0);
            Dataset training = fixed.get(RunOption.TEST_DATA.key()) != null ? data : SessionExperiment.LogSplit.latestAsTest(data).train();
            LatestSessionsHoldout split = LatestSessionsHoldout.split(training);
            if (split.validation().isEmpty()) throw new IllegalArgumentException(data.source() + ": no training session has 2 or more items");
            trainSequences.addAll(split.train());
            valid = Validation.sessions(split.validation());
            fingerprintPrefix = "session-latest;";
            return;
        }
        this.validation = new Protocol(excludeSeen, 0, 0);
        Split split = LeaveOneOut.split(data);
        if (split.numEvaluated() == 0) {
            throw new IllegalArgumentException(data.source() + ": no user has the " + LeaveOneOut.MIN_LENGTH
                    + " interactions needed for a leave-one-out split");
        }
        List<EvalCase> validCases = new ArrayList<>();
        for (int u = 0; u < data.numUsers(); u++) trainSequences.add(split.trainSequence(u));
        for (int u : split.evaluatedUsers()) validCases.add(new EvalCase(split.validHistory(u), split.validTarget(u)));
        valid = Validation.cases(validCases, validation);
        fingerprintPrefix = "";
    }

    /** The full {@code train} options of {@code trial}: the fixed ones, overridden by its configuration. */
    public Map<String, String> options(Trial trial) {
        Map<String, String> all = new LinkedHashMap<>(fixed);
        all.putAll(trial.config());
        return all;
    }

    /** The trial's settings as a builder (not yet given data). */
    public TrainingBuilder builder(Trial trial) {
        return TrainOptions.apply(LstmRec.trainer(), options(trial));
    }

    /** Where {@code trial} keeps its training state. */
    public Path trialDir(Trial trial) {
        return workDir.resolve(String.format("trial-%03d", trial.id()));
    }

    @Override
    public Outcome advance(Trial trial, int toEpoch, Progress progress) throws IOException {
        TrainingBuilder b = builder(trial);
        ModelConfig model = b.modelConfig(data.numItems());
        TrainConfig full = horizonFixed(b.trainConfig());
        RunConfig run = b.resolve();
        LossConfig loss = run.lossConfig(); // the trial's loss, as Experiment trains it (loss/negatives/tied may be searched)
        RunFingerprint fingerprint = RunFingerprint.of(fingerprintPrefix, run, data.numItems(), validation, trainSequences, valid);
        Path dir = trialDir(trial);
        TrainingState resume = null;
        if (hasState(dir)) {
            TrainingCheckpoints.Loaded loaded = TrainingCheckpoints.readLatest(dir);
            loaded.requireFingerprint(fingerprint::accepts);
            resume = loaded.state();
        }
        String runConfig = run.toJson(); // stored with the state, so `train --resume TRIAL-DIR` would continue it
        try (Backend backend = backends.get()) {
            return advance(backend, model, full, loss, fingerprint.value(), runConfig, resume, dir, toEpoch, progress);
        }
    }

    private Outcome advance(Backend backend, ModelConfig model, TrainConfig full, LossConfig loss, String fingerprint, String runConfig,
                            TrainingState resume, Path dir, int toEpoch, Progress progress) {
        Trainer trainer = new Trainer(backend, model, full.withEpochs(Math.min(toEpoch, full.epochs())), loss);
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onEpoch(EpochResult r) {
                progress.onEpoch(r.epoch(), r.validation().get(Trainer.SELECTION_METRIC, Trainer.SELECTION_CUTOFF), r.seconds());
            }
        };
        TrainingResult r = trainer.fit(trainSequences, valid, listener, new Checkpointing(dir, 0, fingerprint, runConfig, stop, dir), resume);
        return new Outcome(r.bestValidation().get(Trainer.SELECTION_METRIC, Trainer.SELECTION_CUTOFF), r.bestEpoch(), r.epochs().size(), r.stoppedEarly());
    }

    /**
     * The winner's whole pipeline result: its best weights (resumed from its checkpoints through
     * {@link TrainingBuilder#resume}; an epoch is re-run only if the last one was not saved), test metrics and the
     * popularity baseline under its protocol options. The only place the test targets are evaluated.
     */
    public Experiment.Result finalRun(Trial trial, TrainingListener listener) throws IOException {
        try (Backend backend = backends.get()) {
            return builder(trial).dataset(data).backend(backend).resume(trialDir(trial)).stopWhen(stop).listener(listener).train();
        }
    }

    /** Deletes the checkpoints of a trial that will never train again and is not the leader. */
    @Override
    public void discard(Trial trial) throws IOException {
        Path dir = trialDir(trial);
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    // The decay runs over all --epochs even when a trial is stopped at a rung, as in the printed `train` command.
    private static TrainConfig horizonFixed(TrainConfig t) {
        return new TrainConfig(t.batchSize(), t.lr(), t.epochs(), t.patience(), t.seed(), t.weightDecay(), t.clipNorm(),
                t.schedule().withHorizon(t.epochs()));
    }

    private static boolean hasState(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return false;
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(".lstmrec-state"));
        }
    }
}
