package dev.lstmrec.kernels.simd;

import dev.lstmrec.engine.backend.conformance.Tolerances;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The polynomial vector exp and the ops built on it (LSTM cell forward/backward, softmax cross-entropy with and
 * without bias) at inputs a diverging run produces: ±inf, NaN, ±100, ±1e30, just past exp's float range (±88.8), rows
 * of huge negative logits. The scalar backend is the oracle: where it gives NaN or an infinity the SIMD backend must
 * give the same, elsewhere the usual transcendental tolerance. Every pattern sits in the vector body and in the tail.
 */
class SimdExtremeInputsTest {
    private static final float INF = Float.POSITIVE_INFINITY, NAN = Float.NaN;
    private static final float[] EXTREMES = {INF, -INF, NAN, 100f, -100f, 1e30f, -1e30f, 88.8f, -88.8f, 104f, -104f,
            0f, -0f, 1f, -1f, 20f, -20f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE};

    /**
     * Cell states a forward can reach: |c_t| &lt;= |c_{t-1}| + 1 from c_0 = 0, so |c| is at most the step count (a few
     * hundred), or NaN once a gate is NaN; never ±inf or 1e30. (Beyond that range the two backends differ by design:
     * the vector exp clamps at e^-87.3, so sigmoid(-100) is 6e-39 instead of 4e-44, invisible unless multiplied by
     * 1e30.)
     */
    private static final float[] CELL_STATES = {NAN, 1000f, -1000f, 100f, -100f, 0f, -0f, 1f, -1f, 3.5f, Float.MIN_VALUE};

    static Stream<Mirror.Config> configs() {
        return Mirror.configs();
    }

    /** Agreement with the oracle: the same NaN-ness, the same infinity, else within atol + rtol·|ref|. */
    private static void assertAgrees(String what, Mirror w, Mirror.T t, double atol, double rtol) {
        assertAgrees(what, w, t, atol, rtol, false);
    }

    /**
     * As above; with {@code anyNonFinite}, NaN and ±inf count as one outcome ("diverged", which is all the trainer's
     * gradient-norm check asks). The backward needs it: with dh = inf the scalar sigmoid'(x) of x &lt; -103 is exactly 0
     * (inf·0 = NaN), the vector one 6e-39 (inf·6e-39 = inf), because the vector exp clamps at e^-87.3.
     */
    private static void assertAgrees(String what, Mirror w, Mirror.T t, double atol, double rtol, boolean anyNonFinite) {
        float[] r = Mirror.get(w.ref, t.ref()), s = Mirror.get(w.simd, t.simd());
        for (int i = 0; i < r.length; i++) {
            boolean ok;
            if (anyNonFinite && !Float.isFinite(r[i])) ok = !Float.isFinite(s[i]);
            else ok = Float.isNaN(r[i]) ? Float.isNaN(s[i]) : r[i] == s[i] || Tolerances.close(r[i], s[i], atol, rtol);
            if (!ok) fail(what + " [" + i + "] of " + r.length + ": simd " + s[i] + " vs scalar " + r[i]);
        }
    }

    /**
     * Gradients a diverging run can carry into the backward: up to ±1e30, ±inf, NaN. Not ±Float.MAX_VALUE: there the
     * vector sigmoid's floor (6e-39 for x &lt; -87.3, where the scalar one gives 4e-44 or 0) times 3e38 becomes O(1),
     * a difference of the clamped exp by design, on values that are overflow in all but name.
     */
    private static final float[] GRADIENTS = {INF, -INF, NAN, 1e30f, -1e30f, 100f, -100f, 0f, -0f, 1f, -1f, 1e-30f};

    private static float[] gradients(int n, int shift) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = GRADIENTS[(i + shift) % GRADIENTS.length];
        return x;
    }

    /** {@code n} values cycling through the extremes from {@code shift}, so neighbouring lanes differ. */
    private static float[] extremes(int n, int shift) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = EXTREMES[(i + shift) % EXTREMES.length];
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void lstmCellForwardAndBackward(Mirror.Config config) {
        try (Mirror w = new Mirror(config, 11)) {
            int hid = 2 * w.lanes + 3; // vector body and scalar tail in every gate
            for (int rows : new int[] {EXTREMES.length, 1}) {
                for (int shift = 0; shift < EXTREMES.length; shift += 3) {
                    String what = "lstm rows=" + rows + " shift=" + shift;
                    float[] g = new float[rows * 4 * hid];
                    for (int r = 0; r < rows; r++) System.arraycopy(extremes(4 * hid, shift + 7 * r), 0, g, r * 4 * hid, 4 * hid);
                    Mirror.T gates = w.tensor(g, rows, 4 * hid);
                    Mirror.T bias = w.random(1f, 4 * hid);
                    float[] cp = new float[rows * hid];
                    for (int i = 0; i < cp.length; i++) cp[i] = CELL_STATES[(i + shift) % CELL_STATES.length];
                    Mirror.T cPrev = w.tensor(cp, rows, hid);
                    Mirror.T h = w.poisoned(rows, hid), c = w.poisoned(rows, hid);
                    w.ref.lstmCellForward(h.ref(), c.ref(), gates.ref(), bias.ref(), cPrev.ref());
                    w.simd.lstmCellForward(h.simd(), c.simd(), gates.simd(), bias.simd(), cPrev.simd());
                    assertAgrees(what + " activated gates", w, gates, Tolerances.TRANSCENDENTAL_ATOL, Tolerances.TRANSCENDENTAL_RTOL);
                    assertAgrees(what + " c", w, c, Tolerances.TRANSCENDENTAL_ATOL, Tolerances.TRANSCENDENTAL_RTOL);
                    assertAgrees(what + " h", w, h, Tolerances.TRANSCENDENTAL_ATOL, Tolerances.TRANSCENDENTAL_RTOL);

                    for (boolean extremeGrad : new boolean[] {false, true}) {
                        Mirror.T dh = extremeGrad ? w.tensor(gradients(rows * hid, shift + 2), rows, hid) : w.random(1f, rows, hid);
                        Mirror.T dc = extremeGrad ? w.tensor(gradients(rows * hid, shift + 7), rows, hid) : w.random(1f, rows, hid);
                        Mirror.T dGates = w.poisoned(rows, 4 * hid), dcPrev = w.poisoned(rows, hid);
                        w.ref.lstmCellBackward(dGates.ref(), dcPrev.ref(), dh.ref(), dc.ref(), gates.ref(), c.ref(), cPrev.ref());
                        w.simd.lstmCellBackward(dGates.simd(), dcPrev.simd(), dh.simd(), dc.simd(), gates.simd(), c.simd(), cPrev.simd());
                        String back = what + (extremeGrad ? " extreme dh" : "");
                        assertAgrees(back + " dGates", w, dGates, Tolerances.TRANSCENDENTAL_ATOL, Tolerances.TRANSCENDENTAL_RTOL, extremeGrad);
                        assertAgrees(back + " dcPrev", w, dcPrev, Tolerances.TRANSCENDENTAL_ATOL, Tolerances.TRANSCENDENTAL_RTOL, extremeGrad);
                    }
                }
            }
        }
    }

    /** One row of logits per case, target at index 1 (in the body) or at the last index (in the tail). */
    private static float[][] softmaxRows(int v, java.util.Random rnd) {
        float[][] rows = new float[14][v];
        for (float[] row : rows) for (int j = 0; j < v; j++) row[j] = rnd.nextFloat() * 8f - 4f;
        rows[0][0] = -INF;                                          // an impossible item
        rows[1][1] = -INF;                                          // the target impossible: loss +inf
        rows[2][2] = INF;                                           // one certain item: NaN row
        rows[3][3] = NAN;                                           // a NaN logit
        java.util.Arrays.fill(rows[4], -INF);                       // nothing possible
        for (int j = 0; j < v; j++) rows[5][j] = j % 2 == 0 ? 100f : -100f;
        java.util.Arrays.fill(rows[6], -1e30f);                     // huge negative logits around one zero
        rows[6][v / 2] = 0f;
        java.util.Arrays.fill(rows[7], 1e30f);                      // all equal and huge
        java.util.Arrays.fill(rows[8], 0f);                         // the target far below the rest
        rows[8][1] = -1e30f;
        rows[8][v - 1] = -1e30f;
        for (int j = 0; j < v; j++) rows[9][j] = j % 3 == 0 ? 88.8f : -88.8f;
        for (int j = 0; j < v; j++) rows[10][j] = j % 2 == 0 ? -Float.MAX_VALUE : 0f;
        rows[11] = extremes(v, 0);
        rows[12] = extremes(v, 5);
        for (int j = 0; j < v; j++) rows[13][j] = -104f - j;        // every logit below exp's float range
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void softmaxCrossEntropyWithAndWithoutBias(Mirror.Config config) {
        try (Mirror w = new Mirror(config, 12)) {
            int v = 2 * w.lanes + 3;
            float[][] rows = softmaxRows(v, w.rnd);
            for (int r = 0; r < rows.length; r++) {
                for (int target : new int[] {1, v - 1}) {
                    for (boolean biased : new boolean[] {false, true}) {
                        String what = "softmaxCE row " + r + " target " + target + (biased ? " with bias" : "");
                        Mirror.I tg = w.ints(new int[] {target}, 1);
                        Mirror.T logits = w.tensor(rows[r].clone(), 1, v);
                        Mirror.T d = w.poisoned(1, v);
                        Mirror.T loss = w.tensor(new float[] {0.25f}, 1);
                        if (biased) {
                            float[] zeros = new float[v]; // extreme logits, plain bias: the extremes reach the kernel unchanged
                            Mirror.T bias = w.tensor(zeros, v), dBias = w.tensor(new float[v], v);
                            w.ref.biasedSoftmaxCrossEntropy(d.ref(), dBias.ref(), loss.ref(), logits.ref(), bias.ref(), tg.ref(), 0.5f);
                            w.simd.biasedSoftmaxCrossEntropy(d.simd(), dBias.simd(), loss.simd(), logits.simd(), bias.simd(), tg.simd(), 0.5f);
                            assertAgrees(what + " dBias", w, dBias, Tolerances.TRANSCENDENTAL_ATOL, Tolerances.TRANSCENDENTAL_RTOL);
                        } else {
                            w.ref.softmaxCrossEntropy(d.ref(), loss.ref(), logits.ref(), tg.ref(), 0.5f);
                            w.simd.softmaxCrossEntropy(d.simd(), loss.simd(), logits.simd(), tg.simd(), 0.5f);
                        }
                        assertAgrees(what + " dLogits", w, d, Tolerances.TRANSCENDENTAL_ATOL, Tolerances.TRANSCENDENTAL_RTOL);
                        assertAgrees(what + " loss", w, loss, Tolerances.TRANSCENDENTAL_ATOL, Tolerances.TRANSCENDENTAL_RTOL);
                    }
                }
            }
        }
    }

    /**
     * exp itself, in the default species: within its float range it matches Math.exp to a few ulp; beyond it the
     * documented clamp holds (e^88 above, e^-87.3 below: callers only pass x - max &lt;= 0 or go through sigmoid, where
     * the clamp moves a result by less than 1e-38); NaN stays NaN.
     */
    @Test
    void vectorExpInItsRangeAndAtTheClamp() {
        int lanes = Simd.L;
        float[] xs = new float[EXTREMES.length + 64];
        System.arraycopy(EXTREMES, 0, xs, 0, EXTREMES.length);
        for (int i = 0; i < 64; i++) xs[EXTREMES.length + i] = -87.3f + i * (88f + 87.3f) / 63f;
        float[] padded = java.util.Arrays.copyOf(xs, (xs.length + lanes - 1) / lanes * lanes);
        float[] out = new float[padded.length];
        for (int i = 0; i < padded.length; i += lanes) VMath.exp(FloatVector.fromArray(Simd.F, padded, i)).intoArray(out, i);
        double hi = Math.exp(88f), lo = Math.exp(-87.3f);
        for (int i = 0; i < xs.length; i++) {
            float x = xs[i], y = out[i];
            if (Float.isNaN(x)) {
                assertTrue(Float.isNaN(y), "exp(NaN) = " + y);
            } else if (x >= 88f) {
                assertEquals(hi, y, hi * Tolerances.VECTOR_EXP_RTOL, "exp(" + x + ") clamps to e^88");
            } else if (x <= -87.3f) {
                assertEquals(lo, y, lo * Tolerances.VECTOR_EXP_RTOL, "exp(" + x + ") clamps to e^-87.3");
            } else {
                double ref = Math.exp(x);
                assertEquals(ref, y, ref * Tolerances.VECTOR_EXP_RTOL, "exp(" + x + ")");
            }
        }
    }
}
