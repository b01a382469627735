package dev.lstmrec.engine.backend;

import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Shape;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.Objects;

/**
 * The one checked front of every backend: {@link Backends#create} and {@link Backends.Found#create} return the
 * provider's backend behind it. Each op checks, once and for every backend alike, that the backend is open, that every
 * tensor belongs to it and is not freed, and the shapes and scalar arguments of the {@link Backend} contract; then it
 * forwards to the kernels. One method per op: a new op in {@link Backend} adds its checks here (WrappersTest fails
 * until it does). Messages are built only on failure (these checks run per op in the training loop).
 */
public final class CheckedBackend implements Backend {
    private final Backend inner;
    private final Object owner;
    private boolean closed;

    private CheckedBackend(Backend inner) {
        this.inner = inner;
        this.owner = inner.storageOwner();
    }

    /** {@code backend} behind the checked front (itself if it already is one). */
    public static Backend wrap(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        return backend instanceof CheckedBackend ? backend : new CheckedBackend(backend);
    }

    // ---- the checks ----------------------------------------------------------------------------------------------

    private void open() {
        if (closed) throw new IllegalStateException("backend " + inner.name() + " is closed");
    }

    /** A tensor argument: present, not freed, allocated by this backend. */
    private Tensor live(String op, String arg, Tensor t) {
        if (t == null) throw new IllegalArgumentException(op + " " + arg + ": tensor is null");
        if (t.storage().freed()) {
            throw new IllegalStateException(op + " " + arg + ": tensor " + Shape.str(t.shape()) + " used after free");
        }
        if (t.storage().owner() != owner) {
            throw new IllegalArgumentException(op + " " + arg + ": tensor " + Shape.str(t.shape()) + " belongs to another backend");
        }
        return t;
    }

    private IntTensor live(String op, String arg, IntTensor t) {
        if (t == null) throw new IllegalArgumentException(op + " " + arg + ": int tensor is null");
        if (t.storage().freed()) {
            throw new IllegalStateException(op + " " + arg + ": int tensor " + Shape.str(t.shape()) + " used after free");
        }
        if (t.storage().owner() != owner) {
            throw new IllegalArgumentException(op + " " + arg + ": int tensor " + Shape.str(t.shape()) + " belongs to another backend");
        }
        return t;
    }

    private Tensor optional(String op, String arg, Tensor t) {
        return t == null ? null : live(op, arg, t);
    }

    private static void rank2(String op, String arg, Tensor t) {
        if (t.rank() != 2) {
            throw new IllegalArgumentException(op + " " + arg + ": expected a 2-D tensor, got " + Shape.str(t.shape()));
        }
    }

    private static void require(boolean condition, String op, String problem) {
        if (!condition) throw new IllegalArgumentException(op + ": " + problem);
    }

    /** Views of one storage that share elements (an op's output may not overlap an input it reads unless allowed). */
    private static boolean overlap(Tensor a, Tensor b) {
        return a.storage() == b.storage() && a.offset() < b.offset() + b.size() && b.offset() < a.offset() + a.size()
                && a.size() > 0 && b.size() > 0;
    }

    private static void checkCsr(String op, IntTensor offsets, IntTensor list, int rows) {
        offsets.expect(op + " offsets", rows + 1);
        if (list.shape().length != 1) throw new IllegalArgumentException(op + ": list must be 1-D, got " + Shape.str(list.shape()));
    }

    /** C = op(A)·op(B) shapes. */
    private static void checkGemm(Tensor c, boolean transA, Tensor a, boolean transB, Tensor b) {
        rank2("gemm", "C", c);
        rank2("gemm", "A", a);
        rank2("gemm", "B", b);
        int m = transA ? a.dim(1) : a.dim(0);
        int k = transA ? a.dim(0) : a.dim(1);
        int kb = transB ? b.dim(1) : b.dim(0);
        int n = transB ? b.dim(0) : b.dim(1);
        if (k != kb || c.dim(0) != m || c.dim(1) != n) {
            throw new IllegalArgumentException("gemm shapes do not agree: C" + Shape.str(c.shape()) + " = " + (transA ? "Aᵀ" : "A")
                    + Shape.str(a.shape()) + " · " + (transB ? "Bᵀ" : "B") + Shape.str(b.shape()));
        }
    }

    /** The LSTM step tensors; returns H. */
    private static int checkLstm(String op, Tensor h, Tensor c, Tensor gates, Tensor cPrev) {
        rank2(op, "h", h);
        int n = h.dim(0), hid = h.dim(1);
        c.expect(op + " c", n, hid);
        gates.expect(op + " gates", n, 4 * hid);
        if (cPrev != null) cPrev.expect(op + " cPrev", n, hid);
        return hid;
    }

    /** The softmax-cross-entropy tensors; returns V. */
    private static int checkSoftmax(String op, Tensor dLogits, Tensor loss, Tensor logits, IntTensor targets) {
        rank2(op, "logits", logits);
        int rows = logits.dim(0), v = logits.dim(1);
        dLogits.expect(op + " dLogits", rows, v);
        targets.expect(op + " targets", rows);
        loss.expect(op + " loss", 1);
        return v;
    }

    /** Scoring tensors h [n, H], w [V, H], bias [V]; returns n. */
    private static int checkScoring(String op, Tensor h, Tensor w, Tensor bias) {
        rank2(op, "h", h);
        rank2(op, "w", w);
        int n = h.dim(0), hid = h.dim(1), v = w.dim(0);
        w.expect(op + " w", v, hid);
        bias.expect(op + " bias", v);
        return n;
    }

    // ---- identity ------------------------------------------------------------------------------------------------

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public String description() {
        return inner.description();
    }

    @Override
    public Object storageOwner() {
        return owner;
    }

    // ---- memory ----------------------------------------------------------------------------------------------------

    @Override
    public Tensor allocate(int... shape) {
        open();
        Shape.size(shape);
        return inner.allocate(shape);
    }

    @Override
    public IntTensor allocateInt(int... shape) {
        open();
        Shape.size(shape);
        return inner.allocateInt(shape);
    }

    @Override
    public void free(Tensor t) {
        open();
        if (t == null) return;
        if (t.storage().freed()) throw new IllegalStateException("free: tensor " + Shape.str(t.shape()) + " was already freed");
        live("free", "t", t);
        require(t.isWhole(), "free", "tensor " + t + " is a view of part of an allocation; free the tensor allocate returned");
        inner.free(t);
    }

    @Override
    public void free(IntTensor t) {
        open();
        if (t == null) return;
        if (t.storage().freed()) throw new IllegalStateException("free: int tensor " + Shape.str(t.shape()) + " was already freed");
        live("free", "t", t);
        require(t.isWhole(), "free", "int tensor " + t + " is a view of part of an allocation; free the tensor allocateInt returned");
        inner.free(t);
    }

    @Override
    public void upload(Tensor dst, float[] src, int srcOffset) {
        open();
        live("upload", "dst", dst);
        Objects.checkFromIndexSize(srcOffset, dst.size(), src.length);
        inner.upload(dst, src, srcOffset);
    }

    @Override
    public void download(float[] dst, int dstOffset, Tensor src) {
        open();
        live("download", "src", src);
        Objects.checkFromIndexSize(dstOffset, src.size(), dst.length);
        inner.download(dst, dstOffset, src);
    }

    @Override
    public void uploadInt(IntTensor dst, int[] src, int srcOffset) {
        open();
        live("uploadInt", "dst", dst);
        Objects.checkFromIndexSize(srcOffset, dst.size(), src.length);
        inner.uploadInt(dst, src, srcOffset);
    }

    @Override
    public void downloadInt(int[] dst, int dstOffset, IntTensor src) {
        open();
        live("downloadInt", "src", src);
        Objects.checkFromIndexSize(dstOffset, src.size(), dst.length);
        inner.downloadInt(dst, dstOffset, src);
    }

    @Override
    public void fill(Tensor dst, float value) {
        open();
        live("fill", "dst", dst);
        inner.fill(dst, value);
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        open();
        live("copy", "dst", dst);
        live("copy", "src", src);
        if (dst.size() != src.size()) throw new IllegalArgumentException("copy: sizes differ " + dst + " <- " + src);
        if (overlap(dst, src)) throw new IllegalArgumentException("copy: " + dst + " and " + src + " overlap in one storage");
        inner.copy(dst, src);
    }

    @Override
    public void synchronize() {
        open();
        inner.synchronize();
    }

    // ---- embedding ------------------------------------------------------------------------------------------------

    @Override
    public void embeddingForward(Tensor out, Tensor table, IntTensor ids) {
        open();
        live("embeddingForward", "out", out);
        live("embeddingForward", "table", table);
        live("embeddingForward", "ids", ids);
        out.expect("embeddingForward out", ids.size(), table.cols());
        inner.embeddingForward(out, table, ids);
    }

    @Override
    public void embeddingBackward(Tensor dTable, Tensor dOut, IntTensor ids) {
        open();
        live("embeddingBackward", "dTable", dTable);
        live("embeddingBackward", "dOut", dOut);
        live("embeddingBackward", "ids", ids);
        dOut.expect("embeddingBackward dOut", ids.size(), dTable.cols());
        inner.embeddingBackward(dTable, dOut, ids);
    }

    // ---- dense ------------------------------------------------------------------------------------------------------

    @Override
    public void gemm(Tensor c, boolean transA, Tensor a, boolean transB, Tensor b, float alpha, float beta) {
        open();
        live("gemm", "C", c);
        live("gemm", "A", a);
        live("gemm", "B", b);
        checkGemm(c, transA, a, transB, b);
        inner.gemm(c, transA, a, transB, b, alpha, beta);
    }

    @Override
    public void addBias(Tensor out, Tensor bias) {
        open();
        live("addBias", "out", out);
        live("addBias", "bias", bias);
        rank2("addBias", "out", out);
        bias.expect("addBias bias", out.dim(1));
        inner.addBias(out, bias);
    }

    @Override
    public void biasBackward(Tensor dBias, Tensor dOut) {
        open();
        live("biasBackward", "dBias", dBias);
        live("biasBackward", "dOut", dOut);
        rank2("biasBackward", "dOut", dOut);
        dBias.expect("biasBackward dBias", dOut.dim(1));
        inner.biasBackward(dBias, dOut);
    }

    // ---- LSTM -------------------------------------------------------------------------------------------------------

    @Override
    public void lstmCellForward(Tensor h, Tensor c, Tensor gates, Tensor bias, Tensor cPrev) {
        open();
        live("lstmCellForward", "h", h);
        live("lstmCellForward", "c", c);
        live("lstmCellForward", "gates", gates);
        live("lstmCellForward", "bias", bias);
        optional("lstmCellForward", "cPrev", cPrev);
        int hid = checkLstm("lstmCellForward", h, c, gates, cPrev);
        bias.expect("lstmCellForward bias", 4 * hid);
        inner.lstmCellForward(h, c, gates, bias, cPrev);
    }

    @Override
    public void lstmCellBackward(Tensor dGates, Tensor dcPrev, Tensor dh, Tensor dc, Tensor gates, Tensor c, Tensor cPrev) {
        open();
        live("lstmCellBackward", "dGates", dGates);
        optional("lstmCellBackward", "dcPrev", dcPrev);
        live("lstmCellBackward", "dh", dh);
        optional("lstmCellBackward", "dc", dc);
        live("lstmCellBackward", "gates", gates);
        live("lstmCellBackward", "c", c);
        optional("lstmCellBackward", "cPrev", cPrev);
        int hid = checkLstm("lstmCellBackward", dh, c, gates, cPrev);
        int n = dh.dim(0);
        dGates.expect("lstmCellBackward dGates", n, 4 * hid);
        if (dc != null) dc.expect("lstmCellBackward dc", n, hid);
        if (dcPrev != null) dcPrev.expect("lstmCellBackward dcPrev", n, hid);
        inner.lstmCellBackward(dGates, dcPrev, dh, dc, gates, c, cPrev);
    }

    @Override
    public void dropout(Tensor x, float p, long seed) {
        open();
        live("dropout", "x", x);
        if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        inner.dropout(x, p, seed);
    }

    // ---- loss -------------------------------------------------------------------------------------------------------

    @Override
    public void softmaxCrossEntropy(Tensor dLogits, Tensor loss, Tensor logits, IntTensor targets, float gradScale) {
        open();
        live("softmaxCrossEntropy", "dLogits", dLogits);
        live("softmaxCrossEntropy", "loss", loss);
        live("softmaxCrossEntropy", "logits", logits);
        live("softmaxCrossEntropy", "targets", targets);
        checkSoftmax("softmaxCrossEntropy", dLogits, loss, logits, targets);
        inner.softmaxCrossEntropy(dLogits, loss, logits, targets, gradScale);
    }

    @Override
    public void biasedSoftmaxCrossEntropy(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias,
                                          IntTensor targets, float gradScale) {
        open();
        live("biasedSoftmaxCrossEntropy", "dLogits", dLogits);
        live("biasedSoftmaxCrossEntropy", "dBias", dBias);
        live("biasedSoftmaxCrossEntropy", "loss", loss);
        live("biasedSoftmaxCrossEntropy", "logits", logits);
        live("biasedSoftmaxCrossEntropy", "bias", bias);
        live("biasedSoftmaxCrossEntropy", "targets", targets);
        int v = checkSoftmax("biasedSoftmaxCrossEntropy", dLogits, loss, logits, targets);
        bias.expect("biasedSoftmaxCrossEntropy bias", v);
        dBias.expect("biasedSoftmaxCrossEntropy dBias", v);
        inner.biasedSoftmaxCrossEntropy(dLogits, dBias, loss, logits, bias, targets, gradScale);
    }

    @Override
    public void sumSquares(Tensor out, Tensor x) {
        open();
        live("sumSquares", "out", out);
        live("sumSquares", "x", x);
        out.expect("sumSquares out", 1);
        inner.sumSquares(out, x);
    }

    // ---- optimizer --------------------------------------------------------------------------------------------------

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep step) {
        open();
        live("adamUpdate", "param", param);
        live("adamUpdate", "grad", grad);
        live("adamUpdate", "m", m);
        live("adamUpdate", "v", v);
        int n = param.size();
        require(grad.size() == n && m.size() == n && v.size() == n, "adamUpdate", "sizes differ");
        Objects.requireNonNull(step, "adamUpdate step");
        inner.adamUpdate(param, grad, m, v, step);
    }

    // ---- sampled training -------------------------------------------------------------------------------------------

    /** Shapes of a sampled loss (see {@link Backend#sampledSoftmaxCrossEntropy}); returns C. */
    private static int checkSampled(String op, Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias,
                                    Tensor logQ, IntTensor candidates) {
        rank2(op, "logits", logits);
        int n = logits.dim(0), c = logits.dim(1);
        require(n <= c, op, "more rows (" + n + ") than candidate columns (" + c + ")");
        dLogits.expect(op + " dLogits", n, c);
        dBias.expect(op + " dBias", c);
        loss.expect(op + " loss", 1);
        bias.expect(op + " bias", c);
        if (logQ != null) logQ.expect(op + " logQ", c);
        candidates.expect(op + " candidates", c);
        return c;
    }

    @Override
    public void sampledSoftmaxCrossEntropy(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias, Tensor logQ,
                                           IntTensor candidates, float logqWeight, float gradScale) {
        open();
        String op = "sampledSoftmaxCrossEntropy";
        live(op, "dLogits", dLogits);
        live(op, "dBias", dBias);
        live(op, "loss", loss);
        live(op, "logits", logits);
        live(op, "bias", bias);
        live(op, "logQ", logQ);
        live(op, "candidates", candidates);
        checkSampled(op, dLogits, dBias, loss, logits, bias, logQ, candidates);
        inner.sampledSoftmaxCrossEntropy(dLogits, dBias, loss, logits, bias, logQ, candidates, logqWeight, gradScale);
    }

    @Override
    public void bprMaxLoss(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias, IntTensor candidates,
                           float bpreg, float gradScale) {
        open();
        String op = "bprMaxLoss";
        live(op, "dLogits", dLogits);
        live(op, "dBias", dBias);
        live(op, "loss", loss);
        live(op, "logits", logits);
        live(op, "bias", bias);
        live(op, "candidates", candidates);
        checkSampled(op, dLogits, dBias, loss, logits, bias, null, candidates);
        inner.bprMaxLoss(dLogits, dBias, loss, logits, bias, candidates, bpreg, gradScale);
    }

    @Override
    public void adamUpdateRows(Tensor param, Tensor gradRows, Tensor m, Tensor v, IntTensor rows, AdamStep step) {
        checkRowUpdate("adamUpdateRows", param, gradRows, m, v, rows, step);
        inner.adamUpdateRows(param, gradRows, m, v, rows, step);
    }

    @Override
    public void adagradUpdateRows(Tensor param, Tensor gradRows, Tensor mom, Tensor acc, IntTensor rows, AdagradStep step) {
        checkRowUpdate("adagradUpdateRows", param, gradRows, mom, acc, rows, step);
        inner.adagradUpdateRows(param, gradRows, mom, acc, rows, step);
    }

    /** A row-wise optimiser step's operands: param, both state tensors [R, C], the compact gradient and the row list. */
    private void checkRowUpdate(String op, Tensor param, Tensor gradRows, Tensor m, Tensor v, IntTensor rows, Object step) {
        open();
        live(op, "param", param);
        live(op, "gradRows", gradRows);
        live(op, "m", m);
        live(op, "v", v);
        live(op, "rows", rows);
        rank2(op, "param", param);
        rank2(op, "gradRows", gradRows);
        int r = param.dim(0), c = param.dim(1), n = rows.size();
        m.expect(op + " m", r, c);
        v.expect(op + " v", r, c);
        require(gradRows.dim(1) == c && gradRows.dim(0) >= n, op, "gradRows " + Shape.str(gradRows.shape())
                + " does not hold " + n + " rows of " + c);
        Objects.requireNonNull(step, op + " step");
    }

    // ---- inference --------------------------------------------------------------------------------------------------

    @Override
    public void scoreTopK(IntTensor outIndex, Tensor outScore, Tensor h, Tensor w, Tensor bias,
                          IntTensor excludeOffsets, IntTensor exclude) {
        open();
        live("scoreTopK", "outIndex", outIndex);
        live("scoreTopK", "outScore", outScore);
        live("scoreTopK", "h", h);
        live("scoreTopK", "w", w);
        live("scoreTopK", "bias", bias);
        live("scoreTopK", "excludeOffsets", excludeOffsets);
        live("scoreTopK", "exclude", exclude);
        int n = checkScoring("scoreTopK", h, w, bias);
        int k = outIndex.cols();
        outIndex.expect("scoreTopK outIndex", n, k);
        outScore.expect("scoreTopK outScore", n, k);
        checkCsr("scoreTopK exclude", excludeOffsets, exclude, n);
        inner.scoreTopK(outIndex, outScore, h, w, bias, excludeOffsets, exclude);
    }

    @Override
    public void scoreRank(IntTensor outRank, Tensor h, Tensor w, Tensor bias, IntTensor targets,
                          IntTensor listOffsets, IntTensor list, RankMode mode) {
        open();
        live("scoreRank", "outRank", outRank);
        live("scoreRank", "h", h);
        live("scoreRank", "w", w);
        live("scoreRank", "bias", bias);
        live("scoreRank", "targets", targets);
        live("scoreRank", "listOffsets", listOffsets);
        live("scoreRank", "list", list);
        int n = checkScoring("scoreRank", h, w, bias);
        outRank.expect("scoreRank outRank", n);
        targets.expect("scoreRank targets", n);
        checkCsr("scoreRank list", listOffsets, list, n);
        Objects.requireNonNull(mode, "scoreRank mode");
        inner.scoreRank(outRank, h, w, bias, targets, listOffsets, list, mode);
    }

    @Override
    public void fillColumns(Tensor x, IntTensor offsets, IntTensor columns, float value) {
        open();
        live("fillColumns", "x", x);
        live("fillColumns", "offsets", offsets);
        live("fillColumns", "columns", columns);
        rank2("fillColumns", "x", x);
        checkCsr("fillColumns columns", offsets, columns, x.dim(0));
        inner.fillColumns(x, offsets, columns, value);
    }

    /** Closes the backend (idempotent); every later call fails with {@link IllegalStateException}. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        inner.close();
    }

    @Override
    public String toString() {
        return "CheckedBackend[" + inner.name() + "]";
    }
}
