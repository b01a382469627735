package dev.lstmrec.kernels.simd;

import dev.lstmrec.engine.backend.AdamStep;
import dev.lstmrec.engine.backend.RankMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static dev.lstmrec.engine.backend.conformance.Tolerances.ADAM_FIRST_MOMENT_ATOL;
import static dev.lstmrec.engine.backend.conformance.Tolerances.ADAM_SECOND_MOMENT_ATOL;
import static dev.lstmrec.engine.backend.conformance.Tolerances.REDUCTION_RTOL;
import static dev.lstmrec.engine.backend.conformance.Tolerances.SIMD_ELEMENTWISE_ATOL;
import static dev.lstmrec.engine.backend.conformance.Tolerances.SIMD_ELEMENTWISE_RTOL;
import static dev.lstmrec.engine.backend.conformance.Tolerances.SIMD_SUM_ATOL;
import static dev.lstmrec.engine.backend.conformance.Tolerances.SIMD_TRANSCENDENTAL_ATOL;
import static dev.lstmrec.engine.backend.conformance.Tolerances.SIMD_TRANSCENDENTAL_RTOL;
import static dev.lstmrec.engine.backend.conformance.Tolerances.SOFTMAX_GRADIENT_ATOL;
import static dev.lstmrec.engine.backend.conformance.Tolerances.simdDotAtol;

/**
 * Every non-GEMM op of SimdBackend against ScalarBackend, at each width and thread count, on sizes that hit the
 * vector tails and sizes large enough to take the multi-threaded path. Copies, gathers and the dropout mask are
 * exact; every other tolerance is a named constant of the engine's {@code Tolerances}, with its reason.
 * The largest size of each op is above SimdBackend's threshold for splitting work across threads.
 */
class SimdOpsTest {
    static Stream<Mirror.Config> configs() {
        return Mirror.configs();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void embedding(Mirror.Config config) {
        try (Mirror w = new Mirror(config, 1)) {
            for (int e : w.tailSizes()) {
                int rows = 13, p = 40;
                int[] ids = new int[p];
                for (int i = 0; i < p; i++) ids[i] = w.rnd.nextInt(rows);
                ids[1] = ids[0];
                Mirror.I id = w.ints(ids, p);
                Mirror.T table = w.random(1f, rows, e), out = w.poisoned(p, e);
                w.ref.embeddingForward(out.ref(), table.ref(), id.ref());
                w.simd.embeddingForward(out.simd(), table.simd(), id.simd());
                w.assertSame("embeddingForward e=" + e, out);
                Mirror.T dOut = w.random(1f, p, e);
                w.ref.embeddingBackward(table.ref(), dOut.ref(), id.ref());
                w.simd.embeddingBackward(table.simd(), dOut.simd(), id.simd());
                w.assertClose("embeddingBackward e=" + e, table, SIMD_ELEMENTWISE_ATOL, SIMD_ELEMENTWISE_RTOL);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void biasForwardBackward(Mirror.Config config) {
        try (Mirror w = new Mirror(config, 2)) {
            for (int rows : new int[] {1, 7, 600}) {
                for (int cols : new int[] {1, w.lanes + 1, 257}) {
                    Mirror.T out = w.random(1f, rows, cols), bias = w.random(1f, cols);
                    w.ref.addBias(out.ref(), bias.ref());
                    w.simd.addBias(out.simd(), bias.simd());
                    w.assertClose("addBias " + rows + "x" + cols, out, SIMD_ELEMENTWISE_ATOL, SIMD_ELEMENTWISE_RTOL);
                    w.ref.biasBackward(bias.ref(), out.ref());
                    w.simd.biasBackward(bias.simd(), out.simd());
                    w.assertClose("biasBackward " + rows + "x" + cols, bias, SIMD_SUM_ATOL, REDUCTION_RTOL);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void lstmCell(Mirror.Config config) {
        try (Mirror w = new Mirror(config, 3)) {
            for (int hid : new int[] {1, w.lanes - 1 > 0 ? w.lanes - 1 : 2, w.lanes + 1, 17, 64}) {
                for (int n : new int[] {1, 3, 300}) {
                    for (boolean withPrev : new boolean[] {false, true}) {
                        String what = "lstm n=" + n + " H=" + hid + (withPrev ? " with cPrev" : " no cPrev");
                        Mirror.T gates = w.random(4f, n, 4 * hid), bias = w.random(1f, 4 * hid);
                        Mirror.T cPrev = withPrev ? w.random(2f, n, hid) : null;
                        Mirror.T h = w.poisoned(n, hid), c = w.poisoned(n, hid);
                        w.ref.lstmCellForward(h.ref(), c.ref(), gates.ref(), bias.ref(), withPrev ? cPrev.ref() : null);
                        w.simd.lstmCellForward(h.simd(), c.simd(), gates.simd(), bias.simd(), withPrev ? cPrev.simd() : null);
                        w.assertClose(what + " gates", gates, SIMD_TRANSCENDENTAL_ATOL, SIMD_TRANSCENDENTAL_RTOL);
                        w.assertClose(what + " c", c, SIMD_TRANSCENDENTAL_ATOL, SIMD_TRANSCENDENTAL_RTOL);
                        w.assertClose(what + " h", h, SIMD_TRANSCENDENTAL_ATOL, SIMD_TRANSCENDENTAL_RTOL);

                        Mirror.T dh = w.random(1f, n, hid), dc = withPrev ? w.random(1f, n, hid) : null;
                        Mirror.T dGates = w.poisoned(n, 4 * hid), dcPrev = w.poisoned(n, hid);
                        w.ref.lstmCellBackward(dGates.ref(), dcPrev.ref(), dh.ref(), withPrev ? dc.ref() : null,
                                gates.ref(), c.ref(), withPrev ? cPrev.ref() : null);
                        w.simd.lstmCellBackward(dGates.simd(), dcPrev.simd(), dh.simd(), withPrev ? dc.simd() : null,
                                gates.simd(), c.simd(), withPrev ? cPrev.simd() : null);
                        w.assertClose(what + " dGates", dGates, SIMD_TRANSCENDENTAL_ATOL, SIMD_TRANSCENDENTAL_RTOL);
                        w.assertClose(what + " dcPrev", dcPrev, SIMD_TRANSCENDENTAL_ATOL, SIMD_TRANSCENDENTAL_RTOL);
                        if (withPrev) {
                            // dcPrev may alias dc.
                            w.ref.lstmCellBackward(dGates.ref(), dc.ref(), dh.ref(), dc.ref(), gates.ref(), c.ref(), cPrev.ref());
                            w.simd.lstmCellBackward(dGates.simd(), dc.simd(), dh.simd(), dc.simd(), gates.simd(), c.simd(),
                                    cPrev.simd());
                            w.assertClose(what + " dcPrev aliasing dc", dc, SIMD_TRANSCENDENTAL_ATOL, SIMD_TRANSCENDENTAL_RTOL);
                            w.ref.lstmCellBackward(dGates.ref(), null, dh.ref(), null, gates.ref(), c.ref(), null);
                            w.simd.lstmCellBackward(dGates.simd(), null, dh.simd(), null, gates.simd(), c.simd(), null);
                            w.assertClose(what + " dGates without dcPrev", dGates, SIMD_TRANSCENDENTAL_ATOL, SIMD_TRANSCENDENTAL_RTOL);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void dropoutIsBitExact(Mirror.Config config) {
        try (Mirror w = new Mirror(config, 4)) {
            for (int n : new int[] {1, 17, 100_003}) {
                for (float p : new float[] {0f, 0.1f, 0.5f}) {
                    Mirror.T x = w.random(1f, n);
                    w.ref.dropout(x.ref(), p, 1234L + n);
                    w.simd.dropout(x.simd(), p, 1234L + n);
                    w.assertSame("dropout n=" + n + " p=" + p, x);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void softmaxCrossEntropy(Mirror.Config config) {
        try (Mirror w = new Mirror(config, 5)) {
            for (int v : new int[] {1, w.lanes + 1, 257, 1682}) {
                for (boolean alias : new boolean[] {false, true}) {
                    int rows = v == 1682 ? 40 : 9;
                    int[] targets = new int[rows];
                    for (int r = 0; r < rows; r++) targets[r] = r % 4 == 3 ? -1 : w.rnd.nextInt(v);
                    Mirror.I tg = w.ints(targets, rows);
                    Mirror.T logits = w.random(8f, rows, v);
                    Mirror.T d = alias ? logits : w.poisoned(rows, v);
                    Mirror.T loss = w.tensor(new float[] {0.25f}, 1);
                    w.ref.softmaxCrossEntropy(d.ref(), loss.ref(), logits.ref(), tg.ref(), 0.125f);
                    w.simd.softmaxCrossEntropy(d.simd(), loss.simd(), logits.simd(), tg.simd(), 0.125f);
                    String what = "softmaxCE V=" + v + (alias ? " in place" : "");
                    w.assertClose(what + " dLogits", d, SOFTMAX_GRADIENT_ATOL, REDUCTION_RTOL);
                    w.assertClose(what + " loss", loss, SIMD_SUM_ATOL, REDUCTION_RTOL);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void sumSquaresAndAdam(Mirror.Config config) {
        try (Mirror w = new Mirror(config, 6)) {
            for (int n : new int[] {1, w.lanes - 1 > 0 ? w.lanes - 1 : 2, 17, 4097, 300_007}) {
                Mirror.T x = w.random(1f, n), out = w.tensor(new float[] {0.5f}, 1);
                w.ref.sumSquares(out.ref(), x.ref());
                w.simd.sumSquares(out.simd(), x.simd());
                w.assertClose("sumSquares n=" + n, out, SIMD_ELEMENTWISE_ATOL, REDUCTION_RTOL);

                Mirror.T param = w.random(1f, n), grad = w.random(1f, n), m = w.random(0.1f, n);
                float[] vv = w.random(n, 0.01f);
                for (int i = 0; i < n; i++) vv[i] = Math.abs(vv[i]);
                Mirror.T v = w.tensor(vv, n);
                for (int t = 1; t <= 3; t++) {
                    AdamStep step = new AdamStep(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, t, 0.8f);
                    w.ref.adamUpdate(param.ref(), grad.ref(), m.ref(), v.ref(), step);
                    w.simd.adamUpdate(param.simd(), grad.simd(), m.simd(), v.simd(), step);
                }
                w.assertClose("adam param n=" + n, param, SIMD_ELEMENTWISE_ATOL, SIMD_ELEMENTWISE_RTOL);
                w.assertClose("adam m n=" + n, m, ADAM_FIRST_MOMENT_ATOL, REDUCTION_RTOL);
                w.assertClose("adam v n=" + n, v, ADAM_SECOND_MOMENT_ATOL, REDUCTION_RTOL);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void scoring(Mirror.Config config) {
        try (Mirror w = new Mirror(config, 7)) {
            for (int hid : new int[] {1, w.lanes + 1, 33}) {
                for (int v : new int[] {5, 257}) {
                    int n = 11, k = 7;
                    Mirror.T h = w.random(1f, n, hid), wt = w.random(1f, v, hid), bias = w.random(0.5f, v);
                    int[] offsets = new int[n + 1];
                    int[] list = new int[n * 4];
                    int[] targets = new int[n];
                    for (int r = 0; r < n; r++) {
                        int count = r % 5;
                        offsets[r + 1] = offsets[r] + count;
                        for (int e = 0; e < count; e++) list[offsets[r] + e] = e == 3 ? v + 2 : w.rnd.nextInt(v);
                        targets[r] = w.rnd.nextInt(v);
                    }
                    list[offsets[2]] = targets[2];
                    Mirror.I off = w.ints(offsets, n + 1), li = w.ints(java.util.Arrays.copyOf(list, offsets[n]), offsets[n]);
                    Mirror.I tg = w.ints(targets, n);
                    String what = "H=" + hid + " V=" + v;

                    int kk = v == 5 ? 7 : k;
                    Mirror.I idx = w.ints(new int[n * kk], n, kk);
                    Mirror.T score = w.poisoned(n, kk);
                    w.ref.scoreTopK(idx.ref(), score.ref(), h.ref(), wt.ref(), bias.ref(), off.ref(), li.ref());
                    w.simd.scoreTopK(idx.simd(), score.simd(), h.simd(), wt.simd(), bias.simd(), off.simd(), li.simd());
                    w.assertSame("scoreTopK index " + what, idx);
                    w.assertClose("scoreTopK score " + what, score, simdDotAtol(hid), REDUCTION_RTOL);

                    for (RankMode mode : RankMode.values()) {
                        Mirror.I rank = w.ints(new int[n], n);
                        w.ref.scoreRank(rank.ref(), h.ref(), wt.ref(), bias.ref(), tg.ref(), off.ref(), li.ref(), mode);
                        w.simd.scoreRank(rank.simd(), h.simd(), wt.simd(), bias.simd(), tg.simd(), off.simd(), li.simd(), mode);
                        w.assertSame("scoreRank " + mode + " " + what, rank);
                    }
                }
            }
        }
    }
}
