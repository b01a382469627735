package dev.lstmrec.kernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Masked softmax cross-entropy with gradient, three passes per row: max; exp(x - max) written to dLogits with
 * its sum; scale. dLogits may alias logits (the target's logit is read before it is overwritten). Napkin math:
 * V exps and 3 reads + 2 writes of V floats per row. Checked against ScalarBackend in SimdOpsTest.
 */
final class SoftmaxLoss {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = Simd.L;

    private SoftmaxLoss() {}

    /** Rows [r0, r1); returns their summed loss. tg holds the targets at offset to. */
    static double rows(float[] dd, int doff, float[] ld, int lo, int[] tg, int to, int v, float gradScale,
                       int r0, int r1) {
        double total = 0;
        int bound = S.loopBound(v);
        for (int r = r0; r < r1; r++) {
            int src = lo + r * v, dst = doff + r * v, t = tg[to + r];
            if (t < 0) {
                java.util.Arrays.fill(dd, dst, dst + v, 0f);
                continue;
            }
            FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            int j = 0;
            for (; j < bound; j += L) mv = mv.max(FloatVector.fromArray(S, ld, src + j));
            float max = mv.reduceLanes(VectorOperators.MAX);
            for (; j < v; j++) max = Math.max(max, ld[src + j]);
            float xt = ld[src + t];
            // One exp call site only: C2 stops inlining (and boxes vectors) when a method holds several.
            FloatVector mx = FloatVector.broadcast(S, max), acc = FloatVector.zero(S);
            j = 0;
            for (; j < bound; j += L) {
                FloatVector e = VMath.exp(FloatVector.fromArray(S, ld, src + j).sub(mx));
                e.intoArray(dd, dst + j);
                acc = acc.add(e);
            }
            double sum = acc.reduceLanes(VectorOperators.ADD);
            for (; j < v; j++) {
                float e = (float) Math.exp(ld[src + j] - max);
                dd[dst + j] = e;
                sum += e;
            }
            total += Math.log(sum) + max - xt;
            float scale = (float) (gradScale / sum);
            FloatVector sv = FloatVector.broadcast(S, scale);
            j = 0;
            for (; j < bound; j += L) FloatVector.fromArray(S, dd, dst + j).mul(sv).intoArray(dd, dst + j);
            for (; j < v; j++) dd[dst + j] *= scale;
            dd[dst + t] -= gradScale;
        }
        return total;
    }

    /**
     * Rows [r0, r1) of {@code Backend.biasedSoftmaxCrossEntropy}: as {@link #rows} on logits + bias (the bias added
     * in the max and exp passes, never stored), and the final gradient of each row added into {@code dBias[0, v)}
     * in the scale pass, so the [rows, V] chunk is read three times and written twice instead of five and four
     * times. Returns the rows' summed loss.
     */
    static double biasedRows(float[] dd, int doff, float[] ld, int lo, float[] bd, int bo, float[] dBias, int[] tg,
                             int to, int v, float gradScale, int r0, int r1) {
        double total = 0;
        int bound = S.loopBound(v);
        for (int r = r0; r < r1; r++) {
            int src = lo + r * v, dst = doff + r * v, t = tg[to + r];
            if (t < 0) {
                java.util.Arrays.fill(dd, dst, dst + v, 0f);
                continue;
            }
            FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            int j = 0;
            for (; j < bound; j += L) {
                mv = mv.max(FloatVector.fromArray(S, ld, src + j).add(FloatVector.fromArray(S, bd, bo + j)));
            }
            float max = mv.reduceLanes(VectorOperators.MAX);
            for (; j < v; j++) max = Math.max(max, ld[src + j] + bd[bo + j]);
            float xt = ld[src + t] + bd[bo + t];
            FloatVector mx = FloatVector.broadcast(S, max), acc = FloatVector.zero(S);
            j = 0;
            for (; j < bound; j += L) {
                FloatVector x = FloatVector.fromArray(S, ld, src + j).add(FloatVector.fromArray(S, bd, bo + j));
                FloatVector e = VMath.exp(x.sub(mx));
                e.intoArray(dd, dst + j);
                acc = acc.add(e);
            }
            double sum = acc.reduceLanes(VectorOperators.ADD);
            for (; j < v; j++) {
                float e = (float) Math.exp(ld[src + j] + bd[bo + j] - max);
                dd[dst + j] = e;
                sum += e;
            }
            total += Math.log(sum) + max - xt;
            scaleIntoBias(dd, dst, dBias, v, (float) (gradScale / sum));
            dd[dst + t] -= gradScale;
            dBias[t] -= gradScale;
        }
        return total;
    }
    /**
     * The gradient pass shared by the full and the sampled biased softmax: {@code d[dst + j] *= scale} (turning the
     * row's exponentials into softmax · gradScale) and {@code dBias[j] += d[dst + j]} for j in [0, n).
     */
    static void scaleIntoBias(float[] d, int dst, float[] dBias, int n, float scale) {
        FloatVector sv = FloatVector.broadcast(S, scale);
        int bound = S.loopBound(n), j = 0;
        for (; j < bound; j += L) {
            FloatVector g = FloatVector.fromArray(S, d, dst + j).mul(sv);
            g.intoArray(d, dst + j);
            g.add(FloatVector.fromArray(S, dBias, j)).intoArray(dBias, j);
        }
        for (; j < n; j++) {
            float g = d[dst + j] * scale;
            d[dst + j] = g;
            dBias[j] += g;
        }
    }
}
