package dev.lstmrec.spark;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.eval.EvalCase;
import dev.lstmrec.engine.eval.Evaluator;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.eval.ModelScorer;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.model.LstmNetwork;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.model.Parameters;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Leave-one-out evaluation spread over the users' partitions: each task ranks its users' targets with the engine's
 * {@link Evaluator} (the code and protocol the CLI uses), the driver gathers one rank per evaluated user, puts them in
 * user order and computes {@link Metrics} exactly as the single-machine run does. The sampled protocol
 * (negatives > 0) draws candidates from the case's position within its partition, so it is not comparable with a
 * single-machine sampled run; full ranking (the default) is.
 */
public final class DistributedEvaluator {
    /** Which target to rank. */
    public enum Target { VALIDATION, TEST }

    private DistributedEvaluator() {}

    /** The model's weights and shape, as tasks receive them. */
    public record Weights(int numItems, int dim, int hidden, int layers, int maxLen, boolean tied, float[] values) implements Serializable {
        static Weights of(ModelConfig c, float[] w) {
            return new Weights(c.numItems(), c.embeddingDim(), c.hiddenDim(), c.layers(), c.maxLen(), c.tied(), w);
        }

        /** The inference configuration (dropout does not matter there). */
        ModelConfig config() {
            return new ModelConfig(numItems, dim, hidden, layers, maxLen, 0f, 0f, tied);
        }
    }

    public static Metrics evaluate(JavaRDD<UserSequence> users, ModelConfig config, float[] weights, Target target,
                                   Protocol protocol, String backend, int threads) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(users.context());
        Broadcast<Weights> bw = jsc.broadcast(Weights.of(config, weights));
        boolean excludeSeen = protocol.excludeSeen(); // Protocol is not serialisable: tasks rebuild it
        int negatives = protocol.negatives();
        long seed = protocol.seed();
        try {
            List<Tuple2<Long, Integer>> ranks = users.mapPartitions(it -> {
                List<UserSequence> part = new ArrayList<>();
                while (it.hasNext()) {
                    UserSequence u = it.next();
                    if (u.evaluated()) part.add(u);
                }
                List<Tuple2<Long, Integer>> out = new ArrayList<>(part.size());
                if (part.isEmpty()) return out.iterator();
                List<EvalCase> cases = new ArrayList<>(part.size());
                for (UserSequence u : part) cases.add(caseOf(u, target));
                Weights w = bw.value();
                int t = threads > 0 ? threads : TaskThreads.taskThreads();
                try (Backend b = Backends.create(backend, dev.lstmrec.engine.backend.BackendOptions.withThreads(t))) {
                    ModelConfig c = w.config();
                    Parameters p = new Parameters(b, c, new ParameterLayout(c));
                    b.upload(p.slab(), w.values(), 0);
                    int[] r = new Evaluator(b, c.numItems()).ranks(new ModelScorer(new LstmNetwork(b, p, null), p), cases,
                            new Protocol(excludeSeen, negatives, seed));
                    for (int i = 0; i < r.length; i++) out.add(new Tuple2<>(part.get(i).user(), r[i]));
                }
                return out.iterator();
            }).collect();
            List<Tuple2<Long, Integer>> sorted = new ArrayList<>(ranks);
            sorted.sort(Comparator.comparingLong(Tuple2::_1));
            int[] r = new int[sorted.size()];
            for (int i = 0; i < r.length; i++) r[i] = sorted.get(i)._2();
            return Metrics.fromRanks(r);
        } finally {
            bw.destroy();
        }
    }

    /** The validation case (training part → second-to-last item) or test case (all but the last → last). */
    static EvalCase caseOf(UserSequence u, Target target) {
        int[] s = u.items();
        int len = s.length;
        return target == Target.VALIDATION ? new EvalCase(Arrays.copyOf(s, len - 2), s[len - 2])
                : new EvalCase(Arrays.copyOf(s, len - 1), s[len - 1]);
    }
}
