package dev.lstmrec.engine.backend.scalar;

import java.util.function.ToDoubleFunction;

/**
 * Double-precision reference forwards of the ops the model differentiates (GEMM, the LSTM cell step with the same
 * [i f g o] layout and bias, masked softmax cross-entropy, embedding gather), written from the formulas in
 * {@link dev.lstmrec.engine.backend.Backend}'s Javadoc and independently of {@link ScalarBackend}; plus central
 * finite differences. All arrays are row-major.
 */
public final class DoubleReference {
    private DoubleReference() {}

    /** {@code C = alpha · op(A) · op(B) + beta · c0}; A stored [aRows, aCols], B stored [bRows, bCols]; c0 may be null. */
    public static double[] gemm(boolean transA, double[] a, int aRows, int aCols, boolean transB, double[] b, int bRows,
                                int bCols, double alpha, double beta, double[] c0) {
        int m = transA ? aCols : aRows, k = transA ? aRows : aCols, n = transB ? bRows : bCols;
        if ((transB ? bCols : bRows) != k) throw new IllegalArgumentException("inner dimensions differ");
        double[] c = new double[m * n];
        for (int r = 0; r < m; r++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a[p * aCols + r] : a[r * aCols + p];
                    double bv = transB ? b[j * bCols + p] : b[p * bCols + j];
                    s += av * bv;
                }
                c[r * n + j] = alpha * s + (c0 == null ? 0 : beta * c0[r * n + j]);
            }
        }
        return c;
    }

    public static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    /** Result of one LSTM step: h [n, H], c [n, H], and the activations [i f g o] [n, 4H]. */
    public record LstmStep(double[] h, double[] c, double[] activations) {}

    /** One LSTM step: {@code pre} [n, 4H] without bias, {@code bias} [4H], {@code cPrev} [n, H] or null for zero. */
    public static LstmStep lstmCell(double[] pre, double[] bias, double[] cPrev, int n, int hid) {
        double[] h = new double[n * hid], c = new double[n * hid], act = new double[n * 4 * hid];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < hid; j++) {
                int g = r * 4 * hid;
                double i = sigmoid(pre[g + j] + bias[j]);
                double f = sigmoid(pre[g + hid + j] + bias[hid + j]);
                double gg = Math.tanh(pre[g + 2 * hid + j] + bias[2 * hid + j]);
                double o = sigmoid(pre[g + 3 * hid + j] + bias[3 * hid + j]);
                double cp = cPrev == null ? 0 : cPrev[r * hid + j];
                double cv = f * cp + i * gg;
                c[r * hid + j] = cv;
                h[r * hid + j] = o * Math.tanh(cv);
                act[g + j] = i;
                act[g + hid + j] = f;
                act[g + 2 * hid + j] = gg;
                act[g + 3 * hid + j] = o;
            }
        }
        return new LstmStep(h, c, act);
    }

    /** Σ over rows with target ≥ 0 of {@code -log softmax(logits[r])[target]}; logits [rows, v]. */
    public static double softmaxCrossEntropy(double[] logits, int[] targets, int rows, int v) {
        double total = 0;
        for (int r = 0; r < rows; r++) {
            if (targets[r] < 0) continue;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) max = Math.max(max, logits[r * v + j]);
            double sum = 0;
            for (int j = 0; j < v; j++) sum += Math.exp(logits[r * v + j] - max);
            total += Math.log(sum) + max - logits[r * v + targets[r]];
        }
        return total;
    }

    /** {@code out[p, :] = table[ids[p], :]}, table [R, e]. */
    public static double[] embedding(double[] table, int e, int[] ids) {
        double[] out = new double[ids.length * e];
        for (int p = 0; p < ids.length; p++) System.arraycopy(table, ids[p] * e, out, p * e, e);
        return out;
    }

    /** {@code out[r, :] = x[r, :] + bias[:]}. */
    public static double[] addBias(double[] x, double[] bias) {
        double[] out = x.clone();
        for (int i = 0; i < out.length; i++) out[i] += bias[i % bias.length];
        return out;
    }

    /** Σ g ⊙ x: the linear probe loss whose gradient with respect to x is g. */
    public static double dot(double[] g, double[] x) {
        double s = 0;
        for (int i = 0; i < x.length; i++) s += g[i] * x[i];
        return s;
    }

    /** Central finite differences of {@code loss} with respect to every coordinate of {@code x} (restored after). */
    public static double[] gradient(double[] x, double eps, ToDoubleFunction<double[]> loss) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + eps;
            double up = loss.applyAsDouble(x);
            x[i] = keep - eps;
            double down = loss.applyAsDouble(x);
            x[i] = keep;
            g[i] = (up - down) / (2 * eps);
        }
        return g;
    }

    public static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }

    public static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }
}
