package dev.lstmrec.engine.eval;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.GrowingFloats;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.List;

/**
 * The popularity baseline: every user gets items ordered by how often they occur in the training data. Its feature
 * column of ones is a grow-only buffer (filled once per growth, not per batch); {@link #close()} frees its tensors.
 */
public final class PopularityScorer implements Scorer, AutoCloseable {
    private final Backend backend;
    private final Tensor counts;
    private final Tensor zeros;
    private final GrowingFloats ones;
    private int onesFilled;

    /** @param itemCounts counts indexed by item 1..N (index 0 ignored) */
    public PopularityScorer(Backend backend, long[] itemCounts) {
        this.backend = backend;
        int n = itemCounts.length - 1;
        float[] c = new float[n];
        for (int j = 0; j < n; j++) c[j] = itemCounts[j + 1];
        this.counts = backend.allocate(n, 1);
        backend.upload(counts, c, 0);
        this.zeros = backend.allocate(n);
        this.ones = new GrowingFloats(backend, 256);
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

    /** [n, 1] of ones: the feature of every history (the score is the item's count); valid until the next call. */
    public Tensor ones(int n) {
        int before = ones.capacity();
        Tensor view = ones.view(n, 1);
        if (ones.capacity() != before) onesFilled = 0; // grown: a fresh, zero-filled allocation
        if (n > onesFilled) {
            backend.fill(view, 1f);
            onesFilled = n;
        }
        return view;
    }

    @Override
    public Tensor weights() {
        return counts;
    }

    @Override
    public Tensor bias() {
        return zeros;
    }

    /** Frees the counts, the zero bias and the ones. */
    @Override
    public void close() {
        backend.free(counts);
        backend.free(zeros);
        ones.close();
    }
}
