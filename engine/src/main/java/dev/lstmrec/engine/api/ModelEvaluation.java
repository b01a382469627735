package dev.lstmrec.engine.api;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.LeaveOneOut;
import dev.lstmrec.engine.eval.EvalCase;
import dev.lstmrec.engine.eval.Evaluator;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.eval.ModelScorer;
import dev.lstmrec.engine.eval.PopularityScorer;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.model.LstmNetwork;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.model.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Test evaluation of a saved model (what {@code lstmrec evaluate} runs): each sequence's last item is the target and
 * the rest its history, as in training's leave-one-out split; the popularity baseline counts every item before the
 * targets. The sequences are the model's stored histories, or another dataset's mapped onto the model's items.
 */
public final class ModelEvaluation {
    private ModelEvaluation() {}

    /**
     * @param model          the best model and its test metrics
     * @param popularity     the popularity baseline on the same cases
     * @param cases          evaluated sequences
     * @param droppedUnknown interactions dropped because the model does not know their item
     */
    public record Result(Metrics model, Metrics popularity, int cases, long droppedUnknown) {}

    /** Sequences of {@code data} in the model's item indices; interactions with unknown items are dropped. */
    public static List<int[]> mapToModel(SavedModel model, Dataset data, long[] droppedOut) {
        Map<String, Integer> index = model.itemIndex();
        List<int[]> out = new ArrayList<>(data.numUsers());
        long dropped = 0;
        for (int u = 0; u < data.numUsers(); u++) {
            int[] s = data.sequence(u);
            int[] m = new int[s.length];
            int n = 0;
            for (int item : s) {
                Integer i = index.get(data.itemId(item));
                if (i == null) dropped++;
                else m[n++] = i;
            }
            out.add(java.util.Arrays.copyOf(m, n));
        }
        droppedOut[0] = dropped;
        return out;
    }

    public static Result evaluate(SavedModel model, List<int[]> sequences, Protocol protocol, Backend backend, long droppedUnknown) {
        int n = model.config().numItems();
        List<EvalCase> cases = new ArrayList<>();
        long[] counts = new long[n + 1];
        for (int[] s : sequences) {
            boolean evaluated = s.length >= LeaveOneOut.MIN_LENGTH;
            int known = evaluated ? s.length - 1 : s.length;
            for (int i = 0; i < known; i++) counts[s[i]]++;
            if (evaluated) cases.add(new EvalCase(java.util.Arrays.copyOf(s, s.length - 1), s[s.length - 1]));
        }
        if (cases.isEmpty()) throw new IllegalArgumentException("nothing to evaluate: no sequence has " + LeaveOneOut.MIN_LENGTH + " or more known items");
        // Everything allocated here is freed before returning: the backend may be a long-lived one of the caller's.
        try (Parameters weights = new Parameters(backend, model.config(), new ParameterLayout(model.config()));
             LstmNetwork network = new LstmNetwork(backend, weights, null);
             Evaluator evaluator = new Evaluator(backend, n);
             PopularityScorer popularity = new PopularityScorer(backend, counts)) {
            backend.upload(weights.slab(), model.weights(), 0);
            Metrics m = evaluator.evaluate(new ModelScorer(network, weights), cases, protocol);
            Metrics p = evaluator.evaluate(popularity, cases, protocol);
            return new Result(m, p, cases.size(), droppedUnknown);
        }
    }
}
