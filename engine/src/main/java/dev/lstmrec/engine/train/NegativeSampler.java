package dev.lstmrec.engine.train;

import java.util.SplittableRandom;

/**
 * Draws the K shared negatives of a training step from weights count^alpha (count = how often the item is a training
 * target) with Walker's alias table: O(N) to build, O(1) per draw. The draws of a step are a pure function of
 * (seed, epoch, batch), so a run resumed after SIGKILL samples exactly what the uninterrupted run sampled.
 */
public final class NegativeSampler {
    private final float[] accept;
    private final int[] alias;
    private final double[] logCount;
    private final float alpha;

    /**
     * @param counts per output row (item - 1), how often it is a training target
     * @param alpha  exponent of the sampling weights; 0 samples uniformly
     */
    public NegativeSampler(long[] counts, float alpha) {
        int n = counts.length;
        if (n == 0) throw new IllegalArgumentException("no items to sample");
        this.alpha = alpha;
        double[] w = new double[n];
        logCount = new double[n];
        double sum = 0;
        for (int j = 0; j < n; j++) {
            if (counts[j] < 0) throw new IllegalArgumentException("negative count for item " + (j + 1));
            w[j] = alpha == 0f ? 1.0 : counts[j] == 0 ? 0.0 : Math.pow(counts[j], alpha);
            logCount[j] = Math.log(Math.max(1, counts[j]));
            sum += w[j];
        }
        if (!(sum > 0)) throw new IllegalArgumentException("every item has count 0: nothing to sample from");
        accept = new float[n];
        alias = new int[n];
        // Vose's method: scale to mean 1, pair each small column with a large one.
        double[] p = new double[n];
        int[] small = new int[n], large = new int[n];
        int ns = 0, nl = 0;
        for (int j = 0; j < n; j++) {
            p[j] = w[j] * n / sum;
            if (p[j] < 1.0) small[ns++] = j;
            else large[nl++] = j;
        }
        while (ns > 0 && nl > 0) {
            int s = small[--ns], l = large[--nl];
            accept[s] = (float) p[s];
            alias[s] = l;
            p[l] = p[l] + p[s] - 1.0;
            if (p[l] < 1.0) small[ns++] = l;
            else large[nl++] = l;
        }
        while (nl > 0) {
            int l = large[--nl];
            accept[l] = 1f;
            alias[l] = l;
        }
        while (ns > 0) { // only rounding leaves these
            int s = small[--ns];
            accept[s] = 1f;
            alias[s] = s;
        }
    }

    /** Counts of each output row among the targets of the training windows. */
    public static long[] targetCounts(java.util.List<int[]> sequences, java.util.List<int[]> windows, int numItems) {
        long[] counts = new long[numItems];
        for (int[] w : windows) {
            int[] seq = sequences.get(w[0]);
            for (int i = w[1] + 1; i < w[2]; i++) counts[seq[i] - 1]++;
        }
        return counts;
    }

    /** Fills {@code out[0..k)} with the output rows drawn for (seed, epoch, batch). */
    public void draw(int[] out, int k, long seed, int epoch, int batch) {
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL ^ (epoch * 0x9E3779B97F4A7C15L) ^ ((long) batch << 20));
        rnd = rnd.split(); // decorrelate from the other streams seeded the same way
        int n = accept.length;
        for (int i = 0; i < k; i++) {
            int col = rnd.nextInt(n);
            out[i] = rnd.nextFloat() < accept[col] ? col : alias[col];
        }
    }

    /** log of the row's training-target count (at least 1): GRU4Rec's log Q for in-batch targets. */
    public double logCount(int row) {
        return logCount[row];
    }

    /** alpha · log count: GRU4Rec's log Q for sampled negatives (log of count^alpha). */
    public double logSampleWeight(int row) {
        return alpha * logCount[row];
    }

    public int items() {
        return accept.length;
    }
}
