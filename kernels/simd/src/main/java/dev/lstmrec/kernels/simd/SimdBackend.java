package dev.lstmrec.kernels.simd;

import dev.lstmrec.engine.backend.AdagradStep;
import dev.lstmrec.engine.backend.AdamStep;
import dev.lstmrec.engine.backend.HeapBackend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Checks;
import dev.lstmrec.engine.backend.DropoutMask;
import dev.lstmrec.engine.backend.RankMode;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * The Vector API backend: heap float[]/int[] storage like {@code ScalarBackend}, every op vectorised with the
 * species of {@link Simd}, and split over the backend's own {@link WorkerPool} where the work is large enough.
 * Only created through {@link SimdBackendProvider} after its probe. Like every backend it is used by one thread at
 * a time. Kernels only: arguments are checked by {@code CheckedBackend} before they get here. Checked op by op against
 * ScalarBackend (SimdOpsTest, SimdGemmTest) at 128/256/512 bits, 1 and 2 threads.
 */
public final class SimdBackend extends HeapBackend {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = Simd.L;
    /**
     * Weighted elements of work per extra thread: below it an op stays on the calling thread. A wake-up costs a few
     * microseconds on an idle machine but can cost a scheduler slice on a loaded one, so only ops of tens of
     * microseconds or more are split (e.g. one LSTM step of 128 rows x H=64 stays on one thread).
     */
    private static final long PARALLEL_ELEMENTS = 1 << 16;

    /** Elements per call of Adam.update (a multiple of every lane count). */
    private static final int ADAM_BLOCK = 1 << 12;

    private final int threads;
    private final WorkerPool pool;
    private final Gemm gemm;
    private final Scoring.Part[] scoringParts;
    private final Scoring.Queries scoringQueries = new Scoring.Queries();
    private final double[] partials;
    private float[][] biasPartials;
    private final SampledLoss.Part[] sampledParts;
    private final SampledLoss.Hits hits = new SampledLoss.Hits();

    /** Public for the provider's reflective call; use {@link SimdBackendProvider#create}. */
    public SimdBackend(BackendOptions options) {
        if (Simd.REQUESTED_BITS > Simd.MAX_BITS) {
            throw new IllegalArgumentException("simd bits " + Simd.REQUESTED_BITS + " exceeds this CPU's widest float"
                    + " vector of " + Simd.MAX_BITS + " bits");
        }
        threads = options.resolvedThreads();
        pool = new WorkerPool(threads);
        gemm = new Gemm(pool);
        scoringParts = new Scoring.Part[threads];
        for (int i = 0; i < threads; i++) scoringParts[i] = new Scoring.Part();
        partials = new double[threads];
        biasPartials = new float[threads][0];
        sampledParts = new SampledLoss.Part[threads];
        for (int i = 0; i < threads; i++) sampledParts[i] = new SampledLoss.Part();
    }

    @Override
    public String name() {
        return "simd";
    }

    @Override
    public String description() {
        return "Vector API FloatVector " + S.vectorBitSize() + "-bit (" + L + " lanes), " + threads
                + (threads == 1 ? " thread" : " threads");
    }

    // ---- parallel helpers ----------------------------------------------------------------------------------------

    /** A contiguous slice [from, to) of rows handled by one part. */
    private interface Slice {
        void run(int part, int from, int to);
    }

    /** Splits {@code rows} into contiguous slices, one per part, as many as the work justifies; returns the count. */
    private int split(int rows, long elementsPerRow, Slice slice) {
        long work = rows * Math.max(1L, elementsPerRow);
        int parts = (int) Math.min(Math.min(threads, rows), Math.max(1, work / PARALLEL_ELEMENTS));
        if (parts <= 1) {
            slice.run(0, 0, rows);
            return 1;
        }
        pool.run(parts, p -> slice.run(p, (int) ((long) rows * p / parts), (int) ((long) rows * (p + 1) / parts)));
        return parts;
    }

    // ---- embedding ------------------------------------------------------------------------------------------------

    @Override
    public void embeddingBackward(Tensor dTable, Tensor dOut, IntTensor ids) {
        int p = ids.size(), e = dTable.cols(), rows = dTable.rows();
        float[] gd = f(dOut), td = f(dTable);
        int[] id = i(ids);
        for (int r = 0; r < p; r++) {
            int item = id[o(ids) + r];
            Checks.index("embedding id", item, rows);
            addInto(td, o(dTable) + item * e, gd, o(dOut) + r * e, e);
        }
    }

    /** dst[0..n) += src[0..n). */
    private static void addInto(float[] dst, int d, float[] src, int s, int n) {
        int bound = S.loopBound(n), j = 0;
        for (; j < bound; j += L) {
            FloatVector.fromArray(S, dst, d + j).add(FloatVector.fromArray(S, src, s + j)).intoArray(dst, d + j);
        }
        for (; j < n; j++) dst[d + j] += src[s + j];
    }

    // ---- dense ------------------------------------------------------------------------------------------------------

    @Override
    public void gemm(Tensor c, boolean transA, Tensor a, boolean transB, Tensor b, float alpha, float beta) {
        gemm.gemm(transA, f(a), o(a), a.dim(1), transB, f(b), o(b), b.dim(1), f(c), o(c), c.dim(1),
                c.dim(0), c.dim(1), transA ? a.dim(0) : a.dim(1), alpha, beta);
    }

    @Override
    public void addBias(Tensor out, Tensor bias) {
        int rows = out.dim(0), cols = out.dim(1);
        float[] od = f(out), bd = f(bias);
        int oo = o(out), bo = o(bias);
        split(rows, cols, (part, r0, r1) -> {
            for (int r = r0; r < r1; r++) addInto(od, oo + r * cols, bd, bo, cols);
        });
    }

    @Override
    public void biasBackward(Tensor dBias, Tensor dOut) {
        int rows = dOut.dim(0), cols = dOut.dim(1);
        float[] bd = f(dBias), gd = f(dOut);
        int go = o(dOut);
        for (int p = 0; p < threads; p++) {
            if (biasPartials[p].length < cols) biasPartials[p] = new float[cols];
        }
        float[][] acc = biasPartials;
        int parts = split(rows, cols, (part, r0, r1) -> {
            float[] sum = acc[part];
            Arrays.fill(sum, 0, cols, 0f);
            for (int r = r0; r < r1; r++) addInto(sum, 0, gd, go + r * cols, cols);
        });
        for (int p = 0; p < parts; p++) addInto(bd, o(dBias), acc[p], 0, cols);
    }

    // ---- LSTM ---------------------------------------------------------------------------------------------------------

    @Override
    public void lstmCellForward(Tensor h, Tensor c, Tensor gates, Tensor bias, Tensor cPrev) {
        split(h.dim(0), 8L * h.dim(1), (part, r0, r1) -> LstmCell.forward(h, c, gates, bias, cPrev, r0, r1));
    }

    @Override
    public void lstmCellBackward(Tensor dGates, Tensor dcPrev, Tensor dh, Tensor dc, Tensor gates, Tensor c,
                                 Tensor cPrev) {
        split(dh.dim(0), 8L * dh.dim(1), (part, r0, r1) ->
                LstmCell.backward(dGates, dcPrev, dh, dc, gates, c, cPrev, r0, r1));
    }

    @Override
    public void dropout(Tensor x, float p, long seed) {
        if (p == 0f) return;
        float[] xd = f(x);
        int xo = o(x);
        float scale = 1f / (1f - p);
        int threshold = DropoutMask.threshold(p);
        // The mask is a 64-bit hash per element; it stays scalar (bit-exact with DropoutMask) and is split by range.
        split(x.size(), 4, (part, e0, e1) -> {
            for (int e = e0; e < e1; e++) {
                int idx = xo + e;
                xd[idx] = DropoutMask.uniform24(seed, e) >= threshold ? xd[idx] * scale : 0f;
            }
        });
    }

    // ---- loss ---------------------------------------------------------------------------------------------------------

    @Override
    public void softmaxCrossEntropy(Tensor dLogits, Tensor loss, Tensor logits, IntTensor targets, float gradScale) {
        int rows = logits.dim(0), v = logits.dim(1);
        float[] ld = f(logits), dd = f(dLogits), td = f(loss);
        int[] tg = i(targets);
        int lo = o(logits), doff = o(dLogits), to = o(targets);
        for (int r = 0; r < rows; r++) {
            int t = tg[to + r];
            if (t >= v) Checks.index("softmaxCrossEntropy target", t, v);
        }
        Arrays.fill(partials, 0);
        split(rows, 4L * v, (part, r0, r1) ->
                partials[part] = SoftmaxLoss.rows(dd, doff, ld, lo, tg, to, v, gradScale, r0, r1));
        double total = 0;
        for (double d : partials) total += d;
        td[o(loss)] += (float) total;
    }

    @Override
    public void biasedSoftmaxCrossEntropy(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias,
                                          IntTensor targets, float gradScale) {
        int rows = logits.dim(0), v = logits.dim(1);
        float[] ld = f(logits), dd = f(dLogits), td = f(loss), bd = f(bias), gb = f(dBias);
        int[] tg = i(targets);
        int lo = o(logits), doff = o(dLogits), to = o(targets), bo = o(bias);
        for (int r = 0; r < rows; r++) {
            int t = tg[to + r];
            if (t >= v) Checks.index("biasedSoftmaxCrossEntropy target", t, v);
        }
        for (int p = 0; p < threads; p++) {
            if (biasPartials[p].length < v) biasPartials[p] = new float[v];
        }
        float[][] acc = biasPartials;
        Arrays.fill(partials, 0);
        int parts = split(rows, 4L * v, (part, r0, r1) -> {
            float[] sum = acc[part];
            Arrays.fill(sum, 0, v, 0f);
            partials[part] = SoftmaxLoss.biasedRows(dd, doff, ld, lo, bd, bo, sum, tg, to, v, gradScale, r0, r1);
        });
        for (int p = 0; p < parts; p++) addInto(gb, o(dBias), acc[p], 0, v);
        double total = 0;
        for (double d : partials) total += d;
        td[o(loss)] += (float) total;
    }

    @Override
    public void sumSquares(Tensor out, Tensor x) {
        float[] xd = f(x);
        int xo = o(x), n = x.size();
        Arrays.fill(partials, 0);
        split(n, 1, (part, e0, e1) -> partials[part] = sumSquares(xd, xo + e0, e1 - e0));
        double total = 0;
        for (double d : partials) total += d;
        f(out)[o(out)] += (float) total;
    }

    /** Σ x² with float vector accumulators flushed to a double every 4096 elements (keeps 1e-7 relative error). */
    private static double sumSquares(float[] xd, int from, int n) {
        double total = 0;
        for (int c0 = 0; c0 < n; c0 += 4096) {
            int len = Math.min(4096, n - c0), base = from + c0, bound = S.loopBound(len), j = 0;
            FloatVector acc0 = FloatVector.zero(S), acc1 = FloatVector.zero(S);
            for (; j + L < bound; j += 2 * L) {
                FloatVector a = FloatVector.fromArray(S, xd, base + j), b = FloatVector.fromArray(S, xd, base + j + L);
                acc0 = a.fma(a, acc0);
                acc1 = b.fma(b, acc1);
            }
            for (; j < bound; j += L) {
                FloatVector a = FloatVector.fromArray(S, xd, base + j);
                acc0 = a.fma(a, acc0);
            }
            total += acc0.add(acc1).reduceLanes(VectorOperators.ADD);
            for (; j < len; j++) total += (double) xd[base + j] * xd[base + j];
        }
        return total;
    }

    // ---- optimizer ------------------------------------------------------------------------------------------------------

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep step) {
        int n = param.size();
        float[] pd = f(param), gd = f(grad), md = f(m), vd = f(v);
        int po = o(param), go = o(grad), mo = o(m), vo = o(v);
        // In blocks: a few calls per step over millions of elements would run as an OSR compilation of the loop,
        // which C2 left with boxed vectors (JFR: ~0.3 GB allocated per step); many short calls get a normal compile.
        split(n, 4, (part, e0, e1) -> {
            for (int b = e0; b < e1; b += ADAM_BLOCK) Adam.update(pd, po, gd, go, md, mo, vd, vo, step, b, Math.min(e1, b + ADAM_BLOCK));
        });
    }

    // ---- sampled training ----------------------------------------------------------------------------------------------

    @Override
    public void sampledSoftmaxCrossEntropy(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias, Tensor logQ,
                                           IntTensor candidates, float logqWeight, float gradScale) {
        sampledLoss(dBias, loss, bias, logQ, logqWeight, candidates, logits.dim(0),
                (p, r0, r1) -> SampledLoss.softmaxRows(p, hits, dLogits, logits, gradScale, r0, r1));
    }

    @Override
    public void bprMaxLoss(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias, IntTensor candidates,
                           float bpreg, float gradScale) {
        sampledLoss(dBias, loss, bias, null, 0f, candidates, logits.dim(0),
                (p, r0, r1) -> SampledLoss.bprMaxRows(p, hits, dLogits, logits, bpreg, gradScale, r0, r1));
    }

    /** One of the sampled losses' row kernels on rows [r0, r1) of a part whose columns are set; returns their loss. */
    private interface SampledRows {
        double run(SampledLoss.Part p, int r0, int r1);
    }

    /**
     * The frame both sampled losses share: the call's hit plan, each part's columns, the rows split over the parts,
     * then the parts' dBias and loss summed in part order.
     */
    private void sampledLoss(Tensor dBias, Tensor loss, Tensor bias, Tensor logQ, float logqWeight, IntTensor candidates,
                             int n, SampledRows rows) {
        int c = candidates.size(); // shapes checked by the checked front
        hits.build(candidates, n);
        Arrays.fill(partials, 0);
        int parts = split(n, 4L * c, (part, r0, r1) -> {
            SampledLoss.Part p = sampledParts[part];
            p.columns(bias, logQ, logqWeight, candidates);
            partials[part] = rows.run(p, r0, r1);
        });
        float[] gb = f(dBias);
        for (int p = 0; p < parts; p++) addInto(gb, o(dBias), sampledParts[p].dBias, 0, c);
        double total = 0;
        for (double d : partials) total += d;
        f(loss)[o(loss)] += (float) total;
    }

    @Override
    public void adamUpdateRows(Tensor param, Tensor gradRows, Tensor m, Tensor v, IntTensor rows, AdamStep step) {
        float[] pd = f(param), gd = f(gradRows), md = f(m), vd = f(v);
        int po = o(param), go = o(gradRows), mo = o(m), vo = o(v), c = param.dim(1);
        eachListedRow("adamUpdateRows", param, rows, (k, row) ->
                Adam.update(pd, po + row, gd, go + k * c, md, mo + row, vd, vo + row, step, 0, c));
    }

    @Override
    public void adagradUpdateRows(Tensor param, Tensor gradRows, Tensor mom, Tensor acc, IntTensor rows, AdagradStep step) {
        float[] pd = f(param), gd = f(gradRows), md = f(mom), ad = f(acc);
        int po = o(param), go = o(gradRows), mo = o(mom), ao = o(acc), c = param.dim(1);
        eachListedRow("adagradUpdateRows", param, rows, (k, row) ->
                Adagrad.update(pd, po + row, gd, go + k * c, md, mo + row, ad, ao + row, step, c));
    }

    /** A row-wise optimiser's update of listed row k, whose elements start at {@code row} in the table's layout. */
    private interface RowUpdate {
        void apply(int k, int row);
    }

    /** Checks every listed row against the table first (nothing is written when one is out of range), then updates them on all threads. */
    private void eachListedRow(String op, Tensor param, IntTensor rows, RowUpdate update) {
        int n = rows.size(), c = param.dim(1), total = param.dim(0); // shapes checked by the checked front
        int[] rd = i(rows);
        int ro = o(rows);
        for (int k = 0; k < n; k++) Checks.index(op + " row", rd[ro + k], total);
        split(n, 4L * c, (part, k0, k1) -> {
            for (int k = k0; k < k1; k++) update.apply(k, rd[ro + k] * c);
        });
    }

    // ---- inference --------------------------------------------------------------------------------------------------------

    @Override
    public void scoreTopK(IntTensor outIndex, Tensor outScore, Tensor h, Tensor w, Tensor bias,
                          IntTensor excludeOffsets, IntTensor exclude) {
        int n = h.dim(0), hid = h.dim(1), v = w.dim(0), k = outIndex.cols();
        if (n == 0 || k == 0) return; // nothing to select (and the lists would index bestS[k - 1])
        float[] wd = f(w), bd = f(bias), sd = f(outScore);
        int[] xi = i(outIndex);
        int wo = o(w), bo = o(bias);
        scoringQueries.prepare(h, v, excludeOffsets, exclude, null);
        int parts = itemSplit(n, v, hid, (part, j0, j1) -> Scoring.topK(scoringParts[part], scoringQueries, wd, wo, bd, bo, k, j0, j1));
        for (int r = 0; r < n; r++) Scoring.mergeTopK(scoringParts, parts, r, k, xi, o(outIndex) + r * k, sd, o(outScore) + r * k);
    }

    @Override
    public void scoreRank(IntTensor outRank, Tensor h, Tensor w, Tensor bias, IntTensor targets,
                          IntTensor listOffsets, IntTensor list, RankMode mode) {
        int n = h.dim(0), hid = h.dim(1), v = w.dim(0);
        float[] wd = f(w), bd = f(bias);
        int[] rk = i(outRank), tg = i(targets);
        int rko = o(outRank), wo = o(w), bo = o(bias), tgo = o(targets);
        for (int r = 0; r < n; r++) {
            int t = tg[tgo + r];
            Checks.index("scoreRank target", t, v);
        }
        if (n == 0) return;
        if (mode == RankMode.CANDIDATES) {
            long perRow = 2L * hid * Math.max(1, list.size() / n);
            split(n, perRow, (part, r0, r1) -> Scoring.rankCandidates(scoringParts[part], outRank, h, w, bias, targets,
                    listOffsets, list, r0, r1));
            return;
        }
        Scoring.Queries q = scoringQueries;
        q.prepare(h, v, listOffsets, list, targets);
        for (int r = 0; r < n; r++) q.targetScore[r] = q.score(r, wd, wo, bd, bo, tg[tgo + r]);
        int parts = itemSplit(n, v, hid, (part, j0, j1) -> Scoring.countAtLeast(scoringParts[part], q, wd, wo, bd, bo, j0, j1));
        for (int r = 0; r < n; r++) rk[rko + r] = Scoring.rankFromCounts(scoringParts, parts, q, r, wd, wo, bd, bo);
    }

    /**
     * Runs a scoring pass split by items: each part gets a contiguous range of output rows (a multiple of the
     * micro-kernel height), as many parts as the 2·n·V·H FLOPs justify; returns the number of parts.
     */
    private int itemSplit(int n, int v, int hid, Slice slice) {
        long flops = 2L * n * v * Math.max(1, hid);
        int parts = (int) Math.min(Math.min(threads, Math.max(1, v / Gemm.MR)), Math.max(1, flops / Gemm.PARALLEL_FLOPS));
        if (parts <= 1) {
            slice.run(0, 0, v);
            return 1;
        }
        pool.run(parts, p -> slice.run(p, itemBound(v, p, parts), itemBound(v, p + 1, parts)));
        return parts;
    }

    private static int itemBound(int v, int p, int parts) {
        if (p >= parts) return v;
        int j = (int) ((long) v * p / parts);
        return j - j % Gemm.MR;
    }

    @Override
    public void close() {
        pool.close();
    }
}
