package dev.lstmrec.engine.api;

// What is specific to the session-based protocol (train/evaluate --test-data): mapping a test log to the model's
// items, the validation holdout and test step that Experiment's pipeline runs through TrainingBuilder, evaluation of
// a saved model, and the protocol line. Checked by SessionProtocolTest, SessionTrainingTest and SessionCliTest.

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
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.model.Parameters;
import dev.lstmrec.engine.train.Trainer;

import java.util.List;
import java.util.Map;

/**
 * The session-based protocol ({@code train --test-data}, {@link TrainingBuilder#testData}): train on one log, test on
 * a second one; {@link Experiment}'s pipeline runs it with checkpointing and resume as for leave-one-out. Model selection and
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
     * The training side of the protocol for {@link Experiment}'s pipeline: every training session but its last item is
     * trained on, the last item is the validation target (full ranking, history not excluded).
     */
    static Experiment.Prepared prepare(Dataset data, TestSessions test, Protocol protocol) {
        if (test.sessions().isEmpty()) {
            throw new IllegalArgumentException("the test log has no session with 2 or more items known to the training data ("
                    + test.describe() + ")");
        }
        List<EvalCase> valid = LastItemHoldout.validation(data);
        if (valid.isEmpty()) throw new IllegalArgumentException(data.source() + ": no training session has 2 or more items");
        return new Experiment.Prepared(null, LastItemHoldout.trainSequences(data), valid, new Protocol(false, 0, protocol.seed()),
                "session;");
    }

    /** The best model and the popularity baseline (counts over the whole training log) on every test position. */
    static Metrics[] test(Dataset data, TestSessions test, Trainer trainer, Backend backend) {
        long[] counts = new long[data.numItems() + 1];
        for (int u = 0; u < data.numUsers(); u++) for (int item : data.sequence(u)) counts[item]++;
        try (SessionEvaluator evaluator = new SessionEvaluator(backend, data.numItems());
             LstmNetwork inference = new LstmNetwork(backend, trainer.weights(), null);
             PopularityScorer pop = new PopularityScorer(backend, counts)) {
            return new Metrics[] {evaluator.evaluate(SessionEvaluator.model(inference, trainer.weights()), test.sessions()),
                    evaluator.evaluate(SessionEvaluator.popularity(pop), test.sessions())};
        }
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
