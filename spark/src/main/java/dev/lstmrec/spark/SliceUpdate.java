package dev.lstmrec.spark;

import java.io.Serializable;

/**
 * What tasks ship for a set of parameter slices in a round, and what the averaging shuffle sums: the slices' weights
 * and both Adam moments after the task's local steps, packed one slice after the other in ascending slice order, and
 * per slice how many tasks contributed. A task sends one of these per reduce partition (its slices of that bucket),
 * not one record per slice: a round at 10^6 items changes ~10^5 rows, and per-record serialisation and map lookups
 * had cost the driver and the executors more CPU than the averaging itself. A task's own contribution is kept in
 * floats (what goes over the wire); sums are exact in double, so the average of one contribution is that contribution
 * bit for bit, and skipping unchanged rows gives the same average as shipping them (see {@link RoundAverager}).
 * Records without slices carry a task's statistics.
 */
public final class SliceUpdate implements Serializable {
    private static final int[] NO_SLICES = new int[0];

    // every field goes through writeObject/readObject (arrays in bulk: BulkIo)
    private transient int[] slices = NO_SLICES; // ascending
    private transient int[] start = {0};         // slice j's floats are [start[j], start[j + 1]) of w and v
    private transient int[] mStart = {0};        // and [mStart[j], mStart[j + 1]) of m: empty where m is not shipped
    private transient float[][] single;          // {w, m, v} of one task: every slice counts once
    private transient double[][] sum;            // sums over several tasks
    private transient int[] count;               // per slice, with sum
    private transient double loss;   // statistics
    private transient long tokens;
    private transient int maxSteps;
    private transient int builds, fullLoads; // resident states built, full states loaded
    private transient long stateFloats;     // floats moved between the tasks' trainers and the host

    private SliceUpdate() {}

    /** A record without slices (statistics only). */
    static SliceUpdate empty() {
        return new SliceUpdate();
    }

    /**
     * One task's values of {@code slices} (ascending): slice j's floats are {@code [start[j], start[j + 1])} of w and v
     * and {@code [mStart[j], mStart[j + 1])} of m (empty, or as long as the slice).
     */
    static SliceUpdate of(int[] slices, int[] start, float[] w, int[] mStart, float[] m, float[] v) {
        int n = slices.length;
        if (start.length != n + 1 || mStart.length != n + 1 || w.length < start[n] || v.length < start[n] || m.length < mStart[n]) {
            throw new IllegalArgumentException("packing does not match the slices");
        }
        for (int j = 0; j < n; j++) {
            if (j > 0 && slices[j] <= slices[j - 1]) throw new IllegalArgumentException("slices must ascend: " + slices[j - 1] + ", " + slices[j]);
            int ml = mStart[j + 1] - mStart[j];
            if (ml != 0 && ml != start[j + 1] - start[j]) throw new IllegalArgumentException("slice " + slices[j] + ": m of " + ml + " floats");
        }
        SliceUpdate u = new SliceUpdate();
        u.slices = slices;
        u.start = start;
        u.mStart = mStart;
        u.single = new float[][] {w, m, v};
        return u;
    }

    /** Sums two contributions (a merge-join on the slice ids); may reuse either. */
    public static SliceUpdate merge(SliceUpdate a, SliceUpdate b) {
        SliceUpdate out;
        if (b.slices.length == 0) out = a;
        else if (a.slices.length == 0) out = b;
        else out = mergeSlices(a, b);
        if (out != a) out.addStatsOf(a);
        if (out != b) out.addStatsOf(b);
        return out;
    }

    private static SliceUpdate mergeSlices(SliceUpdate a, SliceUpdate b) {
        int na = a.slices.length, nb = b.slices.length;
        int[] slices = new int[na + nb], start = new int[na + nb + 1], mStart = new int[na + nb + 1], count = new int[na + nb];
        int floats = a.start[na] + b.start[nb], mFloats = a.mStart[na] + b.mStart[nb];
        double[][] sum = {new double[floats], new double[mFloats], new double[floats]};
        int i = 0, j = 0, n = 0, at = 0, mAt = 0;
        while (i < na || j < nb) {
            boolean fromA = j == nb || (i < na && a.slices[i] <= b.slices[j]);
            boolean both = i < na && j < nb && a.slices[i] == b.slices[j];
            SliceUpdate src = fromA ? a : b;
            int k = fromA ? i : j, len = src.length(k), mLen = src.mLength(k);
            slices[n] = src.slices[k];
            start[n] = at;
            mStart[n] = mAt;
            count[n] = src.count(k);
            src.copyTo(sum, k, at, mAt, false);
            if (both) {
                if (b.length(j) != len || b.mLength(j) != mLen) throw new IllegalStateException("slice " + slices[n] + " has two lengths");
                count[n] += b.count(j);
                b.copyTo(sum, j, at, mAt, true);
                j++;
            }
            if (fromA) i++;
            else j++;
            at += len;
            mAt += mLen;
            n++;
        }
        start[n] = at;
        mStart[n] = mAt;
        SliceUpdate u = new SliceUpdate();
        u.slices = java.util.Arrays.copyOf(slices, n);
        u.start = java.util.Arrays.copyOf(start, n + 1);
        u.mStart = java.util.Arrays.copyOf(mStart, n + 1);
        u.count = java.util.Arrays.copyOf(count, n);
        u.sum = sum;
        return u;
    }

    /** Writes (or adds) slice j's values into {@code into}: w and v at {@code at}, m at {@code mAt}. */
    private void copyTo(double[][] into, int j, int at, int mAt, boolean add) {
        int len = length(j), mLen = mLength(j), from = start[j], mFrom = mStart[j];
        for (int q = 0; q < 3; q++) {
            double[] out = into[q];
            int n = q == 1 ? mLen : len, src = q == 1 ? mFrom : from, dst = q == 1 ? mAt : at;
            for (int e = 0; e < n; e++) out[dst + e] = add ? out[dst + e] + sum(q, src + e) : sum(q, src + e);
        }
    }

    private void addStatsOf(SliceUpdate o) {
        loss += o.loss;
        tokens += o.tokens;
        maxSteps = Math.max(maxSteps, o.maxSteps);
        builds += o.builds;
        fullLoads += o.fullLoads;
        stateFloats += o.stateFloats;
    }

    private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
        out.writeDouble(loss);
        out.writeLong(tokens);
        out.writeInt(maxSteps);
        out.writeInt(builds);
        out.writeInt(fullLoads);
        out.writeLong(stateFloats);
        BulkIo.writeInts(out, slices);
        BulkIo.writeInts(out, start);
        BulkIo.writeInts(out, mStart);
        out.writeByte(single != null ? 1 : sum != null ? 2 : 0); // statistics records carry neither
        for (int k = 0; k < 3; k++) {
            if (single != null) BulkIo.writeFloats(out, single[k]);
            else if (sum != null) BulkIo.writeDoubles(out, sum[k]);
        }
        if (sum != null) BulkIo.writeInts(out, count);
    }

    private void readObject(java.io.ObjectInputStream in) throws java.io.IOException {
        loss = in.readDouble();
        tokens = in.readLong();
        maxSteps = in.readInt();
        builds = in.readInt();
        fullLoads = in.readInt();
        stateFloats = in.readLong();
        slices = BulkIo.readInts(in);
        start = BulkIo.readInts(in);
        mStart = BulkIo.readInts(in);
        int kind = in.readByte();
        if (kind == 1) {
            single = new float[][] {BulkIo.readFloats(in), BulkIo.readFloats(in), BulkIo.readFloats(in)};
        } else if (kind == 2) {
            sum = new double[][] {BulkIo.readDoubles(in), BulkIo.readDoubles(in), BulkIo.readDoubles(in)};
            count = BulkIo.readInts(in);
        } else if (kind != 0 || slices.length > 0) {
            throw new java.io.StreamCorruptedException("slice record of kind " + kind + " with " + slices.length + " slices");
        }
    }

    /** Slices carried. */
    public int size() {
        return slices.length;
    }

    /** The id of the j-th slice carried (ascending in j). */
    public int slice(int j) {
        return slices[j];
    }

    /** Where the j-th slice's floats start in the packed w and v. */
    public int start(int j) {
        return start[j];
    }

    /** Floats of the j-th slice (of each of w and v). */
    public int length(int j) {
        return start[j + 1] - start[j];
    }

    /** Where the j-th slice's first moment starts in the packed m. */
    public int mStart(int j) {
        return mStart[j];
    }

    /** Floats of the j-th slice's first moment: its length, or 0 where m is not shipped. */
    public int mLength(int j) {
        return mStart[j + 1] - mStart[j];
    }

    /** Number of tasks whose values of the j-th slice are summed here. */
    public int count(int j) {
        return single != null ? 1 : count[j];
    }

    /** The summed value of array {@code k} (0 = weights, 1 = m, 2 = v) at packed position {@code i} (of m: by mStart). */
    public double sum(int k, int i) {
        return single != null ? single[k][i] : sum[k][i];
    }

    /** Array {@code k} of a single contribution, or null when this is a sum (then see {@link #sums}). */
    float[] singleValues(int k) {
        return single == null ? null : single[k];
    }

    /** Array {@code k} of a sum, or null when this is a single contribution (then see {@link #singleValues}). */
    double[] sums(int k) {
        return sum == null ? null : sum[k];
    }

    /** Floats carried, of all three arrays (for byte accounting). */
    public long floats() {
        return 2L * start[slices.length] + mStart[slices.length];
    }

    /** Adds a task's training statistics. */
    void addStats(double loss, long tokens, int steps) {
        this.loss += loss;
        this.tokens += tokens;
        this.maxSteps = Math.max(maxSteps, steps);
    }

    /** Adds a task's state traffic. */
    void addTraffic(int builds, int fullLoads, long floats) {
        this.builds += builds;
        this.fullLoads += fullLoads;
        this.stateFloats += floats;
    }

    /** Resident states built this round, over all tasks. */
    public int builds() {
        return builds;
    }

    /** Tasks that loaded the full state this round: new, lost or moved resident states. */
    public int fullLoads() {
        return fullLoads;
    }

    /** Floats the tasks moved between their trainers and the host this round. */
    public long stateFloats() {
        return stateFloats;
    }

    /** Summed training loss. */
    public double loss() {
        return loss;
    }

    /** Summed predicted tokens. */
    public long tokens() {
        return tokens;
    }

    /** The most local steps any task took: the global Adam step advances by this. */
    public int maxSteps() {
        return maxSteps;
    }
}
