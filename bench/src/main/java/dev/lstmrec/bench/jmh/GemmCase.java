// One GEMM problem C[M,N] = op(A)·op(B) + beta·C on a backend, parsed from a JMH parameter such as
// "proj:NT:6400x512x128:0", and its one-time check: the first rows of C against the scalar backend run on the
// matching slice of the inputs (a full scalar reference of the largest shapes would take tens of seconds).
package dev.lstmrec.bench.jmh;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.Arrays;

/** A GEMM benchmark case; {@link #run()} is the timed call. */
final class GemmCase {
    /** Scalar FLOPs spent on the check: a fraction of a second. */
    private static final double CHECK_FLOPS = 2e8;

    final String label;
    final boolean transA;
    final boolean transB;
    final int m, n, k;
    final float beta;
    private final Backend backend;
    private final float[] a0, b0, c0;
    private final Tensor a, b, c;

    /**
     * @param spec {@code label:XY:MxNxK:beta} with X, Y in {N, T} the transposes of A and B, exactly as
     *             {@link Backend#gemm} takes them (A is [K, M] when transposed, B is [N, K] when transposed)
     */
    GemmCase(Backend backend, String spec, long seed) {
        String[] parts = spec.split(":");
        if (parts.length != 4 || parts[1].length() != 2) {
            throw new IllegalArgumentException("gemm spec must look like label:NT:MxNxK:beta, got '" + spec + "'");
        }
        this.backend = backend;
        label = parts[0];
        transA = parts[1].charAt(0) == 'T';
        transB = parts[1].charAt(1) == 'T';
        String[] mnk = parts[2].split("x");
        m = Integer.parseInt(mnk[0]);
        n = Integer.parseInt(mnk[1]);
        k = Integer.parseInt(mnk[2]);
        beta = Float.parseFloat(parts[3]);
        a0 = Fixtures.random(seed, m * k, 1f);
        b0 = Fixtures.random(seed + 1, k * n, 1f);
        c0 = Fixtures.random(seed + 2, m * n, 1f);
        a = transA ? Fixtures.tensor(backend, a0, k, m) : Fixtures.tensor(backend, a0, m, k);
        b = transB ? Fixtures.tensor(backend, b0, n, k) : Fixtures.tensor(backend, b0, k, n);
        c = Fixtures.tensor(backend, c0, m, n);
    }

    /** The timed operation. */
    void run() {
        backend.gemm(c, transA, a, transB, b, 1f, beta);
    }

    /** Runs the op once and compares the first rows of C with the scalar backend on the same slice. */
    void check() {
        run();
        backend.synchronize();
        float[] got = Fixtures.download(backend, c);
        int rows = (int) Math.max(1, Math.min(m, CHECK_FLOPS / (2.0 * n * k)));
        // Row r of C reads row r of A (column r when A is transposed), so a slice of A gives a slice of C.
        float[] aSlice = new float[rows * k];
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < k; p++) aSlice[transA ? p * rows + r : r * k + p] = transA ? a0[p * m + r] : a0[r * k + p];
        }
        float[] ref;
        try (Backend s = Fixtures.reference()) {
            Tensor ra = transA ? Fixtures.tensor(s, aSlice, k, rows) : Fixtures.tensor(s, aSlice, rows, k);
            Tensor rb = transB ? Fixtures.tensor(s, b0, n, k) : Fixtures.tensor(s, b0, k, n);
            float[] cSlice = Arrays.copyOf(c0, rows * n);
            Tensor rc = Fixtures.tensor(s, cSlice, rows, n);
            s.gemm(rc, transA, ra, transB, rb, 1f, beta);
            ref = Fixtures.download(s, rc);
        }
        // Each entry sums K random-sign products of magnitude ≤ 1: entries and their rounding errors grow like
        // sqrt(K), so compare after dividing by sqrt(K) with a floor of 1e-4 (one missing product is ~1e-3).
        float[] head = Arrays.copyOf(got, rows * n);
        float norm = (float) Math.sqrt(k);
        for (int i = 0; i < head.length; i++) {
            head[i] /= norm;
            ref[i] /= norm;
        }
        Fixtures.assertClose("gemm " + label + " " + (transA ? "T" : "N") + (transB ? "T" : "N") + " " + m + "x" + n + "x" + k,
                head, ref, 1e-4);
        backend.upload(c, c0, 0);
    }
}
