package com.example.lstmrec.backend;

// A backend from outside the engine, built on the public SPI only: every op is forwarded to a private
// ScalarBackend, which allocates (and so owns) the storage. Checked by ExampleConformanceTest (the engine's
// conformance suite against a fresh scalar oracle) and ExampleDiscoveryTest (discovery, selection, a training run).

import dev.lstmrec.engine.backend.AdamStep;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.RankMode;
import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code example} backend: the scalar reference behind a different name. Tensors are allocated by the private
 * delegate, so their storage owner is the delegate; this class checks that owner itself on every tensor argument
 * (the SPI's rule that a backend rejects tensors it did not allocate) before forwarding, and counts the ops it ran.
 * A real third-party backend replaces the delegate with its own kernels and storage.
 */
public final class ExampleBackend implements Backend {
    private final ScalarBackend delegate = new ScalarBackend();
    private final AtomicLong ops = new AtomicLong();

    /** Ops run so far (everything except allocation, transfers and close). */
    public long ops() {
        return ops.get();
    }

    private Tensor mine(Tensor t) {
        if (t != null) t.checkOwner(delegate);
        return t;
    }

    private IntTensor mine(IntTensor t) {
        if (t != null) t.checkOwner(delegate);
        return t;
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
    public void upload(Tensor dst, float[] src, int srcOffset) {
        delegate.upload(mine(dst), src, srcOffset);
    }

    @Override
    public void download(float[] dst, int dstOffset, Tensor src) {
        delegate.download(dst, dstOffset, mine(src));
    }

    @Override
    public void uploadInt(IntTensor dst, int[] src, int srcOffset) {
        delegate.uploadInt(mine(dst), src, srcOffset);
    }

    @Override
    public void downloadInt(int[] dst, int dstOffset, IntTensor src) {
        delegate.downloadInt(dst, dstOffset, mine(src));
    }

    @Override
    public void fill(Tensor dst, float value) {
        op();
        delegate.fill(mine(dst), value);
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        op();
        delegate.copy(mine(dst), mine(src));
    }

    @Override
    public void synchronize() {
        delegate.synchronize();
    }

    @Override
    public void embeddingForward(Tensor out, Tensor table, IntTensor ids) {
        op();
        delegate.embeddingForward(mine(out), mine(table), mine(ids));
    }

    @Override
    public void embeddingBackward(Tensor dTable, Tensor dOut, IntTensor ids) {
        op();
        delegate.embeddingBackward(mine(dTable), mine(dOut), mine(ids));
    }

    @Override
    public void gemm(Tensor c, boolean transA, Tensor a, boolean transB, Tensor b, float alpha, float beta) {
        op();
        delegate.gemm(mine(c), transA, mine(a), transB, mine(b), alpha, beta);
    }

    @Override
    public void addBias(Tensor out, Tensor bias) {
        op();
        delegate.addBias(mine(out), mine(bias));
    }

    @Override
    public void biasBackward(Tensor dBias, Tensor dOut) {
        op();
        delegate.biasBackward(mine(dBias), mine(dOut));
    }

    @Override
    public void lstmCellForward(Tensor h, Tensor c, Tensor gates, Tensor bias, Tensor cPrev) {
        op();
        delegate.lstmCellForward(mine(h), mine(c), mine(gates), mine(bias), mine(cPrev));
    }

    @Override
    public void lstmCellBackward(Tensor dGates, Tensor dcPrev, Tensor dh, Tensor dc, Tensor gates, Tensor c, Tensor cPrev) {
        op();
        delegate.lstmCellBackward(mine(dGates), mine(dcPrev), mine(dh), mine(dc), mine(gates), mine(c), mine(cPrev));
    }

    @Override
    public void dropout(Tensor x, float p, long seed) {
        op();
        delegate.dropout(mine(x), p, seed);
    }

    @Override
    public void softmaxCrossEntropy(Tensor dLogits, Tensor loss, Tensor logits, IntTensor targets, float gradScale) {
        op();
        delegate.softmaxCrossEntropy(mine(dLogits), mine(loss), mine(logits), mine(targets), gradScale);
    }

    @Override
    public void sumSquares(Tensor out, Tensor x) {
        op();
        delegate.sumSquares(mine(out), mine(x));
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep step) {
        op();
        delegate.adamUpdate(mine(param), mine(grad), mine(m), mine(v), step);
    }

    @Override
    public void scoreTopK(IntTensor outIndex, Tensor outScore, Tensor h, Tensor w, Tensor bias,
                          IntTensor excludeOffsets, IntTensor exclude) {
        op();
        delegate.scoreTopK(mine(outIndex), mine(outScore), mine(h), mine(w), mine(bias), mine(excludeOffsets), mine(exclude));
    }

    @Override
    public void scoreRank(IntTensor outRank, Tensor h, Tensor w, Tensor bias, IntTensor targets,
                          IntTensor listOffsets, IntTensor list, RankMode mode) {
        op();
        delegate.scoreRank(mine(outRank), mine(h), mine(w), mine(bias), mine(targets), mine(listOffsets), mine(list), mode);
    }

    @Override
    public void sampledSoftmaxCrossEntropy(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias, Tensor logQ,
                                           IntTensor candidates, float logqWeight, float gradScale) {
        op();
        delegate.sampledSoftmaxCrossEntropy(mine(dLogits), mine(dBias), mine(loss), mine(logits), mine(bias), mine(logQ),
                mine(candidates), logqWeight, gradScale);
    }

    @Override
    public void bprMaxLoss(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias, IntTensor candidates,
                           float bpreg, float gradScale) {
        op();
        delegate.bprMaxLoss(mine(dLogits), mine(dBias), mine(loss), mine(logits), mine(bias), mine(candidates), bpreg, gradScale);
    }

    @Override
    public void adamUpdateRows(Tensor param, Tensor gradRows, Tensor m, Tensor v, IntTensor rows, AdamStep step) {
        op();
        delegate.adamUpdateRows(mine(param), mine(gradRows), mine(m), mine(v), mine(rows), step);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
