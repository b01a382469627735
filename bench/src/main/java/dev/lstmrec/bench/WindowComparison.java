// Which part of a long history the LSTM should read (issue 24, incremental state): test metrics of one saved model
// under three windows over the same leave-one-out cases (each stored history's last item is the target, as
// `lstmrec evaluate` does): the last maxLen items, the carried-state grid window of ModelScorer.windowStart, and the
// whole history from a zero state. Reported for all cases and for the cases whose history is longer than maxLen
// (the only ones where the windows differ).
package dev.lstmrec.bench;

import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.data.LeaveOneOut;
import dev.lstmrec.engine.eval.EvalCase;
import dev.lstmrec.engine.eval.Evaluator;
import dev.lstmrec.engine.eval.Metric;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.eval.ModelScorer;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.eval.Scorer;
import dev.lstmrec.engine.model.LstmNetwork;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.model.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.IntBinaryOperator;

/**
 * {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.lstmrec.bench.WindowComparison
 * MODEL [BACKEND]}: prints a Markdown table of HR@20, MRR@20 and NDCG@10 per window, full ranking with seen items
 * excluded (the default protocol).
 */
public final class WindowComparison {
    private WindowComparison() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) throw new IllegalArgumentException("usage: WindowComparison MODEL [BACKEND]");
        SavedModel model = SavedModel.load(Path.of(args[0]));
        int maxLen = model.config().maxLen();
        List<EvalCase> all = new ArrayList<>(), longer = new ArrayList<>();
        for (int[] s : model.histories()) {
            if (s.length < LeaveOneOut.MIN_LENGTH) continue;
            EvalCase c = new EvalCase(Arrays.copyOf(s, s.length - 1), s[s.length - 1]);
            all.add(c);
            if (c.history().length > maxLen) longer.add(c);
        }
        String[] names = {"last max-len items (before issue 24)", "grid window (carried state)", "whole history"};
        IntBinaryOperator[] starts = {(len, t) -> Math.max(0, len - t), ModelScorer::windowStart, (len, t) -> 0};
        System.out.printf(Locale.ROOT, "max-len %d; %d cases, %d with a history longer than max-len%n", maxLen, all.size(), longer.size());
        System.out.println("| window | HR@20 | MRR@20 | NDCG@10 | HR@20 (long) | MRR@20 (long) | NDCG@10 (long) |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
        try (Backend backend = Backends.create(args.length > 1 ? args[1] : "simd", BackendOptions.defaults());
             Parameters weights = new Parameters(backend, model.config(), new ParameterLayout(model.config()));
             LstmNetwork network = new LstmNetwork(backend, weights, null);
             Evaluator evaluator = new Evaluator(backend, model.config().numItems())) {
            backend.upload(weights.slab(), model.weights(), 0);
            for (int w = 0; w < names.length; w++) {
                Scorer scorer = new ModelScorer(network, weights, starts[w]);
                Metrics a = evaluator.evaluate(scorer, all, Protocol.fullRanking());
                Metrics l = evaluator.evaluate(scorer, longer, Protocol.fullRanking());
                System.out.printf(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f |%n", names[w],
                        a.get(Metric.HR, 20), a.get(Metric.MRR, 20), a.get(Metric.NDCG, 10),
                        l.get(Metric.HR, 20), l.get(Metric.MRR, 20), l.get(Metric.NDCG, 10));
            }
        }
    }
}
