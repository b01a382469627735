package com.example.lstmrec.backend;

// A backend from outside the engine, built on the public SPI only: every op is forwarded to a private
// ScalarBackend, which allocates (and so owns) the storage; the engine's checked front checks every argument. Checked by ExampleConformanceTest (the engine's
// conformance suite against a fresh scalar oracle) and ExampleDiscoveryTest (discovery, selection, a training run).

import dev.lstmrec.engine.backend.AdagradStep;
import dev.lstmrec.engine.backend.AdamStep;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.RankMode;
import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code example} backend: the scalar reference behind a different name. Tensors are allocated (and freed) by the
 * private delegate, so their storage owner is the delegate, which {@link #storageOwner()} says; the engine's checked
 * front ({@code Backends.create} returns the backend behind it) rejects wrong shapes, another backend's tensors and
 * freed tensors before an op gets here, so this class holds kernels only and counts the ops it ran. A real
 * third-party backend replaces the delegate with its own kernels and storage.
 */
public final class ExampleBackend implements Backend {
    private final ScalarBackend delegate = new ScalarBackend();
    private final AtomicLong ops = new AtomicLong();

    /** Ops run so far (everything except allocation, free, transfers and close). */
    public long ops() {
        return ops.get();
    }

    private void op() {
        ops.incrementAndGet();
    }

    @Override
    public String name() {
        return ExampleBackendProvider.NAME;
    }

    @Override
    public String description() {
        return "example third-party backend over the scalar reference, 1 thread";
    }

    @Override
    public Tensor allocate(int... shape) {
        return delegate.allocate(shape);
    }

    @Override
    public IntTensor allocateInt(int... shape) {
        return delegate.allocateInt(shape);
    }

    @Override
    public void free(Tensor t) {
        delegate.free(t);
    }

    @Override
    public void free(IntTensor t) {
        delegate.free(t);
    }

    /** The delegate allocates, so its identity is what the storage of this backend's tensors carries. */
    @Override
    public Object storageOwner() {
        return delegate.storageOwner();
    }

    @Override
    public void upload(Tensor dst, float[] src, int srcOffset) {
        delegate.upload(dst, src, srcOffset);
    }

    @Override
    public void download(float[] dst, int dstOffset, Tensor src) {
        delegate.download(dst, dstOffset, src);
    }

    @Override
    public void uploadInt(IntTensor dst, int[] src, int srcOffset) {
        delegate.uploadInt(dst, src, srcOffset);
    }

    @Override
    public void downloadInt(int[] dst, int dstOffset, IntTensor src) {
        delegate.downloadInt(dst, dstOffset, src);
    }

    @Override
    public void fill(Tensor dst, float value) {
        op();
        delegate.fill(dst, value);
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        op();
        delegate.copy(dst, src);
    }

    @Override
    public void synchronize() {
        delegate.synchronize();
    }

    @Override
    public void embeddingForward(Tensor out, Tensor table, IntTensor ids) {
        op();
        delegate.embeddingForward(out, table, ids);
    }

    @Override
    public void embeddingBackward(Tensor dTable, Tensor dOut, IntTensor ids) {
        op();
        delegate.embeddingBackward(dTable, dOut, ids);
    }

    @Override
    public void gemm(Tensor c, boolean transA, Tensor a, boolean transB, Tensor b, float alpha, float beta) {
        op();
        delegate.gemm(c, transA, a, transB, b, alpha, beta);
    }

    @Override
    public void addBias(Tensor out, Tensor bias) {
        op();
        delegate.addBias(out, bias);
    }

    @Override
    public void biasBackward(Tensor dBias, Tensor dOut) {
        op();
        delegate.biasBackward(dBias, dOut);
    }

    @Override
    public void lstmCellForward(Tensor h, Tensor c, Tensor gates, Tensor bias, Tensor cPrev) {
        op();
        delegate.lstmCellForward(h, c, gates, bias, cPrev);
    }

    @Override
    public void lstmCellBackward(Tensor dGates, Tensor dcPrev, Tensor dh, Tensor dc, Tensor gates, Tensor c, Tensor cPrev) {
        op();
        delegate.lstmCellBackward(dGates, dcPrev, dh, dc, gates, c, cPrev);
    }

    @Override
    public void dropout(Tensor x, float p, long seed) {
        op();
        delegate.dropout(x, p, seed);
    }

    @Override
    public void softmaxCrossEntropy(Tensor dLogits, Tensor loss, Tensor logits, IntTensor targets, float gradScale) {
        op();
        delegate.softmaxCrossEntropy(dLogits, loss, logits, targets, gradScale);
    }

    @Override
    public void fillColumns(Tensor x, IntTensor offsets, IntTensor columns, float value) {
        op();
        delegate.fillColumns(x, offsets, columns, value);
    }

    @Override
    public void sumSquares(Tensor out, Tensor x) {
        op();
        delegate.sumSquares(out, x);
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep step) {
        op();
        delegate.adamUpdate(param, grad, m, v, step);
    }

    @Override
    public void scoreTopK(IntTensor outIndex, Tensor outScore, Tensor h, Tensor w, Tensor bias,
                          IntTensor excludeOffsets, IntTensor exclude) {
        op();
        delegate.scoreTopK(outIndex, outScore, h, w, bias, excludeOffsets, exclude);
    }

    @Override
    public void scoreRank(IntTensor outRank, Tensor h, Tensor w, Tensor bias, IntTensor targets,
                          IntTensor listOffsets, IntTensor list, RankMode mode) {
        op();
        delegate.scoreRank(outRank, h, w, bias, targets, listOffsets, list, mode);
    }

    @Override
    public void sampledSoftmaxCrossEntropy(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias, Tensor logQ,
                                           IntTensor candidates, float logqWeight, float gradScale) {
        op();
        delegate.sampledSoftmaxCrossEntropy(dLogits, dBias, loss, logits, bias, logQ,
                candidates, logqWeight, gradScale);
    }

    @Override
    public void bprMaxLoss(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias, IntTensor candidates,
                           float bpreg, float gradScale) {
        op();
        delegate.bprMaxLoss(dLogits, dBias, loss, logits, bias, candidates, bpreg, gradScale);
    }

    @Override
    public void adamUpdateRows(Tensor param, Tensor gradRows, Tensor m, Tensor v, IntTensor rows, AdamStep step) {
        op();
        delegate.adamUpdateRows(param, gradRows, m, v, rows, step);
    }

    @Override
    public void adagradUpdateRows(Tensor param, Tensor gradRows, Tensor mom, Tensor acc, IntTensor rows, AdagradStep step) {
        op();
        delegate.adagradUpdateRows(param, gradRows, mom, acc, rows, step);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
