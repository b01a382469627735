package dev.lstmrec.engine.api;

// What is specific to the session-based protocol (train/evaluate --test-data): mapping a test log to the model's
// items, the validation holdout and test step that Experiment's pipeline runs through TrainingBuilder, evaluation of
// a saved model, and the protocol line. Checked by SessionProtocolTest, SessionTrainingTest and SessionCliTest.

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.TestSessions;
import dev.lstmrec.engine.eval.EvalCase;
import dev.lstmrec.engine.eval.LastItemHoldout;
import dev.lstmrec.engine.eval.LatestSessionsHoldout;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.eval.PopularityScorer;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.eval.SessionEvaluator;
import dev.lstmrec.engine.model.LstmNetwork;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.model.Parameters;
import dev.lstmrec.engine.train.Trainer;
import dev.lstmrec.engine.train.Validation;

import java.util.List;
import java.util.Map;

/**
 * The session-based protocol ({@code train --test-data}, {@link TrainingBuilder#testData}): train on one log, test on
 * a second one; {@link Experiment}'s pipeline runs it with checkpointing and resume as for leave-one-out. Model selection and
 * early stopping only ever see the training log (its latest sessions, {@link LatestSessionsHoldout}, or the last item
 * of each training session, {@link LastItemHoldout}); the test log's sessions are then scored once, every next item given the session's items
 * before it ({@link SessionEvaluator}), for the best model and for the popularity baseline (counts over the whole
 * training log). Checked end to end by SessionProtocolTest.
 */
public final class SessionExperiment {
    private SessionExperiment() {}

    /** What validation means under this protocol, for logs and reports. */
    public static final String VALIDATION = "validation = the latest training sessions holding 2% of its positions, scored"
            + " as the test sessions are, the other sessions trained whole (--holdout latest; --holdout last-item: the last"
            + " item of each training session given the items before it); the test file is never seen before the final test";

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
     * The training side of the protocol for {@link Experiment}'s pipeline. {@code latest} ({@code --holdout latest},
     * the default): the latest training sessions are held out whole and scored as the test log is
     * ({@link LatestSessionsHoldout}), every other session trains whole; {@code last-item}: every training session but
     * its last item is trained on, the last item is the validation target (full ranking, history not excluded).
     */
    static Experiment.Prepared prepare(Dataset data, TestSessions test, Protocol protocol, Holdout holdout) {
        if (test.sessions().isEmpty()) {
            throw new IllegalArgumentException("the test log has no session with 2 or more items known to the training data ("
                    + test.describe() + ")");
        }
        Protocol validation = new Protocol(false, 0, protocol.seed());
        if (holdout == Holdout.LATEST) {
            LatestSessionsHoldout split = LatestSessionsHoldout.split(data);
            if (split.validation().isEmpty()) throw new IllegalArgumentException(data.source() + ": no training session has 2 or more items");
            return new Experiment.Prepared(null, split.train(), Validation.sessions(split.validation()), validation, "session-latest;",
                    "the latest " + split.validation().size() + " training sessions (" + split.positions()
                            + " positions, scored as the test sessions), the other " + split.train().size()
                            + " train whole (--holdout latest)");
        }
        List<EvalCase> valid = LastItemHoldout.validation(data);
        if (valid.isEmpty()) throw new IllegalArgumentException(data.source() + ": no training session has 2 or more items");
        return new Experiment.Prepared(null, LastItemHoldout.trainSequences(data), Validation.cases(valid, validation), validation,
                "session;", "the last item of each of " + valid.size() + " training sessions (--holdout last-item)");
    }

    /**
     * A session log given without a test log ({@code --format gru4rec}, no {@code --test-data}): its latest sessions,
     * chosen as {@link LatestSessionsHoldout} chooses validation sessions, are the test log, and the rest is the
     * training log (whose own latest sessions then validate).
     *
     * @param train the log without its test sessions (same item numbering)
     * @param test  the test sessions, oldest first
     */
    public record LogSplit(Dataset train, TestSessions test) {
        public static LogSplit latestAsTest(Dataset data) {
            boolean[] held = LatestSessionsHoldout.latestUsers(data);
            List<int[]> sessions = new java.util.ArrayList<>();
            long events = 0, positions = 0;
            for (int u : data.usersByLastTime()) {
                if (!held[u]) continue;
                int[] s = data.sequence(u);
                sessions.add(s);
                events += s.length;
                positions += s.length - 1;
            }
            if (sessions.isEmpty()) throw new IllegalArgumentException(data.source() + ": no session has 2 or more items");
            return new LogSplit(data.withoutUsers(held), new TestSessions(List.copyOf(sessions), events, 0, 0, positions));
        }
    }

    /** How the session protocol holds out validation data from the training log ({@code --holdout}). */
    public enum Holdout implements dev.lstmrec.engine.io.CliName {
        LATEST("latest"), LAST_ITEM("last-item");

        private final String cliName;

        Holdout(String cliName) {
            this.cliName = cliName;
        }

        @Override
        public String cliName() {
            return cliName;
        }

        public static Holdout parse(String s) {
            return dev.lstmrec.engine.io.CliName.parse(values(), "holdout", s);
        }
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
