package dev.lstmrec.spark;

/**
 * Turns the summed contributions of a round into the next state, on the driver, in place and per changed slice only
 * (never a copy of the state). A slice's new value is {@code (sum over contributing tasks + (D - count) * old) / D}
 * in double, where D is the number of tasks that took a step this round (dense averaging: a task that did not
 * update a row counts with the old value, which it still holds) or, for item rows under
 * {@link TrainSettings.RowAveraging#TOUCHING_TASKS}, the number of tasks that updated the row. The sum of two floats is
 * exact in double, so skipping unchanged rows gives bit-identical results to shipping every row (the test "sparse
 * equals dense"), and one contribution averages to itself.
 */
final class RoundAverager {
    private RoundAverager() {}

    /**
     * Writes the average of every slice of {@code sum} into {@code state} ({w, m, v}) and appends it to the next
     * round's delta; a slice's m only where it was shipped (elsewhere every copy holds the same m, which stays).
     * Returns the floats averaged: {of w (= of v), of m}.
     */
    static long[] averageInto(SliceUpdate sum, float[][] state, ParameterSlices slices, int active,
                              TrainSettings.RowAveraging mode, RoundDelta.Builder next) {
        long floats = 0, mFloats = 0;
        for (int j = 0; j < sum.size(); j++) {
            int slice = sum.slice(j);
            int d = slices.itemRow(slice) && mode == TrainSettings.RowAveraging.TOUCHING_TASKS ? sum.count(j) : active;
            int off = slices.offset(slice), len = slices.length(slice);
            boolean moment = slices.shipsMoment(slice);
            if (sum.length(j) != len || sum.mLength(j) != (moment ? len : 0)) {
                throw new IllegalStateException("slice " + slice + ": " + sum.length(j) + " + " + sum.mLength(j) + " floats, expected " + len);
            }
            next.append(slice, len, moment);
            int stay = d - sum.count(j);
            double inverse = Integer.bitCount(d) == 1 ? 1.0 / d : 0; // x / 2^k == x * 2^-k exactly: no division
            for (int k = 0; k < 3; k++) {
                if (k == 1 && !moment) continue;
                float[] s = state[k], out = next.values(k), one = sum.singleValues(k);
                double[] many = sum.sums(k);
                int from = k == 1 ? sum.mStart(j) : sum.start(j), at = next.lastAt(k);
                for (int i = 0; i < len; i++) { // (the driver's hot loop: arrays, not sum(k, i))
                    double x = one != null ? one[from + i] : many[from + i];
                    double total = x + (double) stay * s[off + i];
                    float v = (float) (inverse != 0 ? total * inverse : total / d);
                    s[off + i] = v;
                    out[at + i] = v;
                }
            }
            floats += len;
            if (moment) mFloats += len;
        }
        return new long[] {floats, mFloats};
    }
}
