package dev.lstmrec.spark;

import scala.Tuple2;

import java.util.List;

/**
 * Turns the summed contributions of a round into the next state. A slice's new value is
 * {@code (sum over contributing tasks + (D - count) * old) / D} in double, where D is the number of tasks that took a
 * step this round (dense averaging: a task that did not change a row counts with the old value, which it still
 * holds) or, for item rows under {@link TrainSettings.RowAveraging#TOUCHING_TASKS}, the number of tasks that changed
 * the row. The sum of two floats is exact in double, so skipping unchanged rows gives bit-identical results to
 * shipping every row (the test "sparse equals dense"), and one contribution averages to itself.
 */
final class RoundAverager {
    private RoundAverager() {}

    /** Runs on the executors after the reduce: the averaged slice as a single contribution; statistics pass through. */
    static SliceUpdate average(int key, SliceUpdate sum, RoundState s, ParameterSlices slices, int active,
                               TrainSettings.RowAveraging mode) {
        if (key == RoundTask.STATS) return sum;
        int d = slices.itemRow(key) && mode == TrainSettings.RowAveraging.TOUCHING_TASKS ? sum.count() : active;
        int off = slices.offset(key), len = slices.length(key);
        float[][] before = {s.weights(), s.adamM(), s.adamV()};
        float[][] out = new float[3][len];
        int stay = d - sum.count();
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < len; i++) out[k][i] = (float) ((sum.sum(k, i) + (double) stay * before[k][off + i]) / d);
        }
        return new SliceUpdate(out[0], out[1], out[2]);
    }

    /** Copies of the state arrays with the averaged slices written in (slices not listed keep their values). */
    static float[][] apply(List<Tuple2<Integer, float[][]>> averaged, ParameterSlices slices, float[] w, float[] m, float[] v) {
        float[][] next = {w.clone(), m.clone(), v.clone()};
        for (Tuple2<Integer, float[][]> t : averaged) {
            int off = slices.offset(t._1());
            for (int k = 0; k < 3; k++) System.arraycopy(t._2()[k], 0, next[k], off, slices.length(t._1()));
        }
        return next;
    }
}
