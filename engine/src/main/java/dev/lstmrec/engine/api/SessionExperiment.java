package dev.lstmrec.engine.api;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.TestSessions;
import dev.lstmrec.engine.eval.EvalCase;
import dev.lstmrec.engine.eval.LastItemHoldout;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.eval.PopularityScorer;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.eval.SessionEvaluator;
import dev.lstmrec.engine.model.LstmNetwork;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.model.Parameters;
import dev.lstmrec.engine.train.Checkpointing;
import dev.lstmrec.engine.train.TrainConfig;
import dev.lstmrec.engine.train.Trainer;
import dev.lstmrec.engine.train.TrainingCheckpoints;
import dev.lstmrec.engine.train.TrainingListener;
import dev.lstmrec.engine.train.TrainingResult;
import dev.lstmrec.engine.train.TrainingState;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The session-based pipeline ({@code train --test-data}): train on one log, test on a second one. Model selection and
 * early stopping only ever see the training log (the last item of each training session is its validation target,
 * {@link LastItemHoldout}); the test log's sessions are then scored once, every next item given the session's items
 * before it ({@link SessionEvaluator}), for the best model and for the popularity baseline (counts over the whole
 * training log). Checked end to end by SessionProtocolTest.
 */
public final class SessionExperiment {
    private SessionExperiment() {}

    /** What validation means under this protocol, for logs and reports. */
    public static final String VALIDATION = "validation = the last item of each training session given the items before it"
            + " (full ranking, history not excluded); the test file is never seen before the final test";

    /**
     * @param training        per-epoch history and the chosen epoch
     * @param test            the best model's session-protocol metrics on the test log
     * @param popularity      the popularity baseline's, same positions
     * @param testSessions    what of the test log was scored and what was dropped
     * @param validationCases training sessions holding out their last item
     */
    public record Result(ModelConfig config, TrainingResult training, Metrics test, Metrics popularity,
                         TestSessions testSessions, int validationCases, SavedModel model, double seconds) {}

    /** The test log's sessions in the training data's item numbering (unknown items dropped and counted). */
    public static TestSessions testSessions(Dataset train, Dataset test) {
        return TestSessions.map(test, id -> train.itemIndex(id).orElse(0));
    }

    /** The test log's sessions in a saved model's item numbering. */
    public static TestSessions testSessions(SavedModel model, Dataset test) {
        Map<String, Integer> index = model.itemIndex();
        return TestSessions.map(test, id -> index.getOrDefault(id, 0));
    }

    /**
     * Trains with early stopping on {@code data}, then scores {@code test}. Checkpointing and stop behave as in
     * {@link Experiment#run(Dataset, ModelSettings, TrainConfig, Protocol, Backend, TrainingListener, Map, Path, int,
     * boolean, BooleanSupplier, Path)}.
     */
    public static Result run(Dataset data, TestSessions test, ModelSettings settings, TrainConfig train, Backend backend,
                             TrainingListener listener, Map<String, String> info, Path checkpointDir, int checkpointEvery,
                             boolean resume, BooleanSupplier stop, Path stopDir) throws IOException {
        long t0 = System.nanoTime();
        if (test.sessions().isEmpty()) {
            throw new IllegalArgumentException("the test log has no session with 2 or more items known to the training data ("
                    + test.describe() + ")");
        }
        ModelConfig config = settings.forItems(data.numItems());
        List<int[]> trainSeqs = LastItemHoldout.trainSequences(data);
        List<EvalCase> valid = LastItemHoldout.validation(data);
        if (valid.isEmpty()) throw new IllegalArgumentException(data.source() + ": no training session has 2 or more items");
        Trainer trainer = new Trainer(backend, config, train);
        Protocol validation = new Protocol(false, 0, train.seed());
        String fingerprint = "session;" + Experiment.fingerprint(config, train, validation, trainSeqs, valid);
        TrainingState state = null;
        if (resume) {
            TrainingCheckpoints.Loaded loaded = TrainingCheckpoints.readLatest(checkpointDir, fingerprint);
            for (String why : loaded.skipped()) listener.onMessage("skipped an unusable checkpoint: " + why);
            state = loaded.state();
            listener.onMessage("resuming from " + loaded.file() + " at epoch " + state.epoch() + ", batch " + (state.nextBatch() + 1)
                    + " (" + state.step() + " steps done)");
        }
        TrainingResult result = trainer.fit(trainSeqs, valid, validation, listener,
                new Checkpointing(checkpointDir, checkpointEvery, fingerprint, stop, stopDir), state);
        long[] counts = new long[data.numItems() + 1];
        for (int u = 0; u < data.numUsers(); u++) for (int item : data.sequence(u)) counts[item]++;
        Metrics testMetrics, popularity;
        try (SessionEvaluator evaluator = new SessionEvaluator(backend, data.numItems());
             LstmNetwork inference = new LstmNetwork(backend, trainer.weights(), null);
             PopularityScorer pop = new PopularityScorer(backend, counts)) {
            testMetrics = evaluator.evaluate(SessionEvaluator.model(inference, trainer.weights()), test.sessions());
            popularity = evaluator.evaluate(SessionEvaluator.popularity(pop), test.sessions());
        }

        List<String> items = new ArrayList<>(data.numItems());
        for (int i = 1; i <= data.numItems(); i++) items.add(data.itemId(i));
        List<String> users = new ArrayList<>(data.numUsers());
        int[][] histories = new int[data.numUsers()][];
        for (int u = 0; u < data.numUsers(); u++) {
            users.add(data.userId(u));
            histories[u] = data.sequence(u);
        }
        Map<String, String> modelInfo = new LinkedHashMap<>(info);
        modelInfo.put("best_epoch", Integer.toString(result.bestEpoch()));
        modelInfo.put("protocol", "session");
        modelInfo.put("test.HR@20", Double.toString(testMetrics.get("HR@20")));
        modelInfo.put("test.MRR@20", Double.toString(testMetrics.get("MRR@20")));
        SavedModel model = new SavedModel(config, items, users, histories, trainer.downloadWeights(), modelInfo);
        return new Result(config, result, testMetrics, popularity, test, valid.size(), model, (System.nanoTime() - t0) / 1e9);
    }

    /** The session protocol on a saved model ({@code evaluate --test-data}); popularity counts its stored histories. */
    public static Metrics[] evaluate(SavedModel model, TestSessions test, Backend backend) {
        if (test.sessions().isEmpty()) {
            throw new IllegalArgumentException("the test log has no session with 2 or more items known to the model (" + test.describe() + ")");
        }
        int n = model.config().numItems();
        long[] counts = new long[n + 1];
        for (int[] h : model.histories()) for (int item : h) counts[item]++;
        // Everything allocated here is freed before returning: the backend may be a long-lived one of the caller's.
        try (Parameters weights = new Parameters(backend, model.config(), new ParameterLayout(model.config()));
             LstmNetwork network = new LstmNetwork(backend, weights, null);
             SessionEvaluator evaluator = new SessionEvaluator(backend, n);
             PopularityScorer popularity = new PopularityScorer(backend, counts)) {
            backend.upload(weights.slab(), model.weights(), 0);
            Metrics m = evaluator.evaluate(SessionEvaluator.model(network, weights), test.sessions());
            Metrics p = evaluator.evaluate(SessionEvaluator.popularity(popularity), test.sessions());
            return new Metrics[] {m, p};
        }
    }

    /** The protocol line printed by the CLI and stored in reports. */
    public static String describe() {
        return "session-based: every next item of every test session is a target given the session's items before it"
                + " (the hidden state runs through the session), ranked against ALL items; items earlier in the session"
                + " are NOT excluded; test items unknown to the model are dropped; ties counted against the target;"
                + " HR@K (the literature's Recall@K), MRR@K, NDCG@K for K = 5, 10, 20 averaged over all test positions; "
                + VALIDATION;
    }
}
