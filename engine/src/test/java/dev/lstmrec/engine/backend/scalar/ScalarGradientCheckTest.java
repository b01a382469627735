package dev.lstmrec.engine.backend.scalar;

import dev.lstmrec.engine.backend.conformance.RandomTensors;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static dev.lstmrec.engine.backend.conformance.Tolerances.*;
import static dev.lstmrec.engine.backend.scalar.DoubleReference.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * First link of the oracle chain: the scalar backend's float forwards against {@link DoubleReference}, and its
 * backward ops against central finite differences of those double forwards, on tiny shapes and every coordinate.
 * Each backward is probed through a linear loss Σ g ⊙ output with random g, so its gradient is exactly the op's
 * vector-Jacobian product. Parameter-gradient outputs start non-zero to check that they accumulate.
 */
class ScalarGradientCheckTest {
    private final ScalarBackend b = new ScalarBackend();
    private final RandomTensors rnd = new RandomTensors(20261128);

    @AfterEach
    void close() {
        b.close();
    }

    private Tensor t(float[] x, int... shape) {
        return RandomTensors.tensor(b, x, shape);
    }

    private float[] get(Tensor x) {
        return RandomTensors.download(b, x);
    }

    private static void forward(String what, double[] ref, float[] got) {
        assertClose(what + " (float forward vs double)", ref, got, FORWARD_ATOL, FORWARD_RTOL);
    }

    private static void backward(String what, double[] fd, float[] got) {
        assertClose(what + " (float backward vs finite differences)", fd, got, GRADIENT_ATOL, GRADIENT_RTOL);
    }

    private static double[] plus(double[] a, double[] b) {
        double[] s = a.clone();
        for (int i = 0; i < s.length; i++) s[i] += b[i];
        return s;
    }

    private static double[] times(double[] a, double f) {
        double[] s = a.clone();
        for (int i = 0; i < s.length; i++) s[i] *= f;
        return s;
    }

    @Test
    void gemmForwardAndGradientsForEveryTranspose() {
        int m = 3, n = 4, k = 5;
        for (int tr = 0; tr < 4; tr++) {
            boolean ta = (tr & 1) != 0, tb = (tr & 2) != 0;
            int ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
            String what = "gemm " + (ta ? "T" : "N") + (tb ? "T" : "N");
            float[] af = rnd.nonZero(m * k), bf = rnd.nonZero(k * n), c0f = rnd.nonZero(m * n), gf = rnd.nonZero(m * n);
            double[] a = toDouble(af), bm = toDouble(bf), g = toDouble(gf);
            Tensor at = t(af, ar, ac), bt = t(bf, br, bc), gt = t(gf, m, n);

            Tensor c = t(c0f, m, n);
            b.gemm(c, ta, at, tb, bt, 0.5f, 0.25f);
            forward(what + " alpha 0.5 beta 0.25", gemm(ta, a, ar, ac, tb, bm, br, bc, 0.5, 0.25, toDouble(c0f)), get(c));

            // dop(A) = G·op(B)ᵀ and dop(B) = op(A)ᵀ·G, each written as one gemm on the stored layouts, accumulating (beta 1).
            float[] da0 = rnd.nonZero(m * k), db0 = rnd.nonZero(k * n);
            Tensor da = t(da0, ar, ac), db = t(db0, br, bc);
            if (ta) b.gemm(da, tb, bt, true, gt, 1f, 1f);
            else b.gemm(da, false, gt, !tb, bt, 1f, 1f);
            if (tb) b.gemm(db, true, gt, ta, at, 1f, 1f);
            else b.gemm(db, !ta, at, false, gt, 1f, 1f);
            double[] fdA = gradient(a, FD_EPS, x -> dot(g, gemm(ta, x, ar, ac, tb, bm, br, bc, 1, 0, null)));
            double[] fdB = gradient(bm, FD_EPS, x -> dot(g, gemm(ta, a, ar, ac, tb, x, br, bc, 1, 0, null)));
            backward(what + " dA", plus(toDouble(da0), fdA), get(da));
            backward(what + " dB", plus(toDouble(db0), fdB), get(db));
        }
    }

    @Test
    void addBiasForwardAndBiasBackward() {
        int rows = 3, cols = 5;
        float[] xf = rnd.nonZero(rows * cols), biasf = rnd.nonZero(cols), gf = rnd.nonZero(rows * cols), d0 = rnd.nonZero(cols);
        double[] x = toDouble(xf), bias = toDouble(biasf), g = toDouble(gf);
        Tensor out = t(xf, rows, cols);
        b.addBias(out, t(biasf, cols));
        forward("addBias", addBias(x, bias), get(out));
        Tensor dBias = t(d0, cols);
        b.biasBackward(dBias, t(gf, rows, cols));
        backward("biasBackward", plus(toDouble(d0), gradient(bias, FD_EPS, v -> dot(g, addBias(x, v)))), get(dBias));
    }

    @Test
    void embeddingGatherAndScatterAdd() {
        int rows = 4, e = 3;
        int[] ids = {1, 3, 1, 0, 1};
        float[] tf = rnd.nonZero(rows * e), gf = rnd.nonZero(ids.length * e), d0 = rnd.nonZero(rows * e);
        double[] table = toDouble(tf), g = toDouble(gf);
        IntTensor idt = RandomTensors.intTensor(b, ids, ids.length);
        Tensor out = b.allocate(ids.length, e);
        b.embeddingForward(out, t(tf, rows, e), idt);
        assertArrayEquals(toFloat(embedding(table, e, ids)), get(out), "embedding gather is exact");
        Tensor dTable = t(d0, rows, e);
        b.embeddingBackward(dTable, t(gf, ids.length, e), idt);
        backward("embeddingBackward (id 1 three times)",
                plus(toDouble(d0), gradient(table, FD_EPS, v -> dot(g, embedding(v, e, ids)))), get(dTable));
    }

    @Test
    void softmaxCrossEntropyLossAndGradient() {
        int rows = 3, v = 5;
        int[] targets = {2, -1, 4};
        for (float scale : new float[] {3f, 50f}) {
            for (float gradScale : new float[] {1f, 0.5f}) {
                String what = "softmaxCrossEntropy logits ~±" + scale + " gradScale " + gradScale;
                float[] lf = rnd.nonZero(rows * v, scale);
                double[] logits = toDouble(lf);
                Tensor loss = b.allocate(1), dLogits = b.allocate(rows, v);
                b.softmaxCrossEntropy(dLogits, loss, t(lf, rows, v), RandomTensors.intTensor(b, targets, rows), gradScale);
                forward(what + " loss", new double[] {softmaxCrossEntropy(logits, targets, rows, v)}, get(loss));
                double[] fd = gradient(logits, FD_EPS, x -> softmaxCrossEntropy(x, targets, rows, v));
                backward(what + " dLogits (row 1 masked)", times(fd, gradScale), get(dLogits));
            }
        }
    }

    @Test
    void lstmCellForwardAndBackward() {
        int n = 2, hid = 3, g4 = 4 * hid;
        for (boolean withPrev : new boolean[] {false, true}) {
            for (boolean withDc : new boolean[] {false, true}) {
                String what = "lstmCell cPrev=" + (withPrev ? "given" : "null") + " dc=" + (withDc ? "given" : "null");
                float[] pf = rnd.nonZero(n * g4, 1.5f), bf = rnd.nonZero(g4, 0.5f), cpf = rnd.nonZero(n * hid);
                float[] whf = rnd.nonZero(n * hid), wcf = rnd.nonZero(n * hid);
                double[] pre = toDouble(pf), bias = toDouble(bf), cPrev = withPrev ? toDouble(cpf) : null;
                double[] wh = toDouble(whf), wc = toDouble(wcf);

                Tensor h = b.allocate(n, hid), c = b.allocate(n, hid), gates = t(pf, n, g4), biasT = t(bf, g4);
                Tensor cPrevT = withPrev ? t(cpf, n, hid) : null;
                b.lstmCellForward(h, c, gates, biasT, cPrevT);
                LstmStep ref = lstmCell(pre, bias, cPrev, n, hid);
                forward(what + " h", ref.h(), get(h));
                forward(what + " c", ref.c(), get(c));
                forward(what + " activations", ref.activations(), get(gates));

                Tensor dGates = b.allocate(n, g4), dcPrev = withPrev ? b.allocate(n, hid) : null;
                b.lstmCellBackward(dGates, dcPrev, t(whf, n, hid), withDc ? t(wcf, n, hid) : null, gates, c, cPrevT);
                Tensor dBias = b.allocate(g4);
                b.biasBackward(dBias, dGates);

                Function<LstmStep, Double> probe = s -> dot(wh, s.h()) + (withDc ? dot(wc, s.c()) : 0);
                backward(what + " dGates", gradient(pre, FD_EPS, x -> probe.apply(lstmCell(x, bias, cPrev, n, hid))), get(dGates));
                backward(what + " dBias", gradient(bias, FD_EPS, x -> probe.apply(lstmCell(pre, x, cPrev, n, hid))), get(dBias));
                if (withPrev) {
                    backward(what + " dcPrev", gradient(cPrev, FD_EPS, x -> probe.apply(lstmCell(pre, bias, x, n, hid))), get(dcPrev));
                }
            }
        }
    }

    /** Two chained LSTM steps, double precision: the input of {@link #twoChainedLstmStepsThroughBackward}'s FD. */
    private static double chainLoss(double[] x0, double[] x1, double[] wx, double[] wh, double[] bias, double[] w, double[] u,
                                    int n, int e, int hid) {
        int g4 = 4 * hid;
        LstmStep s0 = lstmCell(gemm(false, x0, n, e, false, wx, e, g4, 1, 0, null), bias, null, n, hid);
        double[] pre1 = plus(gemm(false, x1, n, e, false, wx, e, g4, 1, 0, null), gemm(false, s0.h(), n, hid, false, wh, hid, g4, 1, 0, null));
        LstmStep s1 = lstmCell(pre1, bias, s0.c(), n, hid);
        return dot(w, s1.h()) + dot(u, s1.c());
    }

    @Test
    void twoChainedLstmStepsThroughBackward() {
        int n = 2, e = 3, hid = 2, g4 = 4 * hid;
        float[] x0f = rnd.nonZero(n * e), x1f = rnd.nonZero(n * e), wxf = rnd.nonZero(e * g4), whf = rnd.nonZero(hid * g4);
        float[] bf = rnd.nonZero(g4, 0.5f), wf = rnd.nonZero(n * hid), uf = rnd.nonZero(n * hid);
        double[] x0 = toDouble(x0f), x1 = toDouble(x1f), wx = toDouble(wxf), wh = toDouble(whf), bias = toDouble(bf);
        double[] w = toDouble(wf), u = toDouble(uf);
        Tensor x0t = t(x0f, n, e), x1t = t(x1f, n, e), wxt = t(wxf, e, g4), wht = t(whf, hid, g4), bt = t(bf, g4);

        // Forward: t = 0 from a zero state (cPrev null), t = 1 from (h1, c1).
        Tensor g0 = b.allocate(n, g4), h1 = b.allocate(n, hid), c1 = b.allocate(n, hid);
        b.gemm(g0, false, x0t, false, wxt, 1f, 0f);
        b.lstmCellForward(h1, c1, g0, bt, null);
        Tensor g1 = b.allocate(n, g4), h2 = b.allocate(n, hid), c2 = b.allocate(n, hid);
        b.gemm(g1, false, x1t, false, wxt, 1f, 0f);
        b.gemm(g1, false, h1, false, wht, 1f, 1f);
        b.lstmCellForward(h2, c2, g1, bt, c1);
        LstmStep r0 = lstmCell(gemm(false, x0, n, e, false, wx, e, g4, 1, 0, null), bias, null, n, hid);
        double[] pre1 = plus(gemm(false, x1, n, e, false, wx, e, g4, 1, 0, null), gemm(false, r0.h(), n, hid, false, wh, hid, g4, 1, 0, null));
        LstmStep r1 = lstmCell(pre1, bias, r0.c(), n, hid);
        forward("chain h2", r1.h(), get(h2));
        forward("chain c2", r1.c(), get(c2));

        // Backward through t = 1 then t = 0; dc holds dL/dc2 and is overwritten in place with dL/dc1 (dcPrev aliases dc).
        Tensor dc = t(uf, n, hid);
        Tensor dG1 = b.allocate(n, g4), dWx = b.allocate(e, g4), dWh = b.allocate(hid, g4), dBias = b.allocate(g4);
        b.lstmCellBackward(dG1, dc, t(wf, n, hid), dc, g1, c2, c1);
        b.gemm(dWx, true, x1t, false, dG1, 1f, 1f);
        b.gemm(dWh, true, h1, false, dG1, 1f, 1f);
        b.biasBackward(dBias, dG1);
        Tensor dh1 = b.allocate(n, hid), dx1 = b.allocate(n, e), dx0 = b.allocate(n, e), dG0 = b.allocate(n, g4);
        b.gemm(dh1, false, dG1, true, wht, 1f, 0f);
        b.gemm(dx1, false, dG1, true, wxt, 1f, 0f);
        b.lstmCellBackward(dG0, null, dh1, dc, g0, c1, null);
        b.gemm(dWx, true, x0t, false, dG0, 1f, 1f);
        b.biasBackward(dBias, dG0);
        b.gemm(dx0, false, dG0, true, wxt, 1f, 0f);

        backward("chain dWx", gradient(wx, FD_EPS, v -> chainLoss(x0, x1, v, wh, bias, w, u, n, e, hid)), get(dWx));
        backward("chain dWh", gradient(wh, FD_EPS, v -> chainLoss(x0, x1, wx, v, bias, w, u, n, e, hid)), get(dWh));
        backward("chain dBias", gradient(bias, FD_EPS, v -> chainLoss(x0, x1, wx, wh, v, w, u, n, e, hid)), get(dBias));
        backward("chain dx0", gradient(x0, FD_EPS, v -> chainLoss(v, x1, wx, wh, bias, w, u, n, e, hid)), get(dx0));
        backward("chain dx1", gradient(x1, FD_EPS, v -> chainLoss(x0, v, wx, wh, bias, w, u, n, e, hid)), get(dx1));
    }
}
