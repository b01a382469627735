package dev.lstmrec.kernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * The sampled losses of {@code Backend.sampledSoftmaxCrossEntropy} and {@code Backend.bprMaxLoss}. The column terms
 * (bias - w·logQ) are folded once per call into a per-part array that also carries the masks: a padding column adds
 * -inf, and a row's accidental hits (found once per call by sorting the candidate ids) are switched off in that
 * array just for the row, so the softmax itself is three vector passes like {@link SoftmaxLoss}. Napkin math: C exps,
 * 3 reads and 2 writes of C floats per row. Checked against ScalarBackend in the conformance suite.
 */
final class SampledLoss {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = Simd.L;

    private SampledLoss() {}

    /** Per-call plan: for each row, the other columns carrying the same candidate (CSR). */
    static final class Hits {
        int[] offsets = new int[1];
        int[] list = new int[0];
        private long[] keys = new long[0];

        void build(int[] ids, int io, int n, int c) {
            if (keys.length < c) keys = new long[c];
            for (int j = 0; j < c; j++) keys[j] = ((long) ids[io + j] << 32) | j;
            Arrays.sort(keys, 0, c);
            if (offsets.length < n + 1) offsets = new int[n + 1];
            int[] count = new int[n];
            int total = 0;
            for (int pass = 0; pass < 2; pass++) {
                if (pass == 1) {
                    offsets[0] = 0;
                    for (int r = 0; r < n; r++) offsets[r + 1] = offsets[r] + count[r];
                    if (list.length < offsets[n]) list = new int[offsets[n]];
                    Arrays.fill(count, 0);
                }
                for (int a = 0; a < c; ) {
                    int b = a + 1, id = (int) (keys[a] >> 32);
                    while (b < c && (int) (keys[b] >> 32) == id) b++;
                    if (b - a > 1 && id >= 0) {
                        for (int x = a; x < b; x++) {
                            int row = (int) keys[x];
                            if (row >= n) continue;
                            for (int y = a; y < b; y++) {
                                if (y == x) continue;
                                if (pass == 0) count[row]++;
                                else list[offsets[row] + count[row]++] = (int) keys[y];
                            }
                        }
                    }
                    a = b;
                }
                total = offsets[n];
            }
        }
    }

    /** Scratch of one part: the column terms with masks folded in, their liveness, and dBias partial sums. */
    static final class Part {
        float[] add = new float[0], live = new float[0], dBias = new float[0], tmp = new float[0];

        void ensure(int c) {
            if (add.length < c) {
                add = new float[c];
                live = new float[c];
                dBias = new float[c];
                tmp = new float[c];
            }
        }
    }

    /** Fills the part's column terms: bias - w·logQ, or -inf (dead) for padding columns. */
    static void columns(Part p, float[] bd, int bo, float[] qd, int qo, float w, int[] ids, int io, int c) {
        p.ensure(c);
        for (int j = 0; j < c; j++) {
            boolean pad = ids[io + j] < 0;
            p.add[j] = pad ? Float.NEGATIVE_INFINITY : bd[bo + j] - (qd == null ? 0f : w * qd[qo + j]);
            p.live[j] = pad ? 0f : 1f;
        }
        Arrays.fill(p.dBias, 0, c, 0f);
    }

    private static void mask(Part p, Hits h, int r, boolean on, float[] bd, int bo, float[] qd, int qo, float w) {
        for (int e = h.offsets[r]; e < h.offsets[r + 1]; e++) {
            int j = h.list[e];
            p.add[j] = on ? Float.NEGATIVE_INFINITY : bd[bo + j] - (qd == null ? 0f : w * qd[qo + j]);
            p.live[j] = on ? 0f : 1f;
        }
    }

    /** Sampled softmax rows [r0, r1); returns their summed loss, dBias partials in the part. */
    static double softmaxRows(Part p, Hits h, float[] dd, int doff, float[] ld, int lo, float[] bd, int bo, float[] qd,
                              int qo, float w, int[] ids, int io, int c, float gradScale, int r0, int r1) {
        double total = 0;
        int bound = S.loopBound(c);
        float[] add = p.add, live = p.live, db = p.dBias;
        for (int r = r0; r < r1; r++) {
            int src = lo + r * c, dst = doff + r * c;
            if (ids[io + r] < 0) {
                Arrays.fill(dd, dst, dst + c, 0f);
                continue;
            }
            mask(p, h, r, true, bd, bo, qd, qo, w);
            FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            int j = 0;
            for (; j < bound; j += L) mv = mv.max(FloatVector.fromArray(S, ld, src + j).add(FloatVector.fromArray(S, add, j)));
            float max = mv.reduceLanes(VectorOperators.MAX);
            for (; j < c; j++) max = Math.max(max, ld[src + j] + add[j]);
            float xr = ld[src + r] + add[r];
            FloatVector mx = FloatVector.broadcast(S, max), acc = FloatVector.zero(S);
            j = 0;
            for (; j < bound; j += L) {
                FloatVector x = FloatVector.fromArray(S, ld, src + j).add(FloatVector.fromArray(S, add, j));
                FloatVector e = VMath.exp(x.sub(mx)).mul(FloatVector.fromArray(S, live, j));
                e.intoArray(dd, dst + j);
                acc = acc.add(e);
            }
            double sum = acc.reduceLanes(VectorOperators.ADD);
            for (; j < c; j++) {
                float e = live[j] == 0f ? 0f : (float) Math.exp(ld[src + j] + add[j] - max);
                dd[dst + j] = e;
                sum += e;
            }
            total += Math.log(sum) + max - xr;
            float scale = (float) (gradScale / sum);
            FloatVector sv = FloatVector.broadcast(S, scale);
            j = 0;
            for (; j < bound; j += L) {
                FloatVector g = FloatVector.fromArray(S, dd, dst + j).mul(sv);
                g.intoArray(dd, dst + j);
                g.add(FloatVector.fromArray(S, db, j)).intoArray(db, j);
            }
            for (; j < c; j++) {
                float g = dd[dst + j] * scale;
                dd[dst + j] = g;
                db[j] += g;
            }
            dd[dst + r] -= gradScale;
            db[r] -= gradScale;
            mask(p, h, r, false, bd, bo, qd, qo, w);
        }
        return total;
    }

    /**
     * BPR-max rows [r0, r1) (see {@code Backend.bprMaxLoss}): the negatives' softmax in the same vector passes, the
     * sigmoid terms per column; returns the rows' summed loss.
     */
    static double bprMaxRows(Part p, Hits h, float[] dd, int doff, float[] ld, int lo, float[] bd, int bo, int[] ids,
                             int io, int c, float bpreg, float gradScale, int r0, int r1) {
        double total = 0;
        float[] add = p.add, live = p.live, db = p.dBias, ex = p.tmp;
        int bound = S.loopBound(c);
        for (int r = r0; r < r1; r++) {
            int src = lo + r * c, dst = doff + r * c;
            if (ids[io + r] < 0) {
                Arrays.fill(dd, dst, dst + c, 0f);
                continue;
            }
            mask(p, h, r, true, bd, bo, null, 0, 0f);
            float s = ld[src + r] + add[r];
            // The row's own column is the positive, not a negative: out of the softmax for this row.
            float keepAdd = add[r], keepLive = live[r];
            add[r] = Float.NEGATIVE_INFINITY;
            live[r] = 0f;
            FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            int j = 0;
            for (; j < bound; j += L) mv = mv.max(FloatVector.fromArray(S, ld, src + j).add(FloatVector.fromArray(S, add, j)));
            float max = mv.reduceLanes(VectorOperators.MAX);
            for (; j < c; j++) max = Math.max(max, ld[src + j] + add[j]);
            if (max == Float.NEGATIVE_INFINITY) { // no negative left: the row is masked
                Arrays.fill(dd, dst, dst + c, 0f);
            } else {
                FloatVector mx = FloatVector.broadcast(S, max), acc = FloatVector.zero(S);
                j = 0;
                for (; j < bound; j += L) {
                    FloatVector x = FloatVector.fromArray(S, ld, src + j).add(FloatVector.fromArray(S, add, j));
                    FloatVector e = VMath.exp(x.sub(mx)).mul(FloatVector.fromArray(S, live, j));
                    e.intoArray(ex, j);
                    acc = acc.add(e);
                }
                double e = acc.reduceLanes(VectorOperators.ADD);
                for (; j < c; j++) {
                    float x = live[j] == 0f ? 0f : (float) Math.exp(ld[src + j] + add[j] - max);
                    ex[j] = x;
                    e += x;
                }
                // Per-column terms in double: sigma(s - z), the regulariser, the curvature of the positive.
                double sig = 0, reg = 0, curv = 0;
                for (j = 0; j < c; j++) {
                    if (live[j] == 0f) continue;
                    double q = ex[j] / e, z = ld[src + j] + add[j], sg = 1.0 / (1.0 + Math.exp(z - s));
                    sig += q * sg;
                    reg += q * z * z;
                    curv += q * sg * (1.0 - sg);
                }
                double a = sig + 1e-24;
                total += -Math.log(a) + bpreg * reg;
                for (j = 0; j < c; j++) {
                    float g;
                    if (j == r) {
                        g = (float) (gradScale * (-curv / a));
                    } else if (live[j] == 0f) {
                        g = 0f;
                    } else {
                        double q = ex[j] / e, z = ld[src + j] + add[j], sg = 1.0 / (1.0 + Math.exp(z - s));
                        g = (float) (gradScale * (-q * (sg * sg - sig) / a + bpreg * q * (z * z - reg + 2 * z)));
                    }
                    dd[dst + j] = g;
                    db[j] += g;
                }
            }
            add[r] = keepAdd;
            live[r] = keepLive;
            mask(p, h, r, false, bd, bo, null, 0, 0f);
        }
        return total;
    }
}
