package dev.lstmrec.spark;

import dev.lstmrec.engine.train.Trainer;

import java.io.Serializable;

/**
 * What the driver broadcasts at the start of a training round: which round, epoch and first batch it is, the Adam
 * step counter, and the slices the previous round averaged (their weights and both moments, packed one after the
 * other in slice order). A task whose resident state is at the previous round writes these slices into it and holds
 * exactly the driver's state: every slice any task changed in that round is here, and every other slice is still the
 * value all tasks started the round with. Its size is that of the change, not of the model.
 */
public record RoundDelta(int round, int epoch, int firstBatch, int step, int[] slices, float[] w, float[] m, float[] v)
        implements Serializable {
    /** A round that follows no averaging in this job (the first of a job: its start state is the base). */
    static RoundDelta first(int round, int epoch, int firstBatch, int step) {
        return new RoundDelta(round, epoch, firstBatch, step, new int[0], new float[0], new float[0], new float[0]);
    }

    /** Bytes of the arrays (what the broadcast moves, before compression). */
    public long bytes() {
        return 4L * slices.length + 12L * w.length;
    }

    /** Writes the averaged slices into the trainer's state; returns the floats written (of each of w, m, v). */
    long applyTo(Trainer trainer, ParameterSlices layout) {
        int at = 0;
        for (int s : slices) {
            int len = layout.length(s);
            trainer.writeState(layout.offset(s), len, w, m, v, at);
            at += len;
        }
        return at;
    }

    /** Collects the averaged slices of a round on the driver, in the order they arrive. */
    static final class Builder {
        private final ParameterSlices layout;
        private int[] slices = new int[64];
        private float[] w = new float[1024], m = new float[1024], v = new float[1024];
        private int n, floats;

        Builder(ParameterSlices layout) {
            this.layout = layout;
        }

        void add(int slice, float[][] averaged) {
            int len = layout.length(slice);
            if (n == slices.length) slices = java.util.Arrays.copyOf(slices, 2 * n);
            if (floats + len > w.length) {
                int cap = Math.max(2 * w.length, floats + len);
                w = java.util.Arrays.copyOf(w, cap);
                m = java.util.Arrays.copyOf(m, cap);
                v = java.util.Arrays.copyOf(v, cap);
            }
            slices[n++] = slice;
            System.arraycopy(averaged[0], 0, w, floats, len);
            System.arraycopy(averaged[1], 0, m, floats, len);
            System.arraycopy(averaged[2], 0, v, floats, len);
            floats += len;
        }

        RoundDelta build(int round, int epoch, int firstBatch, int step) {
            return new RoundDelta(round, epoch, firstBatch, step, java.util.Arrays.copyOf(slices, n), java.util.Arrays.copyOf(w, floats),
                    java.util.Arrays.copyOf(m, floats), java.util.Arrays.copyOf(v, floats));
        }
    }
}
