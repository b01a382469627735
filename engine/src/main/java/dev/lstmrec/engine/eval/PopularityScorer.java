package dev.lstmrec.engine.eval;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.List;

/** The popularity baseline: every user gets items ordered by how often they occur in the training data. */
public final class PopularityScorer implements Scorer {
    private final Backend backend;
    private final Tensor counts;
    private final Tensor zeros;
    private Tensor ones;

    /** @param itemCounts counts indexed by item 1..N (index 0 ignored) */
    public PopularityScorer(Backend backend, long[] itemCounts) {
        this.backend = backend;
        int n = itemCounts.length - 1;
        float[] c = new float[n];
        for (int j = 0; j < n; j++) c[j] = itemCounts[j + 1];
        this.counts = backend.allocate(n, 1);
        backend.upload(counts, c, 0);
        this.zeros = backend.allocate(n);
        this.ones = backend.allocate(0, 1);
    }

    /** Counts of items 1..N over the given sequences (index 0 unused). */
    public static long[] count(int numItems, Iterable<int[]> sequences) {
        long[] counts = new long[numItems + 1];
        for (int[] s : sequences) for (int item : s) counts[item]++;
        return counts;
    }

    @Override
    public Tensor features(List<EvalCase> cases) {
        return ones(cases.size());
    }

    /** [rows, 1] of ones: the feature of every history (the score is the item's count). */
    public Tensor ones(int rows) {
        if (ones.rows() < rows) {
            ones = backend.allocate(rows, 1);
            backend.fill(ones, 1f);
        }
        return ones.rows(0, rows);
    }

    @Override
    public Tensor weights() {
        return counts;
    }

    @Override
    public Tensor bias() {
        return zeros;
    }
}
