package dev.lstmrec.spark;

import dev.lstmrec.engine.train.Trainer;

import java.io.Serializable;

/**
 * What the driver broadcasts at the start of a training round: which round, epoch and first batch it is, the Adam
 * step counter, and the slices the previous round averaged (their weights and both moments, packed one after the
 * other in slice order; no first moment for the slices whose m never changes, see {@link ParameterSlices#shipsMoment}). A task whose resident state is at the previous round writes these slices into it and holds
 * exactly the driver's state: every slice any task changed in that round is here, and every other slice is still the
 * value all tasks started the round with. Its size is that of the change, not of the model.
 */
public record RoundDelta(int round, int epoch, int firstBatch, int step, int[] slices, float[] w, float[] m, float[] v)
        implements Serializable {
    /** A round that follows no averaging in this job (the first of a job: its start state is the base). */
    static RoundDelta first(int round, int epoch, int firstBatch, int step) {
        return new RoundDelta(round, epoch, firstBatch, step, new int[0], new float[0], new float[0], new float[0]);
    }

    /** Serialised as {@link Wire}: the arrays in bulk (records ignore writeObject, not writeReplace). */
    private Object writeReplace() {
        return new Wire(this);
    }

    /** The serialised form of a delta. */
    static final class Wire implements java.io.Externalizable {
        private RoundDelta delta;

        public Wire() {} // for deserialisation

        Wire(RoundDelta delta) {
            this.delta = delta;
        }

        @Override
        public void writeExternal(java.io.ObjectOutput out) throws java.io.IOException {
            out.writeInt(delta.round);
            out.writeInt(delta.epoch);
            out.writeInt(delta.firstBatch);
            out.writeInt(delta.step);
            BulkIo.writeInts(out, delta.slices);
            BulkIo.writeFloats(out, delta.w);
            BulkIo.writeFloats(out, delta.m);
            BulkIo.writeFloats(out, delta.v);
        }

        @Override
        public void readExternal(java.io.ObjectInput in) throws java.io.IOException {
            delta = new RoundDelta(in.readInt(), in.readInt(), in.readInt(), in.readInt(), BulkIo.readInts(in),
                    BulkIo.readFloats(in), BulkIo.readFloats(in), BulkIo.readFloats(in));
        }

        private Object readResolve() {
            return delta;
        }
    }

    /** Bytes of the arrays (what the broadcast moves, before compression). */
    public long bytes() {
        return 4L * slices.length + 4L * (w.length + m.length + v.length);
    }

    /**
     * Writes the averaged slices into the trainer's state (m only of the slices that ship it: the others hold the m
     * every copy holds); returns the floats written, of w, m and v together.
     */
    long applyTo(Trainer trainer, ParameterSlices layout) {
        int at = 0, mAt = 0;
        for (int s : slices) {
            int len = layout.length(s);
            boolean moment = layout.shipsMoment(s);
            trainer.writeState(layout.offset(s), len, w, at, moment ? m : null, mAt, v, at);
            at += len;
            if (moment) mAt += len;
        }
        if (at != w.length || mAt != m.length) throw new IllegalStateException("the delta does not match the model's slices");
        return 2L * at + mAt;
    }

    /** Collects the averaged slices of a round on the driver, in the order they are averaged. */
    static final class Builder {
        private int[] slices = new int[64];
        private float[] w = new float[1024], m = new float[1024], v = new float[1024];
        private int n, floats, mFloats, lastAt, lastMAt;

        /** Reserves {@code len} floats for {@code slice} (and for its m when {@code moment}); see {@link #lastAt}. */
        void append(int slice, int len, boolean moment) {
            if (n == slices.length) slices = java.util.Arrays.copyOf(slices, 2 * n);
            if (floats + len > w.length) {
                int cap = Math.max(2 * w.length, floats + len);
                w = java.util.Arrays.copyOf(w, cap);
                v = java.util.Arrays.copyOf(v, cap);
            }
            if (moment && mFloats + len > m.length) m = java.util.Arrays.copyOf(m, Math.max(2 * m.length, mFloats + len));
            slices[n++] = slice;
            lastAt = floats;
            floats += len;
            lastMAt = moment ? mFloats : -1;
            if (moment) mFloats += len;
        }

        /** Where the last appended slice's values go in {@link #values}(k). */
        int lastAt(int k) {
            return k == 1 ? lastMAt : lastAt;
        }

        /** Array {@code k} (0 = weights, 1 = m, 2 = v) to write appended slices into (valid until the next append). */
        float[] values(int k) {
            return k == 0 ? w : k == 1 ? m : v;
        }

        RoundDelta build(int round, int epoch, int firstBatch, int step) {
            return new RoundDelta(round, epoch, firstBatch, step, java.util.Arrays.copyOf(slices, n), java.util.Arrays.copyOf(w, floats),
                    java.util.Arrays.copyOf(m, mFloats), java.util.Arrays.copyOf(v, floats));
        }
    }
}
