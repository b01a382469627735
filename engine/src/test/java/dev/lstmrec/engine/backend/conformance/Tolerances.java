package dev.lstmrec.engine.backend.conformance;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every tolerance used by the backend conformance suite and the gradient checks, in one place, each with its reason.
 * The rule is {@code |x - ref| <= atol + rtol * |ref|}; a NaN on either side always fails (so NaN-poisoned outputs
 * that a backend forgot to write are caught), and infinities must match exactly (top-K padding is -inf).
 */
public final class Tolerances {
    private Tolerances() {}

    /** Bit-for-bit: integer-valued or exactly representable results (dyadic inputs, copies, masks). */
    public static final double EXACT = 0.0;

    /**
     * Element-wise float arithmetic (bias add, dropout scaling, Adam): a backend may fuse a multiply-add or reorder
     * an expression, costing a few ulp of an O(1) value (ulp(1) = 1.2e-7).
     */
    public static final double ELEMENTWISE_ATOL = 1e-6;
    public static final double ELEMENTWISE_RTOL = 1e-5;

    /**
     * Transcendentals (sigmoid/tanh in the LSTM cell, exp/log in softmax): vector and GPU exp/tanh may be a few ulp
     * from {@code Math.exp}/{@code Math.tanh}, and the softmax normaliser is itself a reduction over up to 1021
     * terms (1021 · 6e-8 ≈ 6e-5 relative in the worst order).
     */
    public static final double TRANSCENDENTAL_ATOL = 1e-5;
    public static final double TRANSCENDENTAL_RTOL = 1e-4;

    /**
     * The SIMD backend's polynomial exp (Cephes expf: two-part ln 2 reduction, degree-6 polynomial) against Math.exp
     * inside its float range: about 2 ulp (2.4e-7 relative); a wrong coefficient or reduction step is off by 1e-4 or more.
     */
    public static final double VECTOR_EXP_RTOL = 1e-6;

    /**
     * A reduction of {@code k} products of inputs of magnitude at most 1 (GEMM, dot-product scores, sums of
     * squares): the summation order is free (blocking, lanes, trees, FMA), and the worst-case rounding difference
     * grows about linearly in k, so atol = 1e-6 · k (1e-3 at k = 1021). The suite draws inputs bounded away from
     * zero (|x| ≥ 1/4), so a dropped or doubled term moves a result by at least 1/16, far above this bound.
     */
    public static double reductionAtol(int k) {
        return 1e-6 * Math.max(1, k);
    }

    public static final double REDUCTION_RTOL = 1e-5;

    /**
     * Float forward of the scalar backend against the double reference on tiny shapes: single rounding errors
     * of O(1) values through a handful of ops.
     */
    public static final double FORWARD_ATOL = 1e-5;
    public static final double FORWARD_RTOL = 1e-4;

    /**
     * Float backward of the scalar backend against central finite differences of the double forward: the FD
     * truncation error is O(eps²) ≈ 1e-12 and its rounding O(1e-16/eps) ≈ 1e-10, so what remains is the float
     * backward's own rounding; a wrong term in a gradient formula is O(0.1) on these inputs.
     */
    public static final double GRADIENT_ATOL = 1e-4;
    public static final double GRADIENT_RTOL = 1e-3;

    /**
     * The whole model's float backward against finite differences of its double twin (LstmNetworkGradientTest): a
     * few hundred parameters of magnitude &lt; 1 through two layers, four steps and a six-way softmax keep each
     * gradient's float rounding below 1e-5, so this is tighter in atol than {@link #GRADIENT_ATOL}, where larger
     * single-op shapes accumulate more; a dropped or doubled term (a wrong mask, a missed chunk) is O(1e-2).
     */
    public static final double MODEL_GRADIENT_ATOL = 2e-5;
    public static final double MODEL_GRADIENT_RTOL = 2e-3;

    /** Double-precision formulas checked against values worked out by hand (metrics): only the last bits may differ. */
    public static final double DOUBLE_FORMULA_ATOL = 1e-12;

    /** Step of the central finite differences, in double. */
    public static final double FD_EPS = 1e-6;

    // ---- one fast backend against the scalar one, outside the shared suite (kernels module tests) ----------------

    /**
     * SIMD element-wise ops and short sums (embedding scatter-add, bias add, Adam's update, sum of squares): the same
     * float formula vectorised, possibly fused into an FMA: one or two roundings of O(1) values.
     */
    public static final double SIMD_ELEMENTWISE_ATOL = 1e-6;
    public static final double SIMD_ELEMENTWISE_RTOL = 1e-5;

    /**
     * SIMD LSTM cell: the polynomial exp behind sigmoid/tanh is a few ulp from Math.exp; absolute 1e-6 near 0, where
     * tanh through e^{-2|x|} loses relative precision.
     */
    public static final double SIMD_TRANSCENDENTAL_ATOL = 1e-6;
    public static final double SIMD_TRANSCENDENTAL_RTOL = 1e-5;

    /**
     * Small outputs compared absolutely at a few ulp of their own size: softmax gradients (probabilities times a
     * gradient scale of 1/8, so at most 0.125: ulp 1.5e-8), Adam's first moment (|m| &lt;= 0.1) and second moment
     * (v &lt;= 0.01, atol scaled by the same factor as its magnitude). rtol is the reduction's.
     */
    public static final double SOFTMAX_GRADIENT_ATOL = 1e-7;
    public static final double ADAM_FIRST_MOMENT_ATOL = 1e-7;
    public static final double ADAM_SECOND_MOMENT_ATOL = 1e-9;

    /**
     * Longer SIMD reductions (softmax's normaliser and loss, the bias gradient over up to 600 rows): summed in lanes
     * and per thread, then combined; differences of a few ulp of the sum.
     */
    public static final double SIMD_SUM_ATOL = 1e-5;

    /**
     * SIMD GEMM and scoring against scalar: register-tiled panels with FMA reorder a K-term dot product of inputs in
     * [-1, 1]; measured differences stay below 1e-6·K, this allows twice that. A dropped term is O(0.1).
     */
    public static double simdDotAtol(int k) {
        return 2e-6 * Math.max(1, k);
    }

    public static final double SIMD_DOT_RTOL = 1e-4;

    /**
     * The CUDA kernels compiled for the CPU (CudaKernelEmulationTest): the host's expf/tanhf and g++'s FMA contraction
     * differ from Java's double-based math in the last bits of float results.
     */
    public static final double CUDA_EMULATION_ATOL = 2e-5;
    public static final double CUDA_EMULATION_RTOL = 2e-5;

    /** On a GPU (CudaBackendGpuTest): FMA contraction, fast intrinsics and another summation order; sums kept short. */
    public static final double CUDA_GPU_ATOL = 1e-4;
    public static final double CUDA_GPU_RTOL = 1e-4;

    /**
     * An exported ONNX model in ONNX Runtime (CPU) against the scalar backend's Recommender, every item's score
     * (OnnxExportTest): ONNX Runtime's LSTM has its own GEMM blocking and vectorised sigmoid/tanh, so the scores differ by
     * float rounding carried through up to max-len steps and two layers; measured below 1e-6 on the tested shapes (all
     * pass at 1e-6), and 1e-5 leaves room for ONNX Runtime's other CPU kernels (AVX2, AVX-512, NEON). A wrong gate order,
     * bias or history window moves scores by 1e-2 or more.
     */
    public static final double ONNX_RUNTIME_ATOL = 1e-5;
    public static final double ONNX_RUNTIME_RTOL = 1e-5;

    /**
     * A carried LSTM state (one-step advances, CarriedStateSuite) against a fresh pass over the same window, and the
     * scores read from it: the two take the same ops on different row counts, so a backend whose GEMM takes another
     * path for one or two rows (SIMD's row dot products) or another blocking (GPU) rounds differently each step; the
     * differences of a few ulp feed through the recurrence over up to 2·max-len - 1 steps of two layers, and the GPU's
     * fast intrinsics add theirs (as {@link #CUDA_GPU_ATOL}). A wrong gate, a missed step or a stale state moves
     * values by 1e-2 or more.
     */
    public static final double CARRIED_STATE_ATOL = 1e-4;
    public static final double CARRIED_STATE_RTOL = 1e-4;

    // ---- the golden training curve (TrainingStepAgreementSuite) ------------------------------------------------------

    /** The scalar backend against its own committed losses: only JIT-dependent last bits of double sums may move. */
    public static final double GOLDEN_SCALAR_LOSS_ATOL = 1e-5;

    /**
     * Another backend's mean loss per step against the golden scalar curve over 10 Adam steps: per-step rounding
     * differences (1e-6 relative) feed back through the weights; a wrong op is off by 1e-2 within a step or two.
     */
    public static final double GOLDEN_LOSS_ATOL = 2e-4;

    /**
     * Largest weight difference after those 10 steps: Adam normalises each step, so rounding moves a weight by at most
     * about lr · steps = 0.1 in the worst case; in practice below 1e-3.
     */
    public static final double GOLDEN_WEIGHT_ATOL = 2e-3;

    private static final int REPORTED = 5;

    /** Asserts {@code |actual[i] - expected[i]| <= atol + rtol·|expected[i]|} for every i; reports the first few misses. */
    public static void assertClose(String what, float[] expected, float[] actual, double atol, double rtol) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) e[i] = expected[i];
        assertClose(what, e, actual, atol, rtol);
    }

    /** As {@link #assertClose(String, float[], float[], double, double)} against a double-precision reference. */
    public static void assertClose(String what, double[] expected, float[] actual, double atol, double rtol) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
        }
        int bad = 0;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < expected.length; i++) {
            if (!close(expected[i], actual[i], atol, rtol)) {
                if (bad < REPORTED) sb.append(String.format("%n  [%d] expected %s, got %s (|diff| %.3g)",
                        i, expected[i], actual[i], Math.abs(actual[i] - expected[i])));
                bad++;
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + expected.length + " elements outside atol " + atol + " + rtol " + rtol
                    + " · |ref|" + sb + (bad > REPORTED ? String.format("%n  ...") : ""));
        }
    }

    /** The rule itself: NaN on either side fails, equal values (infinities included) pass. */
    public static boolean close(double expected, double actual, double atol, double rtol) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) return false;
        if (expected == actual) return true;
        if (Double.isInfinite(expected) || Double.isInfinite(actual)) return false;
        return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
    }
}
