package dev.lstmrec.engine.eval;

/**
 * The ranking metrics {@link Metrics} computes at each cut-off K of {@link Protocol#CUTOFFS}; read them with
 * {@link Metrics#get(Metric, int)}. {@link #key(int)} is the name used in reports and stored histories ("NDCG@10").
 */
public enum Metric {
    /** Hit rate: share of cases whose target ranks within the cut-off. */
    HR,
    /** Normalised discounted cumulative gain with one relevant item: 1/log2(rank + 2) within the cut-off. */
    NDCG,
    /** Mean reciprocal rank within the cut-off: 1/(rank + 1). */
    MRR;

    /** The report name at cut-off {@code k}, e.g. {@code NDCG@10}. */
    public String key(int k) {
        return name() + "@" + k;
    }
}
