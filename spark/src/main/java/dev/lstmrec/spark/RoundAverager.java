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

    /** Writes the average of {@code sum} into {@code state} ({w, m, v}) and returns it as {w, m, v} of the slice. */
    static float[][] averageInto(int slice, SliceUpdate sum, float[][] state, ParameterSlices slices, int active,
                                 TrainSettings.RowAveraging mode) {
        int d = slices.itemRow(slice) && mode == TrainSettings.RowAveraging.TOUCHING_TASKS ? sum.count() : active;
        int off = slices.offset(slice), len = slices.length(slice);
        float[][] out = new float[3][len];
        int stay = d - sum.count();
        for (int k = 0; k < 3; k++) {
            float[] s = state[k];
            for (int i = 0; i < len; i++) {
                out[k][i] = (float) ((sum.sum(k, i) + (double) stay * s[off + i]) / d);
                s[off + i] = out[k][i];
            }
        }
        return out;
    }
}
