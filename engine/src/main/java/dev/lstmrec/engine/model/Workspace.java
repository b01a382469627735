package dev.lstmrec.engine.model;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;

/**
 * Activation and gradient buffers of {@link LstmNetwork}, allocated once for the largest batch seen and reused
 * (no allocation in the training loop once shapes stop growing). Buffers are sized in rows; callers take row views.
 * A growth frees the buffers it replaces, and {@link #close()} frees them all (some alias each other: freed once).
 */
final class Workspace {
    private final Backend backend;
    private final ModelConfig config;
    private final boolean training;
    private int tokenCapacity;
    private int rowCapacity;
    private int chunkCapacity;

    IntTensor inputIds;
    IntTensor targets;
    IntTensor gatherRows;
    Tensor[] layerInput;   // [P, in_l] input of layer l (embedding output for l = 0, after dropout)
    Tensor[] gates;        // [P, G]   activations saved for the backward
    Tensor[] hidden;       // [P, H]   raw LSTM outputs
    Tensor[] cells;        // [P, H]
    Tensor[] hiddenPrev;   // [P, H]   h_{t-1} aligned with step t's rows, for the dW_hh GEMM
    Tensor top;            // [P, H]   output of the last layer after dropout (fed to the scoring layer)
    Tensor dGates;         // [P, G]
    Tensor dHiddenA;       // [P, H]
    Tensor dHiddenB;       // [P, H]
    Tensor dEmbedded;      // [P, E]
    Tensor dCell;          // [B, H]
    Tensor logits;         // [chunk, N]
    Tensor finalHidden;    // [B, H]
    Tensor loss;           // [1]
    IntTensor seenOffsets; // [chunk + 1] per scoring chunk, the items its rows have seen (training with histories)
    IntTensor seenColumns; // [grows]

    private final int fixedChunkRows;

    /** @param fixedChunkRows rows of a scoring chunk, or 0 for {@link #outputChunkRows} (tests force small chunks) */
    Workspace(Backend backend, ModelConfig config, boolean training, int fixedChunkRows) {
        if (fixedChunkRows < 0) throw new IllegalArgumentException("scoring chunk rows must be >= 0, got " + fixedChunkRows);
        this.backend = backend;
        this.config = config;
        this.training = training;
        this.fixedChunkRows = fixedChunkRows;
        this.loss = backend.allocate(1);
    }

    /** Makes room for a batch of {@code tokens} packed rows and {@code rows} sequences. */
    void ensure(int tokens, int rows) {
        if (tokens > tokenCapacity) growTokens(grow(tokenCapacity, tokens));
        if (rows > rowCapacity) {
            rowCapacity = grow(rowCapacity, rows);
            free(dCell, finalHidden);
            free(gatherRows);
            dCell = training ? backend.allocate(rowCapacity, config.hiddenDim()) : null;
            finalHidden = backend.allocate(rowCapacity, config.hiddenDim());
            gatherRows = backend.allocateInt(rowCapacity);
        }
    }

    private static int grow(int current, int needed) {
        return Math.max(needed, current + current / 4);
    }

    private void growTokens(int p) {
        if (tokenCapacity > 0) freeTokenBuffers();
        tokenCapacity = p;
        int layers = config.layers(), h = config.hiddenDim(), g = config.gateDim();
        inputIds = backend.allocateInt(p);
        targets = backend.allocateInt(p);
        layerInput = new Tensor[layers];
        gates = new Tensor[layers];
        hidden = new Tensor[layers];
        cells = new Tensor[layers];
        hiddenPrev = new Tensor[layers];
        layerInput[0] = backend.allocate(p, config.embeddingDim());
        for (int l = 0; l < layers; l++) {
            gates[l] = backend.allocate(p, g);
            hidden[l] = backend.allocate(p, h);
            cells[l] = backend.allocate(p, h);
            // Without dropout, layer l+1 reads layer l's output directly; with it, from a copy that dropout masks.
            if (l + 1 < layers) layerInput[l + 1] = config.hiddenDropout() > 0 && training ? backend.allocate(p, h) : hidden[l];
            if (training) hiddenPrev[l] = backend.allocate(p, h);
        }
        top = config.hiddenDropout() > 0 && training ? backend.allocate(p, h) : hidden[layers - 1];
        if (training) {
            dGates = backend.allocate(p, g);
            dHiddenA = backend.allocate(p, h);
            dHiddenB = layers > 1 ? backend.allocate(p, h) : null;
            dEmbedded = backend.allocate(p, config.embeddingDim());
            int chunk = fixedChunkRows > 0 ? fixedChunkRows : outputChunkRows(config.numItems(), config.hiddenDim());
            chunkCapacity = chunk;
            logits = backend.allocate(chunk, config.numItems());
        }
    }

    /**
     * Rows of the scoring layer processed at once. Each chunk re-reads W_out [N, H] three times (logits, dH, dW) and
     * passes over its [rows, N] logits about five times (GEMM, softmax, dH, dW). When W_out fits in a core's L2
     * (N·H ≤ 256K floats, e.g. 1682 x 64) re-reading it is nearly free, so the chunk is kept cache-sized (≤ 1M floats
     * of logits: 1682 items -> 623 rows, 15-20% faster scoring than 8192 rows); otherwise W_out streams from memory
     * and chunks are large (≤ 16M floats, 64 MB) to amortise it (23715 x 128 -> 707 rows; 64 rows were 35% slower).
     */
    static int outputChunkRows(int items, int hidden) {
        long budget = (long) items * hidden <= (1 << 18) ? 1 << 20 : 1 << 24;
        return (int) Math.max(64, Math.min(8192, budget / items));
    }

    /** A chunk's seen lists on the backend: views of {@link #seenOffsets} and {@link #seenColumns}. */
    record SeenLists(IntTensor offsets, IntTensor columns) {}

    /** Uploads a chunk's seen lists ({@link PackedBatch#seenColumns}) into buffers that grow as needed. */
    SeenLists uploadSeen(PackedBatch.SeenColumns seen) {
        int rows = seen.offsets().length, cols = seen.columns().length;
        if (seenOffsets == null || seenOffsets.size() < rows) {
            free(seenOffsets);
            seenOffsets = backend.allocateInt(grow(seenOffsets == null ? 0 : seenOffsets.size(), rows));
        }
        if (seenColumns == null || seenColumns.size() < Math.max(1, cols)) {
            free(seenColumns);
            seenColumns = backend.allocateInt(grow(seenColumns == null ? 0 : seenColumns.size(), Math.max(1, cols)));
        }
        SeenLists lists = new SeenLists(seenOffsets.view(0, rows), seenColumns.view(0, cols));
        backend.uploadInt(lists.offsets(), seen.offsets(), 0);
        backend.uploadInt(lists.columns(), seen.columns(), 0);
        return lists;
    }

    int chunkRows() {
        return chunkCapacity;
    }

    private void freeTokenBuffers() {
        free(inputIds, targets);
        Tensor[] all = {top, dGates, dHiddenA, dHiddenB, dEmbedded, logits};
        free(all);
        free(layerInput);
        free(gates);
        free(hidden);
        free(cells);
        free(hiddenPrev);
    }

    /** Frees every buffer; the workspace is not used afterwards. */
    void close() {
        if (tokenCapacity > 0) freeTokenBuffers();
        free(dCell, finalHidden, loss);
        free(gatherRows, seenOffsets, seenColumns);
        tokenCapacity = 0;
        rowCapacity = 0;
    }

    /** Frees each distinct allocation among {@code tensors} that is still live (buffers may alias, e.g. top = hidden). */
    private void free(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t != null && !t.storage().freed()) backend.free(t);
        }
    }

    private void free(IntTensor... tensors) {
        for (IntTensor t : tensors) {
            if (t != null && !t.storage().freed()) backend.free(t);
        }
    }
}
