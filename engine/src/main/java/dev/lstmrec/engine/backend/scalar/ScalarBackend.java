package dev.lstmrec.engine.backend.scalar;

import dev.lstmrec.engine.backend.AdagradStep;
import dev.lstmrec.engine.backend.AdamStep;
import dev.lstmrec.engine.backend.HeapBackend;
import dev.lstmrec.engine.backend.Checks;
import dev.lstmrec.engine.backend.DropoutMask;
import dev.lstmrec.engine.backend.RankMode;
import dev.lstmrec.engine.backend.TopK;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.Arrays;

/**
 * The plain-Java reference backend: straightforward loops, one thread, no tricks beyond loop orders the JIT can
 * vectorise. It is the oracle every other backend is tested against, and is itself checked against finite
 * differences in double precision (see the engine's tests). Kernels only: arguments are checked by {@link
 * dev.lstmrec.engine.backend.CheckedBackend} before they get here.
 */
public final class ScalarBackend extends HeapBackend {
    private float[] scratch = new float[0];

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public String description() {
        return "plain Java reference, 1 thread";
    }

    // ---- embedding ----------------------------------------------------------------------------------------------

    @Override
    public void embeddingBackward(Tensor dTable, Tensor dOut, IntTensor ids) {
        int p = ids.size(), e = dTable.cols(), rows = dTable.rows();
        float[] gd = f(dOut), td = f(dTable);
        int[] id = i(ids);
        for (int r = 0; r < p; r++) {
            int item = id[o(ids) + r];
            Checks.index("embedding id", item, rows);
            int dst = o(dTable) + item * e, src = o(dOut) + r * e;
            for (int j = 0; j < e; j++) td[dst + j] += gd[src + j];
        }
    }

    // ---- dense -----------------------------------------------------------------------------------------------------

    @Override
    public void gemm(Tensor c, boolean transA, Tensor a, boolean transB, Tensor b, float alpha, float beta) {
        int m = c.dim(0), n = c.dim(1), k = transA ? a.dim(0) : a.dim(1);
        float[] cd = f(c), ad = f(a), bd = f(b);
        int co = o(c), ao = o(a);
        for (int r = 0; r < m; r++) {
            int row = co + r * n;
            if (beta == 0f) Arrays.fill(cd, row, row + n, 0f);
            else if (beta != 1f) for (int j = 0; j < n; j++) cd[row + j] *= beta;
        }
        if (m == 0 || n == 0 || k == 0) return;
        // Always run the row-axpy form C[r,:] += α·op(A)[r,p]·B'[p,:], which needs B' = op(B) row-major [K, N].
        float[] bk;
        int bo;
        if (transB) {
            bk = scratch(k * n);
            bo = 0;
            int src = o(b);
            for (int j = 0; j < n; j++) for (int p = 0; p < k; p++) bk[p * n + j] = bd[src + j * k + p];
        } else {
            bk = bd;
            bo = o(b);
        }
        int lda = a.dim(1);
        for (int r = 0; r < m; r++) {
            int row = co + r * n;
            int p = 0;
            // Four rows of B' per pass over C's row: a quarter of the C traffic, still a loop the JIT vectorises.
            for (; p + 4 <= k; p += 4) {
                float a0 = alpha * elem(ad, ao, lda, transA, r, p), a1 = alpha * elem(ad, ao, lda, transA, r, p + 1);
                float a2 = alpha * elem(ad, ao, lda, transA, r, p + 2), a3 = alpha * elem(ad, ao, lda, transA, r, p + 3);
                int b0 = bo + p * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
                for (int j = 0; j < n; j++) cd[row + j] += a0 * bk[b0 + j] + a1 * bk[b1 + j] + a2 * bk[b2 + j] + a3 * bk[b3 + j];
            }
            for (; p < k; p++) {
                float av = alpha * elem(ad, ao, lda, transA, r, p);
                int brow = bo + p * n;
                for (int j = 0; j < n; j++) cd[row + j] += av * bk[brow + j];
            }
        }
    }

    /** op(A)[r, p] of a row-major A with row length lda. */
    private static float elem(float[] ad, int ao, int lda, boolean transA, int r, int p) {
        return transA ? ad[ao + p * lda + r] : ad[ao + r * lda + p];
    }

    private float[] scratch(int n) {
        if (scratch.length < n) scratch = new float[n];
        return scratch;
    }

    @Override
    public void addBias(Tensor out, Tensor bias) {
        int rows = out.dim(0), cols = out.dim(1);
        float[] od = f(out), bd = f(bias);
        for (int r = 0; r < rows; r++) {
            int row = o(out) + r * cols;
            for (int j = 0; j < cols; j++) od[row + j] += bd[o(bias) + j];
        }
    }

    @Override
    public void biasBackward(Tensor dBias, Tensor dOut) {
        int rows = dOut.dim(0), cols = dOut.dim(1);
        float[] bd = f(dBias), gd = f(dOut);
        for (int r = 0; r < rows; r++) {
            int row = o(dOut) + r * cols;
            for (int j = 0; j < cols; j++) bd[o(dBias) + j] += gd[row + j];
        }
    }

    // ---- LSTM ----------------------------------------------------------------------------------------------------------

    private static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    private static float tanh(float x) {
        return (float) Math.tanh(x);
    }

    @Override
    public void lstmCellForward(Tensor h, Tensor c, Tensor gates, Tensor bias, Tensor cPrev) {
        int n = h.dim(0), hid = h.dim(1), g4 = 4 * hid;
        float[] hd = f(h), cd = f(c), gd = f(gates), bd = f(bias), pd = cPrev == null ? null : f(cPrev);
        int bo = o(bias);
        for (int r = 0; r < n; r++) {
            int gr = o(gates) + r * g4, hr = r * hid;
            for (int j = 0; j < hid; j++) {
                float ig = sigmoid(gd[gr + j] + bd[bo + j]);
                float fg = sigmoid(gd[gr + hid + j] + bd[bo + hid + j]);
                float gg = tanh(gd[gr + 2 * hid + j] + bd[bo + 2 * hid + j]);
                float og = sigmoid(gd[gr + 3 * hid + j] + bd[bo + 3 * hid + j]);
                float cp = pd == null ? 0f : pd[o(cPrev) + hr + j];
                float cv = fg * cp + ig * gg;
                gd[gr + j] = ig;
                gd[gr + hid + j] = fg;
                gd[gr + 2 * hid + j] = gg;
                gd[gr + 3 * hid + j] = og;
                cd[o(c) + hr + j] = cv;
                hd[o(h) + hr + j] = og * tanh(cv);
            }
        }
    }

    @Override
    public void lstmCellBackward(Tensor dGates, Tensor dcPrev, Tensor dh, Tensor dc, Tensor gates, Tensor c, Tensor cPrev) {
        int n = dh.dim(0), hid = dh.dim(1), g4 = 4 * hid;
        float[] dgd = f(dGates), dhd = f(dh), gd = f(gates), cd = f(c);
        float[] dcd = dc == null ? null : f(dc), dpd = dcPrev == null ? null : f(dcPrev), pd = cPrev == null ? null : f(cPrev);
        for (int r = 0; r < n; r++) {
            int gr = o(gates) + r * g4, dgr = o(dGates) + r * g4, hr = r * hid;
            for (int j = 0; j < hid; j++) {
                float ig = gd[gr + j], fg = gd[gr + hid + j], gg = gd[gr + 2 * hid + j], og = gd[gr + 3 * hid + j];
                float tc = tanh(cd[o(c) + hr + j]);
                float dhv = dhd[o(dh) + hr + j];
                float dct = dhv * og * (1f - tc * tc) + (dcd == null ? 0f : dcd[o(dc) + hr + j]);
                float cp = pd == null ? 0f : pd[o(cPrev) + hr + j];
                dgd[dgr + j] = dct * gg * ig * (1f - ig);
                dgd[dgr + hid + j] = dct * cp * fg * (1f - fg);
                dgd[dgr + 2 * hid + j] = dct * ig * (1f - gg * gg);
                dgd[dgr + 3 * hid + j] = dhv * tc * og * (1f - og);
                if (dpd != null) dpd[o(dcPrev) + hr + j] = dct * fg;
            }
        }
    }

    @Override
    public void dropout(Tensor x, float p, long seed) {
        if (p == 0f) return;
        float[] xd = f(x);
        float scale = 1f / (1f - p);
        int threshold = DropoutMask.threshold(p);
        for (int e = 0; e < x.size(); e++) {
            int idx = o(x) + e;
            xd[idx] = DropoutMask.uniform24(seed, e) >= threshold ? xd[idx] * scale : 0f;
        }
    }

    // ---- loss -----------------------------------------------------------------------------------------------------------

    @Override
    public void softmaxCrossEntropy(Tensor dLogits, Tensor loss, Tensor logits, IntTensor targets, float gradScale) {
        int rows = logits.dim(0), v = logits.dim(1);
        float[] ld = f(logits), dd = f(dLogits), td = f(loss);
        int[] tg = i(targets);
        double total = 0;
        for (int r = 0; r < rows; r++) {
            int src = o(logits) + r * v, dst = o(dLogits) + r * v;
            int t = tg[o(targets) + r];
            if (t >= v) Checks.index("softmaxCrossEntropy target", t, v);
            if (t < 0) {
                Arrays.fill(dd, dst, dst + v, 0f);
                continue;
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) max = Math.max(max, ld[src + j]);
            double sum = 0;
            for (int j = 0; j < v; j++) sum += Math.exp(ld[src + j] - max);
            float logSum = (float) Math.log(sum);
            total += (double) logSum + max - ld[src + t];
            float inv = (float) (1.0 / sum);
            for (int j = 0; j < v; j++) dd[dst + j] = gradScale * (float) Math.exp(ld[src + j] - max) * inv;
            dd[dst + t] -= gradScale;
        }
        td[o(loss)] += (float) total;
    }

    @Override
    public void sumSquares(Tensor out, Tensor x) {
        float[] xd = f(x);
        double s = 0;
        for (int e = 0; e < x.size(); e++) {
            double v = xd[o(x) + e];
            s += v * v;
        }
        f(out)[o(out)] += (float) s;
    }

    // ---- optimizer -------------------------------------------------------------------------------------------------------

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep step) {
        int n = param.size();
        float[] pd = f(param), gd = f(grad), md = f(m), vd = f(v);
        float b1 = step.beta1(), b2 = step.beta2(), bc1 = step.biasCorrection1(), bc2 = step.biasCorrection2();
        for (int e = 0; e < n; e++) {
            float g = gd[o(grad) + e] * step.gradScale();
            float mv = b1 * md[o(m) + e] + (1f - b1) * g;
            float vv = b2 * vd[o(v) + e] + (1f - b2) * g * g;
            md[o(m) + e] = mv;
            vd[o(v) + e] = vv;
            float p = pd[o(param) + e];
            pd[o(param) + e] = p - step.lr() * (step.weightDecay() * p + (mv / bc1) / ((float) Math.sqrt(vv / bc2) + step.eps()));
        }
    }

    // ---- sampled training ----------------------------------------------------------------------------------------------

    /** Column j is left out of row r's loss: a padding column, or an accidental hit of the row's own candidate. */
    private static boolean masked(int[] cd, int co, int r, int j, int own) {
        int c = cd[co + j];
        return c < 0 || (j != r && c == own);
    }

    @Override
    public void sampledSoftmaxCrossEntropy(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias, Tensor logQ,
                                           IntTensor candidates, float logqWeight, float gradScale) {
        int[] nc = {logits.dim(0), logits.dim(1)}; // shapes checked by the checked front
        int n = nc[0], cols = nc[1];
        float[] ld = f(logits), dd = f(dLogits), bd = f(bias), qd = f(logQ), gb = f(dBias);
        int[] cd = i(candidates);
        int co = o(candidates), bo = o(bias), qo = o(logQ), gbo = o(dBias);
        double total = 0;
        for (int r = 0; r < n; r++) {
            int src = o(logits) + r * cols, dst = o(dLogits) + r * cols, own = cd[co + r];
            if (own < 0) {
                Arrays.fill(dd, dst, dst + cols, 0f);
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                if (!masked(cd, co, r, j, own)) max = Math.max(max, ld[src + j] + bd[bo + j] - logqWeight * qd[qo + j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                if (!masked(cd, co, r, j, own)) sum += Math.exp(ld[src + j] + bd[bo + j] - logqWeight * qd[qo + j] - max);
            }
            double zr = ld[src + r] + bd[bo + r] - logqWeight * qd[qo + r];
            total += Math.log(sum) + max - zr;
            for (int j = 0; j < cols; j++) {
                float g = 0f;
                if (!masked(cd, co, r, j, own)) {
                    double p = Math.exp(ld[src + j] + bd[bo + j] - logqWeight * qd[qo + j] - max) / sum;
                    g = (float) (gradScale * (p - (j == r ? 1.0 : 0.0)));
                }
                dd[dst + j] = g;
                gb[gbo + j] += g;
            }
        }
        f(loss)[o(loss)] += (float) total;
    }

    @Override
    public void bprMaxLoss(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias, IntTensor candidates,
                           float bpreg, float gradScale) {
        int[] nc = {logits.dim(0), logits.dim(1)}; // shapes checked by the checked front
        int n = nc[0], cols = nc[1];
        float[] ld = f(logits), dd = f(dLogits), bd = f(bias), gb = f(dBias);
        int[] cd = i(candidates);
        int co = o(candidates), bo = o(bias), gbo = o(dBias);
        double total = 0;
        double[] z = new double[cols];
        for (int r = 0; r < n; r++) {
            int src = o(logits) + r * cols, dst = o(dLogits) + r * cols, own = cd[co + r];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                z[j] = ld[src + j] + bd[bo + j];
                if (j != r && own >= 0 && !masked(cd, co, r, j, own)) max = Math.max(max, z[j]);
            }
            if (own < 0 || max == Double.NEGATIVE_INFINITY) {
                Arrays.fill(dd, dst, dst + cols, 0f);
                continue;
            }
            double e = 0;
            for (int j = 0; j < cols; j++) if (j != r && !masked(cd, co, r, j, own)) e += Math.exp(z[j] - max);
            double s = z[r], sig = 0, reg = 0, curv = 0;
            for (int j = 0; j < cols; j++) {
                if (j == r || masked(cd, co, r, j, own)) continue;
                double q = Math.exp(z[j] - max) / e, sg = 1.0 / (1.0 + Math.exp(z[j] - s));
                sig += q * sg;
                reg += q * z[j] * z[j];
                curv += q * sg * (1.0 - sg);
            }
            double a = sig + 1e-24;
            total += -Math.log(a) + bpreg * reg;
            for (int j = 0; j < cols; j++) {
                double g = 0;
                if (j == r) {
                    g = -curv / a;
                } else if (!masked(cd, co, r, j, own)) {
                    double q = Math.exp(z[j] - max) / e, sg = 1.0 / (1.0 + Math.exp(z[j] - s));
                    g = -q * (sg * sg - sig) / a + bpreg * q * (z[j] * z[j] - reg + 2 * z[j]);
                }
                float gf = (float) (gradScale * g);
                dd[dst + j] = gf;
                gb[gbo + j] += gf;
            }
        }
        f(loss)[o(loss)] += (float) total;
    }

    @Override
    public void adamUpdateRows(Tensor param, Tensor gradRows, Tensor m, Tensor v, IntTensor rows, AdamStep step) {
        int[] nc = {rows.size(), param.dim(1)}; // shapes checked by the checked front
        int n = nc[0], c = nc[1], total = param.dim(0);
        float[] pd = f(param), gd = f(gradRows), md = f(m), vd = f(v);
        int[] rd = i(rows);
        float b1 = step.beta1(), b2 = step.beta2(), bc1 = step.biasCorrection1(), bc2 = step.biasCorrection2();
        for (int k = 0; k < n; k++) {
            int row = rd[o(rows) + k];
            Checks.index("adamUpdateRows row", row, total);
            int pe = o(param) + row * c, me = o(m) + row * c, ve = o(v) + row * c, ge = o(gradRows) + k * c;
            for (int e = 0; e < c; e++) {
                float g = gd[ge + e] * step.gradScale();
                float mv = b1 * md[me + e] + (1f - b1) * g;
                float vv = b2 * vd[ve + e] + (1f - b2) * g * g;
                md[me + e] = mv;
                vd[ve + e] = vv;
                float p = pd[pe + e];
                pd[pe + e] = p - step.lr() * (step.weightDecay() * p + (mv / bc1) / ((float) Math.sqrt(vv / bc2) + step.eps()));
            }
        }
    }

    @Override
    public void adagradUpdateRows(Tensor param, Tensor gradRows, Tensor mom, Tensor acc, IntTensor rows, AdagradStep step) {
        int n = rows.size(), c = param.dim(1), total = param.dim(0); // shapes checked by the checked front
        float[] pd = f(param), gd = f(gradRows), md = f(mom), ad = f(acc);
        int[] rd = i(rows);
        float lr = step.lr(), mu = step.momentum(), decay = step.lr() * step.weightDecay();
        for (int k = 0; k < n; k++) {
            int row = rd[o(rows) + k];
            Checks.index("adagradUpdateRows row", row, total);
            int pe = o(param) + row * c, me = o(mom) + row * c, ae = o(acc) + row * c, ge = o(gradRows) + k * c;
            for (int e = 0; e < c; e++) {
                float g = gd[ge + e] * step.gradScale();
                float a = ad[ae + e] + g * g;
                float mv = lr * g / (float) Math.sqrt(a + step.eps());
                if (mu != 0f) { // without momentum m is neither read nor written: it stays as it was (zero)
                    mv = mu * md[me + e] + mv;
                    md[me + e] = mv;
                }
                ad[ae + e] = a;
                float p = pd[pe + e];
                pd[pe + e] = p - (mv + decay * p);
            }
        }
    }

    // ---- inference ----------------------------------------------------------------------------------------------------------

    private float score(float[] hd, int hRow, float[] wd, int wRow, int hid, float bias) {
        float s = 0f;
        for (int q = 0; q < hid; q++) s += hd[hRow + q] * wd[wRow + q];
        return s + bias;
    }

    @Override
    public void scoreTopK(IntTensor outIndex, Tensor outScore, Tensor h, Tensor w, Tensor bias,
                          IntTensor excludeOffsets, IntTensor exclude) {
        int n = h.dim(0), hid = h.dim(1), v = w.dim(0), k = outIndex.cols();
        if (k == 0) return; // nothing to write, and the insertion below assumes at least one slot
        float[] hd = f(h), wd = f(w), bd = f(bias), sd = f(outScore);
        int[] xi = i(outIndex), off = i(excludeOffsets), ex = i(exclude);
        boolean[] skip = new boolean[v];
        int[] bestI = new int[k];
        float[] bestS = new float[k];
        for (int r = 0; r < n; r++) {
            int from = off[o(excludeOffsets) + r], to = off[o(excludeOffsets) + r + 1];
            for (int e = from; e < to; e++) {
                int j = ex[o(exclude) + e];
                if (j >= 0 && j < v) skip[j] = true;
            }
            Arrays.fill(bestI, -1);
            Arrays.fill(bestS, Float.NEGATIVE_INFINITY);
            int count = 0;
            for (int j = 0; j < v; j++) {
                if (skip[j]) continue;
                count = TopK.offer(bestI, bestS, k, count, j, score(hd, o(h) + r * hid, wd, o(w) + j * hid, hid, bd[o(bias) + j]));
            }
            for (int e = from; e < to; e++) {
                int j = ex[o(exclude) + e];
                if (j >= 0 && j < v) skip[j] = false;
            }
            System.arraycopy(bestI, 0, xi, o(outIndex) + r * k, k);
            System.arraycopy(bestS, 0, sd, o(outScore) + r * k, k);
        }
    }

    @Override
    public void scoreRank(IntTensor outRank, Tensor h, Tensor w, Tensor bias, IntTensor targets,
                          IntTensor listOffsets, IntTensor list, RankMode mode) {
        int n = h.dim(0), hid = h.dim(1), v = w.dim(0);
        float[] hd = f(h), wd = f(w), bd = f(bias);
        int[] rk = i(outRank), tg = i(targets), off = i(listOffsets), li = i(list);
        boolean[] listed = new boolean[v];
        for (int r = 0; r < n; r++) {
            int t = tg[o(targets) + r];
            Checks.index("scoreRank target", t, v);
            int hRow = o(h) + r * hid;
            float st = score(hd, hRow, wd, o(w) + t * hid, hid, bd[o(bias) + t]);
            int from = off[o(listOffsets) + r], to = off[o(listOffsets) + r + 1];
            for (int e = from; e < to; e++) {
                int j = li[o(list) + e];
                if (j >= 0 && j < v) listed[j] = true;
            }
            int rank = 0;
            for (int j = 0; j < v; j++) {
                if (j == t || listed[j] == (mode == RankMode.EXCLUDE)) continue;
                float s = score(hd, hRow, wd, o(w) + j * hid, hid, bd[o(bias) + j]);
                if (!(s < st)) rank++;
            }
            for (int e = from; e < to; e++) {
                int j = li[o(list) + e];
                if (j >= 0 && j < v) listed[j] = false;
            }
            rk[o(outRank) + r] = rank;
        }
    }

    @Override
    public void close() {
        scratch = new float[0];
    }
}
