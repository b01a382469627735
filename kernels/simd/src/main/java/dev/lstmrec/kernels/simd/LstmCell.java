package dev.lstmrec.kernels.simd;

import dev.lstmrec.engine.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import static dev.lstmrec.kernels.simd.Heap.f;
import static dev.lstmrec.kernels.simd.Heap.o;

/**
 * Fused LSTM cell forward/backward over a range of rows, gate layout [i | f | g | o]; vectors along H, the
 * scalar tail (H not a multiple of the lane count) repeats ScalarBackend's formulas. Napkin math: per element
 * about 4 exp + 30 flops forward, memory 7 floats in / 6 out. Checked against ScalarBackend in SimdOpsTest.
 */
final class LstmCell {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = Simd.L;
    /**
     * Read-only zeros standing in for an absent cPrev/dc. Loading from it (instead of choosing a zero vector) keeps
     * one exact vector type at the merge, without which C2 fails to intrinsify the stores and boxes the vectors.
     */
    private static final float[] ZEROS = new float[L];

    private LstmCell() {}

    /**
     * Rows [r0, r1) of {@code Backend.lstmCellForward}, same tensors; cPrev == null means cPrev = 0. C2 stops inlining (and then
     * boxes every vector) when one method holds two inlined exps, so every activation of a row goes through one
     * loop with one exp: {@code dst = m·sigmoid(s·(x + b)) - (m - 1)}, which is sigmoid for s = m = 1 and tanh for
     * s = m = 2; tanh(c) is taken as x = b = c, s = 1, m = 2. Step 4 (between the gates and tanh(c)) is the cell
     * update, which needs no exp.
     */
    static void forward(Tensor h, Tensor c, Tensor gates, Tensor bias, Tensor cPrev, int r0, int r1) {
        float[] hd = f(h), cd = f(c), gd = f(gates), bd = f(bias), pd = f(cPrev);
        int ho = o(h), co = o(c), go = o(gates), bo = o(bias), po = o(cPrev), hid = h.dim(1);
        int g4 = 4 * hid, bound = S.loopBound(hid);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int r = r0; r < r1; r++) {
            int gr = go + r * g4, hr = r * hid;
            for (int step = 0; step < 6; step++) {
                if (step == 4) {
                    cell(cd, co + hr, gd, gr, pd, pd == null ? 0 : po + hr, hid);
                    continue;
                }
                boolean gate = step < 4;
                float[] x = gate ? gd : cd, b = gate ? bd : cd, dst = gate ? gd : hd;
                int xo = gate ? gr + step * hid : co + hr, bOff = gate ? bo + step * hid : co + hr;
                int dOff = gate ? xo : ho + hr;
                float s = step == 2 ? 2f : 1f, m = step == 2 || step == 5 ? 2f : 1f;
                FloatVector sv = FloatVector.broadcast(S, -s), mv = FloatVector.broadcast(S, m);
                FloatVector shift = FloatVector.broadcast(S, m - 1f);
                int j = 0;
                for (; j < bound; j += L) {
                    FloatVector y = FloatVector.fromArray(S, x, xo + j).add(FloatVector.fromArray(S, b, bOff + j));
                    FloatVector sig = one.div(VMath.exp(y.mul(sv)).add(1f));
                    sig.mul(mv).sub(shift).intoArray(dst, dOff + j);
                }
                for (; j < hid; j++) {
                    float y = x[xo + j] + b[bOff + j];
                    dst[dOff + j] = m * (float) (1.0 / (1.0 + Math.exp(-s * (double) y))) - (m - 1f);
                }
            }
            int j = 0;
            for (; j < bound; j += L) {
                FloatVector.fromArray(S, gd, gr + 3 * hid + j).mul(FloatVector.fromArray(S, hd, ho + hr + j))
                        .intoArray(hd, ho + hr + j);
            }
            for (; j < hid; j++) hd[ho + hr + j] *= gd[gr + 3 * hid + j];
        }
    }

    /** One row of {@code c = f⊙cPrev + i⊙g} from activated gates; pd == null means cPrev = 0. */
    private static void cell(float[] cd, int cOff, float[] gd, int gr, float[] pd, int pOff, int hid) {
        int bound = S.loopBound(hid), j = 0;
        for (; j < bound; j += L) {
            FloatVector ig = FloatVector.fromArray(S, gd, gr + j);
            FloatVector fg = FloatVector.fromArray(S, gd, gr + hid + j);
            FloatVector gg = FloatVector.fromArray(S, gd, gr + 2 * hid + j);
            FloatVector cp = FloatVector.fromArray(S, pd == null ? ZEROS : pd, pd == null ? 0 : pOff + j);
            fg.fma(cp, ig.mul(gg)).intoArray(cd, cOff + j);
        }
        for (; j < hid; j++) {
            float cp = pd == null ? 0f : pd[pOff + j];
            cd[cOff + j] = gd[gr + hid + j] * cp + gd[gr + j] * gd[gr + 2 * hid + j];
        }
    }

    /**
     * Rows [r0, r1) of {@code Backend.lstmCellBackward}, same tensors; a null dc / cPrev is zero, a null dcPrev is
     * not written.
     */
    static void backward(Tensor dGates, Tensor dcPrev, Tensor dh, Tensor dc, Tensor gates, Tensor c, Tensor cPrev,
                         int r0, int r1) {
        float[] dgd = f(dGates), dpd = f(dcPrev), dhd = f(dh), dcd = f(dc), gd = f(gates), cd = f(c), pd = f(cPrev);
        int dgo = o(dGates), dpo = o(dcPrev), dho = o(dh), dco = o(dc), go = o(gates), co = o(c), po = o(cPrev);
        int hid = dh.dim(1), g4 = 4 * hid, bound = S.loopBound(hid);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int r = r0; r < r1; r++) {
            int gr = go + r * g4, dgr = dgo + r * g4, hr = r * hid;
            int j = 0;
            for (; j < bound; j += L) {
                FloatVector ig = FloatVector.fromArray(S, gd, gr + j);
                FloatVector fg = FloatVector.fromArray(S, gd, gr + hid + j);
                FloatVector gg = FloatVector.fromArray(S, gd, gr + 2 * hid + j);
                FloatVector og = FloatVector.fromArray(S, gd, gr + 3 * hid + j);
                FloatVector tc = VMath.tanh(FloatVector.fromArray(S, cd, co + hr + j));
                FloatVector dhv = FloatVector.fromArray(S, dhd, dho + hr + j);
                FloatVector dcv = FloatVector.fromArray(S, dcd == null ? ZEROS : dcd, dcd == null ? 0 : dco + hr + j);
                FloatVector dct = dhv.mul(og).mul(one.sub(tc.mul(tc))).add(dcv);
                FloatVector cp = FloatVector.fromArray(S, pd == null ? ZEROS : pd, pd == null ? 0 : po + hr + j);
                dct.mul(gg).mul(ig.mul(one.sub(ig))).intoArray(dgd, dgr + j);
                dct.mul(cp).mul(fg.mul(one.sub(fg))).intoArray(dgd, dgr + hid + j);
                dct.mul(ig).mul(one.sub(gg.mul(gg))).intoArray(dgd, dgr + 2 * hid + j);
                dhv.mul(tc).mul(og.mul(one.sub(og))).intoArray(dgd, dgr + 3 * hid + j);
                if (dpd != null) dct.mul(fg).intoArray(dpd, dpo + hr + j);
            }
            for (; j < hid; j++) {
                float ig = gd[gr + j], fg = gd[gr + hid + j], gg = gd[gr + 2 * hid + j], og = gd[gr + 3 * hid + j];
                float tc = VMath.tanh(cd[co + hr + j]);
                float dhv = dhd[dho + hr + j];
                float dct = dhv * og * (1f - tc * tc) + (dcd == null ? 0f : dcd[dco + hr + j]);
                float cp = pd == null ? 0f : pd[po + hr + j];
                dgd[dgr + j] = dct * gg * ig * (1f - ig);
                dgd[dgr + hid + j] = dct * cp * fg * (1f - fg);
                dgd[dgr + 2 * hid + j] = dct * ig * (1f - gg * gg);
                dgd[dgr + 3 * hid + j] = dhv * tc * og * (1f - og);
                if (dpd != null) dpd[dpo + hr + j] = dct * fg;
            }
        }
    }
}
