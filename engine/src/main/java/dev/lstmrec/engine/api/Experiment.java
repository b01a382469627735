package dev.lstmrec.engine.api;

// The pipeline behind TrainingBuilder.train(), the one front door for training (the CLI's `train` runs through it):
// split, train (with checkpoints and resume), test against the popularity baseline, package the model. Checked by
// LstmRecTest, TrainerTest and the CLI's CliTest and ResumeTest.

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.LeaveOneOut;
import dev.lstmrec.engine.data.Split;
import dev.lstmrec.engine.data.TestSessions;
import dev.lstmrec.engine.eval.EvalCase;
import dev.lstmrec.engine.eval.Evaluator;
import dev.lstmrec.engine.eval.LastItemHoldout;
import dev.lstmrec.engine.eval.Metric;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.eval.PopularityScorer;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.eval.SessionEvaluator;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.train.Checkpointing;
import dev.lstmrec.engine.train.LossConfig;
import dev.lstmrec.engine.train.RowOptimizer;
import dev.lstmrec.engine.train.TrainConfig;
import dev.lstmrec.engine.train.Trainer;
import dev.lstmrec.engine.train.TrainingCheckpoints;
import dev.lstmrec.engine.train.TrainingListener;
import dev.lstmrec.engine.train.TrainingResult;
import dev.lstmrec.engine.train.TrainingState;
import dev.lstmrec.engine.train.Validation;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32C;

/**
 * The result of a training run ({@link TrainingBuilder#train()}) and the pipeline that makes it: leave-one-out split,
 * training with validation-based early stopping, test evaluation of the best model and of the popularity baseline
 * under the same protocol, and the model to save.
 */
public final class Experiment {
    private Experiment() {}

    /**
     * @param split       the leave-one-out split the run used; null under the session-based protocol
     * @param config      the network configuration
     * @param training    per-epoch history and the chosen epoch
     * @param test        the best model's test metrics
     * @param popularity  the popularity baseline's test metrics, same protocol
     * @param model       the best model with the data's item mapping and user histories
     * @param seconds     wall time of this call (a resumed run counts only its own part)
     * @param run         the run's whole configuration (after a resume: the stored one with the changes given)
     * @param sessions    under the session-based protocol ({@link RunOption#TEST_DATA}) what of the test log was scored
     *                    and what was dropped; null under leave-one-out
     * @param testCurve   the test metrics after each epoch this call trained, in order, when
     *                    {@link TrainingBuilder#testCurve} asked for them; else empty
     */
    public record Result(Split split, ModelConfig config, TrainingResult training, Metrics test, Metrics popularity,
                         SavedModel model, double seconds, RunConfig run, TestSessions sessions, List<Metrics> testCurve) {
        /** Whether the run used the session-based protocol ({@code --test-data}). */
        public boolean sessionProtocol() {
            return sessions != null;
        }
    }

    /**
     * What a run needs besides the data and the backend, as {@link TrainingBuilder} resolved it.
     *
     * @param writeDir where state is saved (null = nowhere); {@code stopDir} is used on a stop when it is null
     * @param resume   the state to continue from, or null
     * @param testCurve whether to score the test targets after every epoch too (a report; selection stays on validation)
     */
    record Plan(RunConfig run, TrainingListener listener, Map<String, String> info, Path writeDir, BooleanSupplier stop,
                Path stopDir, TrainingCheckpoints.Loaded resume, boolean testCurve) {}

    /**
     * What the protocol gives the training loop: the training sequences, the validation cases, and the test step.
     * Leave-one-out holds out each user's last two items; the session protocol the last item of each training session.
     * The fingerprint prefix keeps a run of one protocol from resuming the other's state.
     */
    record Prepared(Split split, List<int[]> trainSeqs, Validation valid, Protocol validation, String fingerprintPrefix,
                    String describe) {}

    /**
     * Runs the pipeline; state is saved to {@code plan.writeDir()} after every epoch (and every checkpoint-every
     * batches); with {@code plan.resume()} the run continues from it, which must have been made for the same data and
     * settings. With {@code sessions} (the test log mapped to the data's items) the session-based protocol replaces
     * leave-one-out: validation on {@link LastItemHoldout}, test by {@link SessionEvaluator}, popularity over the
     * whole training log.
     *
     * @throws dev.lstmrec.engine.train.TrainingInterruptedException when stopped (state saved first)
     */
    static Result run(Dataset data, TestSessions sessions, Backend backend, Plan plan) throws IOException {
        long t0 = System.nanoTime();
        RunConfig run = plan.run();
        TrainConfig train = run.trainConfig();
        Protocol protocol = run.protocol();
        TrainingListener listener = plan.listener();
        Prepared prep = sessions == null ? leaveOneOut(data, protocol) : SessionExperiment.prepare(data, sessions, protocol,
                SessionExperiment.Holdout.parse(run.get(RunOption.HOLDOUT)));
        ModelConfig config = run.modelConfig(data.numItems());
        LossConfig loss = run.lossConfig();
        List<String> sessionDefaults = run.sessionDefaultsUsed();
        if (!sessionDefaults.isEmpty()) {
            listener.onMessage("session log (--test-data or --format gru4rec): session-log defaults " + String.join(" ", sessionDefaults)
                    + " (a tied, wider model at a higher rate learns short sessions several times faster; bench/RESULTS.md"
                    + " \"Session logs\"; an option given explicitly overrides its default)");
        }
        listener.onMessage("validation: " + prep.describe());
        listener.onMessage("loss: " + loss.describe(config.numItems()));
        Trainer trainer = new Trainer(backend, config, train, loss);
        RunFingerprint fingerprint = RunFingerprint.of(prep.fingerprintPrefix(), run, data.numItems(), prep.validation(), prep.trainSeqs(),
                prep.valid());
        TrainingState state = null;
        if (plan.resume() != null) {
            TrainingCheckpoints.Loaded loaded = plan.resume();
            loaded.requireFingerprint(fingerprint::accepts);
            for (String why : loaded.skipped()) listener.onMessage("skipped an unusable checkpoint: " + why);
            state = loaded.state();
            listener.onMessage("resuming from " + loaded.file() + " at epoch " + state.epoch() + ", batch " + (state.nextBatch() + 1)
                    + " (" + state.step() + " steps done)");
        }
        Checkpointing checkpointing = new Checkpointing(plan.writeDir(), run.intValue(RunOption.CHECKPOINT_EVERY), fingerprint.value(),
                run.toJson(), plan.stop(), plan.stopDir());
        List<Metrics> curve = new ArrayList<>();
        Validation valid = !plan.testCurve() ? prep.valid()
                : Validation.alsoScoring(prep.valid(), sessions != null ? Validation.sessions(sessions.sessions())
                        : Validation.cases(testCases(prep.split()), protocol), curve::add);
        TrainingResult result = trainer.fit(prep.trainSeqs(), valid, listener, checkpointing, state);
        Metrics[] tested = sessions == null ? testLeaveOneOut(data, prep.split(), trainer, backend, protocol)
                : SessionExperiment.test(data, sessions, trainer, backend);
        Metrics testMetrics = tested[0], popularity = tested[1];

        Map<String, String> modelInfo = new LinkedHashMap<>(plan.info());
        modelInfo.put("loss", loss.describe(config.numItems()));
        modelInfo.put("best_epoch", Integer.toString(result.bestEpoch()));
        if (sessions == null) {
            modelInfo.put("test." + Metric.HR.key(10), Double.toString(testMetrics.get(Metric.HR, 10)));
            modelInfo.put("test." + Metric.NDCG.key(10), Double.toString(testMetrics.get(Metric.NDCG, 10)));
        } else {
            modelInfo.put("protocol", "session");
            modelInfo.put("test." + Metric.HR.key(20), Double.toString(testMetrics.get(Metric.HR, 20)));
            modelInfo.put("test." + Metric.MRR.key(20), Double.toString(testMetrics.get(Metric.MRR, 20)));
        }
        SavedModel model = savedModel(data, config, trainer.downloadWeights(), modelInfo);
        return new Result(prep.split(), config, result, testMetrics, popularity, model, (System.nanoTime() - t0) / 1e9, run, sessions,
                List.copyOf(curve));
    }

    /**
     * A model trained from scratch on all of {@code data}: its items, users and whole histories (and last event times
     * when the data has them), the weights, and {@code info} with the lineage of a first model added.
     */
    static SavedModel savedModel(Dataset data, ModelConfig config, float[] weights, Map<String, String> info) {
        List<String> items = new ArrayList<>(data.numItems());
        for (int i = 1; i <= data.numItems(); i++) items.add(data.itemId(i));
        List<String> users = new ArrayList<>(data.numUsers());
        int[][] histories = new int[data.numUsers()][];
        for (int u = 0; u < data.numUsers(); u++) {
            users.add(data.userId(u));
            histories[u] = data.sequence(u);
        }
        long[] lastTimes = null;
        long[][] eventTimes = null;
        OptionalLong latest = OptionalLong.empty();
        if (data.timed()) {
            lastTimes = new long[data.numUsers()];
            eventTimes = new long[data.numUsers()][];
            for (int u = 0; u < data.numUsers(); u++) {
                lastTimes[u] = data.lastTime(u);
                eventTimes[u] = new long[data.sequenceLength(u)];
                for (int i = 0; i < eventTimes[u].length; i++) eventTimes[u][i] = data.timeAt(u, i);
            }
            latest = java.util.Arrays.stream(lastTimes).max();
        }
        Map<String, String> modelInfo = new Lineage(data.numInteractions(), latest, "", OptionalLong.empty()).into(info);
        return new SavedModel(config, items, users, histories, weights, modelInfo, lastTimes, eventTimes);
    }

    static Prepared leaveOneOut(Dataset data, Protocol protocol) {
        Split split = LeaveOneOut.split(data);
        if (split.numEvaluated() == 0) {
            throw new IllegalArgumentException(data.source() + ": no user has the " + LeaveOneOut.MIN_LENGTH
                    + " interactions needed for a leave-one-out split");
        }
        List<int[]> trainSeqs = new ArrayList<>(data.numUsers());
        for (int u = 0; u < data.numUsers(); u++) trainSeqs.add(split.trainSequence(u));
        List<EvalCase> valid = new ArrayList<>();
        for (int u : split.evaluatedUsers()) valid.add(new EvalCase(split.validHistory(u), split.validTarget(u)));
        Protocol validation = new Protocol(protocol.excludeSeen(), 0, protocol.seed());
        return new Prepared(split, trainSeqs, Validation.cases(valid, validation), validation, "",
                "the second-to-last item of each of " + valid.size() + " users");
    }

    private static List<EvalCase> testCases(Split split) {
        List<EvalCase> test = new ArrayList<>();
        for (int u : split.evaluatedUsers()) test.add(new EvalCase(split.testHistory(u), split.testTarget(u)));
        return test;
    }

    /** The best model and the popularity baseline on the leave-one-out test targets, same protocol. */
    private static Metrics[] testLeaveOneOut(Dataset data, Split split, Trainer trainer, Backend backend, Protocol protocol) {
        List<EvalCase> test = testCases(split);
        try (Evaluator evaluator = new Evaluator(backend, data.numItems());
             PopularityScorer pop = new PopularityScorer(backend, popularityCounts(data.numItems(), split))) {
            return new Metrics[] {evaluator.evaluate(trainer.scorer(), test, protocol), evaluator.evaluate(pop, test, protocol)};
        }
    }

    /** Item counts over everything before the test targets (training parts and validation targets). */
    public static long[] popularityCounts(int numItems, Split split) {
        long[] counts = new long[numItems + 1];
        Dataset data = split.dataset();
        for (int u = 0; u < data.numUsers(); u++) {
            for (int item : split.trainSequence(u)) counts[item]++;
            if (split.evaluated(u)) counts[split.validTarget(u)]++;
        }
        return counts;
    }
}
