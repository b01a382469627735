package dev.lstmrec.engine.model;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.Arrays;

/**
 * The scoring layer of a sampled-loss training step (sampled softmax or BPR-max, GRU4Rec style), with sparse
 * gradients. Each time step of the packed batch is a group: its n_t rows are scored against the candidate block
 * [the group's n_t targets] ++ [the step's K shared negatives], which sits contiguously in one buffer (targets copied
 * in just before the negatives), so one GEMM scores a group, one fused op takes the loss and its gradient, and two
 * GEMMs give dH and the candidates' weight gradient. Weight and bias gradients go to compact row blocks (one row per
 * distinct item the step touched); the input embedding's gradient likewise. Nothing here costs O(N·d): per step the
 * work is O(P·(n_t + K)·H) for scoring and O((P + K)·H) for gathers and scatters.
 *
 * <p>FLOPs per token: 6·(n_t + K)·H (forward GEMM, dH and dW GEMMs) plus the LSTM's; memory: a [B, B + K] logits block.
 *
 * <p>Tied models: the output rows are embedding rows, so the weight gradients of inputs and candidates go to one
 * compact block over the union of the rows (an item that is both gets one row and so one Adam update); the output
 * biases keep their own block.
 */
public final class SampledScoring implements AutoCloseable {
    private final Backend backend;
    private final ModelConfig config;
    private final boolean bprMax;
    private final float logqWeight;
    private final float bpreg;
    private final int k;

    // Host plan of the current step.
    private final int[] outSlot;   // output row -> local index in the compact block, -1 when untouched (reset per step)
    private final int[] inSlot;    // embedding row -> local index
    private int[] outRows = new int[0], inRows = new int[0], localTarget = new int[0], localInput = new int[0];
    private int[] localNeg;
    private int[] localTargetW = new int[0], localNegW; // tied: candidates' rows in the embedding block
    private int[] gatherIds = new int[0];
    private float[] targetLogQ = new float[0];
    private float[] negLogQ;
    private int outCount, inCount, bMax;

    // Device buffers, grown on demand.
    private Tensor cand, candBias, candLogQ, dCand, dCandBias, logits;
    private IntTensor candIds, candGather, dLocalTarget, dLocalNeg, dLocalInput, dOutRowIds, dInRowIds, dLocalTargetW, dLocalNegW;
    private Tensor dOutRows, dOutBias, dEmbRows;
    private int tokenCap, outCap, inCap;

    /**
     * @param bprMax     BPR-max instead of the sampled softmax
     * @param negatives  K, shared by every group of a step
     */
    public SampledScoring(Backend backend, ModelConfig config, boolean bprMax, int negatives, float logqWeight, float bpreg) {
        this.backend = backend;
        this.config = config;
        this.bprMax = bprMax;
        this.k = negatives;
        this.logqWeight = logqWeight;
        this.bpreg = bpreg;
        outSlot = new int[config.numItems()];
        inSlot = new int[config.numItems() + 1];
        Arrays.fill(outSlot, -1);
        Arrays.fill(inSlot, -1);
        localNeg = new int[negatives];
        localNegW = new int[negatives];
        negLogQ = new float[negatives];
    }

    /** Log Q of a candidate: GRU4Rec's support count for an in-batch target, count^alpha for a sampled negative. */
    public interface LogQ {
        double target(int row);

        double negative(int row);
    }

    /**
     * Plans a step: the distinct output and input rows it touches and each position's local index, the log Q of every
     * candidate; uploads the plan and zeroes the compact gradient blocks. {@code negatives} are output rows.
     */
    public void prepare(PackedBatch batch, int[] negatives, LogQ logQ) {
        int p = batch.tokens();
        bMax = batch.steps() == 0 ? 0 : batch.batchSize(0);
        int[] targets = batch.targets(), inputs = batch.inputs();
        if (localTarget.length < p) {
            localTarget = new int[p];
            localInput = new int[p];
            gatherIds = new int[p];
            targetLogQ = new float[p];
            outRows = new int[p + k];
            inRows = new int[2 * p + k];
            localTargetW = new int[p];
        }
        outCount = 0;
        inCount = 0;
        for (int r = 0; r < p; r++) {
            int t = targets[r];
            int row = Math.max(0, t); // a masked position scores row 0; its loss and gradient are masked
            gatherIds[r] = row;
            localTarget[r] = slot(outSlot, outRows, row, true);
            targetLogQ[r] = t < 0 ? 0f : (float) logQ.target(t);
            localInput[r] = slot(inSlot, inRows, inputs[r], false);
        }
        for (int i = 0; i < k; i++) {
            localNeg[i] = slot(outSlot, outRows, negatives[i], true);
            negLogQ[i] = (float) logQ.negative(negatives[i]);
        }
        if (config.tied()) { // output row j is embedding row j + 1
            for (int r = 0; r < p; r++) localTargetW[r] = slot(inSlot, inRows, gatherIds[r] + 1, false);
            for (int i = 0; i < k; i++) localNegW[i] = slot(inSlot, inRows, negatives[i] + 1, false);
        }
        for (int i = 0; i < outCount; i++) outSlot[outRows[i]] = -1; // O(touched), never O(N)
        for (int i = 0; i < inCount; i++) inSlot[inRows[i]] = -1;
        ensure(p);
        backend.uploadInt(candIds.rows(bMax, k), negatives, 0);
        backend.uploadInt(candGather.rows(bMax, k), negatives, 0);
        backend.upload(candLogQ.rows(bMax, k), negLogQ, 0);
        backend.uploadInt(dLocalTarget.rows(0, p), localTarget, 0);
        backend.uploadInt(dLocalNeg, localNeg, 0);
        if (config.tied()) {
            backend.uploadInt(dLocalTargetW.rows(0, p), localTargetW, 0);
            backend.uploadInt(dLocalNegW, localNegW, 0);
        }
        backend.uploadInt(dLocalInput.rows(0, p), localInput, 0);
        backend.uploadInt(dOutRowIds.rows(0, outCount), outRows, 0);
        backend.uploadInt(dInRowIds.rows(0, inCount), inRows, 0);
        backend.fill(dOutRows.rows(0, outCount), 0f);
        backend.fill(dOutBias.rows(0, outCount), 0f);
        backend.fill(dEmbRows.rows(0, inCount), 0f);
    }

    private int slot(int[] slots, int[] rows, int row, boolean out) {
        int s = slots[row];
        if (s >= 0) return s;
        int idx = out ? outCount++ : inCount++;
        slots[row] = idx;
        rows[idx] = row;
        return idx;
    }

    private void free(Tensor... ts) {
        for (Tensor t : ts) if (t != null) backend.free(t);
    }

    private void free(IntTensor... ts) {
        for (IntTensor t : ts) if (t != null) backend.free(t);
    }

    private void freeGroupBuffers() {
        free(cand, dCand, candBias, dCandBias, candLogQ, logits);
        free(candIds, candGather, dLocalTarget, dLocalInput, dLocalNeg, dLocalTargetW, dLocalNegW);
    }

    /** Frees every buffer on the backend; the object must not be used afterwards. */
    @Override
    public void close() {
        freeGroupBuffers();
        free(dOutRows, dOutBias, dEmbRows);
        free(dOutRowIds, dInRowIds);
        cand = null;
        dOutRows = null;
        dEmbRows = null;
    }

    private void ensure(int p) {
        if (p > tokenCap || cand == null || cand.rows() < bMax + k) {
            freeGroupBuffers(); // a growth frees what it replaces
            tokenCap = Math.max(p, tokenCap + tokenCap / 4);
            int b = Math.max(bMax, cand == null ? 0 : cand.rows() - k), c = b + k, h = config.hiddenDim();
            cand = backend.allocate(c, h);
            dCand = backend.allocate(c, h);
            candBias = backend.allocate(c);
            dCandBias = backend.allocate(c);
            candLogQ = backend.allocate(c);
            candIds = backend.allocateInt(c);
            candGather = backend.allocateInt(c);
            logits = backend.allocate(b * c);
            dLocalTarget = backend.allocateInt(tokenCap);
            dLocalInput = backend.allocateInt(tokenCap);
            dLocalNeg = backend.allocateInt(k);
            dLocalTargetW = backend.allocateInt(tokenCap);
            dLocalNegW = backend.allocateInt(k);
        }
        if (outCount > outCap || dOutRows == null) {
            outCap = Math.max(outCount, outCap + outCap / 4);
            free(dOutRows, dOutBias);
            free(dOutRowIds);
            dOutRows = backend.allocate(outCap, config.hiddenDim());
            dOutBias = backend.allocate(outCap);
            dOutRowIds = backend.allocateInt(outCap);
        }
        if (inCount > inCap || dEmbRows == null) {
            inCap = Math.max(inCount, inCap + inCap / 4);
            free(dEmbRows);
            free(dInRowIds);
            dEmbRows = backend.allocate(inCap, config.embeddingDim());
            dInRowIds = backend.allocateInt(inCap);
        }
    }

    /**
     * Scores every group of the batch, adds the loss to {@code loss}, writes dTop (=) and accumulates the compact
     * output-row gradients. {@code top} [P, H] is the last layer's output.
     */
    void forwardBackward(PackedBatch batch, Tensor top, Tensor dTop, Parameters weights, Tensor loss) {
        float scale = batch.predictedTokens() == 0 ? 0f : 1f / batch.predictedTokens();
        Tensor outB = weights.outB().reshape(config.numItems(), 1);
        // The shared negatives: gathered once, their gradients accumulate over all groups.
        backend.embeddingForward(cand.rows(bMax, k), weights.outW(), candGather.rows(bMax, k));
        backend.embeddingForward(candBias.rows(bMax, k).reshape(k, 1), outB, candGather.rows(bMax, k));
        backend.fill(dCand.rows(bMax, k), 0f);
        backend.fill(dCandBias.rows(bMax, k), 0f);
        int[] targets = batch.targets();
        for (int t = 0; t < batch.steps(); t++) {
            int n = batch.batchSize(t), off = batch.offset(t), base = bMax - n, c = n + k;
            backend.uploadInt(candIds.rows(base, n), targets, off);
            backend.uploadInt(candGather.rows(base, n), gatherIds, off);
            backend.upload(candLogQ.rows(base, n), targetLogQ, off);
            backend.embeddingForward(cand.rows(base, n), weights.outW(), candGather.rows(base, n));
            backend.embeddingForward(candBias.rows(base, n).reshape(n, 1), outB, candGather.rows(base, n));
            backend.fill(dCand.rows(base, n), 0f);
            backend.fill(dCandBias.rows(base, n), 0f);
            Tensor hs = top.rows(off, n), w = cand.rows(base, c), lg = logits.view(0, n, c);
            backend.gemm(lg, false, hs, true, w, 1f, 0f);
            if (bprMax) {
                backend.bprMaxLoss(lg, dCandBias.rows(base, c), loss, lg, candBias.rows(base, c), candIds.rows(base, c), bpreg, scale);
            } else {
                backend.sampledSoftmaxCrossEntropy(lg, dCandBias.rows(base, c), loss, lg, candBias.rows(base, c),
                        candLogQ.rows(base, c), candIds.rows(base, c), logqWeight, scale);
            }
            backend.gemm(dTop.rows(off, n), false, lg, false, w, 1f, 0f);
            backend.gemm(dCand.rows(base, c), true, lg, false, hs, 1f, 1f);
            backend.embeddingBackward(weightBlock(), dCand.rows(base, n), (config.tied() ? dLocalTargetW : dLocalTarget).rows(off, n));
            backend.embeddingBackward(dOutBias.reshape(outCap, 1), dCandBias.rows(base, n).reshape(n, 1), dLocalTarget.rows(off, n));
        }
        backend.embeddingBackward(weightBlock(), dCand.rows(bMax, k), config.tied() ? dLocalNegW : dLocalNeg);
        backend.embeddingBackward(dOutBias.reshape(outCap, 1), dCandBias.rows(bMax, k).reshape(k, 1), dLocalNeg);
    }

    /** Where the candidates' weight gradients go: the embedding block when tied. */
    private Tensor weightBlock() {
        return config.tied() ? dEmbRows : dOutRows;
    }

    /**
     * Compact gradient of the output rows touched this step [U, H] (row i belongs to {@link #outRowIds()}[i]); empty
     * for a tied model, whose output-row gradients are in {@link #embeddingGrad()}.
     */
    public Tensor outWeightGrad() {
        return dOutRows.rows(0, config.tied() ? 0 : outCount);
    }

    /** Compact gradient of the touched output biases [U, 1]. */
    public Tensor outBiasGrad() {
        return dOutBias.rows(0, outCount).reshape(outCount, 1);
    }

    /** The output rows touched this step [U]. */
    public IntTensor outRowIds() {
        return dOutRowIds.rows(0, outCount);
    }

    /** Compact gradient of the input-embedding rows touched this step [U_in, E] (tied: input and output rows). */
    public Tensor embeddingGrad() {
        return dEmbRows.rows(0, inCount);
    }

    /** The embedding rows touched this step [U_in]. */
    public IntTensor embeddingRowIds() {
        return dInRowIds.rows(0, inCount);
    }

    /** The full embedding gradient block (capacity rows), for the backward's scatter with {@link #localInputIds}. */
    Tensor embeddingGradBlock() {
        return dEmbRows;
    }

    /** Each packed position's local row in {@link #embeddingGradBlock()} [P]. */
    IntTensor localInputIds(int p) {
        return dLocalInput.rows(0, p);
    }
}
