package dev.lstmrec.kernels.simd;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static dev.lstmrec.engine.backend.conformance.Tolerances.SIMD_DOT_RTOL;
import static dev.lstmrec.engine.backend.conformance.Tolerances.simdDotAtol;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * SGEMM of SimdBackend against ScalarBackend: every transpose combination, sizes on both sides of each lane,
 * micro-tile and cache-block boundary (MR, NR, KC, MC, NC), alpha/beta variants with NaN-poisoned C for beta == 0,
 * offsets (views), and shapes large enough to take the multi-threaded path.
 * Tolerance: float sums of K products reassociated (blocked K, FMA), Tolerances.simdDotAtol(K) and SIMD_DOT_RTOL.
 */
class SimdGemmTest {
    static Stream<Mirror.Config> configs() {
        return Mirror.configs();
    }

    private static void check(Mirror w, int m, int n, int k, boolean ta, boolean tb, float alpha, float beta) {
        Mirror.T a = ta ? w.random(1f, k, m) : w.random(1f, m, k);
        Mirror.T b = tb ? w.random(1f, n, k) : w.random(1f, k, n);
        Mirror.T c = beta == 0f ? w.poisoned(m, n) : w.random(1f, m, n);
        w.ref.gemm(c.ref(), ta, a.ref(), tb, b.ref(), alpha, beta);
        w.simd.gemm(c.simd(), ta, a.simd(), tb, b.simd(), alpha, beta);
        w.assertClose("gemm " + (ta ? "T" : "N") + (tb ? "T" : "N") + " m=" + m + " n=" + n + " k=" + k
                + " alpha=" + alpha + " beta=" + beta, c, simdDotAtol(k), SIMD_DOT_RTOL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void tailsEveryTranspose(Mirror.Config config) {
        try (Mirror w = new Mirror(config, 11)) {
            int[] sizes = w.tailSizes();
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (int s = 0; s < sizes.length; s++) {
                        int m = sizes[s], n = sizes[(s + 2) % sizes.length], k = sizes[(s + 4) % sizes.length];
                        check(w, m, n, k, ta, tb, 1f, 0f);
                        check(w, n, k, m, ta, tb, 0.75f, 1f);
                        check(w, k, m, n, ta, tb, -1.5f, 0.5f);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void blockBoundariesAndThreads(Mirror.Config config) {
        try (Mirror w = new Mirror(config, 12)) {
            // K crosses KC = 512 twice; M crosses MC; large enough for the parallel split (along N, then along M).
            check(w, 127, 257, 1100, false, false, 1f, 0f);
            check(w, 257, 31, 257, true, false, 1f, 1f);
            check(w, 131, 129, 64, false, true, 1f, 0f);
            check(w, 64, 97, 300, true, true, 0.5f, -1f);
            // Narrow C (op(A) read in place, not packed), split along M across threads, both layouts of A.
            check(w, 301, 40, 300, false, false, 1f, 0f);
            check(w, 299, 33, 301, true, false, 0.5f, 1f);
            // N crosses NC (64·NR columns) at the narrowest width.
            if (config.bits() == 128) check(w, 9, 1100, 33, false, true, 1f, 0f);
            // The model's per-step recurrent product.
            check(w, 128, 256, 64, false, false, 1f, 1f);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void degenerateShapes(Mirror.Config config) {
        try (Mirror w = new Mirror(config, 13)) {
            Mirror.T a = w.random(1f, 3, 0), b = w.random(1f, 0, 5), c = w.poisoned(3, 5);
            w.ref.gemm(c.ref(), false, a.ref(), false, b.ref(), 1f, 0f);
            w.simd.gemm(c.simd(), false, a.simd(), false, b.simd(), 1f, 0f);
            w.assertClose("gemm k=0", c, 0, 0);
            Mirror.T bad = w.random(1f, 4, 4);
            assertThrows(IllegalArgumentException.class,
                    () -> w.simd.gemm(c.simd(), false, bad.simd(), false, bad.simd(), 1f, 0f));
            assertThrows(IllegalArgumentException.class,
                    () -> w.simd.gemm(c.simd(), false, a.ref(), false, b.simd(), 1f, 0f), "tensor of another backend");
        }
    }
}
