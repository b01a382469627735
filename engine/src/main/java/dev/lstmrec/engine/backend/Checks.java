package dev.lstmrec.engine.backend;

import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Shape;
import dev.lstmrec.engine.tensor.Tensor;

/** Argument checks every backend applies before touching memory, so all of them fail alike on bad shapes. */
public final class Checks {
    private Checks() {}

    public static void require(boolean condition, String message) {
        if (!condition) throw new IllegalArgumentException(message);
    }

    /** Throws unless 0 ≤ value &lt; bound; the message is only built on failure (this runs per element). */
    public static void index(String what, int value, int bound) {
        if (value < 0 || value >= bound) throw new IllegalArgumentException(what + " " + value + " outside [0, " + bound + ")");
    }

    public static void rank2(String what, Tensor t) {
        if (t.rank() != 2) throw new IllegalArgumentException(what + ": expected a 2-D tensor, got " + Shape.str(t.shape()));
    }

    /** Checks C = op(A)·op(B) shapes and returns {M, N, K}. */
    public static int[] gemmShape(Tensor c, boolean transA, Tensor a, boolean transB, Tensor b) {
        rank2("gemm C", c);
        rank2("gemm A", a);
        rank2("gemm B", b);
        int m = transA ? a.dim(1) : a.dim(0);
        int k = transA ? a.dim(0) : a.dim(1);
        int kb = transB ? b.dim(1) : b.dim(0);
        int n = transB ? b.dim(0) : b.dim(1);
        if (k != kb || c.dim(0) != m || c.dim(1) != n) {
            throw new IllegalArgumentException("gemm shapes do not agree: C" + Shape.str(c.shape()) + " = " + (transA ? "Aᵀ" : "A")
                    + Shape.str(a.shape()) + " · " + (transB ? "Bᵀ" : "B") + Shape.str(b.shape()));
        }
        return new int[] {m, n, k};
    }

    /** Checks the LSTM step tensors and returns {n, H}. */
    public static int[] lstmShape(Tensor h, Tensor c, Tensor gates, Tensor cPrev) {
        rank2("lstm h", h);
        int n = h.dim(0), hid = h.dim(1);
        c.expect("lstm c", n, hid);
        gates.expect("lstm gates", n, 4 * hid);
        if (cPrev != null) cPrev.expect("lstm cPrev", n, hid);
        return new int[] {n, hid};
    }

    /** Checks the softmax-cross-entropy tensors (see {@link Backend#softmaxCrossEntropy}) and returns {rows, V}. */
    public static int[] softmaxShape(Tensor dLogits, Tensor loss, Tensor logits, IntTensor targets) {
        rank2("softmaxCrossEntropy logits", logits);
        int rows = logits.dim(0), v = logits.dim(1);
        dLogits.expect("softmaxCrossEntropy dLogits", rows, v);
        targets.expect("softmaxCrossEntropy targets", rows);
        loss.expect("softmaxCrossEntropy loss", 1);
        return new int[] {rows, v};
    }

    public static void csr(String what, IntTensor offsets, IntTensor list, int rows) {
        offsets.expect(what + " offsets", rows + 1);
        require(list.shape().length == 1, what + " list must be 1-D");
    }
    /** Checks the sampled-loss tensors (see {@link Backend#sampledSoftmaxCrossEntropy}) and returns {n, C}. */
    public static int[] sampledShape(String op, Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias,
                                     Tensor logQ, IntTensor candidates) {
        rank2(op + " logits", logits);
        int n = logits.dim(0), c = logits.dim(1);
        require(n <= c, op + ": more rows (" + n + ") than candidate columns (" + c + ")");
        dLogits.expect(op + " dLogits", n, c);
        dBias.expect(op + " dBias", c);
        loss.expect(op + " loss", 1);
        bias.expect(op + " bias", c);
        if (logQ != null) logQ.expect(op + " logQ", c);
        candidates.expect(op + " candidates", c);
        return new int[] {n, c};
    }

    /** Checks the row-wise Adam tensors and returns {rows listed, C}. */
    public static int[] adamRowsShape(Tensor param, Tensor gradRows, Tensor m, Tensor v, IntTensor rows) {
        rank2("adamUpdateRows param", param);
        int r = param.dim(0), c = param.dim(1), n = rows.size();
        m.expect("adamUpdateRows m", r, c);
        v.expect("adamUpdateRows v", r, c);
        rank2("adamUpdateRows gradRows", gradRows);
        require(gradRows.dim(1) == c && gradRows.dim(0) >= n, "adamUpdateRows: gradRows " + Shape.str(gradRows.shape())
                + " does not hold " + n + " rows of " + c);
        return new int[] {n, c};
    }
}
