package dev.lstmrec.spark;

import java.io.Serializable;

/**
 * What tasks ship for one parameter slice in a round, and what the averaging shuffle sums: the slice's weights and
 * both Adam moments after the task's local steps, and how many tasks contributed. A task's own contribution is kept
 * in floats (what goes over the wire); sums are exact in double, so the average of one contribution is that
 * contribution bit for bit, and skipping unchanged rows gives the same average as shipping them (see
 * {@link RoundAverager}).
 */
public final class SliceUpdate implements Serializable {
    private float[][] single; // {w, m, v} of one task
    private double[][] sum;    // sums over several tasks
    private int count;
    private double loss;   // statistics record only
    private long tokens;
    private int maxSteps;
    private int builds, fullLoads; // statistics record: resident states built, full states loaded
    private long stateFloats;     // statistics record: floats moved between the tasks' trainers and the host

    public SliceUpdate(float[] w, float[] m, float[] v) {
        this.single = new float[][] {w, m, v};
        this.count = 1;
    }

    /** Sums two contributions; may reuse either. */
    public static SliceUpdate merge(SliceUpdate a, SliceUpdate b) {
        a.toSum();
        if (b.single != null) {
            for (int k = 0; k < 3; k++) {
                double[] s = a.sum[k];
                float[] x = b.single[k];
                for (int i = 0; i < s.length; i++) s[i] += x[i];
            }
        } else {
            for (int k = 0; k < 3; k++) {
                double[] s = a.sum[k], x = b.sum[k];
                for (int i = 0; i < s.length; i++) s[i] += x[i];
            }
        }
        a.count += b.count;
        a.loss += b.loss;
        a.tokens += b.tokens;
        a.maxSteps = Math.max(a.maxSteps, b.maxSteps);
        a.builds += b.builds;
        a.fullLoads += b.fullLoads;
        a.stateFloats += b.stateFloats;
        return a;
    }

    private void toSum() {
        if (sum != null) return;
        sum = new double[3][];
        for (int k = 0; k < 3; k++) {
            sum[k] = new double[single[k].length];
            for (int i = 0; i < sum[k].length; i++) sum[k][i] = single[k][i];
        }
        single = null;
    }

    /** Number of tasks whose values are summed here. */
    public int count() {
        return count;
    }

    /** The summed value of array {@code k} (0 = weights, 1 = m, 2 = v) at position {@code i}. */
    public double sum(int k, int i) {
        return single != null ? single[k][i] : sum[k][i];
    }

    /** Floats carried (for byte accounting). */
    public int floats() {
        return 3 * (single != null ? single[0].length : sum[0].length);
    }

    /** Marks this as a task's statistics record. */
    void addStats(double loss, long tokens, int steps) {
        this.loss += loss;
        this.tokens += tokens;
        this.maxSteps = Math.max(maxSteps, steps);
    }

    /** Adds a task's state traffic (statistics record). */
    void addTraffic(int builds, int fullLoads, long floats) {
        this.builds += builds;
        this.fullLoads += fullLoads;
        this.stateFloats += floats;
    }

    /** Resident states built this round, over all tasks (statistics record). */
    public int builds() {
        return builds;
    }

    /** Tasks that loaded the full state this round (statistics record): new, lost or moved resident states. */
    public int fullLoads() {
        return fullLoads;
    }

    /** Floats the tasks moved between their trainers and the host this round (statistics record). */
    public long stateFloats() {
        return stateFloats;
    }

    /** Summed training loss (statistics record). */
    public double loss() {
        return loss;
    }

    /** Summed predicted tokens (statistics record). */
    public long tokens() {
        return tokens;
    }

    /** The most local steps any task took (statistics record): the global Adam step advances by this. */
    public int maxSteps() {
        return maxSteps;
    }

    /** The arrays of a single contribution (an averaged slice is one): {w, m, v}. */
    public float[][] averaged() {
        if (single == null) throw new IllegalStateException("a sum, not a single contribution");
        return single;
    }
}
