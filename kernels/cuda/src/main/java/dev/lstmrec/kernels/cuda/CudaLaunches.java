package dev.lstmrec.kernels.cuda;

import dev.lstmrec.engine.backend.AdagradStep;
import dev.lstmrec.engine.backend.AdamStep;
import dev.lstmrec.engine.backend.Checks;
import dev.lstmrec.engine.backend.DropoutMask;
import dev.lstmrec.engine.backend.RankMode;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;

/**
 * Every compute op of the CUDA backend as one kernel launch (grid, block, shared memory and the
 * argument list in the kernel's order), handed to a {@link Launcher}. Pure Java: CudaBackend's launcher turns tensors
 * into device pointers and calls cuLaunchKernel; the tests' launcher runs the same kernels compiled for the CPU
 * (CudaKernelEmulationTest), which checks this marshalling and the kernels against ScalarBackend without a GPU.
 * Shapes are checked once by the engine's CheckedBackend; only the device's own limits (grid size, top-K in shared
 * memory) are checked here.
 */
final class CudaLaunches {
    /** Receives one launch. Arguments: Tensor, IntTensor, null (null pointer), {@link #ERROR_FLAG}, Integer, Float, Long. */
    interface Launcher {
        void launch(CudaKernel kernel, int gridX, int gridY, int blockX, int blockY, int sharedBytes, Object[] args);
    }

    /** Stands for the backend's one-int device error flag (codes in common.cuh). */
    static final Object ERROR_FLAG = new Object() {
        @Override
        public String toString() {
            return "ERROR_FLAG";
        }
    };

    /** The device error codes, as common.cuh declares them (CudaErrorCodesTest keeps the two equal). */
    static final int ERR_EMBEDDING_ID = 1, ERR_SOFTMAX_TARGET = 2, ERR_RANK_TARGET = 3, ERR_ROW_INDEX = 4,
            ERR_FILL_COLUMN = 5;
    /** Largest K of scoreTopK: its list lives in 16·K bytes of shared memory beside 18 KB of tiles (48 KB limit). */
    static final int MAX_TOP_K = 1024;
    static final int THREADS = 256;
    static final int GEMM_TILE = 128, GEMM_SMALL_TILE = 64;
    static final int SCORE_THREADS = 128;
    static final int SUM_SQUARES_MAX_BLOCKS = 1024;
    static final int MAX_GRID_Y = 65535;
    // RANK_EXCLUDE / RANK_CANDIDATES of score.cu
    static final int RANK_EXCLUDE = 0, RANK_CANDIDATES = 1;

    private final Launcher launcher;
    private final int multiprocessors;

    /** @param multiprocessors the device's SM count: GEMMs whose 128-tile grid is smaller use 64-tiles */
    CudaLaunches(Launcher launcher, int multiprocessors) {
        this.launcher = launcher;
        this.multiprocessors = multiprocessors;
    }

    static int blocks(long n) {
        return (int) ((n + THREADS - 1) / THREADS);
    }

    private void launch(CudaKernel k, int gridX, int gridY, int blockX, int blockY, int sharedBytes, Object... args) {
        String sig = k.signature();
        if (args.length != sig.length()) {
            throw new IllegalStateException(k.entry() + " takes " + sig.length() + " arguments, launched with " + args.length);
        }
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            boolean ok = switch (sig.charAt(i)) {
                case 'p' -> a == null || a == ERROR_FLAG || a instanceof Tensor || a instanceof IntTensor;
                case 'i' -> a instanceof Integer;
                case 'f' -> a instanceof Float;
                case 'l' -> a instanceof Long;
                default -> false;
            };
            if (!ok) throw new IllegalStateException(k.entry() + " argument " + i + " should be '" + sig.charAt(i) + "' but is " + a);
        }
        launcher.launch(k, gridX, gridY, blockX, blockY, sharedBytes, args);
    }

    void fill(Tensor dst, float value) {
        int n = dst.size();
        if (n > 0) launch(CudaKernel.FILL, blocks(n), 1, THREADS, 1, 0, dst, n, value);
    }

    void embeddingForward(Tensor out, Tensor table, IntTensor ids) {
        int p = ids.size(), e = table.cols(), rows = table.rows();
        if ((long) p * e > 0) launch(CudaKernel.EMBEDDING_FORWARD, blocks((long) p * e), 1, THREADS, 1, 0, out, table, ids, p, e, rows, ERROR_FLAG);
    }

    void embeddingBackward(Tensor dTable, Tensor dOut, IntTensor ids) {
        int p = ids.size(), e = dTable.cols(), rows = dTable.rows();
        if ((long) p * e > 0) launch(CudaKernel.EMBEDDING_BACKWARD, blocks((long) p * e), 1, THREADS, 1, 0, dTable, dOut, ids, p, e, rows, ERROR_FLAG);
    }

    void gemm(Tensor c, boolean transA, Tensor a, boolean transB, Tensor b, float alpha, float beta) {
        int m = c.dim(0), n = c.dim(1), k = transA ? a.dim(0) : a.dim(1);
        if (m == 0 || n == 0) return;
        long bigBlocks = (long) ceilDiv(m, GEMM_TILE) * ceilDiv(n, GEMM_TILE);
        boolean small = bigBlocks < multiprocessors;
        int tile = small ? GEMM_SMALL_TILE : GEMM_TILE;
        int gridY = ceilDiv(m, tile);
        Checks.require(gridY <= MAX_GRID_Y, "gemm: M = " + m + " exceeds the CUDA grid (" + MAX_GRID_Y * tile + " rows)");
        CudaKernel kernel = small
                ? (transA ? (transB ? CudaKernel.GEMM_TT_SMALL : CudaKernel.GEMM_TN_SMALL) : (transB ? CudaKernel.GEMM_NT_SMALL : CudaKernel.GEMM_NN_SMALL))
                : (transA ? (transB ? CudaKernel.GEMM_TT : CudaKernel.GEMM_TN) : (transB ? CudaKernel.GEMM_NT : CudaKernel.GEMM_NN));
        launch(kernel, ceilDiv(n, tile), gridY, THREADS, 1, 0, c, a, b, m, n, k, a.dim(1), b.dim(1), n, alpha, beta);
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    void addBias(Tensor out, Tensor bias) {
        int rows = out.dim(0), cols = out.dim(1);
        if ((long) rows * cols > 0) launch(CudaKernel.ADD_BIAS, blocks((long) rows * cols), 1, THREADS, 1, 0, out, bias, rows, cols);
    }

    void biasBackward(Tensor dBias, Tensor dOut) {
        int rows = dOut.dim(0), cols = dOut.dim(1);
        if (rows > 0 && cols > 0) launch(CudaKernel.BIAS_BACKWARD, (cols + 31) / 32, 1, 32, 8, 0, dBias, dOut, rows, cols);
    }

    void lstmCellForward(Tensor h, Tensor c, Tensor gates, Tensor bias, Tensor cPrev) {
        int n = h.dim(0), hid = h.dim(1);
        if ((long) n * hid > 0) launch(CudaKernel.LSTM_CELL_FORWARD, blocks((long) n * hid), 1, THREADS, 1, 0, h, c, gates, bias, cPrev, n, hid);
    }

    void lstmCellBackward(Tensor dGates, Tensor dcPrev, Tensor dh, Tensor dc, Tensor gates, Tensor c, Tensor cPrev) {
        int n = dh.dim(0), hid = dh.dim(1);
        if ((long) n * hid > 0) {
            launch(CudaKernel.LSTM_CELL_BACKWARD, blocks((long) n * hid), 1, THREADS, 1, 0, dGates, dcPrev, dh, dc, gates, c, cPrev, n, hid);
        }
    }

    void dropout(Tensor x, float p, long seed) {
        if (p == 0f || x.size() == 0) return;
        launch(CudaKernel.DROPOUT, blocks(x.size()), 1, THREADS, 1, 0, x, x.size(), DropoutMask.threshold(p), 1f / (1f - p), seed);
    }

    void softmaxCrossEntropy(Tensor dLogits, Tensor loss, Tensor logits, IntTensor targets, float gradScale) {
        int rows = logits.dim(0), v = logits.dim(1);
        if (rows > 0) launch(CudaKernel.SOFTMAX_CROSS_ENTROPY, rows, 1, THREADS, 1, 0, dLogits, loss, logits, targets, rows, v, gradScale, ERROR_FLAG);
    }

    void sumSquares(Tensor out, Tensor x) {
        int n = x.size();
        if (n > 0) launch(CudaKernel.SUM_SQUARES, Math.min(blocks(n), SUM_SQUARES_MAX_BLOCKS), 1, THREADS, 1, 0, out, x, n);
    }

    void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep step) {
        int n = param.size();
        if (n == 0) return;
        launch(CudaKernel.ADAM_UPDATE, blocks(n), 1, THREADS, 1, 0, param, grad, m, v, n,
                step.lr(), step.beta1(), step.beta2(), step.eps(), step.weightDecay(),
                step.biasCorrection1(), step.biasCorrection2(), step.gradScale());
    }

    void scoreTopK(IntTensor outIndex, Tensor outScore, Tensor h, Tensor w, Tensor bias, IntTensor excludeOffsets, IntTensor exclude) {
        int n = h.dim(0), hid = h.dim(1), v = w.dim(0), k = outIndex.cols();
        Checks.require(k <= MAX_TOP_K, "scoreTopK: K = " + k + " exceeds the CUDA backend's limit of " + MAX_TOP_K);
        if (n == 0 || k == 0) return;
        launch(CudaKernel.SCORE_TOP_K, n, 1, SCORE_THREADS, 1, 16 * k, outIndex, outScore, h, w, bias, excludeOffsets, exclude, hid, v, k);
    }

    void fillColumns(Tensor x, IntTensor offsets, IntTensor columns, float value) {
        int n = x.dim(0); // shapes checked by the checked front
        if (n > 0) launch(CudaKernel.FILL_COLUMNS, n, 1, THREADS, 1, 0, x, offsets, columns, columns.size(), x.dim(1), value, ERROR_FLAG);
    }

    void scoreRank(IntTensor outRank, Tensor h, Tensor w, Tensor bias, IntTensor targets,
                   IntTensor listOffsets, IntTensor list, RankMode mode) {
        int n = h.dim(0), hid = h.dim(1), v = w.dim(0);
        if (n == 0) return;
        int modeCode = mode == RankMode.EXCLUDE ? RANK_EXCLUDE : RANK_CANDIDATES;
        launch(CudaKernel.SCORE_RANK, n, 1, SCORE_THREADS, 1, 0, outRank, h, w, bias, targets, listOffsets, list, hid, v, modeCode, ERROR_FLAG);
    }

    // ---- sampled training ----------------------------------------------------------------------------------------

    void sampledSoftmaxCrossEntropy(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias, Tensor logQ,
                                    IntTensor candidates, float logqWeight, float gradScale) {
        int[] nc = {logits.dim(0), logits.dim(1)}; // shapes checked by the checked front
        if (nc[0] > 0) launch(CudaKernel.SAMPLED_SOFTMAX_CROSS_ENTROPY, nc[0], 1, THREADS, 1, 0, dLogits, dBias, loss, logits,
                bias, logQ, candidates, nc[0], nc[1], logqWeight, gradScale);
    }

    void bprMaxLoss(Tensor dLogits, Tensor dBias, Tensor loss, Tensor logits, Tensor bias, IntTensor candidates, float bpreg,
                    float gradScale) {
        int[] nc = {logits.dim(0), logits.dim(1)}; // shapes checked by the checked front
        if (nc[0] > 0) launch(CudaKernel.BPR_MAX_LOSS, nc[0], 1, THREADS, 1, 0, dLogits, dBias, loss, logits, bias, candidates,
                nc[0], nc[1], bpreg, gradScale);
    }

    void adamUpdateRows(Tensor param, Tensor gradRows, Tensor m, Tensor v, IntTensor rows, AdamStep step) {
        int[] nc = {rows.size(), param.dim(1)}; // shapes checked by the checked front
        long elements = (long) nc[0] * nc[1];
        if (elements == 0) return;
        launch(CudaKernel.ADAM_UPDATE_ROWS, blocks(elements), 1, THREADS, 1, 0, param, gradRows, m, v, rows, nc[0], nc[1],
                param.dim(0), step.lr(), step.beta1(), step.beta2(), step.eps(), step.weightDecay(),
                step.biasCorrection1(), step.biasCorrection2(), step.gradScale(), ERROR_FLAG);
    }

    void adagradUpdateRows(Tensor param, Tensor gradRows, Tensor mom, Tensor acc, IntTensor rows, AdagradStep step) {
        long elements = (long) rows.size() * param.dim(1); // shapes checked by the checked front
        if (elements == 0) return;
        launch(CudaKernel.ADAGRAD_UPDATE_ROWS, blocks(elements), 1, THREADS, 1, 0, param, gradRows, mom, acc, rows,
                rows.size(), param.dim(1), param.dim(0), step.lr(), step.momentum(), step.eps(), step.weightDecay(),
                step.gradScale(), ERROR_FLAG);
    }
}
