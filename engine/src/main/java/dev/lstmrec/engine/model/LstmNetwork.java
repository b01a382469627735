package dev.lstmrec.engine.model;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;

/**
 * The recommender network's forward and backward passes, written by hand over the backend's fused ops and laid out
 * like cuDNN's fast LSTM: per layer, one GEMM projects the inputs of all time steps at once; each step then adds
 * one recurrent GEMM and runs one fused gate kernel. The backward sweeps the steps in reverse the same way and
 * then accumulates the weight gradients as large GEMMs over all steps. The scoring layer and the softmax
 * cross-entropy run fused, forward and backward together, in chunks of rows, so the [P, N] logits never exist at
 * once. Checked against finite differences of a double-precision twin (LstmNetworkGradientTest).
 *
 * <p>FLOPs per packed token (forward): 2·G·(in + H) for the LSTM layer, 2·N·H for scoring; the backward costs
 * about twice that.
 *
 * <p>The network owns its workspace on the backend (grown as batches grow, freed by {@link #close()}); the weights
 * and gradients belong to the caller.
 */
public final class LstmNetwork implements AutoCloseable {
    private final Backend backend;
    private final ModelConfig config;
    private final Parameters weights;
    private final Parameters grads;
    private final Workspace ws;

    /**
     * @param grads gradient slab, or null for an inference-only network (no backward buffers are allocated)
     */
    public LstmNetwork(Backend backend, Parameters weights, Parameters grads) {
        this(backend, weights, grads, 0);
    }

    /** As above with the scoring layer's chunk fixed at {@code scoringChunkRows} rows (0: sized for the cache); for tests. */
    LstmNetwork(Backend backend, Parameters weights, Parameters grads, int scoringChunkRows) {
        this.backend = backend;
        this.config = weights.config();
        this.weights = weights;
        this.grads = grads;
        this.ws = new Workspace(backend, config, grads != null, scoringChunkRows);
    }

    public ModelConfig config() {
        return config;
    }

    /** Frees the workspace's tensors (not the weights or gradients). */
    @Override
    public void close() {
        ws.close();
    }

    /** Accumulated training loss (sum of token cross-entropies) since the last {@link #resetLoss()}. [1] */
    public Tensor loss() {
        return ws.loss;
    }

    public void resetLoss() {
        backend.fill(ws.loss, 0f);
    }

    /**
     * Forward + backward of one batch: adds the gradient of the mean token cross-entropy to the gradient slab
     * ({@code +=}) and the summed loss to {@link #loss()}. Dropout masks derive from {@code dropoutSeed}.
     */
    public void trainStep(PackedBatch batch, long dropoutSeed) {
        trainStep(batch, dropoutSeed, null);
    }

    /**
     * As {@link #trainStep(PackedBatch, long)}; with {@code sampled} given (and {@link SampledScoring#prepare} called
     * for this batch) the scoring layer runs the sampled loss, and the item tables' gradients go to its compact row
     * blocks instead of the gradient slab (whose embedding, out.w and out.b parts are then left untouched).
     */
    public void trainStep(PackedBatch batch, long dropoutSeed, SampledScoring sampled) {
        if (grads == null) throw new IllegalStateException("inference-only network cannot train");
        upload(batch, true);
        forward(batch, true, dropoutSeed);
        if (sampled == null) {
            scoringForwardBackward(batch);
        } else {
            int p = batch.tokens();
            sampled.forwardBackward(batch, ws.top.rows(0, p), ws.dHiddenA.rows(0, p), weights, ws.loss);
        }
        backward(batch, dropoutSeed, sampled);
    }

    /**
     * Inference forward (no dropout); returns the last hidden state of every sequence, in the caller's order,
     * as a view [B, H] valid until the next call.
     */
    public Tensor finalHidden(PackedBatch batch) {
        upload(batch, false);
        forward(batch, false, 0L);
        int b = batch.sequences();
        backend.uploadInt(ws.gatherRows.rows(0, b), batch.lastRows(), 0);
        Tensor out = ws.finalHidden.rows(0, b);
        backend.embeddingForward(out, ws.top.rows(0, batch.tokens()), ws.gatherRows.rows(0, b));
        return out;
    }

    /**
     * Inference forward (no dropout); returns the top layer's hidden state at every packed row [P, H] (row order of
     * {@link PackedBatch}), valid until the next call: one forward over a sequence gives the state after each of its
     * prefixes (the session-based protocol scores every position from it).
     */
    public Tensor allHidden(PackedBatch batch) {
        upload(batch, false);
        forward(batch, false, 0L);
        return ws.hidden[config.layers() - 1].rows(0, batch.tokens());
    }

    /**
     * Inference forward from a zero state; writes every layer's h and c after each sequence's last item into the rows
     * of {@code out} (the caller's order; {@code out.rows()} = the batch's sequences). The top layer's h is what
     * {@link #finalHidden} returns. The state can then be carried forward by {@link #step}.
     */
    public void finalState(PackedBatch batch, LstmState out) {
        int b = batch.sequences(), p = batch.tokens();
        if (out.rows() != b || out.layers() != config.layers()) {
            throw new IllegalArgumentException("state of " + out.rows() + " rows and " + out.layers() + " layers for "
                    + b + " sequences and " + config.layers() + " layers");
        }
        upload(batch, false);
        forward(batch, false, 0L);
        IntTensor last = ws.gatherRows.rows(0, b);
        backend.uploadInt(last, batch.lastRows(), 0);
        for (int l = 0; l < config.layers(); l++) {
            backend.embeddingForward(out.h(l), ws.hidden[l].rows(0, p), last);
            backend.embeddingForward(out.c(l), ws.cells[l].rows(0, p), last);
        }
    }

    /**
     * One inference time step for the first {@code items.length} rows of {@code state}, in place: row r reads item
     * {@code items[r]} (1..N) from the state it holds, the same ops as a step of {@link #finalState}'s forward (the
     * input projection, then the recurrent GEMM added, then the fused gate kernel), so a state carried forward by
     * steps equals a fresh pass over the same items within float rounding (exactly on the scalar backend).
     * Cost per row: 2·G·(E + H) FLOPs per layer, no pass over the earlier items.
     */
    public void step(LstmState state, int[] items) {
        int n = items.length;
        if (n == 0) return;
        if (n > state.rows()) throw new IllegalArgumentException(n + " items for a state of " + state.rows() + " rows");
        ws.ensure(n, n);
        IntTensor ids = ws.inputIds.rows(0, n);
        backend.uploadInt(ids, items, 0);
        Tensor x = ws.layerInput[0].rows(0, n);
        backend.embeddingForward(x, weights.embedding(), ids);
        for (int l = 0; l < config.layers(); l++) {
            Tensor in = l == 0 ? x : state.h(l - 1).rows(0, n);
            Tensor gates = ws.gates[l].rows(0, n), h = state.h(l).rows(0, n), c = state.c(l).rows(0, n);
            Tensor cNext = ws.cells[l].rows(0, n); // the gate kernel's c may not alias its cPrev
            backend.gemm(gates, false, in, true, weights.wIh(l), 1f, 0f);
            backend.gemm(gates, false, h, true, weights.wHh(l), 1f, 1f);
            backend.lstmCellForward(h, cNext, gates, weights.bias(l), c);
            backend.copy(c, cNext);
        }
    }

    private void upload(PackedBatch batch, boolean withTargets) {
        ws.ensure(batch.tokens(), batch.sequences());
        int p = batch.tokens();
        backend.uploadInt(ws.inputIds.rows(0, p), batch.inputs(), 0);
        if (withTargets) backend.uploadInt(ws.targets.rows(0, p), batch.targets(), 0);
    }

    /** Seed of the dropout mask at a site: 0 is the embedding output, l + 1 the output of layer l. */
    static long seedFor(long seed, int site) {
        return seed * 0x9E3779B97F4A7C15L + site * 0xC2B2AE3D27D4EB4FL;
    }

    private void forward(PackedBatch batch, boolean training, long seed) {
        int p = batch.tokens(), steps = batch.steps();
        Tensor x = ws.layerInput[0].rows(0, p);
        backend.embeddingForward(x, weights.embedding(), ws.inputIds.rows(0, p));
        if (training && config.embeddingDropout() > 0) backend.dropout(x, config.embeddingDropout(), seedFor(seed, 0));
        for (int l = 0; l < config.layers(); l++) {
            Tensor in = ws.layerInput[l].rows(0, p);
            Tensor gates = ws.gates[l].rows(0, p);
            Tensor h = ws.hidden[l], c = ws.cells[l];
            backend.gemm(gates, false, in, true, weights.wIh(l), 1f, 0f);
            for (int t = 0; t < steps; t++) {
                int n = batch.batchSize(t), off = batch.offset(t);
                Tensor gt = gates.rows(off, n);
                Tensor cPrev = null;
                if (t > 0) {
                    int prev = batch.offset(t - 1);
                    Tensor hPrev = h.rows(prev, n);
                    backend.gemm(gt, false, hPrev, true, weights.wHh(l), 1f, 1f);
                    if (training) backend.copy(ws.hiddenPrev[l].rows(off, n), hPrev);
                    cPrev = c.rows(prev, n);
                }
                backend.lstmCellForward(h.rows(off, n), c.rows(off, n), gt, weights.bias(l), cPrev);
            }
            Tensor next = l + 1 < config.layers() ? ws.layerInput[l + 1] : ws.top;
            if (training && config.hiddenDropout() > 0) {
                Tensor dst = next.rows(0, p);
                backend.copy(dst, h.rows(0, p));
                backend.dropout(dst, config.hiddenDropout(), seedFor(seed, l + 1));
            }
        }
    }

    /** Scores, softmax cross-entropy and their backward, chunk by chunk; leaves dTop in dHiddenA. */
    private void scoringForwardBackward(PackedBatch batch) {
        int p = batch.tokens(), chunk = ws.chunkRows();
        float scale = batch.predictedTokens() == 0 ? 0f : 1f / batch.predictedTokens();
        Tensor top = ws.top.rows(0, p);
        Tensor dTop = ws.dHiddenA.rows(0, p);
        for (int start = 0; start < p; start += chunk) {
            int n = Math.min(chunk, p - start);
            Tensor hs = top.rows(start, n);
            Tensor logits = ws.logits.rows(0, n);
            backend.gemm(logits, false, hs, true, weights.outW(), 1f, 0f);
            if (batch.hasHistories()) { // seen items out of the softmax: probability 0, gradient 0
                Workspace.SeenLists seen = ws.uploadSeen(batch.seenColumns(start, n));
                backend.fillColumns(logits, seen.offsets(), seen.columns(), Float.NEGATIVE_INFINITY);
            }
            backend.biasedSoftmaxCrossEntropy(logits, grads.outB(), ws.loss, logits, weights.outB(),
                    ws.targets.rows(start, n), scale);
            backend.gemm(dTop.rows(start, n), false, logits, false, weights.outW(), 1f, 0f);
            backend.gemm(grads.outW(), true, logits, false, hs, 1f, 1f);
        }
    }

    private void backward(PackedBatch batch, long seed, SampledScoring sampled) {
        int p = batch.tokens(), steps = batch.steps();
        Tensor dH = ws.dHiddenA.rows(0, p);
        if (config.hiddenDropout() > 0) backend.dropout(dH, config.hiddenDropout(), seedFor(seed, config.layers()));
        for (int l = config.layers() - 1; l >= 0; l--) {
            Tensor gates = ws.gates[l], c = ws.cells[l];
            Tensor dGates = ws.dGates.rows(0, p);
            Tensor dC = ws.dCell;
            backend.fill(dC.rows(0, batch.batchSize(0)), 0f);
            for (int t = steps - 1; t >= 0; t--) {
                int n = batch.batchSize(t), off = batch.offset(t);
                Tensor dct = dC.rows(0, n);
                Tensor cPrev = t > 0 ? c.rows(batch.offset(t - 1), n) : null;
                backend.lstmCellBackward(dGates.rows(off, n), t > 0 ? dct : null, dH.rows(off, n), dct,
                        gates.rows(off, n), c.rows(off, n), cPrev);
                if (t > 0) {
                    backend.gemm(dH.rows(batch.offset(t - 1), n), false, dGates.rows(off, n), false, weights.wHh(l), 1f, 1f);
                }
            }
            if (steps > 1) {
                int from = batch.offset(1);
                backend.gemm(grads.wHh(l), true, dGates.rows(from, p - from), false, ws.hiddenPrev[l].rows(from, p - from), 1f, 1f);
            }
            Tensor in = ws.layerInput[l].rows(0, p);
            backend.gemm(grads.wIh(l), true, dGates, false, in, 1f, 1f);
            backend.biasBackward(grads.bias(l), dGates);
            if (l > 0) {
                Tensor dBelow = (dH.storage() == ws.dHiddenA.storage() ? ws.dHiddenB : ws.dHiddenA).rows(0, p);
                backend.gemm(dBelow, false, dGates, false, weights.wIh(l), 1f, 0f);
                if (config.hiddenDropout() > 0) backend.dropout(dBelow, config.hiddenDropout(), seedFor(seed, l));
                dH = dBelow;
            } else {
                Tensor dX = ws.dEmbedded.rows(0, p);
                backend.gemm(dX, false, dGates, false, weights.wIh(0), 1f, 0f);
                if (config.embeddingDropout() > 0) backend.dropout(dX, config.embeddingDropout(), seedFor(seed, 0));
                if (sampled == null) backend.embeddingBackward(grads.embedding(), dX, ws.inputIds.rows(0, p));
                else backend.embeddingBackward(sampled.embeddingGradBlock(), dX, sampled.localInputIds(p));
            }
        }
    }
}
