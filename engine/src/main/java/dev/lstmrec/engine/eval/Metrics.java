package dev.lstmrec.engine.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ranking metrics from 0-based ranks (0 = the target is first): HR@K = share of cases with rank &lt; K;
 * NDCG@K = mean of 1/log2(rank + 2) over those cases (one relevant item, so IDCG = 1); MRR@K = mean of 1/(rank + 1)
 * over those cases; all 0 for a case ranked at or beyond K.
 */
public final class Metrics {
    private final Map<String, Double> values;
    private final int cases;

    private Metrics(Map<String, Double> values, int cases) {
        this.values = Collections.unmodifiableMap(values);
        this.cases = cases;
    }

    public static Metrics fromRanks(int[] ranks) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int k : Protocol.CUTOFFS) {
            double hr = 0, ndcg = 0, mrr = 0;
            for (int r : ranks) {
                if (r < k) {
                    hr += 1;
                    ndcg += 1.0 / (Math.log(r + 2) / Math.log(2));
                    mrr += 1.0 / (r + 1);
                }
            }
            int n = Math.max(1, ranks.length);
            m.put(Metric.HR.key(k), hr / n);
            m.put(Metric.NDCG.key(k), ndcg / n);
            m.put(Metric.MRR.key(k), mrr / n);
        }
        return new Metrics(m, ranks.length);
    }

    /** Metrics from stored values (e.g. a training checkpoint's history). */
    public static Metrics of(Map<String, Double> values, int cases) {
        return new Metrics(new LinkedHashMap<>(values), cases);
    }

    /**
     * The value of {@code metric} at cut-off {@code k}.
     *
     * @throws IllegalArgumentException when {@code k} is not one of the computed cut-offs ({@link Protocol#CUTOFFS})
     */
    public double get(Metric metric, int k) {
        Double v = values.get(metric.key(k));
        if (v == null) throw new IllegalArgumentException("no metric " + metric.key(k) + "; have " + values.keySet());
        return v;
    }

    /** HR@K, NDCG@K, MRR@K for K = 5, 10, 20, in that order, keyed by {@link Metric#key(int)} (for reports). */
    public Map<String, Double> asMap() {
        return values;
    }

    /** Number of evaluated cases. */
    public int cases() {
        return cases;
    }

    /** e.g. {@code HR@10 0.1501  NDCG@10 0.0790  MRR@10 0.0551}. */
    public String summary(int k) {
        return String.format("HR@%d %.4f  NDCG@%d %.4f  MRR@%d %.4f", k, get(Metric.HR, k), k, get(Metric.NDCG, k), k, get(Metric.MRR, k));
    }
}
